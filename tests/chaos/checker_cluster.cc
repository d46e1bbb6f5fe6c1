// The invariants about the cluster rather than single jobs: clean nodes
// after the run (I8), capacity never overbooked (I11), no unplanned
// crashes, and replicas that agree and caught up (I10).
#include <algorithm>
#include <set>

#include "tests/chaos/checker_internal.h"

namespace gantry::chaos::internal {

InvariantResult CheckNodeClean(const History& h, const CheckOptions& options) {
  InvariantResult r;
  r.name = "node-clean";
  for (const NodeProbe& p : h.probes) {
    ++r.checked;
    auto leaks = [&](const char* kind, const std::vector<std::string>& entries) {
      for (const auto& e : entries) AddViolation(r, options, "node " + p.node + ": " + kind + " \"" + e + "\" left");
    };
    leaks("scratch entry", p.scratch_entries);
    leaks("mount", p.mounts);
    leaks("loop device", p.loop_devices);
    leaks("cgroup", p.cgroups);
  }
  return r;
}

InvariantResult CheckCapacity(const History& h, const CheckOptions& options) {
  InvariantResult r;
  r.name = "capacity";
  for (const CapacitySample& s : h.capacity) {
    ++r.checked;
    std::string over;
    auto check = [&over](const char* dim, uint64_t reserved, uint64_t advertised) {
      if (reserved <= advertised) return;
      over += (over.empty() ? "" : ", ") + std::string(dim) + " " + std::to_string(reserved) + " > " +
              std::to_string(advertised);
    };
    check("vcpus", s.reserved.vcpus, s.advertised.vcpus);
    check("memoryMib", s.reserved.memoryMib, s.advertised.memoryMib);
    check("diskMib", s.reserved.diskMib, s.advertised.diskMib);
    if (!over.empty()) {
      AddViolation(r, options, "node " + s.node + " at " + At(s.t_ms) + ": reserved exceeds advertised: " + over);
    }
  }
  return r;
}

InvariantResult CheckNoCrashes(const History& h, const CheckOptions& options) {
  InvariantResult r;
  r.name = "no-crashes";
  for (const CrashRecord& c : h.crashes) {
    ++r.checked;
    if (c.expected) {
      ++r.counts["killed by the nemesis"];
      continue;
    }
    AddViolation(r, options,
                 "process " + c.process + " exited with status " + std::to_string(c.exit_status) +
                     ", and the nemesis did not kill it");
  }
  return r;
}

InvariantResult CheckReplicasAgree(const History& h, const CheckOptions& options) {
  InvariantResult r;
  r.name = "replicas-agree";
  // applied index -> digest -> replicas that reported it
  std::map<uint64_t, std::map<std::string, std::set<std::string>>> by_index;
  std::map<std::string, uint64_t> reached;  // replica -> highest applied index
  for (const ReplicaDigest& d : h.digests) {
    ++r.checked;
    by_index[d.applied_index][d.digest].insert(d.replica);
    uint64_t& top = reached[d.replica];
    top = std::max(top, d.applied_index);
  }
  for (const auto& [index, digests] : by_index) {
    if (digests.size() < 2) continue;
    std::string which;
    for (const auto& [digest, replicas] : digests) {
      std::string names;
      for (const auto& rep : replicas) names += (names.empty() ? "" : ", ") + rep;
      which += (which.empty() ? "" : " vs ") + digest + " (" + names + ")";
    }
    AddViolation(r, options, "applied index " + std::to_string(index) + ": digests differ: " + which);
  }
  if (reached.empty()) return r;
  const uint64_t top = by_index.rbegin()->first;
  for (const auto& [replica, index] : reached) {
    if (index == top) continue;
    AddViolation(r, options,
                 "replica " + replica + " lagged: reached applied index " + std::to_string(index) + " of " +
                     std::to_string(top));
  }
  return r;
}

}  // namespace gantry::chaos::internal
