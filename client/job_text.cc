#include "client/job_text.h"

#include <set>

#include "client/output.h"
#include "client/resource_tables.h"

namespace gantry::client {
namespace {

void Line(std::string& out, const char* label, const std::string& value) {
  out += "  ";
  out += label;
  // A label too long for the column still gets one space.
  const size_t length = std::char_traits<char>::length(label);
  out.append(length < 12 ? 12 - length : 1, ' ');
  out += OneLine(value);
  out += '\n';
}

std::string OptionalTime(const std::optional<int64_t>& ms) {
  return ms ? FormatLocalTime(*ms) : "-";
}

std::string CommandText(const std::vector<std::string>& command) {
  std::string out;
  for (const auto& arg : command) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"\\$`") == std::string::npos;
    out += plain ? arg : "'" + arg + "'";
  }
  return out;
}

void AppendAttempt(std::string& out, const protocol::Attempt& a) {
  out += "  attempt " + std::to_string(a.attemptNumber) + ":\n";
  auto sub = [&](const char* label, const std::string& value) {
    out += "    ";
    out += label;
    out.append(15 - std::char_traits<char>::length(label), ' ');  // "status reason:" and a space
    out += OneLine(value);
    out += '\n';
  };
  sub("node:", a.node.empty() ? "-" : a.node);
  sub("exit code:", a.exitCode ? std::to_string(*a.exitCode) : "-");
  if (a.reason) sub("reason:", *a.reason);
  if (a.statusReason) sub("status reason:", *a.statusReason);
  if (a.interruption) {
    sub("interrupted:", std::string(protocol::EnumName(a.interruption->kind)) +
                            (a.interruption->reason.empty() ? "" : ": " + a.interruption->reason));
  }
  sub("started:", OptionalTime(a.startedAt));
  sub("stopped:", a.stoppedAt ? FormatLocalTime(*a.stoppedAt) : "- (still running)");
}

// "size 10: SUCCEEDED 3  RUNNING 2" on a parent, "index 3 of 10" on a child.
std::string ArrayText(const protocol::ArrayProperties& a) {
  if (a.index) return "index " + std::to_string(*a.index) + " of " + std::to_string(a.size);
  std::string out = "size " + std::to_string(a.size);
  std::string counts;
  // In lifecycle order rather than the map's alphabetical one.
  for (const char* status : protocol::EnumNames<protocol::JobStatus>::kNames) {
    auto it = a.statusSummary.find(status);
    if (it == a.statusSummary.end() || it->second == 0) continue;
    counts += (counts.empty() ? "" : "  ") + std::string(status) + " " + std::to_string(it->second);
  }
  return counts.empty() ? out : out + ": " + counts;
}

std::string DependsOnText(const std::vector<protocol::JobDependency>& deps) {
  std::string out;
  for (const auto& d : deps) {
    if (!out.empty()) out += ", ";
    if (d.jobId.empty()) {
      out += d.type ? protocol::EnumName(*d.type) : "-";
      continue;
    }
    out += d.jobId;
    if (d.type) out += std::string(" (") + protocol::EnumName(*d.type) + ")";
  }
  return out;
}

std::string ParametersText(const protocol::Parameters& parameters) {
  std::string out;
  for (const auto& [k, v] : parameters) out += (out.empty() ? "" : " ") + k + "=" + v;
  return out;
}

size_t InterruptedAttempts(const protocol::Job& job) {
  size_t n = 0;
  for (const auto& a : job.attempts) n += a.interruption ? 1 : 0;
  return n;
}

// "2 interruptions of 5 allowed"; the queue's budget is not on the job, so
// without its own only the count shows.
std::string PreemptionText(const protocol::Job& job) {
  const size_t n = InterruptedAttempts(job);
  std::string out = std::to_string(n) + (n == 1 ? " interruption" : " interruptions");
  if (job.preemptionRetries) return out + " of " + std::to_string(*job.preemptionRetries) + " allowed";
  return out + " (the queue's allowance applies)";
}

// The job-model lines, each only when it says something.
void AppendJobModel(std::string& out, const protocol::Job& job) {
  if (job.arrayProperties) Line(out, "array:", ArrayText(*job.arrayProperties));
  if (!job.dependsOn.empty()) Line(out, "depends on:", DependsOnText(job.dependsOn));
  if (job.retryStrategy.attempts > 1 || !job.retryStrategy.evaluateOnExit.empty()) {
    // An interrupted attempt spends no retry attempt.
    std::string retry = std::to_string(job.attempts.size() - InterruptedAttempts(job)) + " of " +
                        std::to_string(job.retryStrategy.attempts) + " attempts used";
    if (!job.retryStrategy.evaluateOnExit.empty()) {
      retry += ", " + std::to_string(job.retryStrategy.evaluateOnExit.size()) + " evaluateOnExit rule" +
               (job.retryStrategy.evaluateOnExit.size() == 1 ? "" : "s");
    }
    Line(out, "retry:", retry);
  }
  if (job.timeout && job.timeout->attemptDurationSeconds) {
    Line(out, "timeout:", std::to_string(*job.timeout->attemptDurationSeconds) + "s per attempt");
  }
  if (!job.parameters.empty()) Line(out, "parameters:", ParametersText(job.parameters));
  if (job.shareIdentifier) {
    Line(out, "share:", *job.shareIdentifier + " (scheduling priority " + std::to_string(job.schedulingPriority) + ")");
  }
  if (job.preemptionRetries || InterruptedAttempts(job) > 0) Line(out, "preemption:", PreemptionText(job));
  if (job.isCancelled) Line(out, "cancelled:", "yes");
  if (job.isTerminated) Line(out, "terminated:", "yes");
}

}  // namespace

