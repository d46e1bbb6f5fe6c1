// The invariants about jobs as clients saw them: submissions (I1-I3),
// terminal states that never change (I10), and outcomes that match what the
// job's command does.
#include <algorithm>
#include <set>

#include "tests/chaos/checker_internal.h"

namespace gantry::chaos::internal {
namespace {

using protocol::EnumName;
using protocol::Job;
using protocol::JobStatus;

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// What the clients learnt about one client token's submissions (a token may
// be submitted several times: retries).
struct TokenOutcome {
  bool ok = false;
  bool info = false;
  std::string ok_job_id;
  int64_t ok_ms = 0;
  std::string error;  // the last failure's
};

std::map<std::string, TokenOutcome> Submissions(const std::vector<PairedOp>& ops) {
  std::map<std::string, TokenOutcome> tokens;
  for (const PairedOp& p : ops) {
    if (p.op != OpName::kSubmit) continue;
    TokenOutcome& t = tokens[p.client_token];
    if (p.outcome == OpKind::kOk) {
      t.ok = true;
      t.ok_ms = p.end_ms;
      if (!p.job_id.empty()) t.ok_job_id = p.job_id;
    } else if (p.outcome == OpKind::kFail) {
      if (p.done && p.done->error) t.error = *p.done->error;
    } else {
      t.info = true;
    }
  }
  return tokens;
}

std::string Ids(const std::vector<const Job*>& jobs) {
  std::string ids;
  for (const Job* j : jobs) ids += (ids.empty() ? "" : ", ") + j->jobId;
  return ids;
}

}  // namespace

InvariantResult CheckSubmissions(const std::vector<PairedOp>& ops, const FinalIndex& fin, const CheckOptions& options) {
  InvariantResult r;
  r.name = "submissions";
  const std::map<std::string, TokenOutcome> tokens = Submissions(ops);
  for (const auto& [token, t] : tokens) {
    ++r.checked;
    std::vector<const Job*> jobs;
    if (auto it = fin.by_token.find(token); it != fin.by_token.end()) {
      for (const FinalJob* f : it->second) jobs.push_back(&f->job);
    }
    if (jobs.size() > 1) {
      AddViolation(r, options,
                   "token " + token + ": " + std::to_string(jobs.size()) + " final jobs (" + Ids(jobs) + ")");
    }
    if (t.ok) {
      const Job* acked = nullptr;
      if (!t.ok_job_id.empty()) {
        auto it = fin.by_id.find(t.ok_job_id);
        if (it == fin.by_id.end()) {
          AddViolation(r, options,
                       "token " + token + ": submit acknowledged at " + At(t.ok_ms) + " as job " + t.ok_job_id +
                           ", which is not in the final state");
          continue;
        }
        acked = it->second;
      } else if (!jobs.empty()) {
        acked = jobs.front();
      } else {
        AddViolation(
            r, options,
            "token " + token + ": submit acknowledged at " + At(t.ok_ms) + ", but no final job carries the token");
        continue;
      }
      if (std::find(jobs.begin(), jobs.end(), acked) == jobs.end()) jobs.push_back(acked);
    } else if (t.info) {
      ++r.counts[jobs.empty() ? "indeterminate submits absent" : "indeterminate submits present"];
    } else if (!jobs.empty()) {
      AddViolation(r, options,
                   "token " + token + ": every submit failed (" + t.error + "), yet job " + jobs.front()->jobId +
                       " is in the final state");
      continue;
    }
    for (const Job* job : jobs) {
      if (protocol::IsTerminal(job->status)) continue;
      AddViolation(
          r, options,
          "job " + job->jobId + " (token " + token + ") ended " + EnumName(job->status) + ", not SUCCEEDED or FAILED");
    }
  }
  for (const auto& [token, finals] : fin.by_token) {
    if (tokens.count(token)) continue;
    AddViolation(
        r, options,
        "token " + token + ": job " + finals.front()->job.jobId + " is in the final state, but no client submitted it");
  }
  return r;
}

InvariantResult CheckTerminalStable(const std::vector<PairedOp>& ops, const FinalIndex& fin,
                                    const CheckOptions& options) {
  struct Observation {
    const PairedOp* op;
    JobStatus status;
  };
  std::map<std::string, std::vector<Observation>> by_job;
  for (const PairedOp& p : ops) {
    if (p.op != OpName::kDescribe || p.outcome != OpKind::kOk || !p.done->status || p.job_id.empty()) continue;
    by_job[p.job_id].push_back({&p, *p.done->status});
  }
  auto seen = [](const Observation& o) {
    return std::string(EnumName(o.status)) + " (process " + o.op->done->process + ", invoked " + At(o.op->start_ms) +
           ", done " + At(o.op->end_ms) + ")";
  };
  InvariantResult r;
  r.name = "terminal-stable";
  for (const auto& [job_id, observations] : by_job) {
    r.checked += observations.size();
    bool violated = false;
    // Terminal states are absorbing: a describe that began after one saw
    // SUCCEEDED or FAILED must see the same, and two different terminal
    // states are wrong in whatever order they were read.
    for (const Observation& a : observations) {
      if (violated || !protocol::IsTerminal(a.status)) continue;
      for (const Observation& b : observations) {
        if (b.status == a.status) continue;
        if (!protocol::IsTerminal(b.status) && b.op->start_ms <= a.op->end_ms) continue;
        AddViolation(r, options, "job " + job_id + ": a describe saw " + seen(a) + ", another " + seen(b));
        violated = true;
        break;
      }
    }
    if (violated) continue;
    auto terminal = std::find_if(observations.begin(), observations.end(),
                                 [](const Observation& o) { return protocol::IsTerminal(o.status); });
    auto final_job = fin.by_id.find(job_id);
    if (terminal == observations.end() || final_job == fin.by_id.end()) continue;
    if (final_job->second->status != terminal->status) {
      AddViolation(r, options,
                   "job " + job_id + ": a describe saw " + seen(*terminal) + ", the final state says " +
                       EnumName(final_job->second->status));
    }
  }
  return r;
}

InvariantResult CheckExpectedOutcome(const std::vector<PairedOp>& ops, const FinalIndex& fin,
                                     const CheckOptions& options) {
  // A cancel or terminate that may have happened (ok or indeterminate)
  // excuses the job from its expected outcome.
  std::set<std::string> stopped_tokens;
  std::set<std::string> stopped_ids;
  std::map<std::string, Expect> expects;
  std::map<std::string, std::string> acked_ids;
  for (const PairedOp& p : ops) {
    if ((p.op == OpName::kCancel || p.op == OpName::kTerminate) && p.outcome != OpKind::kFail) {
      if (!p.client_token.empty()) stopped_tokens.insert(p.client_token);
      if (!p.job_id.empty()) stopped_ids.insert(p.job_id);
    }
    if (p.op != OpName::kSubmit) continue;
    if (p.expect && *p.expect != Expect::kAny) expects[p.client_token] = *p.expect;
    if (p.outcome == OpKind::kOk && !p.job_id.empty()) acked_ids[p.client_token] = p.job_id;
  }
  InvariantResult r;
  r.name = "expected-outcome";
  for (const auto& [token, expect] : expects) {
    const Job* job = nullptr;
    if (auto id = acked_ids.find(token); id != acked_ids.end()) {
      if (auto it = fin.by_id.find(id->second); it != fin.by_id.end()) job = it->second;
    } else if (auto it = fin.by_token.find(token); it != fin.by_token.end()) {
      job = &it->second.front()->job;
    }
    if (!job) continue;  // "submissions" reports a job that should be there
    if (stopped_tokens.count(token) || stopped_ids.count(job->jobId)) {
      ++r.counts["cancelled or terminated"];
      continue;
    }
    ++r.checked;
    const JobStatus want = expect == Expect::kSucceed ? JobStatus::kSucceeded : JobStatus::kFailed;
    if (job->status == want) continue;
    AddViolation(r, options,
                 "job " + job->jobId + " (token " + token + ", expect " + ExpectName(expect) + ") ended " +
                     EnumName(job->status) + " (statusReason " + Quoted(job->statusReason) + ")");
  }
  return r;
}

}  // namespace gantry::chaos::internal
