#include "tests/chaos/run/nemesis.h"

#include <signal.h>

#include <algorithm>
#include <thread>

namespace gantry::chaos {
namespace {

using namespace std::chrono_literals;

std::string Replica(int i) { return "coordinator-" + std::to_string(i); }
std::string Agent(int i) { return "agent-" + std::to_string(i); }

}  // namespace

Nemesis::Nemesis(testing::ClusterHarness& cluster, Recorder& recorder, NemesisOptions options,
                 NetworkFaults* network, HostFaults* host)
    : cluster_(cluster),
      recorder_(recorder),
      options_(options),
      network_(network),
      host_(host),
      rng_(options.seed) {}

std::chrono::milliseconds Nemesis::Between(int64_t lo_ms, int64_t hi_ms) {
  return std::chrono::milliseconds(lo_ms + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi_ms - lo_ms + 1)));
}

bool Nemesis::Busy(const std::string& target) const {
  return std::any_of(active_.begin(), active_.end(), [&](const Active& a) { return a.target == target; });
}

bool Nemesis::AgentFaultsFull() const {
  const auto busy = std::count_if(active_.begin(), active_.end(), [](const Active& a) {
    return !a.replica && a.target.starts_with("agent-");
  });
  return busy >= options_.max_agent_faults;
}

int Nemesis::FreeAgent() {
  const int agents = cluster_.agent_count();
  if (AgentFaultsFull()) return -1;
  for (int tries = 0; tries < 2 * agents; ++tries) {
    int i = static_cast<int>(rng_() % static_cast<uint64_t>(agents));
    if (!Busy(Agent(i))) return i;
  }
  return -1;
}

void Nemesis::Control(const std::string& node, protocol::NodeAction action, std::optional<uint32_t> seconds) {
  // Best effort: during a failover the request may be refused; the heal
  // uncordons every node anyway.
  (void)cluster_.rpc().Call(protocol::NodeControlRequest{node, action, seconds, std::string("chaos nemesis")});
}

void Nemesis::Begin(std::string fault, std::string target, bool replica, std::chrono::milliseconds lasts,
                    std::function<void()> stop, std::string detail) {
  recorder_.Write(NemesisEvent{NowMs(), true, fault, target, detail});
  ++injected_[fault];
  active_.push_back({std::move(fault), std::move(target), replica, Clock::now() + lasts, std::move(stop)});
}

void Nemesis::StartOne() {
  const bool replica_free = std::none_of(active_.begin(), active_.end(), [](const Active& a) { return a.replica; });
  std::vector<std::string> menu = {"kill-agent", "pause-agent", "restart-agent", "reclaim", "drain"};
  if (replica_free) menu.insert(menu.end(), {"kill-leader", "kill-follower", "pause-leader"});
  if (network_) {
    menu.insert(menu.end(), {"isolate-agent", "loss-agent"});
    if (replica_free) menu.insert(menu.end(), {"isolate-replica", "partition-leader"});
  }
  if (host_ && !host_->Skewable().empty()) menu.push_back("skew-clock");
  if (host_ && host_->CanFill()) menu.push_back("fill-disk");
  if (host_ && !host_->Delayable().empty()) menu.push_back("delay-agent");
  const std::string fault = menu[rng_() % menu.size()];
  if (fault == "skew-clock" || fault == "delay-agent") return StartHostFault(fault);
  const bool on_replica = fault.find("leader") != std::string::npos || fault.find("follower") != std::string::npos ||
                          fault == "isolate-replica";
  if (on_replica) {
    auto leader = cluster_.LeaderIndex(2s);
    if (!leader.ok()) return;  // an election is under way: enough trouble already
    int i = *leader;
    if (fault == "kill-follower" || (fault == "isolate-replica" && rng_() % 2)) {
      i = (*leader + 1 + static_cast<int>(rng_() % static_cast<uint64_t>(cluster_.replica_count() - 1))) %
          cluster_.replica_count();
    }
    const std::string target = Replica(i);
    if (fault == "kill-leader" || fault == "kill-follower") {
      cluster_.StopReplica(i, /*kill9=*/true);
      down_[target] = true;
      Begin(fault, target, true, Between(2000, 6000), [this, i, target] {
        (void)cluster_.StartReplica(i);
        down_[target] = false;
      });
    } else if (fault == "pause-leader") {
      cluster_.SignalReplica(i, SIGSTOP);
      Begin(fault, target, true, Between(1000, 4000), [this, i] { cluster_.SignalReplica(i, SIGCONT); });
    } else if (fault == "isolate-replica") {
      auto id = network_->Isolate(target);
      if (!id.ok()) return;
      Begin(fault, target, true, Between(2000, 6000), [this, id = *id] { (void)network_->Heal(id); });
    } else {  // partition-leader: the leader alone against the other replicas and every agent
      std::vector<std::string> rest;
      for (int r = 0; r < cluster_.replica_count(); ++r) {
        if (r != i) rest.push_back(Replica(r));
      }
      for (int a = 0; a < cluster_.agent_count(); ++a) rest.push_back(Agent(a));
      auto id = network_->Partition({target}, rest);
      if (!id.ok()) return;
      Begin(fault, target, true, Between(2000, 6000), [this, id = *id] { (void)network_->Heal(id); },
            "leader isolated from the majority");
    }
    return;
  }
  const int a = FreeAgent();
  if (a < 0) return;
  const std::string target = Agent(a);
  const int64_t ttl = options_.ttl_ms;
  if (fault == "kill-agent") {
    cluster_.StopAgent(a, /*kill9=*/true);
    down_[target] = true;
    Begin(fault, target, false, Between(2000, 8000), [this, a, target] {
      (void)cluster_.StartAgent(a);
      down_[target] = false;
    });
  } else if (fault == "pause-agent") {
    cluster_.SignalAgent(a, SIGSTOP);
    Begin(fault, target, false, Between(ttl * 3 / 2, ttl * 3), [this, a] { cluster_.SignalAgent(a, SIGCONT); });
  } else if (fault == "restart-agent") {
    cluster_.StopAgent(a);
    (void)cluster_.StartAgent(a);
    Begin(fault, target, false, 0ms, [] {});
  } else if (fault == "reclaim") {
    const uint32_t grace = 2 + static_cast<uint32_t>(rng_() % 4);
    Control(target, protocol::NodeAction::kReclaim, grace);
    // The machine "goes away" after its notice: its agent restarts, and
    // the node comes back into service.
    Begin(fault, target, false, std::chrono::seconds(grace + 2), [this, a, target] {
      cluster_.StopAgent(a);
      (void)cluster_.StartAgent(a);
      Control(target, protocol::NodeAction::kUncordon);
    }, "grace " + std::to_string(grace) + " s");
  } else if (fault == "drain") {
    const uint32_t deadline = 2 + static_cast<uint32_t>(rng_() % 3);
    Control(target, protocol::NodeAction::kDrain, deadline);
    Begin(fault, target, false, std::chrono::seconds(deadline + 2),
          [this, target] { Control(target, protocol::NodeAction::kUncordon); },
          "deadline " + std::to_string(deadline) + " s");
  } else if (fault == "isolate-agent") {
    auto id = network_->Isolate(target);
    if (!id.ok()) return;
    Begin(fault, target, false, Between(ttl, ttl * 3), [this, id = *id] { (void)network_->Heal(id); });
  } else if (fault == "fill-disk") {
    if (Status s = host_->Fill(a); !s.ok()) return;
    Begin(fault, target, false, Between(3000, 8000), [this, a] { (void)host_->Unfill(a); });
  } else if (fault == "loss-agent") {
    auto id = network_->Loss(target, 30);
    if (!id.ok()) return;
    Begin(fault, target, false, Between(2000, 6000), [this, id = *id] { (void)network_->Heal(id); }, "30%");
  }
}

