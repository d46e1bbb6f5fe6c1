#include "client/node_control.h"

#include "client/output.h"

namespace gantry::client {
namespace {

using protocol::NodeAction;

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

std::string Quote(std::string_view s) { return "\"" + std::string(s.substr(0, 64)) + "\""; }

// Parsed here rather than by CLI11, whose unsigned conversion takes "-1"
// (as 2^64-1) or "010" (as octal) for some types.
Result<uint32_t> ParseSeconds(std::string_view text, std::string_view flag) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return Invalid(std::string(flag) + " must be a whole number of seconds, got " + Quote(text));
  }
  uint64_t n = std::stoull(std::string(text));
  if (n > protocol::kMaxControlDeadlineSeconds) {
    return Invalid(std::string(flag) + " must be at most " + std::to_string(protocol::kMaxControlDeadlineSeconds) +
                   " seconds (7 days), got " + std::string(text));
  }
  return static_cast<uint32_t>(n);
}

const char* VerbName(NodeAction action) {
  switch (action) {
    case NodeAction::kCordon: return "cordon";
    case NodeAction::kUncordon: return "uncordon";
    case NodeAction::kDrain: return "drain";
    case NodeAction::kReclaim: return "reclaim";
  }
  return "?";
}

// "2026-12-05T01:10:00Z": an operator reads a deadline to the second.
std::string UtcSeconds(int64_t epoch_ms) {
  return FormatIsoTime(epoch_ms, 0).substr(0, 19) + "Z";
}

}  // namespace

const char* DeadlineFlag(NodeAction action) {
  switch (action) {
    case NodeAction::kDrain: return "--deadline";
    case NodeAction::kReclaim: return "--grace";
    default: return nullptr;
  }
}

Result<protocol::NodeControlRequest> BuildNodeControl(NodeAction action, const NodeControlFlags& flags) {
  if (flags.node.empty()) return Invalid("NODE is required: gantry node " + std::string(VerbName(action)) + " NODE");
  GANTRY_RETURN_IF_ERROR(protocol::ValidateName("NODE", flags.node));
  protocol::NodeControlRequest req;
  req.nodeId = flags.node;
  req.action = action;
  if (flags.deadline) {
    const char* flag = DeadlineFlag(action);
    if (flag == nullptr) {
      return Invalid(std::string("a deadline is for drain (--deadline) and reclaim (--grace), not ") +
                     VerbName(action));
    }
    GANTRY_ASSIGN_OR_RETURN(req.deadlineSeconds, ParseSeconds(*flags.deadline, flag));
  }
  if (!flags.reason.empty()) {
    if (flags.reason.size() > 512) return Invalid("--reason is longer than 512 bytes");
    req.reason = flags.reason;
  }
  GANTRY_RETURN_IF_ERROR(req.Validate());
  return req;
}

std::string NodeControlDoneText(const protocol::NodeControlRequest& req, int64_t now_ms) {
  const std::string node = "node " + req.nodeId;
  switch (req.action) {
    case NodeAction::kCordon:
      return node + " cordoned";
    case NodeAction::kUncordon:
      return node + " uncordoned";
    case NodeAction::kDrain:
      if (!req.deadlineSeconds) return node + " draining; running jobs run to their end (no deadline)";
      return node + " draining; running jobs stopped at " +
             UtcSeconds(now_ms + int64_t{*req.deadlineSeconds} * 1000);
    case NodeAction::kReclaim:
      return node + " being reclaimed: jobs get SIGTERM now and SIGKILL in " +
             std::to_string(req.deadlineSeconds.value_or(protocol::kDefaultReclaimGraceSeconds)) + " s";
  }
  return node;
}

}  // namespace gantry::client
