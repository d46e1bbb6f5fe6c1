// Apply handler for PurgeJobs: finished jobs past their retention. The
// leader chose them from a view that may be a little old, so each is checked
// again; ids that are gone, not finished, or array children are skipped
// (children go with their parent).
#include "coordinator/fsm/fsm.h"
#include "coordinator/fsm/job_transitions.h"

namespace gantry::coordinator {

Result<ApplyResult> Fsm::PurgeJobs(const Command& c, WriteBatch& batch) {
  ApplyResult r;
  size_t purged = 0;
  size_t purged_children = 0;
  for (const std::string& id : c.purge->jobIds) {
    const protocol::Job* job = state_->FindJob(id);
    if (!job || job->IsArrayChild() || !protocol::IsTerminal(job->status)) continue;
    const uint32_t children = job->IsArrayParent() ? job->arrayProperties->size : 0;
    // Children first: the parent's index entries are the last to go.
    for (uint32_t i = 0; i < children; ++i) {
      const std::string child_id = ArrayChildId(id, i);
      if (state_->FindJob(child_id)) {
        state_->RemoveJob(child_id, batch);
        ++purged_children;
      }
    }
    state_->RemoveJob(id, batch);
    ++purged;
  }
  std::string note = "purged " + std::to_string(purged) + " jobs";
  if (purged_children > 0) note += " and " + std::to_string(purged_children) + " array children";
  r.notes.push_back(std::move(note));
  return r;
}

}  // namespace gantry::coordinator
