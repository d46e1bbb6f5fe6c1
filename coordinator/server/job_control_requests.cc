// Job control and the changes to resources after they were created:
// cancel-job, terminate-job, deregister-job-definition, update-* and
// delete-*, scheduling policies, tag-resource and untag-resource. Each
// becomes one command; the reply is a DoneReply naming what changed, sent
// once the command is applied.
#include "coordinator/server/coordinator_server.h"

namespace gantry::coordinator {

namespace {

// Decodes the request body of `env` as Req and turns it into a command;
// the caller proposes it.
template <class Req, class Fill>
Result<Command> Build(const protocol::Envelope& env, CommandType type, Fill&& fill) {
  GANTRY_ASSIGN_OR_RETURN(Req req, protocol::DecodeBody<Req>(env));
  Command c;
  c.type = type;
  fill(c, req);
  return c;
}

}  // namespace

void CoordinatorServer::HandleControl(const Prefix& prefix, const protocol::Envelope& env) {
  using protocol::MessageType;
  namespace p = protocol;
  Result<Command> built = Status::Internal("not a control request");
  switch (env.type) {
    case MessageType::kCancelJob:
      built = Build<p::CancelJobRequest>(env, CommandType::kCancelJob, [](Command& c, auto& r) {
        c.stopJob = StopJobCommand{r.jobId, r.reason};
      });
      break;
    case MessageType::kTerminateJob:
      built = Build<p::TerminateJobRequest>(env, CommandType::kTerminateJob, [](Command& c, auto& r) {
        c.stopJob = StopJobCommand{r.jobId, r.reason};
      });
      break;
    case MessageType::kDeregisterJobDefinition:
      built = Build<p::DeregisterJobDefinitionRequest>(env, CommandType::kDeregisterJobDefinition,
                                                       [](Command& c, auto& r) { c.target = r.jobDefinition; });
      break;
    case MessageType::kUpdateJobQueue:
      built = Build<p::UpdateJobQueueRequest>(env, CommandType::kUpdateJobQueue,
                                              [](Command& c, auto& r) { c.updateJobQueue = r; });
      break;
    case MessageType::kUpdateComputeEnvironment:
      built = Build<p::UpdateComputeEnvironmentRequest>(
          env, CommandType::kUpdateComputeEnvironment, [](Command& c, auto& r) { c.updateComputeEnvironment = r; });
      break;
    case MessageType::kDeleteJobQueue:
      built = Build<p::DeleteJobQueueRequest>(env, CommandType::kDeleteJobQueue,
                                              [](Command& c, auto& r) { c.target = r.jobQueue; });
      break;
    case MessageType::kDeleteComputeEnvironment:
      built = Build<p::DeleteComputeEnvironmentRequest>(
          env, CommandType::kDeleteComputeEnvironment, [](Command& c, auto& r) { c.target = r.computeEnvironment; });
      break;
    case MessageType::kCreateSchedulingPolicy:
      built = Build<p::CreateSchedulingPolicyRequest>(env, CommandType::kCreateSchedulingPolicy,
                                                      [](Command& c, auto& r) { c.schedulingPolicy = r.schedulingPolicy; });
      break;
    case MessageType::kUpdateSchedulingPolicy:
      built = Build<p::UpdateSchedulingPolicyRequest>(env, CommandType::kUpdateSchedulingPolicy,
                                                      [](Command& c, auto& r) {
                                                        p::SchedulingPolicy policy;
                                                        policy.name = p::SchedulingPolicyName(r.arn);
                                                        policy.fairsharePolicy = r.fairsharePolicy;
                                                        c.schedulingPolicy = std::move(policy);
                                                      });
      break;
    case MessageType::kDeleteSchedulingPolicy:
      built = Build<p::DeleteSchedulingPolicyRequest>(env, CommandType::kDeleteSchedulingPolicy,
                                                      [](Command& c, auto& r) { c.target = r.arn; });
      break;
    case MessageType::kTagResource:
      built = Build<p::TagResourceRequest>(env, CommandType::kTagResource,
                                           [](Command& c, auto& r) { c.tagResource = r; });
      break;
    case MessageType::kUntagResource:
      built = Build<p::UntagResourceRequest>(env, CommandType::kUntagResource,
                                             [](Command& c, auto& r) { c.untagResource = r; });
      break;
    default:
      break;
  }
  const uint64_t id = env.requestId;
  if (!built.ok()) return ReplyError(prefix, id, built.status());
  Command c = std::move(built).value();
  c.at = clock_->NowMillis();
  pipeline_->Propose(std::move(c), [this, prefix, id](Result<ApplyResult>& r) {
    if (!r.ok()) return ReplyError(prefix, id, r.status());
    SendKills(r->kills);
    Reply(prefix, id, protocol::DoneReply{r->name});
  });
}

}  // namespace gantry::coordinator
