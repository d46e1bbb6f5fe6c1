// Reclaim: the node being taken away (a spot interruption), as the agent
// sees it, with no I/O.
//
// A reclaim starts from a coordinator's ReclaimNode, from the notice file the
// agent watches (--reclaim-notice-file) or from SIGUSR1, and never ends while
// the agent runs: the machine is going away.
//
//   idle ──Begin(now, grace, source)──> reclaiming ──now >= deadline──> expired
//                                        │                               │
//   no new work; NodeStatus carries ─────┴── Notice and ─────────────────┘
//   UnschedulableReason every heartbeat (grace left 0 once expired)
//
// Only the first Begin counts: a repeat (each coordinator replica may send
// ReclaimNode, the notice file stays, SIGUSR1 may come again) never moves the
// deadline, earlier or later, and keeps the first source. A job is told its
// deadline once and can rely on it.
//
// The agent acts on it (agent_reclaim.cc): each running attempt gets a
// GANTRY_RECLAIM_DEADLINE file in its scratch dir and SIGTERM at the start,
// SIGKILL at the deadline; its end report says statusReason
// ReclaimStatusReason(node) with interruption RECLAIMED, unless it exited 0
// first (EndedByReclaim). A launch that arrives meanwhile is ended at once.
//
// Times are the caller's monotonic milliseconds. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/end_reason.h"
#include "protocol/messages.h"

namespace gantry::node {

// The file each running attempt finds in its scratch dir (its cwd):
// DeadlineFileContent.
inline constexpr std::string_view kReclaimDeadlineFileName = "GANTRY_RECLAIM_DEADLINE";
// NodeStatus.unschedulableReason and ReclaimNotice.source are at most this long.
inline constexpr size_t kMaxReclaimTextBytes = 512;

class Reclaim {
 public:
  // Starts the reclaim: the deadline is `now_ms` + `grace_ms` (a negative
  // grace reads 0). True for the first call only; later calls change nothing.
  // Precondition: `source` is non-empty.
  bool Begin(int64_t now_ms, int64_t grace_ms, std::string source);

  bool active() const { return deadline_ms_.has_value(); }
  // Preconditions for the rest: active().
  int64_t deadline_ms() const;
  const std::string& source() const { return source_; }
  // Until the deadline; 0 at and after it.
  int64_t GraceLeftMs(int64_t now_ms) const;
  bool Expired(int64_t now_ms) const { return GraceLeftMs(now_ms) == 0; }
  // "node is being reclaimed (<source>): <N> s left", N rounded up; cut to
  // kMaxReclaimTextBytes.
  std::string UnschedulableReason(int64_t now_ms) const;
  // NodeStatus.reclaim: the grace left and the source (cut to kMaxReclaimTextBytes).
  protocol::ReclaimNotice Notice(int64_t now_ms) const;

 private:
  std::optional<int64_t> deadline_ms_;
  std::string source_;
};

// The grace a notice file's content asks for.
struct NoticeGrace {
  int64_t grace_ms = 0;
  std::string warning;  // set when the content was not understood (the default applies)
};

// `content` is a whole number of seconds, surrounding whitespace allowed, at
// most protocol::kMaxControlDeadlineSeconds. Empty (or only whitespace):
// protocol::kDefaultReclaimGraceSeconds with no warning. Anything else: the
// default, and a warning saying what was read.
NoticeGrace ParseNoticeGrace(std::string_view content);

// The source of a ReclaimNode: "coordinator", or "coordinator: <reason>".
std::string CoordinatorReclaimSource(std::string_view reason);

// AttemptEnded.statusReason of an attempt the reclaim ended:
// "Node reclaimed: <node_id>".
std::string ReclaimStatusReason(std::string_view node_id);

// The deadline file's content: the deadline as epoch seconds, rounded down
// (a job that goes by it is never late), and a newline. `wall_now_ms` is
// epoch milliseconds.
std::string DeadlineFileContent(int64_t wall_now_ms, int64_t grace_left_ms);

// Whether an attempt that the reclaim stopped ended as an interruption: true
// when the stop reached its running process and it did not exit 0. A job
// that finished its work within the grace (exit 0) succeeded; one that had
// already exited before the stop ended on its own.
bool EndedByReclaim(const Outcome& outcome);

}  // namespace gantry::node