std::string FormatJobText(const protocol::Job& job) {
  std::string out = "job " + job.jobId + " (" + OneLine(job.jobName) + ")\n";
  Line(out, "queue:", job.jobQueue);
  Line(out, "definition:", job.jobDefinition);
  Line(out, "status:", protocol::EnumName(job.status));
  if (!job.statusReason.empty()) Line(out, "reason:", job.statusReason);
  if (job.submittedBy) Line(out, "submitted by:", *job.submittedBy);
  if (job.tags && !job.tags->empty()) Line(out, "tags:", FormatLabels(*job.tags));
  if (!job.command.empty()) Line(out, "command:", CommandText(job.command));
  std::string resources = std::to_string(job.resources.vcpus) + " vCPU, " +
                          FormatMib(job.resources.memoryMib) + " memory";
  if (job.resources.diskMib > 0) resources += ", " + FormatMib(job.resources.diskMib) + " disk";
  Line(out, "resources:", resources);
  Line(out, "created:", FormatLocalTime(job.createdAt));
  Line(out, "started:", OptionalTime(job.startedAt));
  Line(out, "stopped:", OptionalTime(job.stoppedAt));
  AppendJobModel(out, job);
  if (job.IsArrayParent()) {
    Line(out, "attempts:", "in its children: gantry list-jobs --array-job-id " + job.jobId);
  } else if (job.attempts.empty()) {
    Line(out, "attempts:", "none yet");
  }
  for (const auto& a : job.attempts) AppendAttempt(out, a);
  return out;
}

std::string FormatJobTable(const std::vector<protocol::Job>& jobs) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(jobs.size());
  for (const auto& job : jobs) {
    rows.push_back({job.jobId, OneLine(job.jobName), protocol::EnumName(job.status),
                    job.statusReason.empty() ? "-" : OneLine(job.statusReason),
                    FormatLocalTime(job.createdAt)});
  }
  return FormatTable({"JOB ID", "NAME", "STATUS", "REASON", "CREATED"}, rows);
}

Result<const protocol::Attempt*> SelectAttempt(const protocol::Job& job,
                                               std::optional<uint32_t> number) {
  const size_t n = job.attempts.size();
  if (n == 0) {
    std::string m = "job " + job.jobId + " has not started an attempt yet (status " +
                    protocol::EnumName(job.status);
    if (!job.statusReason.empty()) m += ": " + OneLine(job.statusReason);
    return Status::NotFound(m + ")");
  }
  if (!number) return &job.attempts.back();
  if (*number < 1 || *number > n) {
    return Status::InvalidArgument("job " + job.jobId + " has " + std::to_string(n) +
                                   (n == 1 ? " attempt" : " attempts") + "; --attempt must be " +
                                   (n == 1 ? "1" : "1-" + std::to_string(n)));
  }
  return &job.attempts[*number - 1];
}

WaitTally TallyJobs(const std::vector<std::string>& ids, const std::vector<protocol::Job>& jobs) {
  std::map<std::string_view, const protocol::Job*> by_id;
  for (const auto& job : jobs) by_id.emplace(job.jobId, &job);
  WaitTally t;
  std::set<std::string_view> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    ++t.total;
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      t.missing.push_back(id);
      continue;
    }
    const protocol::Job& job = *it->second;
    ++t.counts[job.status];
    if (protocol::IsTerminal(job.status)) ++t.finished;
    if (job.status == protocol::JobStatus::kFailed) {
      t.failed.push_back({job.jobId, job.jobName, job.statusReason});
    }
  }
  return t;
}

std::string FormatWaitProgress(const WaitTally& tally, int64_t elapsed_ms) {
  std::string out = std::to_string(tally.finished) + "/" + std::to_string(tally.total) + " finished";
  for (const auto& [status, count] : tally.counts) {
    out += "  ";
    out += protocol::EnumName(status);
    out += " " + std::to_string(count);
  }
  if (!tally.missing.empty()) out += "  UNKNOWN " + std::to_string(tally.missing.size());
  out += "  " + FormatDuration(elapsed_ms);
  return out;
}

}  // namespace gantry::client
