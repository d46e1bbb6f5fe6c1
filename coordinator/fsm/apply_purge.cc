// Apply handler for PurgeJobs: finished jobs past their retention.
#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

Result<ApplyResult> Fsm::PurgeJobs(const Command&, WriteBatch&) { return Status::Internal("not built yet"); }

}  // namespace gantry::coordinator
