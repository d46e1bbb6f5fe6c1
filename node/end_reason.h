// How an attempt ended, and the reason string the agent reports for it.
//
// Reason strings follow AWS Batch's container.reason where one exists, so
// retryStrategy.evaluateOnExit rules written for AWS (onReason globs) work:
//   normal exit                 "Essential container in task exited"
//   killed by a signal          "Killed by signal 9 (SIGKILL)"
//   killed on request           "Terminated: <why>"
//   command could not be run    "CannotStartContainerError: <argv0>: <error>"
//   scratch/log setup failed    "CannotCreateContainerError: <error>"
//   the memory limit killed it  "OutOfMemoryError: Container killed due to memory usage"
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gantry::node {

inline constexpr std::string_view kReasonExited = "Essential container in task exited";
inline constexpr std::string_view kReasonOutOfMemory =
    "OutOfMemoryError: Container killed due to memory usage";
inline constexpr std::string_view kReasonNotCurrent =
    "attempt is no longer current on the coordinator";
inline constexpr std::string_view kReasonAgentShutdown = "agent is shutting down";
// AttemptEnded.statusReason of an attempt the agent stopped at its
// timeout.attemptDurationSeconds, worded as AWS Batch words it.
inline constexpr std::string_view kStatusReasonTimeout = "Job attempt duration exceeded timeout";
// Longer kill reasons from the wire are cut, so a report stays well under the
// 4096 bytes AttemptEnded allows.
inline constexpr size_t kMaxKillReasonBytes = 1024;

enum class StartFailure : uint8_t { kNone, kSandbox, kSpawn };

// What the executor observed. For a process that ran, exactly one of
// exit_code and signal is set.
struct Outcome {
  StartFailure start_failure = StartFailure::kNone;
  std::string start_error;  // e.g. "no such file or directory"
  std::optional<int32_t> exit_code;
  std::optional<int32_t> signal;
  bool stopped = false;  // a stop or kill was sent while the process ran
  bool oom_killed = false;  // the attempt's memory limit killed one of its processes
  std::string log_tail;  // last bytes of output.log
};

// "Terminated: <why>", with `why` cut to kMaxKillReasonBytes; an empty `why`
// reads "Terminated: no reason given".
std::string TerminatedReason(std::string_view why);

// "SIGKILL" for 9; empty for numbers with no name.
std::string SignalName(int signal);

// The reason to report. An OOM kill wins over a stop: it is what ended the
// job, whatever came later. `kill_reason` (as made by TerminatedReason) is used
// when outcome.stopped; `argv0` names the command in start failures.
std::string EndReason(const Outcome& outcome, std::string_view argv0, std::string_view kill_reason);

// The statusReason to report: kStatusReasonTimeout when the attempt's
// deadline passed (`timed_out`) and the stop reached its running process;
// none otherwise. A process that had already exited when the deadline came
// ended on its own, however long its cleanup took.
std::optional<std::string> EndStatusReason(const Outcome& outcome, bool timed_out);

// The same for any stop the agent made itself (AttemptTable::AgentStopReason):
// `agent_stop_reason` when it is non-empty and the stop reached the running
// process; none otherwise.
std::optional<std::string> EndStatusReason(const Outcome& outcome, std::string_view agent_stop_reason);

}  // namespace gantry::node
