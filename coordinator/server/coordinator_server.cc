#include "coordinator/server/coordinator_server.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "coordinator/scheduler/scheduler.h"
#include "coordinator/server/housekeeping.h"
#include "coordinator/server/plan_builder.h"
#include "coordinator/server/queries.h"
#include "coordinator/state/rocks_state_store.h"
#include "gantry/check.h"

namespace gantry::coordinator {

using protocol::MessageType;

Result<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Create(uv_loop_t* loop, zmq::context_t* ctx,
                                                                     CoordinatorConfig config,
                                                                     const Clock* clock) {
  namespace fs = std::filesystem;
  const fs::path state_dir = fs::path(config.data_dir) / "state";
  const fs::path raft_dir = fs::path(config.data_dir) / "raft";
  std::error_code ec;
  // A state without the Raft log it came from cannot be trusted: a new log
  // would start again at index 1, below the state's applied index, and every
  // entry would be skipped as already applied.
  const bool raft_log_present = fs::exists(raft_dir, ec) && !fs::is_empty(raft_dir, ec);
  fs::create_directories(state_dir, ec);
  if (ec) return Status::Unavailable("create " + state_dir.string() + ": " + ec.message());
  GANTRY_ASSIGN_OR_RETURN(std::unique_ptr<RocksStateStore> store, RocksStateStore::Open(state_dir.string()));
  GANTRY_ASSIGN_OR_RETURN(ClusterState state, ClusterState::Load(*store));
  if (state.applied_index() > 0 && !raft_log_present) {
    return Status::InvalidArgument(config.data_dir + " holds a coordinator state but no Raft log under " +
                                      raft_dir.string() + "; start this replica with an empty data dir and let it " +
                                      "catch up from the others");
  }
  config.raft.dir = raft_dir.string();
  auto server = std::unique_ptr<CoordinatorServer>(
      new CoordinatorServer(loop, ctx, std::move(config), clock, std::move(store), std::move(state)));
  GANTRY_ASSIGN_OR_RETURN(server->raft_,
                          raft::RaftNode::Create(loop, server->config_.raft, &server->fsm_, server->raft_log_));
  server->pipeline_ = std::make_unique<RaftPipeline>(loop, server->raft_.get(), &server->fsm_, server->fsm_log_);
  server->pipeline_->SetOnBatchCommitted([s = server.get()](RaftPipeline::BatchEffects& e) { s->OnBatchCommitted(e); });
  return server;
}

CoordinatorServer::CoordinatorServer(uv_loop_t* loop, zmq::context_t* ctx, CoordinatorConfig config,
                                     const Clock* clock, std::unique_ptr<StateStore> store, ClusterState state)
    : loop_(loop),
      ctx_(ctx),
      config_(std::move(config)),
      clock_(clock),
      rpc_log_(MakeLogger("rpc")),
      sched_log_(MakeLogger("sched")),
      fsm_log_(MakeLogger("fsm")),
      raft_log_(MakeLogger("raft")),
      store_(std::move(store)),
      state_(std::move(state)),
      fsm_(&state_, store_.get(), fsm_log_),
      liveness_(config_.node_ttl_ms),
      rng_(std::random_device{}()) {
  fsm_log_->info("state loaded applied_index={} jobs={} nodes={} queues={}", RaftIndexOf(state_.applied_index()),
                 state_.job_count(), state_.nodes().size(), state_.job_queues().size());
}

CoordinatorServer::~CoordinatorServer() {
  // libuv still points into the Raft node until its Close completed.
  GANTRY_CHECK_MSG(!raft_ || raft_closed_, "CoordinatorServer destroyed before Stop and the loop finished");
}

Status CoordinatorServer::Start() {
  raft_->OnRoleChange([this](bool ready) { OnRoleChange(ready); });
  raft_->OnRemoved([this] {
    raft_log_->warn("this replica was removed from the group id={}; stopping", config_.raft.id);
    Stop();
    if (on_removed_) on_removed_();
  });
  GANTRY_RETURN_IF_ERROR(raft_->Start());
  zmq::socket_t sock;
  try {
    sock = zmq::socket_t(*ctx_, zmq::socket_type::router);
    ApplyRouterOptions(sock);
    sock.bind(config_.listen);
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("listen on " + config_.listen + ": " + e.what());
  }
  GANTRY_ASSIGN_OR_RETURN(socket_, LoopSocket::Create(loop_, std::move(sock),
                                                      [this](Frames& f) { OnFrames(f); }));
  pass_timer_ = new uv_timer_t;
  uv_timer_init(loop_, pass_timer_);
  pass_timer_->data = this;
  ttl_timer_ = new uv_timer_t;
  uv_timer_init(loop_, ttl_timer_);
  ttl_timer_->data = this;
  // Often enough that a lost node is noticed within a fifth of a second of
  // its TTL whatever the TTL; a check is a walk over the nodes.
  uint64_t every = static_cast<uint64_t>(std::clamp<int64_t>(config_.node_ttl_ms / 4, 50, 200));
  uv_timer_start(ttl_timer_, [](uv_timer_t* t) { static_cast<CoordinatorServer*>(t->data)->CheckLiveness(); },
                 every, every);
  housekeeping_timer_ = new uv_timer_t;
  uv_timer_init(loop_, housekeeping_timer_);
  housekeeping_timer_->data = this;
  const uint64_t housekeeping = static_cast<uint64_t>(std::max<int64_t>(10, config_.housekeeping_ms));
  uv_timer_start(housekeeping_timer_, [](uv_timer_t* t) { static_cast<CoordinatorServer*>(t->data)->Housekeep(); },
                 housekeeping, housekeeping);
  rpc_log_->info("coordinator listening endpoint={} data_dir={} replica_id={} raft_address={}", config_.listen,
                 config_.data_dir, config_.raft.id, config_.raft.address);
  return Status::Ok();
}

void CoordinatorServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  leader_ = false;
  if (socket_) socket_->Close();
  for (uv_timer_t** timer : {&ttl_timer_, &pass_timer_, &housekeeping_timer_}) {
    if (!*timer) continue;
    uv_timer_stop(*timer);
    uv_close(reinterpret_cast<uv_handle_t*>(*timer), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    *timer = nullptr;
  }
  if (pipeline_) pipeline_->Close();
  if (raft_) raft_->Close([this] { raft_closed_ = true; });
}

// ---- receiving ---------------------------------------------------------------

void CoordinatorServer::OnFrames(Frames& frames) {
  // A ROUTER puts the sender's routing id first; DEALER clients send no
  // empty delimiter, REQ clients do. Everything before the payload is
  // echoed back as the reply's address.
  if (frames.size() < 2) return;
  Prefix prefix;
  for (size_t i = 0; i + 1 < frames.size(); ++i) prefix.push_back(frames[i].to_string());
  const zmq::message_t& payload = frames.back();
  auto env = protocol::DecodeEnvelope(std::string_view(static_cast<const char*>(payload.data()), payload.size()));
  if (!env.ok()) {
    rpc_log_->warn("malformed message dropped bytes={} error={}", payload.size(), env.status().message());
    ReplyError(prefix, 0, Status::InvalidArgument("malformed message: " + env.status().message()));
    return;
  }
  Dispatch(prefix, *env);
}

namespace {

// A read reply is either the reply itself or a Result of it.
template <class T>
struct IsResult : std::false_type {};
template <class T>
struct IsResult<Result<T>> : std::true_type {};

}  // namespace

template <class Req, class Query>
void CoordinatorServer::AnswerRead(const Prefix& prefix, const protocol::Envelope& env, Query&& query) {
  auto req = protocol::DecodeBody<Req>(env);
  if (!req.ok()) return ReplyError(prefix, env.requestId, req.status());
  auto reply = query(*req);
  if constexpr (IsResult<decltype(reply)>::value) {
    if (!reply.ok()) return ReplyError(prefix, env.requestId, reply.status());
    Reply(prefix, env.requestId, *reply);
  } else {
    Reply(prefix, env.requestId, reply);
  }
}

void CoordinatorServer::Dispatch(const Prefix& prefix, const protocol::Envelope& env) {
  using namespace protocol;
  const int64_t now = clock_->MonotonicMillis();
  switch (env.type) {
    case MessageType::kNodeStatus:
      return HandleNodeStatus(prefix, env);
    case MessageType::kRaftListPeers:
      return HandleRaftOperator(prefix, env);
    default:
      break;
  }
  // Reads too: a follower's state may lag the leader's, and a client that
  // just submitted must see its job.
  if (!leader_) return ReplyError(prefix, env.requestId, NotLeader());
  switch (env.type) {
    case MessageType::kDescribeJobs:
      return AnswerRead<DescribeJobsRequest>(prefix, env,
                                             [&](const auto& r) { return DescribeJobs(state_, wait_board_, r); });
    case MessageType::kListJobs:
      return AnswerRead<ListJobsRequest>(prefix, env,
                                         [&](const auto& r) { return ListJobs(state_, wait_board_, r); });
    case MessageType::kDescribeJobQueues:
      return AnswerRead<DescribeJobQueuesRequest>(prefix, env,
                                                  [&](const auto& r) { return DescribeJobQueues(state_, r); });
    case MessageType::kDescribeComputeEnvironments:
      return AnswerRead<DescribeComputeEnvironmentsRequest>(
          prefix, env, [&](const auto& r) { return DescribeComputeEnvironments(state_, liveness_, r); });
    case MessageType::kDescribeJobDefinitions:
      return AnswerRead<DescribeJobDefinitionsRequest>(
          prefix, env, [&](const auto& r) { return DescribeJobDefinitions(state_, r); });
    case MessageType::kDescribeNodes:
      return AnswerRead<DescribeNodesRequest>(prefix, env,
                                              [&](const auto&) { return DescribeNodes(state_, liveness_, now, clock_->NowMillis()); });
    case MessageType::kDescribeSchedulingPolicies:
      return AnswerRead<DescribeSchedulingPoliciesRequest>(
          prefix, env, [&](const auto& r) { return DescribeSchedulingPolicies(state_, r); });
    case MessageType::kListTagsForResource:
      return AnswerRead<ListTagsForResourceRequest>(
          prefix, env, [&](const auto& r) { return ListTagsForResource(state_, r); });
    case MessageType::kCreateComputeEnvironment:
    case MessageType::kCreateJobQueue:
    case MessageType::kRegisterJobDefinition:
    case MessageType::kSubmitJob:
      return HandleWrite(prefix, env);
    case MessageType::kCancelJob:
    case MessageType::kTerminateJob:
    case MessageType::kDeregisterJobDefinition:
    case MessageType::kUpdateJobQueue:
    case MessageType::kUpdateComputeEnvironment:
    case MessageType::kDeleteJobQueue:
    case MessageType::kDeleteComputeEnvironment:
    case MessageType::kCreateSchedulingPolicy:
    case MessageType::kUpdateSchedulingPolicy:
    case MessageType::kDeleteSchedulingPolicy:
    case MessageType::kTagResource:
    case MessageType::kUntagResource:
      return HandleControl(prefix, env);
    case MessageType::kNodeControl:
      return HandleNodeControl(prefix, env);
    case MessageType::kRaftAddVoter:
    case MessageType::kRaftRemovePeer:
    case MessageType::kRaftTransferLeader:
      return HandleRaftOperator(prefix, env);
    case MessageType::kAttemptStarted:
    case MessageType::kAttemptEnded:
      return HandleAttemptReport(prefix, env);
    default:
      return ReplyError(prefix, env.requestId,
                        Status::InvalidArgument(std::string("the coordinator does not accept ") +
                                                MessageTypeName(env.type)));
  }
}

// ---- client writes -----------------------------------------------------------

void CoordinatorServer::HandleWrite(const Prefix& prefix, const protocol::Envelope& env) {
  const uint64_t id = env.requestId;
  Command c;
  c.at = clock_->NowMillis();
  std::function<void(const ApplyResult&)> reply;
  switch (env.type) {
    case MessageType::kCreateComputeEnvironment: {
      auto req = protocol::DecodeBody<protocol::CreateComputeEnvironmentRequest>(env);
      if (!req.ok()) return ReplyError(prefix, id, req.status());
      c.type = CommandType::kCreateComputeEnvironment;
      c.computeEnvironment = req->computeEnvironment;
      reply = [=, this](const ApplyResult& r) {
        Reply(prefix, id, protocol::CreateComputeEnvironmentReply{r.name});
      };
      break;
    }
    case MessageType::kCreateJobQueue: {
      auto req = protocol::DecodeBody<protocol::CreateJobQueueRequest>(env);
      if (!req.ok()) return ReplyError(prefix, id, req.status());
      c.type = CommandType::kCreateJobQueue;
      c.jobQueue = req->jobQueue;
      reply = [=, this](const ApplyResult& r) { Reply(prefix, id, protocol::CreateJobQueueReply{r.name}); };
      break;
    }
    case MessageType::kRegisterJobDefinition: {
      auto req = protocol::DecodeBody<protocol::RegisterJobDefinitionRequest>(env);
      if (!req.ok()) return ReplyError(prefix, id, req.status());
      c.type = CommandType::kRegisterJobDefinition;
      c.jobDefinition = req->jobDefinition;
      reply = [=, this](const ApplyResult& r) {
        Reply(prefix, id, protocol::RegisterJobDefinitionReply{r.name, r.revision});
      };
      break;
    }
    case MessageType::kSubmitJob: {
      auto req = protocol::DecodeBody<protocol::SubmitJobRequest>(env);
      if (!req.ok()) return ReplyError(prefix, id, req.status());
      c.type = CommandType::kSubmitJob;
      c.submitJob = SubmitJobCommand{*req, NewJobId(), config_.default_job_disk_mib};
      reply = [=, this](const ApplyResult& r) { Reply(prefix, id, protocol::SubmitJobReply{r.jobId, r.name}); };
      break;
    }
    default:
      return ReplyError(prefix, id, Status::Internal("not a write"));
  }
  pipeline_->Propose(std::move(c), [this, prefix, id, reply](Result<ApplyResult>& r) {
    if (!r.ok()) return ReplyError(prefix, id, r.status());
    reply(*r);
  });
}

void CoordinatorServer::SendKills(const std::vector<KillOrder>& kills) {
  for (const KillOrder& k : kills) {
    sched_log_->info("attempt stopped attempt_id={} node_id={} reason={}", k.attemptId, k.nodeId, k.reason);
    SendToNode(k.nodeId, protocol::EncodeMessage(0, protocol::KillAttempt{k.attemptId, k.reason}));
  }
}

// ---- agents ------------------------------------------------------------------

void CoordinatorServer::HandleNodeStatus(const Prefix& prefix, const protocol::Envelope& env) {
  auto status = protocol::DecodeBody<protocol::NodeStatus>(env);
  if (!status.ok()) {
    rpc_log_->warn("bad node status dropped error={}", status.status().message());
    return ReplyError(prefix, env.requestId, status.status());
  }
  const protocol::Node& reported = status->node;
  // An agent's routing id is its node id; it may report only for itself.
  if (prefix.empty() || prefix.front() != reported.nodeId) {
    return ReplyError(prefix, env.requestId,
                      Status::InvalidArgument("node status for " + reported.nodeId +
                                              " must come from that node's own connection"));
  }
  // Every replica notes the heartbeat (agents send it to all), so the next
  // leader knows at once which nodes are alive.
  const int64_t now = clock_->MonotonicMillis();
  const std::string was_reason = liveness_.UnschedulableReason(reported.nodeId);
  const std::string was_cleanup = liveness_.CleanupPending(reported.nodeId);
  const bool back = liveness_.Heard(reported.nodeId, now, status->unschedulableReason.value_or(""),
                                    status->cleanupPending.value_or(""));
  if (status->cleanupPending && *status->cleanupPending != was_cleanup) {
    sched_log_->warn("node cleanup pending node_id={} detail={}", reported.nodeId, *status->cleanupPending);
  }
  if (status->unschedulableReason && *status->unschedulableReason != was_reason) {
    sched_log_->warn("node takes no new work node_id={} reason={}", reported.nodeId, *status->unschedulableReason);
  }
  if (!leader_) return ReplyError(prefix, env.requestId, NotLeader());
  ReconcileReclaim(*status);
  if (back) {
    sched_log_->info("node ready node_id={} vcpus={} memory_mib={} disk_mib={}", reported.nodeId,
                     reported.capacity.vcpus, reported.capacity.memoryMib, reported.capacity.diskMib);
    schedule_wanted_ = true;
  }
  const NodeRecord* known = state_.FindNode(reported.nodeId);
  bool changed = !known || known->node.bootId != reported.bootId || known->node.capacity != reported.capacity ||
                 known->node.labels != reported.labels || known->node.logAddress != reported.logAddress ||
                 known->node.diskQuota != reported.diskQuota;
  if (changed && upserts_in_flight_.insert(reported.nodeId).second) {
    Command c;
    c.type = CommandType::kUpsertNode;
    c.at = clock_->NowMillis();
    c.node = reported;
    std::string node_id = reported.nodeId;
    pipeline_->Propose(std::move(c), [this, node_id](Result<ApplyResult>& r) {
      upserts_in_flight_.erase(node_id);
      if (!r.ok()) {
        rpc_log_->warn("node registration refused node_id={} error={}", node_id, r.status().message());
        return;
      }
      for (const auto& note : r->notes) fsm_log_->info("{}", note);
      fsm_log_->info("node registered node_id={}", node_id);
    });
  }

  protocol::NodeStatusAck ack;
  ack.sequence = status->sequence;
  std::set<std::string> running(status->runningAttempts.begin(), status->runningAttempts.end());
  if (known && known->node.bootId == reported.bootId) {
    ack.currentAttempts.assign(known->live_attempts.begin(), known->live_attempts.end());
    // A launch may have been lost (agent restarting, socket reconnecting):
    // send it again. The agent ignores attempts it already ran.
    const int64_t wall = clock_->NowMillis();
    for (const auto& attempt_id : known->live_attempts) {
      const protocol::Job* job = state_.FindJobByAttempt(attempt_id);
      // A terminate-job whose kill was lost (leader change, reconnect): the
      // attempt is still live, so ask again. Kills are idempotent.
      if (job && job->isTerminated && running.count(attempt_id)) {
        SendKills({{reported.nodeId, attempt_id, job->terminationReason.value_or("terminated")}});
        continue;
      }
      if (running.count(attempt_id)) continue;
      if (!job || job->status != protocol::JobStatus::kStarting) continue;
      const protocol::Attempt& a = job->attempts.back();
      if (wall - a.placedAt < config_.launch_resend_ms) continue;
      rpc_log_->info("launch resent attempt_id={} node_id={}", attempt_id, reported.nodeId);
      SendToNode(reported.nodeId, protocol::EncodeMessage(0, MakeLaunch(*job, a)));
    }
  } else {
    // Not registered under this boot yet: nothing is current for it.
    ack.currentAttempts.clear();
    for (const auto& a : running) {
      const protocol::Job* job = state_.FindJobByAttempt(a);
      const protocol::Attempt* live = job ? LiveAttempt(*job) : nullptr;
      if (live && live->attemptId == a && live->node == reported.nodeId) ack.currentAttempts.push_back(a);
    }
  }
  Reply(prefix, env.requestId, ack);
  MaybeSchedule();
}

void CoordinatorServer::HandleAttemptReport(const Prefix& prefix, const protocol::Envelope& env) {
  const uint64_t id = env.requestId;
  Command c;
  c.at = clock_->NowMillis();
  std::string node_id;
  std::string attempt_id;
  std::optional<uint64_t> fencing_token;
  if (env.type == MessageType::kAttemptStarted) {
    auto rep = protocol::DecodeBody<protocol::AttemptStarted>(env);
    if (!rep.ok()) return ReplyError(prefix, id, rep.status());
    c.type = CommandType::kAttemptStarted;
    c.attemptStarted = AttemptStartedCommand{rep->nodeId, rep->attemptId, rep->fencingToken};
    node_id = rep->nodeId;
    attempt_id = rep->attemptId;
    fencing_token = rep->fencingToken;
  } else {
    auto rep = protocol::DecodeBody<protocol::AttemptEnded>(env);
    if (!rep.ok()) return ReplyError(prefix, id, rep.status());
    c.type = CommandType::kAttemptEnded;
    node_id = rep->nodeId;
    attempt_id = rep->attemptId;
    fencing_token = rep->fencingToken;
    c.attemptEnded = std::move(rep).value();
  }
  if (prefix.empty() || prefix.front() != node_id) {
    return ReplyError(prefix, id,
                      Status::InvalidArgument("attempt report for node " + node_id +
                                              " must come from that node's own connection"));
  }
  const uint16_t report_type = static_cast<uint16_t>(env.type);
  if (ReportAlreadyApplied(state_, env.type, attempt_id)) {
    // Usually a resend of a report already committed; but an attempt the
    // coordinator ended itself (its node lost) hears from its agent only
    // now, and that end is fenced off.
    if (std::string by = EndedByCoordinator(state_, attempt_id); !by.empty()) {
      fsm_log_->warn("late report ignored type={} attempt_id={} node_id={} attempt_ended_as={}",
                     protocol::MessageTypeName(env.type), attempt_id, node_id, by);
    }
    return Reply(prefix, id, protocol::AttemptReportAck{attempt_id, report_type});
  }
  // A report from an attempt that is not live any more (its node was lost
  // and the job moved on, or another fencing token): acknowledged, so the
  // agent stops resending it, and otherwise ignored.
  if (std::string why = StaleReportReason(state_, node_id, attempt_id, fencing_token); !why.empty()) {
    fsm_log_->warn("stale report ignored type={} attempt_id={} node_id={} why={}", protocol::MessageTypeName(env.type),
                   attempt_id, node_id, why);
    return Reply(prefix, id, protocol::AttemptReportAck{attempt_id, report_type});
  }
  // A copy of this report is being committed: its acknowledgement answers
  // this one too (the agent matches acks by attempt and type).
  const std::string report_key = std::to_string(report_type) + "/" + attempt_id;
  if (!reports_in_flight_.insert(report_key).second) return;
  pipeline_->Propose(std::move(c), [this, prefix, id, attempt_id, report_type,
                                    report_key](Result<ApplyResult>& r) {
    reports_in_flight_.erase(report_key);
    if (!r.ok()) return ReplyError(prefix, id, r.status());
    for (const auto& note : r->notes) fsm_log_->info("{}", note);
    const protocol::Job* job = state_.FindJobByAttempt(attempt_id);
    if (job && report_type == static_cast<uint16_t>(MessageType::kAttemptEnded) && r->notes.empty()) {
      fsm_log_->info("job ended job_id={} status={} attempt_id={}", job->jobId, protocol::EnumName(job->status),
                     attempt_id);
    }
    Reply(prefix, id, protocol::AttemptReportAck{attempt_id, report_type});
  });
}

// ---- leadership -------------------------------------------------------------

Status CoordinatorServer::NotLeader() const {
  std::optional<raft::Peer> leader = raft_ ? raft_->Leader() : std::nullopt;
  if (!leader || leader->id == config_.raft.id) {
    return Status::Unavailable("not the leader; no leader is known (an election may be under way)");
  }
  return Status::Unavailable("not the leader; the leader is replica " + std::to_string(leader->id) + " at " +
                             leader->address);
}

void CoordinatorServer::OnRoleChange(bool ready_leader) {
  if (stopped_) return;
  leader_ = ready_leader;
  if (ready_leader) {
    // Every entry of earlier terms is applied (RaftNode's barrier), so the
    // state is complete: look at every waiting job once. Node TTLs restart
    // from now, so a node this replica heard little of while a follower is
    // not declared silent for the failover's sake.
    raft_log_->info("leader now replica_id={} applied_index={} jobs={} nodes={}", config_.raft.id,
                    RaftIndexOf(state_.applied_index()), state_.job_count(), state_.nodes().size());
    const int64_t now = clock_->MonotonicMillis();
    liveness_.RestartTtls(now);
    // Nodes this replica never heard from (it restarted, or they went
    // silent before it did) get a TTL from now: if they stay silent, their
    // attempts end as lost instead of hanging on forever.
    for (const auto& [id, _] : state_.nodes()) liveness_.Watch(id, now);
    pipeline_->TakeEffects();
    schedule_wanted_ = true;
    next_full_pass_ = {};
    MaybeSchedule();
  } else {
    raft_log_->info("not the leader any more replica_id={}", config_.raft.id);
    wait_board_.Clear();
    new_runnable_.clear();
    if (pass_timer_) uv_timer_stop(pass_timer_);
  }
}

// ---- sending -----------------------------------------------------------------

template <class T>
void CoordinatorServer::Reply(const Prefix& prefix, uint64_t request_id, const T& body) {
  if (!socket_ || stopped_) return;
  std::string payload = protocol::EncodeMessage(request_id, body);
  std::vector<std::string_view> frames(prefix.begin(), prefix.end());
  frames.push_back(payload);
  Status s = socket_->Send(frames);
  if (!s.ok()) rpc_log_->debug("reply dropped type={} error={}", protocol::MessageTypeName(T::kType), s.message());
}

// operator_requests.cc and job_control_requests.cc reply with these.
template void CoordinatorServer::Reply<protocol::RaftPeersReply>(const Prefix&, uint64_t,
                                                                 const protocol::RaftPeersReply&);
template void CoordinatorServer::Reply<protocol::DoneReply>(const Prefix&, uint64_t, const protocol::DoneReply&);

void CoordinatorServer::ReplyError(const Prefix& prefix, uint64_t request_id, const Status& status) {
  protocol::ErrorReply e;
  e.code = static_cast<uint8_t>(status.code());
  e.message = status.message();
  Reply(prefix, request_id, e);
}

void CoordinatorServer::SendToNode(const std::string& node_id, const std::string& frame) {
  if (!socket_ || stopped_) return;
  Status s = socket_->Send({std::string_view(node_id), std::string_view(frame)});
  if (!s.ok()) rpc_log_->debug("message to node dropped node_id={} error={}", node_id, s.message());
}

// ---- scheduling ----------------------------------------------------------------

void CoordinatorServer::OnBatchCommitted(RaftPipeline::BatchEffects& effects) {
  if (effects.schedule) schedule_wanted_ = true;
  for (auto& id : effects.new_runnable) new_runnable_.push_back(std::move(id));
  MaybeSchedule();
}

void CoordinatorServer::MaybeSchedule() {
  if (stopped_ || !leader_ || plan_in_flight_) return;
  // Everything that can change a placement (submit, node change, attempt
  // end, new queue) passes through a commit; those set schedule_wanted_.
  if (!schedule_wanted_ && new_runnable_.empty()) return;
  // A full pass looks at every waiting job; when only new jobs arrived, a
  // pass over them places the same (see ApplyResult::new_runnable) at a cost
  // that does not grow with the backlog.
  const bool full = schedule_wanted_;
  const auto started = std::chrono::steady_clock::now();
  if (full && started < next_full_pass_) {
    // A deep backlog makes full passes expensive, and every attempt end asks
    // for one. Spacing them keeps the scheduler to a bounded share of the
    // loop; what arrives meanwhile is folded into the deferred pass (new
    // jobs wait for it too, so they cannot overtake older waiting ones).
    uint64_t wait_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(next_full_pass_ - started).count() + 1);
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(pass_timer_))) {
      uv_timer_start(pass_timer_, [](uv_timer_t* t) { static_cast<CoordinatorServer*>(t->data)->MaybeSchedule(); },
                     wait_ms, 0);
    }
    return;
  }
  schedule_wanted_ = false;
  std::vector<std::string> fresh;
  fresh.swap(new_runnable_);
  std::vector<SchedQueue> queues = BuildQueues(state_, full ? nullptr : &fresh, clock_->NowMillis());
  if (queues.empty()) return;
  const auto built = std::chrono::steady_clock::now();
  ClusterSnapshot snapshot = BuildSnapshot(state_, liveness_);
  Plan plan = Place(snapshot, queues, PlaceOptions{});
  const auto placed = std::chrono::steady_clock::now();
  if (full) wait_board_.Clear();
  for (const WaitingJob& w : plan.waiting) wait_board_.File(w.tag, w.reason, w.code);
  const auto ended = std::chrono::steady_clock::now();
  if (full) next_full_pass_ = started + kFullPassSpacing * (ended - started);
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  if (ms(ended - started) >= 20) {
    sched_log_->info("slow scheduler pass full={} waiting={} placements={} build_ms={:.1f} place_ms={:.1f} reasons_ms={:.1f}",
                     full, plan.waiting.size(), plan.placements.size(), ms(built - started), ms(placed - built),
                     ms(ended - placed));
  }
  MaybePreempt(snapshot, plan);
  ApplyPlanCommand cmd = ToCommand(plan);
  if (cmd.placements.empty()) return;
  Command c;
  c.type = CommandType::kApplyPlan;
  c.at = clock_->NowMillis();
  c.plan = std::move(cmd);
  plan_in_flight_ = true;
  pipeline_->Propose(std::move(c), [this](Result<ApplyResult>& r) {
    plan_in_flight_ = false;
    if (!r.ok()) {
      sched_log_->error("plan rejected error={}", r.status().ToString());
      return;
    }
    for (const auto& note : r->notes) sched_log_->debug("{}", note);
    for (const auto& launch : r->launches) {
      const protocol::Job* job = state_.FindJob(launch.jobId);
      const std::string& node = job->attempts.back().node;
      sched_log_->debug("job placed job_id={} node_id={} attempt_id={}", launch.jobId, node, launch.attemptId);
      SendToNode(node, protocol::EncodeMessage(0, launch));
    }
    if (r->schedule) schedule_wanted_ = true;
  });
}

