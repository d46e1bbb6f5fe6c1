// The invariants about attempts: no two attempts of a job ran at once unless
// the earlier one was fenced (I5), and every run record belongs to an
// attempt the coordinator created (I4).
//
// An attempt's execution interval comes from two places, never mixed:
//   run records     start..end as the job wrote them with its node's wall
//                   clock; with no end record (the process was SIGKILLed, or
//                   still runs) the attempt's stoppedAt stands in, else it is
//                   open-ended;
//   coordinator     placedAt..stoppedAt (open-ended while live), the
//                   leader's clock.
// A pair of attempts is judged on the run records when both have some, else
// on the coordinator's times. Comparing run records of different nodes
// assumes their wall clocks agree, so a harness that skews clocks must undo
// the skew before the records are compared.
#include <algorithm>
#include <utility>

#include "tests/chaos/checker_internal.h"

#include <set>
#include <tuple>

namespace gantry::chaos::internal {
namespace {

using protocol::Attempt;

struct Interval {
  int64_t start = 0;
  int64_t end = kForever;
};

// Ended because its node was lost or restarted, or interrupted (reclaim,
// preemption, drain): the coordinator gave up on it while it may still run.
bool Fenced(const Attempt& a) {
  if (a.interruption) return true;
  const std::string why = a.statusReason.value_or("");
  return why.starts_with("Node lost:") || why.starts_with("Node restarted:");
}

// Earliest start and latest end among one attempt's run records.
struct RunSpan {
  std::optional<int64_t> start;
  std::optional<int64_t> end;
};
using AttemptKey = std::pair<std::string, uint32_t>;  // job id, attempt number

std::map<AttemptKey, RunSpan> RunSpans(const std::vector<RunRecord>& runs) {
  std::map<AttemptKey, RunSpan> spans;
  for (const RunRecord& run : runs) {
    RunSpan& s = spans[{run.job_id, run.attempt_number}];
    std::optional<int64_t>& slot = run.start ? s.start : s.end;
    slot = slot ? (run.start ? std::min(*slot, run.t_ms) : std::max(*slot, run.t_ms)) : run.t_ms;
  }
  return spans;
}

std::optional<Interval> RunInterval(const RunSpan* span, const Attempt& a) {
  if (!span) return std::nullopt;
  Interval i;
  i.start = span->start ? *span->start : *span->end;
  i.end = span->end ? *span->end : a.stoppedAt.value_or(kForever);
  i.end = std::max(i.end, i.start);
  return i;
}

// Milliseconds both intervals cover; 0 if they do not overlap.
int64_t Overlap(const Interval& a, const Interval& b) {
  const int64_t start = std::max(a.start, b.start);
  const int64_t end = std::min(a.end, b.end);
  if (end <= start) return 0;
  return end == kForever ? kForever : end - start;
}

std::string Length(int64_t overlap_ms) {
  return overlap_ms == kForever ? "with no end" : "for " + std::to_string(overlap_ms) + " ms";
}

std::string Name(const Attempt& a) { return "attempt " + std::to_string(a.attemptNumber) + " (node " + a.node + ")"; }

}  // namespace

InvariantResult CheckAttemptExclusivity(const History& h, const CheckOptions& options) {
  const std::map<AttemptKey, RunSpan> spans = RunSpans(h.runs);
  InvariantResult r;
  r.name = "attempt-exclusivity";
  for (const FinalJob& f : h.final_jobs) {
    const std::vector<Attempt>& attempts = f.job.attempts;
    r.checked += attempts.size();
    std::vector<std::optional<Interval>> ran;
    for (const Attempt& a : attempts) {
      auto it = spans.find({f.job.jobId, a.attemptNumber});
      ran.push_back(RunInterval(it == spans.end() ? nullptr : &it->second, a));
    }
    for (size_t i = 0; i < attempts.size(); ++i) {
      for (size_t j = i + 1; j < attempts.size(); ++j) {
        const Attempt& older = attempts[i];
        const bool by_runs = ran[i] && ran[j];
        const int64_t overlap = by_runs ? Overlap(*ran[i], *ran[j])
                                        : Overlap({older.placedAt, older.stoppedAt.value_or(kForever)},
                                                  {attempts[j].placedAt, attempts[j].stoppedAt.value_or(kForever)});
        if (overlap == 0) continue;
        const std::string what = "job " + f.job.jobId + ": " + Name(older) + " and " + Name(attempts[j]) +
                                 " ran at once " + Length(overlap) +
                                 (by_runs ? " by the run records" : " by the coordinator's times");
        if (!Fenced(older)) {
          AddViolation(r, options,
                       what + "; attempt " + std::to_string(older.attemptNumber) + " was not fenced (statusReason \"" +
                           older.statusReason.value_or("") + "\")");
          continue;
        }
        ++r.counts["fenced overlaps"];
        if (options.max_fenced_overlap_ms && overlap > *options.max_fenced_overlap_ms) {
          AddViolation(r, options,
                       what + ", longer than the " + std::to_string(*options.max_fenced_overlap_ms) +
                           " ms a fenced attempt may outlive its replacement");
        }
      }
    }
  }
  return r;
}

InvariantResult CheckRunsKnown(const History& h, const FinalIndex& fin, const CheckOptions& options) {
  InvariantResult r;
  r.name = "runs-known";
  std::map<AttemptKey, size_t> starts;
  for (const RunRecord& run : h.runs) {
    ++r.checked;
    if (run.start) ++starts[{run.job_id, run.attempt_number}];
    const std::string what = "run record (" + std::string(run.start ? "start" : "end") + " on " + run.node + " at " +
                             At(run.t_ms) + ") of job " + run.job_id + " attempt " + std::to_string(run.attempt_number);
    auto job = fin.by_id.find(run.job_id);
    if (job == fin.by_id.end()) {
      AddViolation(r, options, what + ": the job is not in the final state");
      continue;
    }
    const std::vector<Attempt>& attempts = job->second->attempts;
    auto a = std::find_if(attempts.begin(), attempts.end(),
                          [&](const Attempt& x) { return x.attemptNumber == run.attempt_number; });
    if (a == attempts.end()) {
      AddViolation(r, options,
                   what + ": the coordinator created " + std::to_string(attempts.size()) + " attempt(s), not that one");
    } else if (a->node != run.node) {
      AddViolation(r, options, what + ": the coordinator placed that attempt on " + a->node);
    } else if (run.fencing_token && *run.fencing_token != a->fencingToken) {
      AddViolation(r, options,
                   what + ": it carries fencing token " + std::to_string(*run.fencing_token) +
                       ", the coordinator issued " + std::to_string(a->fencingToken));
    }
  }
  for (const auto& [key, n] : starts) {
    if (n > 1) ++r.counts["attempts started more than once"];
  }
  // The converse, in a run whose jobs record their runs: a workload job the
  // coordinator says SUCCEEDED ran its command to exit 0 in its last attempt
  // on that attempt's node (else the success was made up, or the command
  // never ran).
  if (h.runs.empty()) return r;
  std::set<std::tuple<std::string, uint32_t, std::string>> ended_ok;
  for (const RunRecord& run : h.runs) {
    if (!run.start && run.exit == 0) ended_ok.insert({run.job_id, run.attempt_number, run.node});
  }
  for (const FinalJob& f : h.final_jobs) {
    const protocol::Job& job = f.job;
    if (f.client_token.empty() || job.status != protocol::JobStatus::kSucceeded || job.IsArrayParent()) continue;
    ++r.checked;
    if (job.attempts.empty()) {
      AddViolation(r, options, "job " + job.jobId + " SUCCEEDED without an attempt");
      continue;
    }
    const Attempt& last = job.attempts.back();
    if (!ended_ok.contains({job.jobId, last.attemptNumber, last.node})) {
      AddViolation(r, options,
                   "job " + job.jobId + " SUCCEEDED, but its attempt " + std::to_string(last.attemptNumber) + " on " +
                       last.node + " left no run record ending with exit 0");
    }
  }
  return r;
}

}  // namespace gantry::chaos::internal
