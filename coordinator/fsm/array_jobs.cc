#include "coordinator/fsm/array_jobs.h"

#include "coordinator/fsm/job_transitions.h"

namespace gantry::coordinator {

std::vector<protocol::JobDependency> ChildDependencies(const std::vector<protocol::JobDependency>& submitted,
                                                       const std::string& parent_id, uint32_t index) {
  std::vector<protocol::JobDependency> resolved;
  resolved.reserve(submitted.size());
  for (const protocol::JobDependency& d : submitted) {
    if (!d.type) {
      resolved.push_back({d.jobId, std::nullopt});
    } else if (*d.type == protocol::ArrayJobDependency::kNToN) {
      resolved.push_back({ArrayChildId(d.jobId, index), std::nullopt});
    } else if (index > 0) {  // SEQUENTIAL
      resolved.push_back({ArrayChildId(parent_id, index - 1), std::nullopt});
    }
  }
  return resolved;
}

void CreateArrayJob(ClusterState& state, protocol::Job parent, uint32_t size, int64_t at, WriteBatch& batch,
                    ApplyResult& r) {
  // The children copy the parent before it gets its own array fields.
  protocol::Job child_template = parent;
  child_template.dependsOn.clear();

  parent.arrayProperties = protocol::ArrayProperties{size, std::nullopt, {}};
  parent.status = protocol::JobStatus::kPending;
  parent.statusReason = "array job: " + std::to_string(size) + " children";
  parent.sequence = state.TakeSequence();
  const std::vector<protocol::JobDependency> submitted = parent.dependsOn;
  const std::string parent_id = parent.jobId;
  CommitJob(state, std::move(parent), at, batch, r);

  for (uint32_t i = 0; i < size; ++i) {
    protocol::Job child = child_template;
    child.jobId = ArrayChildId(parent_id, i);
    child.arrayProperties = protocol::ArrayProperties{size, i, {}};
    child.sequence = state.TakeSequence();
    child.dependsOn = ChildDependencies(submitted, parent_id, i);
    SettleOnDependencies(state, child, at);
    CommitJob(state, std::move(child), at, batch, r);
  }
}

}  // namespace gantry::coordinator