void CoordinatorServer::Housekeep() {
  if (stopped_ || !leader_) return;
  const int64_t now = clock_->NowMillis();
  // A purge removes at most this many job records per command, so applying
  // it never stalls the loop; a backlog drains one batch per tick.
  constexpr size_t kPurgeBatchRecords = 5000;
  if (!purge_in_flight_) {
    std::vector<std::string> ids = SelectPurge(state_, now, config_.job_retention_ms, kPurgeBatchRecords);
    if (!ids.empty()) {
      Command c;
      c.type = CommandType::kPurgeJobs;
      c.at = now;
      c.purge = PurgeJobsCommand{std::move(ids)};
      purge_in_flight_ = true;
      pipeline_->Propose(std::move(c), [this](Result<ApplyResult>& r) {
        purge_in_flight_ = false;
        if (!r.ok()) return fsm_log_->error("purge refused error={}", r.status().ToString());
        for (const auto& note : r->notes) fsm_log_->info("{}", note);
      });
    }
  }
  EnforceNodeDeadlines(now);
  for (TimeLimitAction& a : SelectTimeLimitActions(state_, wait_board_, now)) {
    if (!time_limits_in_flight_.insert(a.jobId).second) continue;
    sched_log_->info("job state time limit reached job_id={} action={} reason={}", a.jobId,
                     protocol::EnumName(a.type), a.reason);
    Command c;
    c.type = a.type;
    c.at = now;
    c.stopJob = StopJobCommand{a.jobId, std::move(a.reason)};
    pipeline_->Propose(std::move(c), [this, job_id = a.jobId](Result<ApplyResult>& r) {
      time_limits_in_flight_.erase(job_id);
      if (!r.ok()) return sched_log_->warn("time limit action refused job_id={} error={}", job_id, r.status().ToString());
      SendKills(r->kills);
    });
  }
}

std::string CoordinatorServer::NewJobId() {
  // A random (version 4) UUID, as AWS Batch's job ids are.
  uint64_t a = rng_();
  uint64_t b = rng_();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, a >> 32,
                (a >> 16) & 0xffff, a & 0xffff, b >> 48, static_cast<uint64_t>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace gantry::coordinator
