#include "node/agent.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "gantry/check.h"
#include "node/cgroup_hierarchy.h"
#include "node/disk_quota.h"
#include "node/fingerprint.h"
#include "node/sandbox.h"
#include "node/sandbox_fs.h"

namespace gantry::node {
namespace {

constexpr size_t kBootIdBytes = 16;

std::string OptionalText(const std::optional<int32_t>& v) {
  return v ? std::to_string(*v) : std::string("none");
}

// Decodes `env`'s body as T and hands it to `handle`; a body that does not
// decode is logged and dropped.
template <class T, class F>
void Dispatch(const Logger& log, const protocol::Envelope& env, F&& handle) {
  Result<T> msg = protocol::DecodeBody<T>(env);
  if (!msg.ok()) {
    log->warn("message dropped type={} error={}", protocol::MessageTypeName(env.type),
              msg.status().message());
    return;
  }
  handle(*msg);
}

}  // namespace

Agent::Agent(AgentConfig config, Logger log, Logger exec_log, const Clock& clock)
    : config_(std::move(config)),
      log_(std::move(log)),
      exec_log_(std::move(exec_log)),
      clock_(clock),
      boot_id_(RandomHex(kBootIdBytes)) {
  const char* path = std::getenv("PATH");
  agent_path_ = path == nullptr ? "" : path;
}

Agent::~Agent() {
  // Run closes everything before it returns; an agent never run owns nothing.
  GANTRY_CHECK(!handles_open_);
}

void Agent::RequestStop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  stop_requested_ = true;
  if (async_live_) uv_async_send(&stop_async_);
}

Status Agent::Run() {
  GANTRY_CHECK_MSG(!ran_, "Agent::Run called twice");
  ran_ = true;
  if (int rc = uv_loop_init(&loop_); rc != 0) {
    return Status::Internal(std::string("uv_loop_init: ") + uv_strerror(rc));
  }
  Status started = Start();
  if (!started.ok()) CloseAll();
  uv_run(&loop_, UV_RUN_DEFAULT);
  log_server_.reset();
  log_retention_.reset();
  disk_watch_.reset();  // after uv_run: no measurement is in flight any more
  executor_.reset();
  coordinators_.reset();
  if (int rc = uv_loop_close(&loop_); rc != 0) {
    log_->error("event loop closed with live handles error={}", uv_strerror(rc));
  }
  if (started.ok()) log_->info("agent stopped node_id={} boot_id={}", config_.node_id, boot_id_);
  return started;
}

