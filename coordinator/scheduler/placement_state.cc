#include "coordinator/scheduler/placement_state.h"

#include <algorithm>
#include <numeric>

#include "gantry/check.h"

namespace gantry::coordinator {

PlacementState::PlacementState(const ClusterSnapshot& cluster, const std::vector<SchedQueue>& queues) {
  // Slots follow node id, so the index breaks ties by id with an integer
  // compare. stable_sort keeps duplicated ids (a caller bug) deterministic.
  std::vector<uint32_t> order(cluster.nodes.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return cluster.nodes[a].id < cluster.nodes[b].id;
  });
  nodes_.resize(order.size());
  for (size_t slot = 0; slot < order.size(); ++slot) {
    const SchedNode& n = cluster.nodes[order[slot]];
    NodeSlot& s = nodes_[slot];
    s.source = &n;
    s.total = ShapeOf(n.total);
    if (!n.enforces_disk) s.total.disk_mib = 0;  // see the rule in scheduler.h
    s.free = Min(ShapeOf(n.free), s.total);
    s.schedulable = n.schedulable;
  }

  ces_.resize(cluster.compute_environments.size());
  for (size_t i = 0; i < ces_.size(); ++i) {
    const SchedComputeEnvironment& ce = cluster.compute_environments[i];
    ces_[i].source = &ce;
    ces_[i].used_vcpus = ce.used_vcpus;
    ce_by_name_.emplace(ce.name, static_cast<uint32_t>(i));  // first of a name wins
  }

  for (const SchedQueue& q : queues) {
    for (const std::string& name : q.compute_environments) {
      uint32_t index = FindCe(name);
      if (index != kUnknownCe && !ces_[index].indexed && ces_[index].source->enabled)
        BuildCe(index);
    }
  }
}

uint32_t PlacementState::FindCe(std::string_view name) const {
  auto it = ce_by_name_.find(name);
  return it == ce_by_name_.end() ? kUnknownCe : it->second;
}

void PlacementState::BuildCe(uint32_t index) {
  CeState& ce = ces_[index];
  ce.indexed = true;
  for (uint32_t slot = 0; slot < nodes_.size(); ++slot) {
    NodeSlot& n = nodes_[slot];
    if (!protocol::MatchesSelector(n.source->labels, ce.source->selector)) continue;
    if (protocol::IsSpotNode(n.source->labels) != ce.source->spot) continue;
    ++ce.members;
    if (!n.source->enforces_disk) ++ce.members_without_disk_quota;
    ce.totals.Add(n.total);
    if (n.schedulable) {
      ce.ready.Insert(slot, n.free);
      n.ces.push_back(index);
    }
  }
  ce.totals.Finish();
}

void PlacementState::Commit(uint32_t ce, uint32_t slot, const Shape& need) {
  NodeSlot& n = nodes_[slot];
  GANTRY_CHECK(n.schedulable && FitsIn(need, n.free));
  Shape old_free = n.free;
  n.free = Minus(n.free, need);
  for (uint32_t c : n.ces) ces_[c].ready.Update(slot, old_free, n.free);
  ces_[ce].used_vcpus += need.vcpus;
}

}  // namespace gantry::coordinator
