// Shared pieces of the checker's invariant groups (checker_jobs.cc,
// checker_attempts.cc, checker_cluster.cc); not for use outside them.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "tests/chaos/checker.h"

namespace gantry::chaos::internal {

inline constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

// Counts a violation and keeps `example` while there is room.
void AddViolation(InvariantResult& r, const CheckOptions& options, std::string example);

// A client operation from its invoke to its completion. Processes are
// sequential (one operation at a time), so a completion belongs to the
// process's pending invoke. An invoke never completed counts as `info`; a
// completion with no invoke starts when it ends.
struct PairedOp {
  const ClientOp* invoke = nullptr;  // null: no invoke recorded
  const ClientOp* done = nullptr;    // null: never completed
  OpName op = OpName::kSubmit;
  OpKind outcome = OpKind::kInfo;  // ok, fail or info
  int64_t start_ms = 0;
  int64_t end_ms = kForever;
  std::string client_token;
  std::string job_id;  // from the completion, else the invoke; may be empty
  std::optional<Expect> expect;
};
std::vector<PairedOp> PairOps(const std::vector<ClientOp>& ops);

// The final state, indexed. Pointers are into the History.
struct FinalIndex {
  std::map<std::string, const protocol::Job*> by_id;
  std::map<std::string, std::vector<const FinalJob*>> by_token;  // workload jobs only
};
FinalIndex IndexFinal(const History& history);

// "t=123" or "t=?" for kForever, for examples.
std::string At(int64_t t_ms);

InvariantResult CheckSubmissions(const std::vector<PairedOp>& ops, const FinalIndex& fin, const CheckOptions& options);
InvariantResult CheckAttemptExclusivity(const History& h, const CheckOptions& options);
InvariantResult CheckRunsKnown(const History& h, const FinalIndex& fin, const CheckOptions& options);
InvariantResult CheckTerminalStable(const std::vector<PairedOp>& ops, const FinalIndex& fin,
                                    const CheckOptions& options);
InvariantResult CheckExpectedOutcome(const std::vector<PairedOp>& ops, const FinalIndex& fin,
                                     const CheckOptions& options);
InvariantResult CheckNodeClean(const History& h, const CheckOptions& options);
InvariantResult CheckCapacity(const History& h, const CheckOptions& options);
InvariantResult CheckNoCrashes(const History& h, const CheckOptions& options);
InvariantResult CheckReplicasAgree(const History& h, const CheckOptions& options);

}  // namespace gantry::chaos::internal