Status Agent::Start() {
  uv_timer_init(&loop_, &heartbeat_);
  uv_timer_init(&loop_, &deadline_timer_);
  uv_timer_init(&loop_, &reclaim_timer_);
  uv_signal_init(&loop_, &sigint_);
  uv_signal_init(&loop_, &sigterm_);
  uv_signal_init(&loop_, &sigusr1_);
  uv_async_init(&loop_, &stop_async_, [](uv_async_t* h) {
    static_cast<Agent*>(h->data)->BeginShutdown("stop requested");
  });
  heartbeat_.data = deadline_timer_.data = sigint_.data = sigterm_.data = stop_async_.data = this;
  reclaim_timer_.data = sigusr1_.data = this;
  handles_open_ = true;
  auto on_signal = [](uv_signal_t* h, int signum) {
    static_cast<Agent*>(h->data)->OnSignal(signum);
  };
  uv_signal_start(&sigint_, on_signal, SIGINT);
  uv_signal_start(&sigterm_, on_signal, SIGTERM);
  uv_signal_start(
      &sigusr1_,
      [](uv_signal_t* h, int) {
        static_cast<Agent*>(h->data)->BeginReclaim(int64_t{protocol::kDefaultReclaimGraceSeconds} * 1000,
                                                   "SIGUSR1");
      },
      SIGUSR1);
  // Attempt cgroups carry this agent's own prefix (its data dir's), so a
  // sweep never touches another agent's on the same machine.
  disk_watch_ = std::make_unique<DiskWatch>(
      &loop_, [this](const std::string& id, uint64_t used_bytes, uint64_t limit_mib) {
        std::string reason = DiskExceededDetail(used_bytes, limit_mib);
        if (!table_.OnAgentStop(id, reason)) return;  // already being stopped
        log_->warn("attempt stopping: scratch disk past its request attempt_id={} detail={}", id, reason);
        executor_->Stop(id);
      });
  executor_ = std::make_unique<Executor>(
      &loop_, exec_log_,
      ExecutorOptions{.kill_grace_ms = config_.kill_grace_ms, .cgroups = config_.cgroups,
                      .cgroup_prefix = AgentCgroupPrefix(config_.data_dir.string()),
                      .max_log_bytes_per_attempt = config_.max_log_bytes_per_attempt,
                      .gantry_binary = config_.gantry_binary, .isolation = config_.isolation.use});
  log_->info("disk quota method={} reason={}", DiskQuotaMethodName(config_.disk_quota.method),
             config_.disk_quota.reason);
  log_->info("process isolation uses={} run_as_user={} not_used={}",
             DescribeIsolationUsed(config_.isolation),
             config_.isolation.use.user ? config_.isolation.user_name : "the agent's",
             config_.isolation.not_used.empty() ? "none"
                                                : fmt::format("{}", fmt::join(config_.isolation.not_used, "; ")));

  // A crashed run's attempts may still run in their cgroups: kill them
  // before their scratch goes.
  CgroupSweepResult swept_cgroups = executor_->SweepLeftoverCgroups();
  for (const auto& name : swept_cgroups.removed) log_->info("leftover cgroup removed name={}", name);
  if (!swept_cgroups.status.ok()) {
    log_->error("leftover cgroup sweep failed error={}", swept_cgroups.status.message());
  }
  // Scratch left by a crashed run holds disk nobody will free otherwise.
  SweepResult swept = SweepScratch(config_.data_dir);
  for (const auto& name : swept.removed) log_->info("leftover scratch removed attempt_id={}", name);
  if (!swept.status.ok()) {
    log_->error("leftover scratch sweep failed error={}", swept.status.message());
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(ScratchRoot(config_.data_dir), ec)) {
    return Status::Unavailable("no scratch directory under " + config_.data_dir.string());
  }
  GANTRY_RETURN_IF_ERROR(StartLogs());

  GANTRY_RETURN_IF_ERROR(Connect());
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    async_live_ = true;
    if (stop_requested_) uv_async_send(&stop_async_);
  }
  log_->info(
      "agent started node_id={} boot_id={} vcpus={} memory_mib={} disk_mib={} coordinators={}",
      config_.node_id, boot_id_, config_.capacity.vcpus, config_.capacity.memoryMib,
      config_.capacity.diskMib, fmt::join(config_.coordinators, ","));
  uv_timer_start(
      &heartbeat_,
      [](uv_timer_t* t) {
        Agent* agent = static_cast<Agent*>(t->data);
        agent->CheckDisk();
        agent->CheckReclaimNotice();
        agent->SendStatusAndReports(agent->coordinators_->All());
      },
      0, static_cast<uint64_t>(config_.heartbeat_ms));
  return Status::Ok();
}

Status Agent::Connect() {
  coordinators_ = std::make_unique<CoordinatorConnections>(
      log_, CoordinatorConnections::Handlers{
                .on_message = [this](size_t i, LoopSocket::Frames& f) { OnFrames(i, f); },
                .on_connected = [this](size_t i) { OnConnected(i); }});
  return coordinators_->Connect(&loop_, context_, config_.coordinators, config_.node_id,
                                "inproc://gantry-agent-monitor-" + boot_id_);
}

