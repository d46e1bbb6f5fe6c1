// Fsm: applies committed commands to the ClusterState, deterministically.
//
//   Result<ApplyResult> Apply(const Command&, uint64_t index, WriteBatch&)
//
// Apply reads no clock and touches no socket: time and ids come inside the
// command. Every change is also written into the batch, together with the
// applied index, so the store moves from one applied index to the next
// atomically. Entries at or below the applied index are skipped, which makes
// replaying a log after a restart harmless.
//
// A command that breaks a rule (unknown queue, duplicate name, ...) changes
// nothing and returns the error, which goes back to the client that sent it.
// Every replica reaches the same verdict, because it depends only on state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/fsm/command.h"
#include "coordinator/state/cluster_state.h"
#include "protocol/messages.h"

namespace gantry::coordinator {

// An attempt the edge must stop on its node (terminate-job).
struct KillOrder {
  std::string nodeId;
  std::string attemptId;
  std::string reason;
};

// What the edge must do after a command is committed.
struct ApplyResult {
  bool skipped = false;            // index already applied
  // Capacity or placement rules changed (a node, an attempt end, a queue):
  // every waiting job must be looked at again.
  bool schedule = false;
  // Jobs that became RUNNABLE. When nothing else changed, a scheduler pass
  // over just these places exactly what a full pass would: the jobs already
  // waiting did not fit before, and capacity has only shrunk since.
  std::vector<std::string> new_runnable;
  std::string jobId;               // SubmitJob: the (possibly existing) job id
  std::string name;                // create/register: the object's name
  uint32_t revision = 0;           // RegisterJobDefinition
  std::vector<protocol::LaunchAttempt> launches;  // ApplyPlan: send to agents
  std::vector<KillOrder> kills;  // TerminateJob, InterruptAttempts: send to agents
  // ControlNode RECLAIM: tell the node (ReclaimNode) with this grace.
  std::optional<int64_t> reclaimGraceMs;
  std::vector<std::string> notes;  // facts worth a log line (stale reports, ...)
};

class Fsm {
 public:
  explicit Fsm(ClusterState* state) : state_(state) {}

  Result<ApplyResult> Apply(const Command& command, uint64_t index, WriteBatch& batch);

  const ClusterState& state() const { return *state_; }

 private:
  Result<ApplyResult> CreateComputeEnvironment(const Command& c, WriteBatch& batch);
  Result<ApplyResult> CreateJobQueue(const Command& c, WriteBatch& batch);
  Result<ApplyResult> RegisterJobDefinition(const Command& c, WriteBatch& batch);
  Result<ApplyResult> SubmitJob(const Command& c, WriteBatch& batch);
  Result<ApplyResult> UpsertNode(const Command& c, WriteBatch& batch);
  Result<ApplyResult> ApplyPlan(const Command& c, uint64_t index, WriteBatch& batch);
  Result<ApplyResult> AttemptStarted(const Command& c, WriteBatch& batch);
  Result<ApplyResult> AttemptEnded(const Command& c, WriteBatch& batch);
  // apply_stop_job.cc
  Result<ApplyResult> CancelJob(const Command& c, WriteBatch& batch);
  Result<ApplyResult> TerminateJob(const Command& c, WriteBatch& batch);
  // apply_resources.cc
  Result<ApplyResult> DeregisterJobDefinition(const Command& c, WriteBatch& batch);
  Result<ApplyResult> UpdateJobQueue(const Command& c, WriteBatch& batch);
  Result<ApplyResult> UpdateComputeEnvironment(const Command& c, WriteBatch& batch);
  Result<ApplyResult> DeleteJobQueue(const Command& c, WriteBatch& batch);
  Result<ApplyResult> DeleteComputeEnvironment(const Command& c, WriteBatch& batch);
  Result<ApplyResult> CreateSchedulingPolicy(const Command& c, WriteBatch& batch);
  Result<ApplyResult> UpdateSchedulingPolicy(const Command& c, WriteBatch& batch);
  Result<ApplyResult> DeleteSchedulingPolicy(const Command& c, WriteBatch& batch);
  // apply_purge.cc
  Result<ApplyResult> PurgeJobs(const Command& c, WriteBatch& batch);

  // apply_interruptions.cc
  Result<ApplyResult> NodeLost(const Command& c, WriteBatch& batch);
  Result<ApplyResult> ControlNode(const Command& c, WriteBatch& batch);
  Result<ApplyResult> InterruptAttempts(const Command& c, WriteBatch& batch);
  // apply_tags.cc
  Result<ApplyResult> TagResource(const Command& c, WriteBatch& batch);
  Result<ApplyResult> UntagResource(const Command& c, WriteBatch& batch);

  // Ends the live attempt of `job`, whose node restarted or was lost, with
  // statusReason `why` (or as reclaimed, if the node was being reclaimed),
  // and moves the job on by its retry strategy.
  void EndNodeGone(protocol::Job job, int64_t at, const std::string& why, WriteBatch& batch);

  ClusterState* state_;
};

// What an agent needs to run `attempt` of `job`.
protocol::LaunchAttempt MakeLaunch(const protocol::Job& job, const protocol::Attempt& attempt);

// Attempt ids are "<jobId>-<attemptNumber>".
std::string MakeAttemptId(const std::string& job_id, uint32_t attempt_number);

// The tags of `ref` (empty if it has none): the FSM's view, also what
// ListTagsForResource answers. kInvalidArgument if `ref` is malformed,
// kNotFound naming it ("job queue q1 not found", "job definition d:3 not
// found"). Any job can be named, an array child too. Pure.
Result<protocol::Tags> ResourceTags(const ClusterState& state, const protocol::ResourceRef& ref);

}  // namespace gantry::coordinator
