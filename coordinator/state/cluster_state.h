// ClusterState: the coordinator's whole replicated state in memory, with the
// indexes the scheduler and the API need. It is changed only by the FSM, and
// rebuilt from the StateStore when a replica starts.
//
// Keys in the store (values are codec-encoded records):
//   m/applied            applied index (decimal)
//   m/seq                the next job sequence (decimal), kept across purges
//   ce/<name>            ComputeEnvironment
//   jq/<name>            JobQueue
//   jd/<name>/<rev:10>   JobDefinition
//   job/<id>             Job (with its attempts)
//   node/<id>            Node
//   tok/<clientToken>    job id
//   sp/<name>            SchedulingPolicy
//   su/<queue>/<share>   ShareUsage of a fair-share queue's share
#pragma once

#include <array>
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

// Finished work of one share of a fair-share queue: vCPU-seconds, decayed
// exponentially with the policy's shareDecaySeconds, as of `at` (epoch ms).
struct ShareUsage {
  double vcpuSeconds = 0;
  int64_t at = 0;
  // The value decayed to `now`; 0 when decay_seconds is 0 (only current
  // usage counts, as AWS defines shareDecaySeconds 0).
  double DecayedTo(int64_t now, uint32_t decay_seconds) const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("vcpuSeconds", s.vcpuSeconds);
    v("at", s.at);
  }
};

using StatusCounts = std::array<uint32_t, 7>;  // indexed by JobStatus

class ClusterState {
 public:
  // Rebuilds the state from `store`. kCorruption if a record fails to decode.
  static Result<ClusterState> Load(const StateStore& store);

  // ---- reads ------------------------------------------------------------
  const protocol::ComputeEnvironment* FindComputeEnvironment(const std::string& name) const;
  const protocol::JobQueue* FindJobQueue(const std::string& name) const;
  // By name or ARN.
  const protocol::SchedulingPolicy* FindSchedulingPolicy(const std::string& ref) const;
  // The policy a queue orders its jobs by, or null (FIFO).
  const protocol::SchedulingPolicy* PolicyOf(const protocol::JobQueue& q) const;
  // `ref` is "name" (latest active revision) or "name:revision".
  // kNotFound / kInvalidArgument with a message naming `ref`.
  Result<const protocol::JobDefinition*> ResolveJobDefinition(const std::string& ref) const;
  const protocol::Job* FindJob(const std::string& id) const;
  const protocol::Job* FindJobByAttempt(const std::string& attempt_id) const;
  const NodeRecord* FindNode(const std::string& id) const;
  std::optional<std::string> FindJobByClientToken(const std::string& token) const;

  // A digest of the whole replicated state (every record but the caches
  // derived from them), as 16 hex digits: replicas that applied the same
  // commands have the same digest. A pass over the state.
  std::string Digest() const;

  const std::map<std::string, protocol::ComputeEnvironment>& compute_environments() const { return ces_; }
  const std::map<std::string, protocol::JobQueue>& job_queues() const { return queues_; }
  const std::map<std::string, std::map<uint32_t, protocol::JobDefinition>>& job_definitions() const {
    return defs_;
  }
  const std::map<std::string, NodeRecord>& nodes() const { return nodes_; }
  // queue -> submission sequence -> job, RUNNABLE jobs only (FIFO order).
  // The pointers stay valid until the job changes.
  const std::map<std::string, std::map<uint64_t, const protocol::Job*>>& runnable() const { return runnable_; }
  // queue -> submission sequence -> job id, every top-level job (array
  // children are listed through their parent, as AWS does).
  const std::map<std::string, std::map<uint64_t, std::string>>& jobs_by_queue() const { return by_queue_; }
  const std::map<std::string, protocol::SchedulingPolicy>& scheduling_policies() const { return policies_; }
  // Jobs whose status is PENDING and whose dependsOn names `id`; null if none.
  const std::set<std::string>* DependentsOf(const std::string& id) const;
  // How many children of array parent `id` are in each status.
  StatusCounts ArrayCounts(const std::string& parent_id) const;
  // Finished top-level jobs, oldest stoppedAt first: what retention purges.
  const std::set<std::pair<int64_t, std::string>>& finished() const { return finished_; }
  // Top-level jobs of `queue` that are not SUCCEEDED or FAILED.
  size_t ActiveJobs(const std::string& queue) const;
  // queue -> share -> finished usage; queue -> share -> vCPUs held now.
  const std::map<std::string, std::map<std::string, ShareUsage>>& share_usage() const { return share_usage_; }
  const std::map<std::string, std::map<std::string, uint32_t>>& share_running_vcpus() const {
    return share_running_;
  }
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
  // Removes a job, its attempts' index entries and its client token.
  void RemoveJob(const std::string& id, WriteBatch& batch);
  void DeleteJobQueue(const std::string& name, WriteBatch& batch);
  void DeleteComputeEnvironment(const std::string& name, WriteBatch& batch);
  void PutSchedulingPolicy(const protocol::SchedulingPolicy& p, WriteBatch& batch);
  void DeleteSchedulingPolicy(const std::string& name, WriteBatch& batch);
  // Decays the share's usage to `at` and adds `vcpu_seconds`.
  void AddShareUsage(const std::string& queue, const std::string& share, double vcpu_seconds, int64_t at,
                     uint32_t decay_seconds, WriteBatch& batch);
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
  std::unordered_map<std::string, std::string> token_of_job_;
  std::map<std::string, protocol::SchedulingPolicy> policies_;
  std::unordered_map<std::string, std::set<std::string>> dependents_;
  std::unordered_map<std::string, StatusCounts> array_counts_;
  std::set<std::pair<int64_t, std::string>> finished_;
  std::map<std::string, size_t> active_by_queue_;
  std::map<std::string, std::map<std::string, ShareUsage>> share_usage_;
  std::map<std::string, std::map<std::string, uint32_t>> share_running_;
  std::map<std::string, NodeRecord> nodes_;
  std::map<std::string, std::map<uint64_t, const protocol::Job*>> runnable_;
  std::map<std::string, std::map<uint64_t, std::string>> by_queue_;
  std::map<std::string, uint32_t> ce_used_vcpus_;
  uint64_t applied_index_ = 0;
  uint64_t next_sequence_ = 1;
};

// The attempt that may still run for `job` (STARTING or RUNNING), or null.
const protocol::Attempt* LiveAttempt(const protocol::Job& job);

}  // namespace gantry::coordinator