Status Agent::StartLogs() {
  log_retention_ = std::make_unique<LogRetention>(
      &loop_, log_, LogRoot(config_.data_dir), config_.log_budget_bytes,
      [this] { return executor_->LogDirsInUse(); });
  log_retention_->RunNow();  // what an earlier run left may be over the budget already
  if (config_.log_listen.empty()) {
    log_->info("log server off: gantry logs shows only the tails kept with attempts");
    return Status::Ok();
  }
  log_server_ = std::make_unique<LogServer>(
      log_, config_.data_dir, [this](const std::filesystem::path& dir) { return executor_->LogOpen(dir); });
  GANTRY_ASSIGN_OR_RETURN(log_address_, log_server_->Start(&loop_, context_, config_.log_listen));
  log_->info("log server listening address={} max_log_bytes_per_attempt={} log_budget_bytes={}", log_address_,
             config_.max_log_bytes_per_attempt, config_.log_budget_bytes);
  return Status::Ok();
}

void Agent::CloseAll() {
  if (!handles_open_) return;
  handles_open_ = false;
  uv_timer_stop(&heartbeat_);
  uv_close(reinterpret_cast<uv_handle_t*>(&heartbeat_), nullptr);
  uv_timer_stop(&deadline_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline_timer_), nullptr);
  uv_timer_stop(&reclaim_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&reclaim_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigusr1_), nullptr);
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    async_live_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
  }
  if (coordinators_) coordinators_->CloseAll();
  if (log_server_) log_server_->Close();
}

// ---- incoming ----------------------------------------------------------------

void Agent::OnFrames(size_t connection, LoopSocket::Frames& frames) {
  // The envelope is the last frame; a coordinator may put a delimiter first.
  const zmq::message_t& last = frames.back();
  Result<protocol::Envelope> env = protocol::DecodeEnvelope(
      std::string_view(static_cast<const char*>(last.data()), last.size()));
  if (!env.ok()) {
    log_->warn("message dropped error={}", env.status().message());
    return;
  }
  using protocol::MessageType;
  switch (env->type) {
    case MessageType::kLaunchAttempt:
      Dispatch<protocol::LaunchAttempt>(log_, *env, [this](const auto& m) { HandleLaunch(m); });
      break;
    case MessageType::kKillAttempt:
      Dispatch<protocol::KillAttempt>(log_, *env, [this](const auto& m) { HandleKill(m); });
      break;
    case MessageType::kReclaimNode:
      Dispatch<protocol::ReclaimNode>(log_, *env, [this](const auto& m) { HandleReclaim(m); });
      break;
    case MessageType::kNodeStatusAck:
      Dispatch<protocol::NodeStatusAck>(
          log_, *env, [this, connection](const auto& m) { HandleStatusAck(connection, m); });
      break;
    case MessageType::kAttemptReportAck:
      Dispatch<protocol::AttemptReportAck>(log_, *env,
                                           [this](const auto& m) { HandleReportAck(m); });
      break;
    case MessageType::kErrorReply:
      Dispatch<protocol::ErrorReply>(
          log_, *env, [this, connection](const auto& m) { HandleErrorReply(connection, m); });
      break;
    default:
      log_->warn("message dropped type={} error=not a message for agents",
                 protocol::MessageTypeName(env->type));
  }
}

void Agent::OnConnected(size_t connection) {
  if (handles_open_) SendStatusAndReports({connection});
}

