// Apply handlers for changes to queues, compute environments, job
// definitions and scheduling policies after they were created.
#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

Result<ApplyResult> Fsm::DeregisterJobDefinition(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }
Result<ApplyResult> Fsm::UpdateJobQueue(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }
Result<ApplyResult> Fsm::UpdateComputeEnvironment(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }
Result<ApplyResult> Fsm::DeleteJobQueue(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }
Result<ApplyResult> Fsm::DeleteComputeEnvironment(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }
Result<ApplyResult> Fsm::CreateSchedulingPolicy(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }
Result<ApplyResult> Fsm::UpdateSchedulingPolicy(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }
Result<ApplyResult> Fsm::DeleteSchedulingPolicy(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }

}  // namespace gantry::coordinator
