// Figures for array jobs on a real local cluster (a coordinator group of 3
// replicas and 2 agents, separate processes on 127.0.0.1):
//   1. the time to accept an array of N children (default 10,000): the
//      SubmitJob round trip, i.e. the command committed on a majority and
//      applied with every child written;
//   2. the latency of single submissions to another queue while the arrays
//      are being accepted, p50 / p99 / max: an array must not stall others.
// The arrays' queue uses a compute environment no node belongs to, so the
// figures are acceptance alone, not running 10,000 processes.
// Usage: array_bench [--size 10000] [--arrays 5] [--replicas 3]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/cluster_harness.h"

using namespace std::chrono_literals;
using gantry::protocol::SubmitJobRequest;
using SteadyClock = std::chrono::steady_clock;

namespace {

int Flag(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return def;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double MillisSince(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int size = Flag(argc, argv, "--size", 10'000);
  const int arrays = Flag(argc, argv, "--arrays", 5);
  gantry::testing::HarnessOptions options;
  options.replicas = Flag(argc, argv, "--replicas", 3);
  options.rpc_timeout = 60s;
  gantry::testing::ClusterHarness cluster(GANTRY_BINARY, options);
  if (auto s = cluster.Start(); !s.ok()) {
    std::fprintf(stderr, "cluster start: %s (see %s)\n", s.ToString().c_str(), cluster.root().c_str());
    return 1;
  }
  if (auto s = cluster.CreateDefaults(); !s.ok()) {
    std::fprintf(stderr, "defaults: %s\n", s.ToString().c_str());
    return 1;
  }
  gantry::protocol::CreateComputeEnvironmentRequest ce;
  ce.computeEnvironment.computeEnvironmentName = "nowhere";
  ce.computeEnvironment.selector = {{"pool", "none"}};
  gantry::protocol::CreateJobQueueRequest q;
  q.jobQueue.jobQueueName = "arrays";
  q.jobQueue.computeEnvironmentOrder = {{1, "nowhere"}};
  if (!cluster.rpc().Call(ce).ok() || !cluster.rpc().Call(q).ok()) {
    std::fprintf(stderr, "could not create the arrays' queue\n");
    return 1;
  }

  std::atomic<bool> done{false};
  std::vector<double> single_ms;
  std::thread other([&] {
    auto made = gantry::client::RpcClient::Create({cluster.endpoints(), 60s});
    if (!made.ok()) return;
    gantry::client::RpcClient& rpc = **made;
    for (int i = 0; !done.load(); ++i) {
      SubmitJobRequest r;
      r.jobName = "single-" + std::to_string(i);
      r.jobQueue = "q";
      r.jobDefinition = "d";
      r.command = std::vector<std::string>{"true"};
      const auto start = SteadyClock::now();
      if (rpc.Call(r).ok()) single_ms.push_back(MillisSince(start));
      std::this_thread::sleep_for(5ms);  // pacing of the background load, not a wait for an event
    }
  });

  std::vector<double> array_ms;
  for (int a = 0; a < arrays; ++a) {
    SubmitJobRequest r;
    r.jobName = "array-" + std::to_string(a);
    r.jobQueue = "arrays";
    r.jobDefinition = "d";
    r.arraySize = static_cast<uint32_t>(size);
    const auto start = SteadyClock::now();
    auto reply = cluster.rpc().Call(r);
    if (!reply.ok()) {
      std::fprintf(stderr, "array submission failed: %s\n", reply.status().ToString().c_str());
      done = true;
      other.join();
      return 1;
    }
    array_ms.push_back(MillisSince(start));
  }
  done = true;
  other.join();

  std::printf("array of %d children accepted (submit round trip, %d arrays, %d replicas):\n", size, arrays,
              options.replicas);
  std::printf("  p50 %.1f ms  max %.1f ms\n", Percentile(array_ms, 0.5), Percentile(array_ms, 1.0));
  std::printf("single submissions to another queue meanwhile (%zu): p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
              single_ms.size(), Percentile(single_ms, 0.5), Percentile(single_ms, 0.99),
              Percentile(single_ms, 1.0));
  return 0;
}
