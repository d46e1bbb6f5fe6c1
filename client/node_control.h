// gantry node cordon | uncordon | drain | reclaim: from what the operator
// typed to a NodeControlRequest, and the one line printed once the
// coordinator has accepted it. Pure: the verb (verbs/node.cc) reads the
// clock and passes it in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::client {

struct NodeControlFlags {
  std::string node;  // the NODE argument
  // Seconds as typed: drain's --deadline, reclaim's --grace. Absent: not
  // given (drain: no deadline; reclaim: kDefaultReclaimGraceSeconds).
  std::optional<std::string> deadline;
  std::string reason;  // empty: not given
};

// The flag that carries `action`'s deadline: "--deadline" (drain),
// "--grace" (reclaim), nullptr for cordon and uncordon, which take none.
const char* DeadlineFlag(protocol::NodeAction action);

// kInvalidArgument naming the argument or flag when NODE is missing or not
// a node name, the deadline is not a whole number of seconds or exceeds
// kMaxControlDeadlineSeconds, a deadline comes with cordon or uncordon, or
// the reason exceeds 512 bytes.
Result<protocol::NodeControlRequest> BuildNodeControl(protocol::NodeAction action, const NodeControlFlags& flags);

// What the accepted request means, with `now_ms` (epoch ms) the client's
// clock, e.g. "node n3 cordoned", "node n3 draining; running jobs stopped at
// 2026-12-05T01:10:00Z" (UTC, to the second), "node n3 being reclaimed:
// jobs get SIGTERM now and SIGKILL in 120 s". No trailing newline.
std::string NodeControlDoneText(const protocol::NodeControlRequest& req, int64_t now_ms);

}  // namespace gantry::client