// Faults on processes HostFaults chose at start, not on any free agent.
void Nemesis::StartHostFault(const std::string& fault) {
  if (fault == "skew-clock") {
    const std::vector<std::string> targets = host_->Skewable();
    const std::string target = targets[rng_() % targets.size()];
    if (Busy(target) || (target.starts_with("agent-") && AgentFaultsFull())) return;
    const auto minutes = static_cast<int64_t>(1 + rng_() % 15);
    const auto offset = std::chrono::seconds((rng_() % 2 ? 60 : -60) * minutes);
    if (Status s = host_->SetSkew(target, offset); !s.ok()) return;
    Begin(fault, target, false, Between(4000, 12000),
          [this, target] { (void)host_->SetSkew(target, std::chrono::seconds(0)); },
          std::to_string(offset.count()) + " s");
    return;
  }
  const std::vector<int> agents = host_->Delayable();
  const int a = agents[rng_() % agents.size()];
  if (Busy(Agent(a)) || AgentFaultsFull()) return;
  const auto delay = Between(100, 3000);
  host_->SetDelay(a, delay);
  Begin(fault, Agent(a), false, Between(3000, 8000), [this, a] { host_->SetDelay(a, 0ms); },
        std::to_string(delay.count()) + " ms each way");
}

void Nemesis::StopDue(bool all) {
  const auto now = Clock::now();
  for (auto it = active_.begin(); it != active_.end();) {
    if (!all && it->stop_at > now) {
      ++it;
      continue;
    }
    it->stop();
    recorder_.Write(NemesisEvent{NowMs(), false, it->fault, it->target, ""});
    it = active_.erase(it);
  }
}

void Nemesis::CheckCrashes() {
  for (int i = 0; i < cluster_.replica_count(); ++i) {
    const std::string name = Replica(i);
    if (down_[name] || cluster_.ReplicaAlive(i)) continue;
    recorder_.Write(CrashRecord{name, cluster_.ReplicaExitCode(i), false});
    ++crashes_;
    (void)cluster_.StartReplica(i);
  }
  for (int i = 0; i < cluster_.agent_count(); ++i) {
    const std::string name = Agent(i);
    int code = 0;
    if (down_[name] || cluster_.AgentAlive(i, &code)) continue;
    recorder_.Write(CrashRecord{name, code, false});
    ++crashes_;
    (void)cluster_.StartAgent(i);
  }
}

void Nemesis::Run(Clock::time_point until) {
  auto next = Clock::now() + Between(500, 1500);
  while (Clock::now() < until) {
    StopDue(false);
    CheckCrashes();
    if (Clock::now() >= next) {
      StartOne();
      next = Clock::now() + Between(options_.min_gap.count(), options_.max_gap.count());
    }
    std::this_thread::sleep_for(50ms);
  }
}

void Nemesis::HealAll() {
  StopDue(true);
  CheckCrashes();
  for (int i = 0; i < cluster_.agent_count(); ++i) Control(Agent(i), protocol::NodeAction::kUncordon);
}

}  // namespace gantry::chaos