void Agent::HandleLaunch(const protocol::LaunchAttempt& launch) {
  const std::string& id = launch.attemptId;
  if (shutting_down_) {
    log_->info("launch ignored while stopping attempt_id={}", id);
    return;
  }
  LaunchDecision decision = table_.OnLaunch(id, clock_.MonotonicMillis(), launch.fencingToken);
  if (decision != LaunchDecision::kLaunch) {
    log_->debug("duplicate launch ignored attempt_id={} running={}", id,
                decision == LaunchDecision::kAlreadyRunning);
    return;
  }
  if (reclaim_.active()) {
    RefuseLaunchForReclaim(launch);
    return;
  }
  const std::string argv0 = launch.command.front();
  Result<SandboxPaths> paths = SandboxPathsFor(
      config_.data_dir, launch, ScratchDiskPolicy{config_.disk_quota.method, config_.default_job_disk_mib});
  Result<std::vector<std::string>> env =
      paths.ok() ? BuildEnvironment(launch, paths->scratch_dir.string(), agent_path_, config_.node_id)
                 : Result<std::vector<std::string>>(paths.status());
  if (!env.ok()) {
    // Nothing was created, so there is nothing to clean: end it right here.
    log_->warn("attempt rejected attempt_id={} job_id={} error={}", id, launch.jobId,
               env.status().message());
    FinishAttempt(
        id, argv0,
        Outcome{.start_failure = StartFailure::kSandbox, .start_error = env.status().message()});
    return;
  }
  const uint64_t watched_disk_mib = paths->watched_disk_mib;
  LaunchSpec spec{id,     launch.command, std::move(env).value(), *paths, launch.resources.memoryMib,
                  launch.resources.vcpus};
  Result<int> pid = executor_->Start(std::move(spec), [this, id, argv0](Outcome outcome) {
    FinishAttempt(id, argv0, std::move(outcome));
  });
  if (!pid.ok()) {
    // The executor still cleans up and calls FinishAttempt.
    log_->warn("attempt failed to start attempt_id={} job_id={} error={}", id, launch.jobId,
               pid.status().message());
    return;
  }
  log_->info("attempt started attempt_id={} job_id={} pid={}", id, launch.jobId, *pid);
  table_.OnStarted(id);
  if (watched_disk_mib > 0) disk_watch_->Add(id, ScratchRoot(config_.data_dir) / ScratchDirName(id), watched_disk_mib);
  if (launch.timeoutSeconds) {
    // The attempt's duration counts from here, its process's start.
    const int64_t now = clock_.MonotonicMillis();
    table_.ArmTimeout(id, now, *launch.timeoutSeconds);
    RearmDeadlineTimer(now);
  }
  SendReport(protocol::AttemptStarted{config_.node_id, boot_id_, id, launch.fencingToken});
}

void Agent::HandleKill(const protocol::KillAttempt& kill) {
  if (!table_.IsRunning(kill.attemptId)) {
    log_->debug("kill ignored attempt_id={} error=not running", kill.attemptId);
    return;
  }
  StopAttempt(kill.attemptId, TerminatedReason(kill.reason));
}

void Agent::HandleStatusAck(size_t connection, const protocol::NodeStatusAck& ack) {
  // Only the leader acks a NodeStatus, so only an ack may kill: a replica
  // that refuses or does not answer leaves every attempt running.
  coordinators_->OnStatusAck(connection);
  Result<std::vector<std::string>> stale = table_.AttemptsToKill(ack);
  if (!stale.ok()) {
    log_->warn("status ack ignored error={}", stale.status().message());
    return;
  }
  for (const auto& id : *stale) StopAttempt(id, TerminatedReason(kReasonNotCurrent));
}

void Agent::HandleReportAck(const protocol::AttemptReportAck& ack) {
  bool matched = table_.OnReportAck(ack);
  log_->debug("report acked attempt_id={} report_type={} matched={}", ack.attemptId, ack.reportType,
              matched);
}

void Agent::HandleErrorReply(size_t connection, const protocol::ErrorReply& reply) {
  const StatusCode code = StatusCodeFromInt(reply.code);
  if (IsNotLeaderReply(reply)) {
    // A follower answers every message this way, every heartbeat.
    log_->debug("coordinator error endpoint={} code={} message={}",
                coordinators_->endpoint(connection), StatusCodeName(code), reply.message);
  } else {
    log_->warn("coordinator error endpoint={} code={} message={}",
               coordinators_->endpoint(connection), StatusCodeName(code), reply.message);
  }
  if (code == StatusCode::kUnavailable) coordinators_->OnUnavailable(connection, reply.message);
}

void Agent::StopAttempt(const std::string& attempt_id, std::string reason) {
  if (!table_.OnKillRequested(attempt_id, reason)) return;  // already being stopped
  log_->info("attempt stop requested attempt_id={} reason={}", attempt_id, reason);
  executor_->Stop(attempt_id);
}

