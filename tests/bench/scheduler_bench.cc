// Scheduler throughput: how many placements per second Place() makes on a
// simulated fleet of 10,000 nodes with 100,000 queued jobs (the design's
// target is >= 50,000/s), and how fast it explains itself when the cluster
// is full.
//
//   BM_PlaceOneQueue      1 queue, 1 CE, room for every job
//   BM_PlaceThreeQueues   3 queues of different priorities over 3 CEs with
//                         label selectors (spot / on-demand / all)
//   BM_PlaceFullCluster   1 queue, big jobs: only ~20% fit; the rest wait
//                         and each gets a reason
//   BM_PlaceFullClusterDistinctShapes
//                         full cluster again, every job a different shape,
//                         memory binding first (defeats the shape cache)
//   BM_PlaceThreeFairShareQueues
//                         BM_PlaceThreeQueues' fleet and CEs, but each queue
//                         has a scheduling policy: 10 share identifiers with
//                         weights 0.125-4, some usage already, mixed
//                         schedulingPriority, computeReservation 0/10/25
//
// Inputs are built once, outside the timed region; Place() only reads them.
// Run from a Release build:  ./scheduler_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "coordinator/scheduler/scheduler.h"

namespace gantry::coordinator {
namespace {

constexpr uint64_t kGiB = 1024;  // in MiB
constexpr int kNodes = 10'000;
constexpr int kJobs = 100'000;

struct Input {
  ClusterSnapshot cluster;
  std::vector<SchedQueue> queues;
};

// prefix + i. Appending (rather than operator+) sidesteps a GCC 12 -O3
// -Wrestrict false positive.
std::string Name(const char* prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

template <typename T>
T Pick(std::mt19937& rng, const std::vector<T>& values) {
  return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)];
}

// Mixed sizes: 16-64 vCPU, 64-256 GiB memory, 200-1000 GiB disk; half spot.
std::vector<SchedNode> MakeFleet(std::mt19937& rng) {
  std::vector<SchedNode> nodes;
  nodes.reserve(kNodes);
  for (int i = 0; i < kNodes; ++i) {
    SchedNode n;
    n.id = Name("node-", i);
    n.total = {Pick<uint32_t>(rng, {16, 32, 48, 64}),
               Pick<uint64_t>(rng, {64, 128, 192, 256}) * kGiB,
               Pick<uint64_t>(rng, {200, 500, 1000}) * kGiB};
    n.free = n.total;
    n.labels = {{"capacity", i % 2 ? "spot" : "on-demand"}, {"rack", Name("r", i % 10)}};
    nodes.push_back(std::move(n));
  }
  return nodes;
}

// Small jobs: 1-4 vCPU, 0.5-8 GiB memory, 0-10 GiB disk.
SchedJob SmallJob(std::mt19937& rng, int i) {
  return {Name("job-", i),
          {Pick<uint32_t>(rng, {1, 2, 4}), Pick<uint64_t>(rng, {512, 1024, 2048, 4096, 8192}),
           Pick<uint64_t>(rng, {0, 1024, 10240})}};
}

SchedComputeEnvironment Ce(std::string name, uint32_t max_vcpus, protocol::Labels selector = {}) {
  SchedComputeEnvironment ce;
  ce.name = std::move(name);
  ce.max_vcpus = max_vcpus;
  ce.selector = std::move(selector);
  return ce;
}

SchedQueue Queue(std::string name, uint32_t priority, std::vector<std::string> ces) {
  SchedQueue q;
  q.name = std::move(name);
  q.priority = priority;
  q.compute_environments = std::move(ces);
  return q;
}

const Input& OneQueue() {
  static const Input input = [] {
    std::mt19937 rng(42);
    Input in;
    in.cluster.nodes = MakeFleet(rng);
    in.cluster.compute_environments = {Ce("all", 1'000'000)};
    in.queues = {Queue("default", 1, {"all"})};
    for (int i = 0; i < kJobs; ++i) in.queues[0].jobs.push_back(SmallJob(rng, i));
    return in;
  }();
  return input;
}

const Input& ThreeQueues() {
  static const Input input = [] {
    std::mt19937 rng(43);
    Input in;
    in.cluster.nodes = MakeFleet(rng);
    in.cluster.compute_environments = {Ce("spot", 150'000, {{"capacity", "spot"}}),
                                       Ce("ondemand", 150'000, {{"capacity", "on-demand"}}),
                                       Ce("all", 1'000'000)};
    in.queues = {Queue("high", 100, {"ondemand"}), Queue("mid", 50, {"spot", "ondemand"}),
                 Queue("low", 1, {"spot", "all"})};
    for (int i = 0; i < kJobs; ++i) {
      size_t q = i % 5 == 0 ? 0 : (i % 5 <= 2 ? 1 : 2);  // 20% high, 40% mid, 40% low
      in.queues[q].jobs.push_back(SmallJob(rng, i));
    }
    return in;
  }();
  return input;
}

const Input& FullCluster() {
  static const Input input = [] {
    std::mt19937 rng(44);
    Input in;
    in.cluster.nodes = MakeFleet(rng);
    in.cluster.compute_environments = {Ce("all", 1'000'000)};
    in.queues = {Queue("default", 1, {"all"})};
    for (int i = 0; i < kJobs; ++i) {
      in.queues[0].jobs.push_back(
          {Name("job-", i),
           {Pick<uint32_t>(rng, {8, 16, 24, 32}), Pick<uint64_t>(rng, {16, 32, 48, 64}) * kGiB,
            Pick<uint64_t>(rng, {0, 10, 50}) * kGiB}});
    }
    return in;
  }();
  return input;
}

// Like FullCluster, but every job has its own shape (1-32 vCPU, 1-128 GiB
// memory, 0-100 GiB disk, uniformly at random) and memory binds before vCPUs
// do: the failed-shape cache helps little, so this is the index's worst
// realistic case.
const Input& FullClusterDistinctShapes() {
  static const Input input = [] {
    std::mt19937 rng(45);
    Input in;
    in.cluster.nodes = MakeFleet(rng);
    in.cluster.compute_environments = {Ce("all", 1'000'000)};
    in.queues = {Queue("default", 1, {"all"})};
    for (int i = 0; i < kJobs; ++i) {
      in.queues[0].jobs.push_back(
          {Name("job-", i),
           {std::uniform_int_distribution<uint32_t>(1, 32)(rng),
            std::uniform_int_distribution<uint64_t>(1 * kGiB, 128 * kGiB)(rng),
            std::uniform_int_distribution<uint64_t>(0, 100 * kGiB)(rng)}});
    }
    return in;
  }();
  return input;
}

// Fair share on the ThreeQueues layout. Shares are drawn unevenly (share k
// gets roughly twice as many jobs as share k+1), so weights and usage matter.
const Input& ThreeFairShareQueues() {
  static const Input input = [] {
    std::mt19937 rng(46);
    Input in;
    in.cluster.nodes = MakeFleet(rng);
    in.cluster.compute_environments = {Ce("spot", 150'000, {{"capacity", "spot"}}),
                                       Ce("ondemand", 150'000, {{"capacity", "on-demand"}}),
                                       Ce("all", 1'000'000)};
    in.queues = {Queue("high", 100, {"ondemand"}), Queue("mid", 50, {"spot", "ondemand"}),
                 Queue("low", 1, {"spot", "all"})};
    const std::vector<uint32_t> reservations = {0, 10, 25};
    for (size_t q = 0; q < in.queues.size(); ++q) {
      SchedFairShare fair;
      fair.compute_reservation = reservations[q];
      for (int k = 0; k < 10; ++k) {
        fair.shares.push_back({Name("team-", k), Pick<double>(rng, {0.125, 0.5, 1.0, 2.0, 4.0}),
                               Pick<double>(rng, {0.0, 0.0, 16.0, 256.0}), 0});
      }
      in.queues[q].fair_share = std::move(fair);
    }
    std::geometric_distribution<int> share_of(0.5);
    for (int i = 0; i < kJobs; ++i) {
      size_t q = i % 5 == 0 ? 0 : (i % 5 <= 2 ? 1 : 2);
      SchedJob job = SmallJob(rng, i);
      job.share = Name("team-", std::min(share_of(rng), 9));
      job.scheduling_priority = Pick<uint32_t>(rng, {0, 0, 0, 1, 5});
      in.queues[q].jobs.push_back(std::move(job));
    }
    return in;
  }();
  return input;
}

void Run(benchmark::State& state, const Input& input) {
  size_t placements = 0;
  size_t waiting = 0;
  for (auto _ : state) {
    Plan plan = Place(input.cluster, input.queues, PlaceOptions{});
    placements += plan.placements.size();
    waiting += plan.waiting.size();
    benchmark::DoNotOptimize(plan);
  }
  double iterations = static_cast<double>(state.iterations());
  state.counters["placements_per_s"] =
      benchmark::Counter(static_cast<double>(placements), benchmark::Counter::kIsRate);
  state.counters["jobs_per_s"] =
      benchmark::Counter(static_cast<double>(placements + waiting), benchmark::Counter::kIsRate);
  state.counters["placed"] = static_cast<double>(placements) / iterations;
  state.counters["waiting"] = static_cast<double>(waiting) / iterations;
}

void BM_PlaceOneQueue(benchmark::State& state) { Run(state, OneQueue()); }
void BM_PlaceThreeQueues(benchmark::State& state) { Run(state, ThreeQueues()); }
void BM_PlaceFullCluster(benchmark::State& state) { Run(state, FullCluster()); }
void BM_PlaceFullClusterDistinctShapes(benchmark::State& state) {
  Run(state, FullClusterDistinctShapes());
}

void BM_PlaceThreeFairShareQueues(benchmark::State& state) { Run(state, ThreeFairShareQueues()); }

BENCHMARK(BM_PlaceOneQueue)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlaceThreeQueues)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlaceFullCluster)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlaceFullClusterDistinctShapes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlaceThreeFairShareQueues)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace gantry::coordinator

BENCHMARK_MAIN();
