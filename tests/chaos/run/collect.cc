#include "tests/chaos/run/collect.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "node/cgroup_hierarchy.h"
#include "node/disk_quota.h"
#include "tests/integration/host_probe.h"

namespace gantry::chaos {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string JobOfAttempt(const std::string& attempt_id) { return attempt_id.substr(0, attempt_id.rfind('-')); }

// Job ids of every job in `queue`, children of arrays included.
Result<std::vector<std::string>> AllJobIds(client::RpcClient& rpc, const std::string& queue) {
  std::vector<std::string> ids;
  std::vector<std::string> parents;
  auto page_through = [&](protocol::ListJobsRequest req) -> Status {
    while (true) {
      GANTRY_ASSIGN_OR_RETURN(protocol::ListJobsReply page, rpc.Call(req));
      for (const auto& j : page.jobSummaryList) {
        ids.push_back(j.jobId);
        if (j.IsArrayParent()) parents.push_back(j.jobId);
      }
      if (!page.nextToken) return Status::Ok();
      req.nextToken = page.nextToken;
    }
  };
  GANTRY_RETURN_IF_ERROR(page_through(protocol::ListJobsRequest{.jobQueue = queue}));
  for (const auto& p : std::vector<std::string>(parents)) {
    GANTRY_RETURN_IF_ERROR(page_through(protocol::ListJobsRequest{.arrayJobId = p}));
  }
  return ids;
}

template <class Fn>
Status ForEachJob(client::RpcClient& rpc, const std::vector<std::string>& ids, Fn&& fn) {
  for (size_t i = 0; i < ids.size(); i += protocol::kMaxDescribeJobs) {
    protocol::DescribeJobsRequest req;
    req.jobs.assign(ids.begin() + static_cast<ptrdiff_t>(i),
                    ids.begin() + static_cast<ptrdiff_t>(std::min(ids.size(), i + protocol::kMaxDescribeJobs)));
    GANTRY_ASSIGN_OR_RETURN(protocol::DescribeJobsReply reply, rpc.Call(req));
    for (const auto& j : reply.jobs) fn(j);
  }
  return Status::Ok();
}

NodeProbe Probe(const std::string& node, const fs::path& data_dir) {
  NodeProbe p;
  p.node = node;
  for (const auto& e : testing::EntriesOf(data_dir / "scratch")) p.scratch_entries.push_back(e.string());
  for (const auto& m : testing::MountsUnder(data_dir)) {
    // The data directory itself may be the node's disk (HostFaults mounts it).
    if (m != data_dir.lexically_normal()) p.mounts.push_back(m.string());
  }
  p.loop_devices = testing::LoopDevicesUnder(data_dir);
  for (const auto& c : testing::CgroupsWithPrefix(node::AgentCgroupPrefix(data_dir.string()))) {
    p.cgroups.push_back(c.string());
  }
  return p;
}

bool Empty(const NodeProbe& p) {
  return p.scratch_entries.empty() && p.mounts.empty() && p.loop_devices.empty() && p.cgroups.empty();
}

}  // namespace

void SampleCapacity(client::RpcClient& rpc, Recorder& recorder) {
  auto nodes = rpc.Call(protocol::DescribeNodesRequest{});
  if (!nodes.ok()) return;
  std::vector<std::string> ids;
  for (const auto& n : nodes->nodes) {
    for (const auto& a : n.runningAttempts) ids.push_back(JobOfAttempt(a));
  }
  std::map<std::string, protocol::Resources> resources;
  if (!ForEachJob(rpc, ids, [&](const protocol::Job& j) { resources[j.jobId] = j.resources; }).ok()) return;
  const int64_t now = NowMs();
  for (const auto& n : nodes->nodes) {
    CapacitySample s;
    s.t_ms = now;
    s.node = n.node.nodeId;
    s.advertised = n.node.capacity;
    for (const auto& a : n.runningAttempts) {
      auto it = resources.find(JobOfAttempt(a));
      if (it == resources.end()) continue;
      s.reserved.vcpus += it->second.vcpus;
      s.reserved.memoryMib += it->second.memoryMib;
      s.reserved.diskMib += it->second.diskMib;
    }
    recorder.Write(s);
  }
}

size_t WaitForQuiet(client::RpcClient& rpc, const std::string& queue, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  size_t unfinished = SIZE_MAX;
  while (std::chrono::steady_clock::now() < deadline) {
    auto ids = AllJobIds(rpc, queue);
    if (ids.ok()) {
      size_t n = 0;
      Status s = ForEachJob(rpc, *ids, [&](const protocol::Job& j) { n += !protocol::IsTerminal(j.status); });
      if (s.ok()) {
        unfinished = n;
        if (n == 0) return 0;
      }
    }
    std::this_thread::sleep_for(500ms);
  }
  return unfinished;
}

Status RecordFinalJobs(client::RpcClient& rpc, const std::string& queue, Recorder& recorder) {
  GANTRY_ASSIGN_OR_RETURN(std::vector<std::string> ids, AllJobIds(rpc, queue));
  return ForEachJob(rpc, ids, [&](const protocol::Job& j) {
    FinalJob f;
    f.client_token = j.jobName.starts_with("chaos-") && !j.IsArrayChild() ? j.jobName : "";
    f.job = j;
    recorder.Write(f);
  });
}

void RecordNodeProbes(testing::ClusterHarness& cluster, Recorder& recorder, std::chrono::seconds settle) {
  const auto deadline = std::chrono::steady_clock::now() + settle;
  for (int i = 0; i < cluster.agent_count(); ++i) {
    const fs::path dir = fs::weakly_canonical(cluster.AgentDataDir(i));
    NodeProbe p = Probe("agent-" + std::to_string(i), dir);
    while (!Empty(p) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(200ms);
      p = Probe(p.node, dir);
    }
    recorder.Write(p);
  }
}

void RecordReplicaDigests(testing::ClusterHarness& cluster, Recorder& recorder, std::chrono::seconds settle) {
  const auto deadline = std::chrono::steady_clock::now() + settle;
  std::vector<ReplicaDigest> digests;
  while (true) {
    digests.clear();
    std::set<uint64_t> indexes;
    for (int i = 0; i < cluster.replica_count(); ++i) {
      auto r = cluster.ReplicaRpc(i).Call(protocol::RaftListPeersRequest{.withDigest = true});
      if (!r.ok() || !r->appliedIndex || !r->stateDigest) continue;
      digests.push_back({"coordinator-" + std::to_string(i), *r->appliedIndex, *r->stateDigest});
      indexes.insert(*r->appliedIndex);
    }
    const bool settled = static_cast<int>(digests.size()) == cluster.replica_count() && indexes.size() == 1;
    if (settled || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(200ms);
  }
  for (const auto& d : digests) recorder.Write(d);
}

void RecordRuns(const std::string& run_file, Recorder& recorder) {
  std::ifstream in(run_file);
  std::string line;
  History parsed;
  while (std::getline(in, line)) {
    // A line torn by a job killed mid-write is skipped, not fatal.
    if (AppendLine(line, parsed).ok() && !parsed.runs.empty()) {
      recorder.Write(parsed.runs.back());
      parsed.runs.clear();
    }
  }
}

}  // namespace gantry::chaos
