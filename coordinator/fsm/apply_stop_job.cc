// Apply handlers for cancel-job and terminate-job.
#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

Result<ApplyResult> Fsm::CancelJob(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }
Result<ApplyResult> Fsm::TerminateJob(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }

}  // namespace gantry::coordinator
