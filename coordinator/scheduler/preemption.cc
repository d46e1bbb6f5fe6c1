#include "coordinator/scheduler/preemption.h"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

namespace gantry::coordinator {
namespace {

// Deficits and contributions: vCPUs, memory and disk on the node, then vCPUs
// of the candidate's CE (only victims running in that CE give those back).
constexpr size_t kDims = 4;
using Vec = std::array<int64_t, kDims>;

struct NodeState {
  const SchedNode* node = nullptr;
  Vec total{};  // the CE slot unused
  // Free now + stopping attempts + leftovers of victims chosen in this call,
  // minus what satisfied candidates claimed. Never negative.
  Vec pool{};
  std::vector<size_t> eligible;  // attempts that may be victims, input order
};

struct CeState {
  const PreemptionCe* ce = nullptr;
  int64_t used = 0;  // stopping attempts already left out
  bool members_built = false;
  std::vector<size_t> members;  // node slots, schedulable ones only
};

struct Option {
  size_t node = 0;
  size_t ce = 0;
  size_t ce_rank = 0;
  std::vector<size_t> victims;
  int64_t oldest = std::numeric_limits<int64_t>::max();  // min placed_at
  int64_t victim_vcpus = 0;
};

Vec Contribution(const RunningAttempt& a, std::string_view candidate_ce) {
  const int64_t vcpus = a.resources.vcpus;
  return {vcpus, static_cast<int64_t>(a.resources.memoryMib),
          static_cast<int64_t>(a.resources.diskMib), a.compute_environment == candidate_ce ? vcpus : 0};
}

bool Covers(const Vec& got, const Vec& deficit) {
  for (size_t d = 0; d < kDims; ++d)
    if (got[d] < deficit[d]) return false;
  return true;
}

bool IsYounger(const RunningAttempt& a, const RunningAttempt& b) {
  if (a.placed_at != b.placed_at) return a.placed_at > b.placed_at;
  return a.attempt_id < b.attempt_id;
}

class Planner {
 public:
  Planner(const std::vector<SchedNode>& nodes, const std::vector<PreemptionCe>& ces,
          const std::vector<RunningAttempt>& running)
      : running_(running), taken_(running.size(), false) {
    for (const SchedNode& n : nodes) {
      if (!node_by_id_.emplace(n.id, nodes_.size()).second) continue;  // first of an id wins
      NodeState s;
      s.node = &n;
      s.total = {n.total.vcpus, static_cast<int64_t>(n.total.memoryMib),
                 n.enforces_disk ? static_cast<int64_t>(n.total.diskMib) : 0, 0};
      s.pool = {std::min<int64_t>(n.free.vcpus, s.total[0]),
                std::min<int64_t>(static_cast<int64_t>(n.free.memoryMib), s.total[1]),
                std::min<int64_t>(static_cast<int64_t>(n.free.diskMib), s.total[2]), 0};
      nodes_.push_back(std::move(s));
    }
    for (const PreemptionCe& ce : ces) {
      if (!ce_by_name_.emplace(ce.name, ces_.size()).second) continue;
      CeState s;
      s.ce = &ce;
      s.used = ce.used_vcpus;
      ces_.push_back(std::move(s));
    }
    for (size_t i = 0; i < running.size(); ++i) {
      const RunningAttempt& a = running[i];
      const std::optional<size_t> node = Find(node_by_id_, a.node_id);
      const std::optional<size_t> ce = Find(ce_by_name_, a.compute_environment);
      if (a.stopping) {
        // Its resources come back: to the node it holds and to its CE.
        if (node) {
          Vec c = Contribution(a, "");
          for (size_t d = 0; d < 3; ++d) nodes_[*node].pool[d] += c[d];
        }
        if (ce) ces_[*ce].used -= std::min<int64_t>(ces_[*ce].used, a.resources.vcpus);
      } else if (node && ce && ces_[*ce].ce->preemptible) {
        nodes_[*node].eligible.push_back(i);
      }
    }
  }

