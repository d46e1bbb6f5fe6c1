// ClusterHarness's calls on the coordinator's Raft group: growing it,
// finding its leader, moving the leadership.
#include <algorithm>
#include <thread>

#include "tests/integration/cluster_harness.h"

namespace gantry::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Result<int> ClusterHarness::AddReplica() {
  uint64_t id = 0;
  for (const auto& r : replicas_) id = std::max(id, r.id);
  Replica r = MakeReplica(id + 1);
  r.args.insert(r.args.end(), {"--join", EndpointList()});
  replicas_.push_back(std::move(r));
  const int i = replica_count() - 1;
  replicas_.back().pid =
      Spawn(replicas_.back().args, replicas_.back().log, "coordinator-" + std::to_string(replicas_.size() - 1));
  ResetRpc();
  GANTRY_RETURN_IF_ERROR(WaitForAnswer(i, 20s));
  return i;
}

void ClusterHarness::ForgetReplica(int i) {
  replicas_[static_cast<size_t>(i)].forgotten = true;
  ResetRpc();
}

Result<int> ClusterHarness::LeaderIndex(std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  do {
    for (int i = 0; i < replica_count(); ++i) {
      if (replicas_[static_cast<size_t>(i)].forgotten || !ReplicaAlive(i)) continue;
      auto r = ReplicaRpc(i).Call(protocol::RaftListPeersRequest{});
      if (!r.ok()) continue;
      for (const auto& p : r->peers) {
        if (p.leader && p.id == r->replicaId) return i;
      }
    }
    std::this_thread::sleep_for(10ms);
  } while (Clock::now() < deadline);
  return Status::Unavailable("no live replica is the leader");
}

Status ClusterHarness::WaitForVoter(int asked, int i, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  do {
    auto r = ReplicaRpc(asked).Call(protocol::RaftListPeersRequest{});
    if (r.ok()) {
      for (const auto& p : r->peers) {
        if (p.id == ReplicaId(i) && p.role == "voter") return Status::Ok();
      }
    }
    std::this_thread::sleep_for(20ms);
  } while (Clock::now() < deadline);
  return Status::Unavailable("replica " + std::to_string(asked) + " does not list replica " + std::to_string(i) +
                             " as a voter");
}

Status ClusterHarness::TransferLeadership(int i, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  Status last = Status::Ok();
  while (Clock::now() < deadline) {
    auto leader = LeaderIndex(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!leader.ok()) return leader.status();
    if (*leader == i) return Status::Ok();
    auto r = rpc_->Call(protocol::RaftTransferLeaderRequest{ReplicaId(i)});
    if (!r.ok()) {
      last = r.status();
      std::this_thread::sleep_for(50ms);
    }
  }
  return Status::Unavailable("replica " + std::to_string(i) +
                             " did not become the leader; last error: " + last.ToString());
}

}  // namespace gantry::testing
