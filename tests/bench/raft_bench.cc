// Figures of the replicated coordinator: a 3-replica Raft group of real
// processes on 127.0.0.1 (data on disk under the temp dir, no agents, so the
// jobs stay RUNNABLE), printed for the record:
//   1. acknowledged submissions per second from K concurrent clients;
//   2. one submission's round trip on the idle group, p50 / p99 / max;
//   3. failover: the leader is killed (SIGKILL) while clients submit without
//      pause; the time from the kill until a live replica calls itself the
//      leader and until each client's first acknowledgement from it. The
//      default client waits up to 1 s on a silent endpoint before moving on,
//      so a second client with a 50 ms slice shows the group's own figure.
//      The killed replica is restarted and has a leader before the next round.
// Usage: raft_bench [--clients 16] [--submissions 20000] [--latency-samples 1000] [--kills 10]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/cluster_harness.h"

using namespace std::chrono_literals;
using gantry::client::RpcClient;
using gantry::protocol::SubmitJobRequest;
using Clock = std::chrono::steady_clock;

namespace {

int Flag(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return def;
}

SubmitJobRequest Trivial(const std::string& name) {
  SubmitJobRequest r;
  r.jobName = name;
  r.jobQueue = "q";
  r.jobDefinition = "d";
  r.command = std::vector<std::string>{"true"};
  r.clientToken = "token-" + name;
  return r;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// 1. K clients, each with its own RpcClient over every endpoint.
bool Throughput(gantry::testing::ClusterHarness& cluster, int clients, int total) {
  std::atomic<bool> failed{false};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto rpc = RpcClient::Create({cluster.endpoints(), 10s});
      if (!rpc.ok()) {
        failed = true;
        return;
      }
      for (int i = t; i < total && !failed; i += clients) {
        auto r = (*rpc)->Call(Trivial("tp-" + std::to_string(i)));
        if (!r.ok()) {
          std::fprintf(stderr, "submit: %s\n", r.status().ToString().c_str());
          failed = true;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (failed) return false;
  std::printf("throughput  %d submissions from %d concurrent clients: %.2f s, %.0f acknowledged/s\n", total, clients, s,
              total / s);
  return true;
}

// 2. One submission at a time.
bool Latency(gantry::testing::ClusterHarness& cluster, int samples) {
  std::vector<double> ms;
  for (int i = 0; i < samples; ++i) {
    auto a = Clock::now();
    auto r = cluster.rpc().Call(Trivial("lat-" + std::to_string(i)));
    if (!r.ok()) {
      std::fprintf(stderr, "submit: %s\n", r.status().ToString().c_str());
      return false;
    }
    ms.push_back(Ms(Clock::now() - a));
  }
  std::printf("latency     %d sequential submissions, idle group: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", samples,
              Percentile(ms, 0.5), Percentile(ms, 0.99), *std::max_element(ms.begin(), ms.end()));
  return true;
}

// A client submitting without pause, recording when each acknowledgement
// came and from which endpoint.
class Streamer {
 public:
  Streamer(std::vector<std::string> endpoints, std::string prefix, std::chrono::milliseconds try_timeout)
      : prefix_(std::move(prefix)) {
    gantry::client::RpcOptions o{std::move(endpoints), 10s, std::nullopt};
    if (try_timeout.count() > 0) o.try_timeout = try_timeout;
    rpc_ = std::move(RpcClient::Create(o)).value();
    thread_ = std::thread([this] { Run(); });
  }
  ~Streamer() {
    stop_ = true;
    thread_.join();
  }
  // The first acknowledgement after `t` from an endpoint other than
  // `except`, if any yet.
  std::optional<Clock::time_point> FirstAckAfter(Clock::time_point t, const std::string& except) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [at, endpoint] : acks_) {
      if (at > t && endpoint != except) return at;
    }
    return std::nullopt;
  }
  void Forget() {
    std::lock_guard<std::mutex> lock(mu_);
    acks_.clear();
  }

 private:
  void Run() {
    for (int i = 0; !stop_; ++i) {
      const SubmitJobRequest req = Trivial(prefix_ + std::to_string(i));
      while (!stop_ && !rpc_->Call(req).ok()) {
      }
      std::lock_guard<std::mutex> lock(mu_);
      acks_.emplace_back(Clock::now(), rpc_->current_endpoint());
    }
  }

  std::string prefix_;
  std::unique_ptr<RpcClient> rpc_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::pair<Clock::time_point, std::string>> acks_;
  std::thread thread_;
};

// Waits until replica i lists some peer as the leader.
bool SeesALeader(gantry::testing::ClusterHarness& cluster, int i, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    auto r = cluster.ReplicaRpc(i).Call(gantry::protocol::RaftListPeersRequest{});
    if (r.ok()) {
      for (const auto& p : r->peers) {
        if (p.leader) return true;
      }
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// 3. Failover rounds.
bool Failover(gantry::testing::ClusterHarness& cluster, int kills) {
  Streamer slow(cluster.endpoints(), "fo-default-", 0ms);
  Streamer fast(cluster.endpoints(), "fo-50ms-", 50ms);
  std::vector<double> known, ack_slow, ack_fast;
  std::printf("failover    %d rounds: kill -9 the leader while 2 clients submit without pause\n", kills);
  std::printf("            round  killed  leader known  first ack (1 s slice)  first ack (50 ms slice)\n");
  for (int round = 1; round <= kills; ++round) {
    auto leader = cluster.LeaderIndex(10s);
    if (!leader.ok()) return false;
    const std::string killed = cluster.ReplicaEndpoint(*leader);
    auto t_kill = Clock::now();
    cluster.StopReplica(*leader, /*kill9=*/true);
    auto next = cluster.LeaderIndex(10s);
    if (!next.ok()) return false;
    known.push_back(Ms(Clock::now() - t_kill));
    auto deadline = Clock::now() + 30s;
    std::optional<Clock::time_point> a, b;
    while ((!a || !b) && Clock::now() < deadline) {
      if (!a) a = slow.FirstAckAfter(t_kill, killed);
      if (!b) b = fast.FirstAckAfter(t_kill, killed);
      std::this_thread::sleep_for(1ms);
    }
    if (!a || !b) {
      std::fprintf(stderr, "round %d: no acknowledgement within 30 s of the kill\n", round);
      return false;
    }
    ack_slow.push_back(Ms(*a - t_kill));
    ack_fast.push_back(Ms(*b - t_kill));
    std::printf("            %5d  %6llu  %9.0f ms  %18.0f ms  %20.0f ms\n", round,
                static_cast<unsigned long long>(cluster.ReplicaId(*leader)), known.back(), ack_slow.back(),
                ack_fast.back());
    std::fflush(stdout);
    if (auto s = cluster.StartReplica(*leader); !s.ok() || !SeesALeader(cluster, *leader, 20s)) {
      std::fprintf(stderr, "round %d: the killed replica did not rejoin: %s\n", round, s.ToString().c_str());
      return false;
    }
    // Let it take in what was committed while it was down before the next
    // kill, so the group never waits on a lagging majority.
    std::this_thread::sleep_for(300ms);
    slow.Forget();
    fast.Forget();
  }
  std::printf("            median         %9.0f ms  %18.0f ms  %20.0f ms\n", Percentile(known, 0.5),
              Percentile(ack_slow, 0.5), Percentile(ack_fast, 0.5));
  std::printf("            max            %9.0f ms  %18.0f ms  %20.0f ms\n", Percentile(known, 1),
              Percentile(ack_slow, 1), Percentile(ack_fast, 1));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const int clients = Flag(argc, argv, "--clients", 16);
  const int submissions = Flag(argc, argv, "--submissions", 20000);
  const int samples = Flag(argc, argv, "--latency-samples", 1000);
  const int kills = Flag(argc, argv, "--kills", 10);

  gantry::testing::HarnessOptions opts;
  opts.replicas = 3;
  opts.agents = 0;
  opts.rpc_timeout = 10s;
  gantry::testing::ClusterHarness cluster(GANTRY_BINARY, opts);
  if (auto s = cluster.Start(); !s.ok()) {
    std::fprintf(stderr, "cluster did not start: %s\n", s.ToString().c_str());
    cluster.KeepFiles();
    return 1;
  }
  if (auto s = cluster.CreateDefaults(); !s.ok()) {
    std::fprintf(stderr, "defaults: %s\n", s.ToString().c_str());
    cluster.KeepFiles();
    return 1;
  }
  std::printf(
      "raft_bench: 3 replicas on 127.0.0.1, data in %s; election timeout %u ms, heartbeat %u ms, "
      "snapshot every %u entries\n",
      cluster.root().c_str(), opts.election_timeout_ms, opts.heartbeat_ms, opts.snapshot_threshold);
  std::fflush(stdout);
  bool ok = Throughput(cluster, clients, submissions) && Latency(cluster, samples) && Failover(cluster, kills);
  if (!ok) cluster.KeepFiles();
  return ok ? 0 : 1;
}