  // Finds the best option for `c` and claims it. Returns nullopt if none.
  std::optional<Option> Satisfy(const PreemptionCandidate& c) {
    std::optional<Option> best;
    for (size_t rank = 0; rank < c.compute_environments.size(); ++rank) {
      const std::optional<size_t> ce = Find(ce_by_name_, c.compute_environments[rank]);
      if (!ce || !ces_[*ce].ce->enabled) continue;
      for (size_t slot : Members(*ce)) {
        std::optional<Option> o = TryNode(c, slot, *ce, rank);
        if (o && (!best || Better(*o, *best))) best = std::move(o);
      }
    }
    if (best) Claim(c, *best);
    return best;
  }

  std::vector<std::string> VictimIds(const Option& o) const {
    std::vector<size_t> v = o.victims;
    std::sort(v.begin(), v.end(), [&](size_t a, size_t b) { return IsYounger(running_[a], running_[b]); });
    std::vector<std::string> ids;
    for (size_t i : v) ids.push_back(running_[i].attempt_id);
    return ids;
  }

  const std::string& NodeId(const Option& o) const { return nodes_[o.node].node->id; }
  const std::string& CeName(const Option& o) const { return ces_[o.ce].ce->name; }

 private:
  static std::optional<size_t> Find(const std::map<std::string, size_t, std::less<>>& m,
                                    std::string_view key) {
    auto it = m.find(key);
    if (it == m.end()) return std::nullopt;
    return it->second;
  }

  const std::vector<size_t>& Members(size_t ce_index) {
    CeState& ce = ces_[ce_index];
    if (!ce.members_built) {
      ce.members_built = true;
      for (size_t slot = 0; slot < nodes_.size(); ++slot) {
        const SchedNode& n = *nodes_[slot].node;
        if (n.schedulable && protocol::MatchesSelector(n.labels, ce.ce->selector) &&
            protocol::IsSpotNode(n.labels) == ce.ce->spot)
          ce.members.push_back(slot);
      }
    }
    return ce.members;
  }

  bool Better(const Option& a, const Option& b) const {
    if (a.victims.size() != b.victims.size()) return a.victims.size() < b.victims.size();
    if (a.oldest != b.oldest) return a.oldest > b.oldest;
    if (a.victim_vcpus != b.victim_vcpus) return a.victim_vcpus < b.victim_vcpus;
    const std::string& an = nodes_[a.node].node->id;
    const std::string& bn = nodes_[b.node].node->id;
    if (an != bn) return an < bn;
    return a.ce_rank < b.ce_rank;
  }

  std::optional<Option> TryNode(const PreemptionCandidate& c, size_t slot, size_t ce_index,
                                size_t rank) const {
    const NodeState& n = nodes_[slot];
    const CeState& ce = ces_[ce_index];
    const Vec need = {c.resources.vcpus, static_cast<int64_t>(c.resources.memoryMib),
                      static_cast<int64_t>(c.resources.diskMib), c.resources.vcpus};
    for (size_t d = 0; d < 3; ++d)
      if (need[d] > n.total[d]) return std::nullopt;
    Vec deficit{};
    for (size_t d = 0; d < 3; ++d) deficit[d] = std::max<int64_t>(0, need[d] - n.pool[d]);
    deficit[3] = std::max<int64_t>(0, ce.used + need[3] - static_cast<int64_t>(ce.ce->max_vcpus));

    Option o;
    o.node = slot;
    o.ce = ce_index;
    o.ce_rank = rank;
    if (!Greedy(c, ce.ce->name, n, need, deficit, o.victims)) return std::nullopt;
    for (size_t i : o.victims) {
      o.oldest = std::min(o.oldest, running_[i].placed_at);
      o.victim_vcpus += running_[i].resources.vcpus;
    }
    return o;
  }