void Agent::OnDeadline() {
  const int64_t now = clock_.MonotonicMillis();
  for (const auto& id : table_.TakeExpired(now)) {
    log_->info("attempt timed out attempt_id={}", id);
    // As a KillAttempt would: SIGTERM now, SIGKILL after the kill grace. If
    // the process already exited, this does nothing and the end is reported
    // as the process's own (EndStatusReason).
    executor_->Stop(id);
  }
  RearmDeadlineTimer(now);
}

void Agent::RearmDeadlineTimer(int64_t now_ms) {
  if (!handles_open_) return;
  std::optional<int64_t> next = table_.NextDeadline();
  if (!next) {
    uv_timer_stop(&deadline_timer_);
    return;
  }
  // The loop's clock may run a little behind clock_: a timer that fires
  // early finds nothing expired and is simply set again for the rest.
  const auto delay = static_cast<uint64_t>(std::max<int64_t>(*next - now_ms, 0));
  uv_timer_start(
      &deadline_timer_, [](uv_timer_t* t) { static_cast<Agent*>(t->data)->OnDeadline(); }, delay,
      0);
}

void Agent::FinishAttempt(const std::string& attempt_id, const std::string& argv0,
                          Outcome outcome) {
  protocol::AttemptEnded report;
  report.nodeId = config_.node_id;
  report.bootId = boot_id_;
  report.attemptId = attempt_id;
  report.exitCode = outcome.exit_code;
  report.signal = outcome.signal;
  report.reason = EndReason(outcome, argv0, table_.KillReason(attempt_id));
  report.fencingToken = table_.FencingToken(attempt_id);
  std::string stop_reason = table_.AgentStopReason(attempt_id);
  if (auto interruption = table_.StopInterruption(attempt_id)) {
    // An interrupted job that exits 0 in its grace finished its work.
    if (EndedByReclaim(outcome)) {
      report.interruption = interruption;
    } else {
      stop_reason.clear();
    }
  }
  report.statusReason = EndStatusReason(outcome, std::string_view(stop_reason));
  if (disk_watch_) disk_watch_->Remove(attempt_id);
  report.logTail = std::move(outcome.log_tail);
  log_->info("attempt ended attempt_id={} exit_code={} signal={} reason={} status_reason={}",
             attempt_id, OptionalText(report.exitCode), OptionalText(report.signal), report.reason,
             report.statusReason.value_or("none"));
  SendReport(report);
  const int64_t now = clock_.MonotonicMillis();
  if (auto dropped = table_.OnEnded(std::move(report), now)) {
    log_->warn("unacknowledged end report dropped attempt_id={}", *dropped);
  }
  RearmDeadlineTimer(now);  // its deadline, if any, is gone with it
  MaybeFinishShutdown();
}

// ---- disk ---------------------------------------------------------------------

void Agent::CheckDisk() {
  // Free space is read every heartbeat: a node whose disk fills takes no new
  // work until it has room again, and says why.
  if (Result<uint64_t> free_mib = FingerprintDiskMib(config_.data_dir); free_mib.ok()) {
    FreeDiskVerdict verdict = CheckFreeDisk(*free_mib, config_.min_free_disk_mib);
    if (verdict.accept_work != free_disk_.accept_work) {
      if (verdict.accept_work) {
        log_->info("free disk recovered, taking work again free_mib={}", *free_mib);
      } else {
        log_->warn("taking no new work reason={}", verdict.reason);
      }
    }
    free_disk_ = std::move(verdict);
  }
  // A scratch filesystem that could not be removed (a process still held
  // it) is retried here rather than leaked; rare, and a retry is quick.
  if (!PendingScratchCleanups().empty()) {
    const size_t cleared = RetryPendingScratchCleanups();
    if (cleared > 0) log_->info("scratch cleanup retried and done count={}", cleared);
  }
  if (log_retention_) log_retention_->Trigger();
  if (disk_watch_) disk_watch_->Poll();
}

// ---- outgoing ----------------------------------------------------------------

