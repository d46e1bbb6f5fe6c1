// Fixture factories and plan helpers for scheduler tests: build a
// ClusterSnapshot and queues in a line each, run Place(), assert on the Plan.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/scheduler/scheduler.h"

namespace gantry::coordinator {

// Readable gtest failure messages for plans.
inline void PrintTo(const Placement& p, std::ostream* os) {
  *os << "{" << p.job_id << " -> " << p.node_id << " in " << p.compute_environment << "}";
}
inline void PrintTo(const WaitingJob& w, std::ostream* os) {
  *os << "{" << w.job_id << ": [" << w.code << "] " << w.reason << "}";
}

}  // namespace gantry::coordinator

namespace gantry::coordinator::scheduler_testing {

inline constexpr uint64_t kGiB = 1024;  // in MiB

// A schedulable node with nothing reserved.
inline SchedNode MakeNode(std::string id, uint32_t vcpus, uint64_t memory_mib, uint64_t disk_mib,
                          protocol::Labels labels = {}) {
  SchedNode n;
  n.id = std::move(id);
  n.total = {vcpus, memory_mib, disk_mib};
  n.free = n.total;
  n.labels = std::move(labels);
  return n;
}

inline SchedJob MakeJob(std::string id, uint32_t vcpus, uint64_t memory_mib,
                        uint64_t disk_mib = 0) {
  SchedJob j;
  j.job_id = std::move(id);
  j.resources = {vcpus, memory_mib, disk_mib};
  return j;
}

inline SchedComputeEnvironment MakeCe(std::string name, uint32_t max_vcpus = 1024,
                                      protocol::Labels selector = {}) {
  SchedComputeEnvironment ce;
  ce.name = std::move(name);
  ce.max_vcpus = max_vcpus;
  ce.selector = std::move(selector);
  return ce;
}

inline SchedQueue MakeQueue(std::string name, uint32_t priority, std::vector<std::string> ces,
                            std::vector<SchedJob> jobs) {
  SchedQueue q;
  q.name = std::move(name);
  q.priority = priority;
  q.compute_environments = std::move(ces);
  q.jobs = std::move(jobs);
  return q;
}

inline Plan PlaceAll(const ClusterSnapshot& cluster, const std::vector<SchedQueue>& queues) {
  return Place(cluster, queues, PlaceOptions{});
}

// job id -> node id, for the placed jobs.
inline std::map<std::string, std::string> NodeOf(const Plan& plan) {
  std::map<std::string, std::string> out;
  for (const Placement& p : plan.placements) out[p.job_id] = p.node_id;
  return out;
}

// job ids in placement order.
inline std::vector<std::string> PlacedJobs(const Plan& plan) {
  std::vector<std::string> out;
  for (const Placement& p : plan.placements) out.push_back(p.job_id);
  return out;
}

// The reason `job_id` waits, or nullopt if it does not.
inline std::optional<std::string> ReasonOf(const Plan& plan, const std::string& job_id) {
  for (const WaitingJob& w : plan.waiting) {
    if (w.job_id == job_id) return w.reason;
  }
  return std::nullopt;
}

}  // namespace gantry::coordinator::scheduler_testing
