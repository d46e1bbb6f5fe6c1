// The agent's side of a reclaim (reclaim.h holds the rules): the three
// triggers, telling the running attempts, the deadline's SIGKILL, and
// refusing launches meanwhile.
//
//   ReclaimNode / notice file / SIGUSR1 ─> BeginReclaim (first one only)
//     ├─ NodeStatus with reclaim + unschedulableReason to every replica, now
//     ├─ per running attempt: GANTRY_RECLAIM_DEADLINE in its scratch, SIGTERM
//     └─ reclaim_timer_ ─(deadline)─> SIGKILL what still runs
#include <filesystem>
#include <fstream>
#include <system_error>

#include "node/agent.h"
#include "node/atomic_file.h"
#include "node/sandbox.h"

namespace gantry::node {
namespace fs = std::filesystem;

namespace {

// A notice file is a few bytes; more is not a grace anyone meant.
constexpr size_t kMaxNoticeBytes = 256;

std::string ReadNotice(const fs::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open";
    return {};
  }
  std::string content(kMaxNoticeBytes, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  return content;
}

}  // namespace

void Agent::HandleReclaim(const protocol::ReclaimNode& reclaim) {
  if (Status s = reclaim.Validate(); !s.ok()) {
    log_->warn("message dropped type=ReclaimNode error={}", s.message());
    return;
  }
  BeginReclaim(reclaim.graceMs, CoordinatorReclaimSource(reclaim.reason));
}

void Agent::CheckReclaimNotice() {
  if (reclaim_.active() || config_.reclaim_notice_file.empty()) return;
  std::error_code ec;
  if (!fs::exists(config_.reclaim_notice_file, ec)) return;
  std::string error;
  NoticeGrace grace = ParseNoticeGrace(ReadNotice(config_.reclaim_notice_file, error));
  if (!error.empty()) grace.warning = error + "; the default grace applies";
  if (!grace.warning.empty()) {
    log_->warn("reclaim notice not understood path={} detail={}", config_.reclaim_notice_file.string(),
               grace.warning);
  }
  BeginReclaim(grace.grace_ms, "notice file " + config_.reclaim_notice_file.string());
}

void Agent::BeginReclaim(int64_t grace_ms, std::string source) {
  if (!handles_open_) return;
  const int64_t now = clock_.MonotonicMillis();
  if (!reclaim_.Begin(now, grace_ms, source)) {
    log_->debug("reclaim repeated, deadline kept source={} grace_left_ms={}", source,
                reclaim_.GraceLeftMs(now));
    return;
  }
  const int64_t grace_left = reclaim_.GraceLeftMs(now);
  log_->warn("node being reclaimed, taking no new work source={} grace_ms={} running_attempts={}",
             reclaim_.source(), grace_left, table_.running_count());
  const std::string deadline_text = DeadlineFileContent(clock_.NowMillis(), grace_left);
  for (const auto& id : table_.RunningAttempts()) TerminateForReclaim(id, deadline_text);
  uv_timer_start(
      &reclaim_timer_, [](uv_timer_t* t) { static_cast<Agent*>(t->data)->OnReclaimDeadline(); },
      static_cast<uint64_t>(grace_left), 0);
  // The coordinator stops placing here now, not a heartbeat later.
  SendStatusAndReports(coordinators_->All());
}

void Agent::TerminateForReclaim(const std::string& attempt_id, const std::string& deadline_text) {
  // An exited process's scratch may be being deleted on a worker thread: a
  // file written into it now could make that fail. It ends on its own.
  if (!executor_->ProcessRunning(attempt_id)) return;
  // One already being stopped (a kill, a timeout) ends as it was going to,
  // at the latest at the reclaim's deadline.
  if (!table_.OnAgentStop(attempt_id, ReclaimStatusReason(config_.node_id),
                          protocol::InterruptionKind::kReclaimed)) {
    return;
  }
  const fs::path file =
      ScratchRoot(config_.data_dir) / ScratchDirName(attempt_id) / std::string(kReclaimDeadlineFileName);
  if (Status s = WriteFileAtomically(file, deadline_text); !s.ok()) {
    // SIGTERM alone still tells the job; the file is a courtesy.
    log_->warn("reclaim deadline file not written attempt_id={} error={}", attempt_id, s.message());
  }
  log_->info("attempt stopping for reclaim attempt_id={}", attempt_id);
  executor_->Terminate(attempt_id);
}

void Agent::RefuseLaunchForReclaim(const protocol::LaunchAttempt& launch) {
  log_->info("launch refused while reclaiming attempt_id={} job_id={}", launch.attemptId, launch.jobId);
  table_.OnAgentStop(launch.attemptId, ReclaimStatusReason(config_.node_id),
                     protocol::InterruptionKind::kReclaimed);
  // As a launch whose sandbox could not be made: nothing ran, nothing to
  // clean. `stopped` because the reclaim is what kept it from running.
  FinishAttempt(launch.attemptId, launch.command.front(),
                Outcome{.start_failure = StartFailure::kSandbox,
                        .start_error = "node is being reclaimed",
                        .stopped = true});
}

void Agent::OnReclaimDeadline() {
  const int64_t now = clock_.MonotonicMillis();
  if (!reclaim_.Expired(now)) {
    // The loop's clock may run a little behind clock_: wait out the rest.
    uv_timer_start(
        &reclaim_timer_, [](uv_timer_t* t) { static_cast<Agent*>(t->data)->OnReclaimDeadline(); },
        static_cast<uint64_t>(reclaim_.GraceLeftMs(now)), 0);
    return;
  }
  log_->warn("reclaim deadline reached, killing what still runs running_attempts={}",
             table_.running_count());
  // Kill is a no-op for attempts whose process already exited.
  for (const auto& id : table_.RunningAttempts()) executor_->Kill(id);
}

}  // namespace gantry::node
