#include "coordinator/server/queries.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "coordinator/fsm/fsm.h"
#include "coordinator/server/node_deadlines.h"

namespace gantry::coordinator {

namespace {

// The job as a client sees it: a RUNNABLE job's latest waiting reason, an
// array parent's children counted per status.
protocol::Job Presented(const ClusterState& s, const protocol::Job& job, const WaitReasons& reasons) {
  protocol::Job out = job;
  if (job.status == protocol::JobStatus::kRunnable) {
    if (const WaitBoard::Entry* e = reasons.Find(job.sequence)) out.statusReason = e->reason;
  }
  if (job.IsArrayParent()) {
    const StatusCounts counts = s.ArrayCounts(job.jobId);
    for (size_t i = 0; i < counts.size(); ++i) {
      out.arrayProperties->statusSummary[protocol::EnumName(static_cast<protocol::JobStatus>(i))] = counts[i];
    }
  }
  return out;
}

protocol::Job Summary(const ClusterState& s, const protocol::Job& job, const WaitReasons& reasons) {
  protocol::Job out = Presented(s, job, reasons);
  for (auto& a : out.attempts) a.logTail.reset();
  return out;
}

Result<uint64_t> ParseToken(const std::optional<std::string>& token) {
  uint64_t v = 0;
  if (!token) return v;
  auto [ptr, ec] = std::from_chars(token->data(), token->data() + token->size(), v);
  if (ec != std::errc() || ptr != token->data() + token->size()) {
    return Status::InvalidArgument("nextToken is not one this coordinator issued");
  }
  return v;
}

std::string Lower(std::string_view v) {
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ListJobs' one filter, as AWS defines them (see KeyValuesPair).
class JobFilter {
 public:
  static Result<JobFilter> Make(const protocol::KeyValuesPair& f) {
    JobFilter out;
    out.name_ = f.name;
    out.value_ = f.values.front();
    if (f.name == "JOB_NAME") out.value_ = Lower(out.value_);
    if (f.name == "BEFORE_CREATED_AT" || f.name == "AFTER_CREATED_AT") {
      auto [ptr, ec] = std::from_chars(out.value_.data(), out.value_.data() + out.value_.size(), out.time_);
      if (ec != std::errc() || ptr != out.value_.data() + out.value_.size()) {
        return Status::InvalidArgument("filter " + f.name + ": \"" + out.value_.substr(0, 64) +
                                       "\" is not a time in epoch milliseconds");
      }
    }
    return out;
  }

  // AWS: a filter replaces jobStatus, except SHARE_IDENTIFIER, which
  // combines with it.
  bool CombinesWithStatus() const { return name_ == "SHARE_IDENTIFIER"; }

  bool Matches(const protocol::Job& j) const {
    if (name_ == "JOB_NAME") return protocol::GlobMatches(value_, Lower(j.jobName));
    if (name_ == "JOB_DEFINITION") {
      // "name:revision" is that revision; "name" any revision; "prefix*"
      // any revision of every name with the prefix.
      if (value_.find(':') != std::string::npos) return j.jobDefinition == value_;
      return protocol::GlobMatches(value_, j.jobDefinition.substr(0, j.jobDefinition.rfind(':')));
    }
    if (name_ == "BEFORE_CREATED_AT") return j.createdAt < time_;
    if (name_ == "AFTER_CREATED_AT") return j.createdAt > time_;
    return j.shareIdentifier && protocol::GlobMatches(value_, *j.shareIdentifier);  // SHARE_IDENTIFIER
  }

 private:
  std::string name_;
  std::string value_;
  int64_t time_ = 0;
};

}  // namespace

protocol::DescribeJobsReply DescribeJobs(const ClusterState& s, const WaitReasons& reasons,
                                         const protocol::DescribeJobsRequest& req) {
  protocol::DescribeJobsReply reply;
  for (const auto& id : req.jobs) {
    if (const protocol::Job* j = s.FindJob(id)) reply.jobs.push_back(Presented(s, *j, reasons));
  }
  return reply;
}

Result<protocol::ListJobsReply> ListJobs(const ClusterState& s, const WaitReasons& reasons,
                                         const protocol::ListJobsRequest& req) {
  GANTRY_ASSIGN_OR_RETURN(const uint64_t after, ParseToken(req.nextToken));
  std::optional<JobFilter> filter;
  if (!req.filters.empty()) {
    GANTRY_ASSIGN_OR_RETURN(JobFilter f, JobFilter::Make(req.filters.front()));
    filter = std::move(f);
  }
  // As AWS: a filter replaces the status condition, but for SHARE_IDENTIFIER.
  auto wanted = [&](const protocol::Job& j) {
    const bool status_ok = !req.jobStatus || j.status == *req.jobStatus;
    if (filter) return filter->Matches(j) && (!filter->CombinesWithStatus() || status_ok);
    return status_ok;
  };
  const uint32_t limit = req.maxResults.value_or(protocol::kDefaultListJobsResults);
  protocol::ListJobsReply reply;

  if (req.arrayJobId) {
    // Children by index; the token is the next index to look at.
    const protocol::Job* parent = s.FindJob(*req.arrayJobId);
    if (!parent || !parent->IsArrayParent()) {
      return Status::NotFound("array job " + *req.arrayJobId + " not found");
    }
    const uint64_t size = parent->arrayProperties->size;
    for (uint64_t i = after; i < size; ++i) {
      const protocol::Job* j = s.FindJob(parent->jobId + ":" + std::to_string(i));
      if (!j || !wanted(*j)) continue;
      if (reply.jobSummaryList.size() == limit) {
        reply.nextToken = std::to_string(i);
        break;
      }
      reply.jobSummaryList.push_back(Summary(s, *j, reasons));
    }
    return reply;
  }

  if (!s.FindJobQueue(req.jobQueue) && !s.jobs_by_queue().count(req.jobQueue)) {
    return Status::NotFound("job queue " + req.jobQueue + " not found");
  }
  auto q = s.jobs_by_queue().find(req.jobQueue);
  if (q == s.jobs_by_queue().end()) return reply;
  const auto& jobs = q->second;  // submission sequence -> id
  if (filter) {
    // Newest first, as AWS sorts filtered results; the token is the
    // sequence to continue below.
    auto it = req.nextToken ? jobs.lower_bound(after) : jobs.end();
    while (it != jobs.begin()) {
      --it;
      const protocol::Job* j = s.FindJob(it->second);
      if (!j || !wanted(*j)) continue;
      if (reply.jobSummaryList.size() == limit) {
        reply.nextToken = std::to_string(it->first + 1);
        break;
      }
      reply.jobSummaryList.push_back(Summary(s, *j, reasons));
    }
    return reply;
  }
  for (auto it = jobs.upper_bound(after); it != jobs.end(); ++it) {
    const protocol::Job* j = s.FindJob(it->second);
    if (!j || !wanted(*j)) continue;
    if (reply.jobSummaryList.size() == limit) {
      // More remain: the token is the position of the last one returned.
      reply.nextToken = std::to_string(std::prev(it)->first);
      break;
    }
    reply.jobSummaryList.push_back(Summary(s, *j, reasons));
  }
  return reply;
}

Result<protocol::DescribeSchedulingPoliciesReply> DescribeSchedulingPolicies(
    const ClusterState& s, const protocol::DescribeSchedulingPoliciesRequest& req) {
  protocol::DescribeSchedulingPoliciesReply reply;
  if (req.arns.empty()) {
    for (const auto& [_, p] : s.scheduling_policies()) reply.schedulingPolicies.push_back(p);
    return reply;
  }
  for (const auto& ref : req.arns) {
    const protocol::SchedulingPolicy* p = s.FindSchedulingPolicy(ref);
    if (!p) return Status::NotFound("scheduling policy " + protocol::SchedulingPolicyName(ref) + " not found");
    reply.schedulingPolicies.push_back(*p);
  }
  return reply;
}

Result<protocol::ListTagsForResourceReply> ListTagsForResource(const ClusterState& s,
                                                               const protocol::ListTagsForResourceRequest& req) {
  // The FSM's own lookup: a resource it can tag is one this can list.
  GANTRY_ASSIGN_OR_RETURN(protocol::Tags tags, ResourceTags(s, req.resource));
  return protocol::ListTagsForResourceReply{std::move(tags)};
}

Result<protocol::DescribeJobQueuesReply> DescribeJobQueues(const ClusterState& s,
                                                           const protocol::DescribeJobQueuesRequest& req) {
  protocol::DescribeJobQueuesReply reply;
  if (req.jobQueues.empty()) {
    for (const auto& [_, q] : s.job_queues()) reply.jobQueues.push_back(q);
    return reply;
  }
  for (const auto& name : req.jobQueues) {
    const protocol::JobQueue* q = s.FindJobQueue(name);
    if (!q) return Status::NotFound("job queue " + name + " not found");
    reply.jobQueues.push_back(*q);
  }
  return reply;
}

Result<protocol::DescribeComputeEnvironmentsReply> DescribeComputeEnvironments(
    const ClusterState& s, const NodeLiveness& live, const protocol::DescribeComputeEnvironmentsRequest& req) {
  auto view = [&](const protocol::ComputeEnvironment& ce) {
    protocol::ComputeEnvironmentView v;
    v.computeEnvironment = ce;
    v.usedvCpus = s.UsedVcpus(ce.computeEnvironmentName);
    for (const auto& [id, n] : s.nodes()) {
      if (live.IsReady(id) && protocol::BelongsTo(n.node, ce)) ++v.nodes;
    }
    return v;
  };
  protocol::DescribeComputeEnvironmentsReply reply;
  if (req.computeEnvironments.empty()) {
    for (const auto& [_, ce] : s.compute_environments()) reply.computeEnvironments.push_back(view(ce));
    return reply;
  }
  for (const auto& name : req.computeEnvironments) {
    const protocol::ComputeEnvironment* ce = s.FindComputeEnvironment(name);
    if (!ce) return Status::NotFound("compute environment " + name + " not found");
    reply.computeEnvironments.push_back(view(*ce));
  }
  return reply;
}

Result<protocol::DescribeJobDefinitionsReply> DescribeJobDefinitions(
    const ClusterState& s, const protocol::DescribeJobDefinitionsRequest& req) {
  protocol::DescribeJobDefinitionsReply reply;
  if (req.jobDefinitions.empty()) {
    for (const auto& [_, revs] : s.job_definitions()) {
      for (const auto& [__, d] : revs) reply.jobDefinitions.push_back(d);
    }
    return reply;
  }
  for (const auto& ref : req.jobDefinitions) {
    if (ref.find(':') != std::string::npos) {
      GANTRY_ASSIGN_OR_RETURN(const protocol::JobDefinition* d, s.ResolveJobDefinition(ref));
      reply.jobDefinitions.push_back(*d);
      continue;
    }
    auto it = s.job_definitions().find(ref);
    if (it == s.job_definitions().end()) return Status::NotFound("job definition " + ref + " not found");
    for (const auto& [_, d] : it->second) reply.jobDefinitions.push_back(d);
  }
  return reply;
}

protocol::DescribeNodesReply DescribeNodes(const ClusterState& s, const NodeLiveness& live, int64_t now_ms,
                                           int64_t wall_now_ms) {
  protocol::DescribeNodesReply reply;
  for (const auto& [id, n] : s.nodes()) {
    protocol::NodeView v;
    v.node = n.node;
    v.free = n.Free();
    v.runningAttempts.assign(n.live_attempts.begin(), n.live_attempts.end());
    int64_t silent = live.SilentFor(id, now_ms);
    v.lastSeenAgoMs = silent;
    if (!live.CleanupPending(id).empty()) v.cleanupPending = live.CleanupPending(id);
    const std::optional<ControlView> control = ViewOfControl(n.node, wall_now_ms);
    if (live.IsReady(id) && control) {
      v.state = control->state;
      v.stateReason = control->reason;
    } else if (live.IsReady(id) && !live.UnschedulableReason(id).empty()) {
      v.state = protocol::NodeState::kUnschedulable;
      v.stateReason = live.UnschedulableReason(id);
    } else if (live.IsReady(id)) {
      v.state = protocol::NodeState::kReady;
    } else {
      v.state = protocol::NodeState::kLost;
      v.stateReason = silent < 0 ? "not heard from since this coordinator started"
                                 : "silent for " + std::to_string(silent / 1000) + "s (TTL " +
                                       std::to_string(live.ttl_ms() / 1000) + "s)";
    }
    reply.nodes.push_back(std::move(v));
  }
  return reply;
}

std::string EndedByCoordinator(const ClusterState& s, const std::string& attempt_id) {
  const protocol::Job* job = s.FindJobByAttempt(attempt_id);
  if (!job) return "";
  for (const auto& a : job->attempts) {
    if (a.attemptId != attempt_id || !a.stoppedAt) continue;
    const std::string& why = a.statusReason.value_or("");
    if (why.starts_with("Node lost: ") || why.starts_with("Node restarted: ")) return why;
  }
  return "";
}

std::string StaleReportReason(const ClusterState& s, const std::string& node_id, const std::string& attempt_id,
                              std::optional<uint64_t> fencing_token) {
  const protocol::Job* job = s.FindJobByAttempt(attempt_id);
  if (!job) return "unknown attempt";
  const protocol::Attempt* live = LiveAttempt(*job);
  if (!live || live->attemptId != attempt_id) {
    return "not the live attempt of job " + job->jobId + " (" + protocol::EnumName(job->status) + ")";
  }
  if (live->node != node_id) return "the attempt runs on " + live->node;
  if (fencing_token && *fencing_token != live->fencingToken) {
    return "fencing token " + std::to_string(*fencing_token) + " is not the attempt's " +
           std::to_string(live->fencingToken);
  }
  return "";
}

bool ReportAlreadyApplied(const ClusterState& s, protocol::MessageType report, const std::string& attempt_id) {
  const protocol::Job* job = s.FindJobByAttempt(attempt_id);
  if (!job) return false;
  for (const auto& a : job->attempts) {
    if (a.attemptId != attempt_id) continue;
    if (a.stoppedAt) return true;
    return report == protocol::MessageType::kAttemptStarted && a.startedAt.has_value();
  }
  return false;
}

}  // namespace gantry::coordinator