void Agent::SendStatusAndReports(const std::vector<size_t>& targets) {
  if (!coordinators_) return;
  protocol::NodeStatus status;
  status.node.nodeId = config_.node_id;
  status.node.bootId = boot_id_;
  status.node.capacity = config_.capacity;
  status.node.labels = config_.labels;
  status.node.logAddress = log_address_;
  status.node.diskQuota = std::string(DiskQuotaMethodName(config_.disk_quota.method));
  if (config_.disk_quota.method != DiskQuotaMethod::kLoopExt4) *status.node.diskQuota += ": " + config_.disk_quota.reason;
  if (status.node.diskQuota->size() > 512) status.node.diskQuota->resize(512);
  if (!free_disk_.accept_work) status.unschedulableReason = free_disk_.reason;
  if (reclaim_.active()) {
    // The reclaim outlasts any disk shortage: it is the reason that matters.
    const int64_t now = clock_.MonotonicMillis();
    status.unschedulableReason = reclaim_.UnschedulableReason(now);
    status.reclaim = reclaim_.Notice(now);
  }
  // A scratch not yet removed still holds its disk: offer only the rest.
  if (PendingCleanupSummary cleanup = SummarizePendingCleanups(PendingScratchCleanups()); !cleanup.text.empty()) {
    status.node.capacity.diskMib -= std::min(status.node.capacity.diskMib, cleanup.held_mib);
    status.cleanupPending = std::move(cleanup.text);
  }
  status.sequence = table_.NextStatusSequence();
  status.runningAttempts = table_.RunningAttempts();
  // Nobody to hear the reports: skip them rather than encode up to
  // max_pending_ended log tails every tick; a handshake triggers a resend.
  if (!SendTo(targets, status)) return;
  std::vector<size_t> report_targets;
  for (size_t i : targets) {
    if (coordinators_->IsReportTarget(i)) report_targets.push_back(i);
  }
  if (report_targets.empty()) return;
  for (const auto& id : table_.PendingStarted()) {
    SendTo(report_targets, protocol::AttemptStarted{config_.node_id, boot_id_, id, table_.FencingToken(id)});
  }
  for (const protocol::AttemptEnded* report : table_.PendingEnded()) {
    SendTo(report_targets, *report);
  }
}

template <class T>
bool Agent::SendTo(const std::vector<size_t>& targets, const T& message) {
  if (!coordinators_ || targets.empty()) return false;
  // One request id for the copies: they are one message to one Raft group.
  const std::string frame = protocol::EncodeMessage(next_request_id_++, message);
  bool queued = false;
  for (size_t i : targets) {
    Status s = coordinators_->Send(i, frame);
    if (!s.ok()) {
      log_->debug("send failed type={} endpoint={} error={}", protocol::MessageTypeName(T::kType),
                  coordinators_->endpoint(i), s.message());
    }
    queued = queued || s.ok();
  }
  return queued;
}

template <class T>
void Agent::SendReport(const T& message) {
  // Not queued (no leader connected) is fine: it is resent every heartbeat.
  if (coordinators_) SendTo(coordinators_->ReportTargets(), message);
}

// ---- shutdown ----------------------------------------------------------------

void Agent::OnSignal(int signum) {
  if (shutting_down_) {
    log_->error("second signal, exiting now signal={}", SignalName(signum));
    log_->flush();
    std::_Exit(128 + signum);
  }
  BeginShutdown(SignalName(signum));
}

void Agent::BeginShutdown(const std::string& why) {
  if (shutting_down_ || !handles_open_) return;
  shutting_down_ = true;
  log_->info("agent stopping reason={} running_attempts={}", why, table_.running_count());
  for (const auto& id : table_.RunningAttempts()) {
    table_.OnKillRequested(id, TerminatedReason(kReasonAgentShutdown));
    executor_->Kill(id);
  }
  MaybeFinishShutdown();
}

void Agent::MaybeFinishShutdown() {
  if (!shutting_down_ || !handles_open_ || table_.running_count() > 0 || executor_->size() > 0) {
    return;
  }
  // A last full report, so the coordinator sees at once that nothing runs here.
  SendStatusAndReports(coordinators_->All());
  CloseAll();
}

}  // namespace gantry::node
