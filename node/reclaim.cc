#include "node/reclaim.h"

#include <algorithm>
#include <charconv>

#include "gantry/check.h"
#include "protocol/types.h"

namespace gantry::node {
namespace {

std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string Cut(std::string s) {
  if (s.size() > kMaxReclaimTextBytes) s.resize(kMaxReclaimTextBytes);
  return s;
}

// Floor division: epoch milliseconds before 1970 do not occur, but the
// rounding must not depend on the sign anyway.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool Reclaim::Begin(int64_t now_ms, int64_t grace_ms, std::string source) {
  if (deadline_ms_) return false;
  GANTRY_CHECK(!source.empty());
  deadline_ms_ = now_ms + std::max<int64_t>(grace_ms, 0);
  source_ = std::move(source);
  return true;
}

int64_t Reclaim::deadline_ms() const {
  GANTRY_CHECK(deadline_ms_.has_value());
  return *deadline_ms_;
}

int64_t Reclaim::GraceLeftMs(int64_t now_ms) const {
  if (!deadline_ms_) return 0;
  return std::max<int64_t>(*deadline_ms_ - now_ms, 0);
}

std::string Reclaim::UnschedulableReason(int64_t now_ms) const {
  const int64_t left_s = (GraceLeftMs(now_ms) + 999) / 1000;
  // The source goes in the middle: cut it first so the count survives.
  std::string tail = "): " + std::to_string(left_s) + " s left";
  std::string head = "node is being reclaimed (";
  const size_t room = kMaxReclaimTextBytes - head.size() - tail.size();
  return head + source_.substr(0, room) + tail;
}

protocol::ReclaimNotice Reclaim::Notice(int64_t now_ms) const {
  return protocol::ReclaimNotice{.graceLeftMs = GraceLeftMs(now_ms), .source = Cut(source_)};
}

NoticeGrace ParseNoticeGrace(std::string_view content) {
  const int64_t default_ms = int64_t{protocol::kDefaultReclaimGraceSeconds} * 1000;
  std::string_view text = TrimSpace(content);
  if (text.empty()) return NoticeGrace{.grace_ms = default_ms};
  uint64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size() &&
      seconds <= protocol::kMaxControlDeadlineSeconds) {
    return NoticeGrace{.grace_ms = static_cast<int64_t>(seconds) * 1000};
  }
  return NoticeGrace{
      .grace_ms = default_ms,
      .warning = "\"" + std::string(text.substr(0, 64)) + "\" is not a number of seconds from 0 to " +
                 std::to_string(protocol::kMaxControlDeadlineSeconds) + "; the default of " +
                 std::to_string(protocol::kDefaultReclaimGraceSeconds) + " s applies"};
}

std::string CoordinatorReclaimSource(std::string_view reason) {
  if (reason.empty()) return "coordinator";
  return Cut("coordinator: " + std::string(reason));
}

std::string ReclaimStatusReason(std::string_view node_id) {
  return "Node reclaimed: " + std::string(node_id);
}

std::string DeadlineFileContent(int64_t wall_now_ms, int64_t grace_left_ms) {
  return std::to_string(FloorDiv(wall_now_ms + std::max<int64_t>(grace_left_ms, 0), 1000)) + "\n";
}

bool EndedByReclaim(const Outcome& outcome) {
  return outcome.stopped && outcome.exit_code != std::optional<int32_t>(0);
}

}  // namespace gantry::node
