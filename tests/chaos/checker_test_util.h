// Small factories for the checker's tests: client operations, final jobs,
// attempts and run records with only the members a check reads.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/chaos/checker.h"
#include "tests/chaos/history.h"

namespace gantry::chaos::fixtures {

inline ClientOp Op(int64_t t_ms, std::string process, OpKind kind, OpName op, std::string token,
                   std::optional<std::string> job_id = std::nullopt, std::optional<Expect> expect = std::nullopt) {
  ClientOp o;
  o.t_ms = t_ms;
  o.process = std::move(process);
  o.kind = kind;
  o.op = op;
  o.client_token = std::move(token);
  o.job_id = std::move(job_id);
  o.expect = expect;
  return o;
}

// An ok describe of `job_id` invoked at `start_ms`, done at `end_ms`.
inline void Describe(History& h, std::string process, int64_t start_ms, int64_t end_ms, const std::string& job_id,
                     protocol::JobStatus seen) {
  h.ops.push_back(Op(start_ms, process, OpKind::kInvoke, OpName::kDescribe, "", job_id));
  ClientOp done = Op(end_ms, process, OpKind::kOk, OpName::kDescribe, "", job_id);
  done.status = seen;
  h.ops.push_back(done);
}

// A submit of `token` invoked at `t_ms` and completed `kind` 10 ms later.
inline void Submit(History& h, std::string process, int64_t t_ms, const std::string& token, OpKind kind,
                   std::optional<std::string> job_id = std::nullopt, std::optional<Expect> expect = std::nullopt) {
  h.ops.push_back(Op(t_ms, process, OpKind::kInvoke, OpName::kSubmit, token, std::nullopt, expect));
  ClientOp done = Op(t_ms + 10, process, kind, OpName::kSubmit, token, std::move(job_id));
  if (kind == OpKind::kFail) done.error = "queue not found";
  h.ops.push_back(done);
}

inline protocol::Attempt MakeAttempt(uint32_t number, std::string node, int64_t placed_ms,
                                     std::optional<int64_t> stopped_ms,
                                     std::string status_reason = "Essential container in task exited") {
  protocol::Attempt a;
  a.attemptId = "a" + std::to_string(number);
  a.attemptNumber = number;
  a.node = std::move(node);
  a.fencingToken = 100 + number;
  a.placedAt = placed_ms;
  a.startedAt = placed_ms + 1;
  a.stoppedAt = stopped_ms;
  if (stopped_ms) a.statusReason = std::move(status_reason);
  return a;
}

inline FinalJob MakeFinal(std::string token, std::string id, protocol::JobStatus status,
                          std::vector<protocol::Attempt> attempts = {}) {
  FinalJob f;
  f.client_token = std::move(token);
  f.job.jobId = std::move(id);
  f.job.jobName = f.client_token;
  f.job.status = status;
  f.job.statusReason = status == protocol::JobStatus::kFailed ? "Essential container in task exited" : "";
  f.job.attempts = std::move(attempts);
  return f;
}

inline RunRecord RunAt(int64_t t_ms, std::string node, std::string job_id, uint32_t attempt, bool start,
                       std::optional<uint64_t> fencing_token = std::nullopt) {
  RunRecord r;
  r.t_ms = t_ms;
  r.node = std::move(node);
  r.job_id = std::move(job_id);
  r.attempt_number = attempt;
  r.start = start;
  r.fencing_token = fencing_token;
  if (!start) r.exit = 0;
  return r;
}

// A copy of the named invariant's result; fails the test if it is missing.
inline InvariantResult Get(const CheckResult& result, const std::string& name) {
  const InvariantResult* r = result.Find(name);
  if (!r) {
    ADD_FAILURE() << "no invariant named " << name;
    return InvariantResult{.name = "missing"};
  }
  return *r;
}

inline CheckOptions AllExamples() { return CheckOptions{.max_examples = 100, .max_fenced_overlap_ms = {}}; }

}  // namespace gantry::chaos::fixtures
