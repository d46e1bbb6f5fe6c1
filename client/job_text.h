// Jobs for people: describe-jobs' text, list-jobs' table, which attempt
// `logs` shows, and the tally behind `wait`. Pure (times print in the local
// time zone).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::client {

// One job, several lines: id and name, queue, definition, status and
// reason, times; where present the array (size and status counts, or
// index), dependencies, retry attempts used of allowed (interrupted
// attempts spend none), timeout, parameters, share, interruptions of
// preemptionRetries, cancelled/terminated; then one block per attempt
// (node, exit code, reason, status reason, interruption kind and reason,
// started/stopped). Ends with '\n'.
std::string FormatJobText(const protocol::Job& job);

// JOB ID, NAME, STATUS, REASON, CREATED.
std::string FormatJobTable(const std::vector<protocol::Job>& jobs);

// The attempt `logs` shows: the `number`th (1-based) or, when absent, the
// last. kNotFound when the job has no attempt yet, kInvalidArgument when
// `number` is out of range; both messages name the job.
Result<const protocol::Attempt*> SelectAttempt(const protocol::Job& job,
                                               std::optional<uint32_t> number);

// Where a set of jobs stands, for `wait`.
struct WaitTally {
  struct Failed {
    std::string jobId;
    std::string jobName;
    std::string statusReason;
  };
  size_t total = 0;     // distinct ids asked for
  size_t finished = 0;  // SUCCEEDED or FAILED
  std::map<protocol::JobStatus, size_t> counts;
  std::vector<Failed> failed;
  std::vector<std::string> missing;  // ids the coordinator does not know

  bool done() const { return missing.empty() && finished == total; }
  // 0 when every job SUCCEEDED, 1 when one FAILED. Meaningful once done().
  int ExitCode() const { return failed.empty() ? 0 : 1; }
};

// `ids` may hold duplicates; each distinct id counts once.
WaitTally TallyJobs(const std::vector<std::string>& ids, const std::vector<protocol::Job>& jobs);

// "3/10 finished  RUNNABLE 2  RUNNING 5  SUCCEEDED 2  FAILED 1  12.3s".
std::string FormatWaitProgress(const WaitTally& tally, int64_t elapsed_ms);

}  // namespace gantry::client
