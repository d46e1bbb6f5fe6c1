#include "node/end_reason.h"

#include <cstring>

namespace gantry::node {
namespace {
// Parts of a reason that come from the job or the system are cut so the whole
// stays under AttemptEnded's 4096-byte limit.
constexpr size_t kMaxPartBytes = 1024;
std::string Cut(std::string_view s) { return std::string(s.substr(0, kMaxPartBytes)); }
}  // namespace

std::string TerminatedReason(std::string_view why) {
  if (why.empty()) return "Terminated: no reason given";
  return "Terminated: " + std::string(why.substr(0, kMaxKillReasonBytes));
}

std::string SignalName(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);  // "KILL"; null for unnamed numbers
  return abbrev == nullptr ? std::string() : "SIG" + std::string(abbrev);
}

std::string EndReason(const Outcome& outcome, std::string_view argv0,
                      std::string_view kill_reason) {
  switch (outcome.start_failure) {
    case StartFailure::kSandbox:
      return "CannotCreateContainerError: " + Cut(outcome.start_error);
    case StartFailure::kSpawn:
      return "CannotStartContainerError: " + Cut(argv0) + ": " + Cut(outcome.start_error);
    case StartFailure::kNone:
      break;
  }
  if (outcome.oom_killed) return std::string(kReasonOutOfMemory);
  if (outcome.stopped && !kill_reason.empty()) return std::string(kill_reason);
  if (outcome.signal) {
    std::string name = SignalName(*outcome.signal);
    std::string text = "Killed by signal " + std::to_string(*outcome.signal);
    return name.empty() ? text : text + " (" + name + ")";
  }
  return std::string(kReasonExited);
}

std::optional<std::string> EndStatusReason(const Outcome& outcome, std::string_view agent_stop_reason) {
  if (agent_stop_reason.empty() || !outcome.stopped) return std::nullopt;
  return std::string(agent_stop_reason);
}

std::optional<std::string> EndStatusReason(const Outcome& outcome, bool timed_out) {
  if (!timed_out || !outcome.stopped) return std::nullopt;
  return std::string(kStatusReasonTimeout);
}

}  // namespace gantry::node