  // Builds a victim set covering `deficit` on node `n`; false if even every
  // eligible attempt cannot.
  bool Greedy(const PreemptionCandidate& c, std::string_view ce_name, const NodeState& n,
              const Vec& need, const Vec& deficit, std::vector<size_t>& chosen) const {
    Vec remaining = deficit;
    std::vector<size_t> pool;
    for (size_t i : n.eligible)
      if (!taken_[i] && running_[i].queue_priority < c.queue_priority) pool.push_back(i);
    auto covered = [&] { return Covers(Vec{}, remaining); };
    while (!covered()) {
      std::optional<size_t> best;
      double best_score = 0;
      for (size_t i : pool) {
        const Vec got = Contribution(running_[i], ce_name);
        double score = 0;
        for (size_t d = 0; d < kDims; ++d)
          score += static_cast<double>(std::min(got[d], remaining[d])) /
                   static_cast<double>(std::max<int64_t>(need[d], 1));
        if (score <= 0) continue;
        if (!best || score > best_score || (score == best_score && IsYounger(running_[i], running_[*best]))) {
          best = i;
          best_score = score;
        }
      }
      if (!best) return false;
      const Vec got = Contribution(running_[*best], ce_name);
      for (size_t d = 0; d < kDims; ++d) remaining[d] = std::max<int64_t>(0, remaining[d] - got[d]);
      chosen.push_back(*best);
      pool.erase(std::find(pool.begin(), pool.end(), *best));
    }
    // Greedy can pick a victim that later picks make redundant: drop those,
    // oldest first, so the set loses as little work as it can.
    std::vector<size_t> oldest_first = chosen;
    std::sort(oldest_first.begin(), oldest_first.end(),
              [&](size_t a, size_t b) { return IsYounger(running_[b], running_[a]); });
    for (size_t drop : oldest_first) {
      Vec without{};
      for (size_t i : chosen) {
        if (i == drop) continue;
        const Vec got = Contribution(running_[i], ce_name);
        for (size_t d = 0; d < kDims; ++d) without[d] += got[d];
      }
      if (Covers(without, deficit)) chosen.erase(std::find(chosen.begin(), chosen.end(), drop));
    }
    return true;
  }

  void Claim(const PreemptionCandidate& c, const Option& o) {
    NodeState& n = nodes_[o.node];
    const Vec need = {c.resources.vcpus, static_cast<int64_t>(c.resources.memoryMib),
                      static_cast<int64_t>(c.resources.diskMib), 0};
    for (size_t i : o.victims) {
      taken_[i] = true;
      const Vec got = Contribution(running_[i], "");
      for (size_t d = 0; d < 3; ++d) n.pool[d] += got[d];
      const std::optional<size_t> victim_ce = Find(ce_by_name_, running_[i].compute_environment);
      if (victim_ce) ces_[*victim_ce].used -= std::min<int64_t>(ces_[*victim_ce].used, got[0]);
    }
    for (size_t d = 0; d < 3; ++d) n.pool[d] -= need[d];
    ces_[o.ce].used += need[0];
  }

  const std::vector<RunningAttempt>& running_;
  std::vector<bool> taken_;  // chosen as a victim in this call
  std::vector<NodeState> nodes_;
  std::vector<CeState> ces_;
  std::map<std::string, size_t, std::less<>> node_by_id_;
  std::map<std::string, size_t, std::less<>> ce_by_name_;
};

}  // namespace

PreemptionPlan PlanPreemptions(const std::vector<SchedNode>& nodes,
                               const std::vector<PreemptionCe>& compute_environments,
                               const std::vector<PreemptionCandidate>& candidates,
                               const std::vector<RunningAttempt>& running,
                               const PreemptionOptions& options) {
  PreemptionPlan plan;
  if (options.max_preemptions == 0) return plan;
  std::vector<const PreemptionCandidate*> order;
  for (const PreemptionCandidate& c : candidates) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(),
                   [](const PreemptionCandidate* a, const PreemptionCandidate* b) {
                     return a->queue_priority > b->queue_priority;
                   });

  Planner planner(nodes, compute_environments, running);
  for (const PreemptionCandidate* c : order) {
    std::optional<Option> o = planner.Satisfy(*c);
    if (!o) continue;
    if (o->victims.empty()) {
      plan.waiting_for_stop.push_back({c->job_id, planner.NodeId(*o), planner.CeName(*o)});
      continue;
    }
    plan.preemptions.push_back({c->job_id, planner.NodeId(*o), planner.CeName(*o), planner.VictimIds(*o)});
    if (plan.preemptions.size() >= options.max_preemptions) break;
  }
  return plan;
}

}  // namespace gantry::coordinator
