// ClusterState: the coordinator's whole replicated state in memory, with the
// indexes the scheduler and the API need. It is changed only by the FSM, and
// rebuilt from the StateStore when a replica starts.
//
// Keys in the store (values are codec-encoded records):
//   m/applied            applied index (decimal)
//   ce/<name>            ComputeEnvironment
//   jq/<name>            JobQueue
//   jd/<name>/<rev:10>   JobDefinition
//   job/<id>             Job (with its attempts)
//   node/<id>            Node
//   tok/<clientToken>    job id
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "coordinator/state/state_store.h"
#include "protocol/types.h"

namespace gantry::coordinator {

struct NodeRecord {
  protocol::Node node;
  protocol::NodeCapacity reserved;      // held by live attempts
  std::set<std::string> live_attempts;  // attempt ids, STARTING or RUNNING here

  // Capacity minus reservations, never below zero (a node may re-register
  // smaller than what it already runs).
  protocol::NodeCapacity Free() const;
};

class ClusterState {
 public:
  // Rebuilds the state from `store`. kCorruption if a record fails to decode.
  static Result<ClusterState> Load(const StateStore& store);

  // ---- reads ------------------------------------------------------------
  const protocol::ComputeEnvironment* FindComputeEnvironment(const std::string& name) const;
  const protocol::JobQueue* FindJobQueue(const std::string& name) const;
  // `ref` is "name" (latest active revision) or "name:revision".
  // kNotFound / kInvalidArgument with a message naming `ref`.
  Result<const protocol::JobDefinition*> ResolveJobDefinition(const std::string& ref) const;
  const protocol::Job* FindJob(const std::string& id) const;
  const protocol::Job* FindJobByAttempt(const std::string& attempt_id) const;
  const NodeRecord* FindNode(const std::string& id) const;
  std::optional<std::string> FindJobByClientToken(const std::string& token) const;

  const std::map<std::string, protocol::ComputeEnvironment>& compute_environments() const { return ces_; }
  const std::map<std::string, protocol::JobQueue>& job_queues() const { return queues_; }
  const std::map<std::string, std::map<uint32_t, protocol::JobDefinition>>& job_definitions() const {
    return defs_;
  }
  const std::map<std::string, NodeRecord>& nodes() const { return nodes_; }
  // queue -> submission sequence -> job id, RUNNABLE jobs only (FIFO order).
  const std::map<std::string, std::map<uint64_t, std::string>>& runnable() const { return runnable_; }
  // queue -> submission sequence -> job id, every job.
  const std::map<std::string, std::map<uint64_t, std::string>>& jobs_by_queue() const { return by_queue_; }
  uint32_t UsedVcpus(const std::string& ce) const;
  uint64_t applied_index() const { return applied_index_; }
  uint64_t next_sequence() const { return next_sequence_; }
  size_t job_count() const { return jobs_.size(); }

  // ---- writes (FSM only). Each also records the change in `batch`. -------
  void PutComputeEnvironment(const protocol::ComputeEnvironment& ce, WriteBatch& batch);
  void PutJobQueue(const protocol::JobQueue& q, WriteBatch& batch);
  void PutJobDefinition(const protocol::JobDefinition& d, WriteBatch& batch);
  void PutNode(const protocol::Node& n, WriteBatch& batch);
  // Inserts or replaces a job and keeps every index in step with its status
  // and live attempt.
  void PutJob(protocol::Job job, WriteBatch& batch);
  void PutClientToken(const std::string& token, const std::string& job_id, WriteBatch& batch);
  void SetAppliedIndex(uint64_t index, WriteBatch& batch);
  uint64_t TakeSequence() { return next_sequence_++; }

 private:
  void Unindex(const protocol::Job& job);
  void Index(const protocol::Job& job);

  std::map<std::string, protocol::ComputeEnvironment> ces_;
  std::map<std::string, protocol::JobQueue> queues_;
  std::map<std::string, std::map<uint32_t, protocol::JobDefinition>> defs_;
  std::unordered_map<std::string, protocol::Job> jobs_;
  std::unordered_map<std::string, std::string> attempt_to_job_;
  std::unordered_map<std::string, std::string> client_tokens_;
  std::map<std::string, NodeRecord> nodes_;
  std::map<std::string, std::map<uint64_t, std::string>> runnable_;
  std::map<std::string, std::map<uint64_t, std::string>> by_queue_;
  std::map<std::string, uint32_t> ce_used_vcpus_;
  uint64_t applied_index_ = 0;
  uint64_t next_sequence_ = 1;
};

// The attempt that may still run for `job` (STARTING or RUNNING), or null.
const protocol::Attempt* LiveAttempt(const protocol::Job& job);

}  // namespace gantry::coordinator
