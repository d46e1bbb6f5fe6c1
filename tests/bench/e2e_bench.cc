// End-to-end figures on a real local cluster (a coordinator group of 1, 3 or
// 5 replicas and N agents, separate processes on 127.0.0.1), printed for the
// record:
//   1. trivial jobs (`true`) from submission to SUCCEEDED per second;
//   2. submit -> RUNNING latency on an idle cluster, p50 / p99, from the
//      coordinator's own timestamps (createdAt when the submission arrived,
//      startedAt when the agent's "started" report was applied).
// Usage: e2e_bench [--jobs 2000] [--agents 4] [--replicas 3] [--latency-samples 200]
//                  [--sandbox 0|1]
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
using gantry::protocol::Job;
using gantry::protocol::JobStatus;
using gantry::protocol::SubmitJobRequest;

namespace {

constexpr int kSubmitters = 8;

int Flag(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return def;
}

SubmitJobRequest Trivial(int i) {
  SubmitJobRequest r;
  r.jobName = "bench-" + std::to_string(i);
  r.jobQueue = "q";
  r.jobDefinition = "d";
  r.command = std::vector<std::string>{"true"};
  return r;
}

double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return static_cast<double>(v[std::min(i, v.size() - 1)]);
}

}  // namespace

int main(int argc, char** argv) {
  const int jobs = Flag(argc, argv, "--jobs", 2000);
  const int agents = Flag(argc, argv, "--agents", 4);
  const int samples = Flag(argc, argv, "--latency-samples", 200);
  const int replicas = Flag(argc, argv, "--replicas", 3);
  // --sandbox 0: attempts run with no cgroups, namespaces or scratch
  // filesystem, to see what the sandbox costs.
  const bool sandbox = Flag(argc, argv, "--sandbox", 1) != 0;

  gantry::testing::HarnessOptions opts;
  opts.replicas = replicas;
  opts.agents = agents;
  opts.agent_vcpus = 16;
  if (!sandbox) {
    opts.coordinator_args = {"--default-job-disk-mib", "0"};
    opts.agent_args = {"--job-disk-quota", "none", "--isolation", "none", "--cgroups", "none"};
  }
  gantry::testing::ClusterHarness cluster(GANTRY_BINARY, opts);
  if (auto s = cluster.Start(); !s.ok()) {
    std::fprintf(stderr, "cluster did not start: %s\n", s.ToString().c_str());
    return 1;
  }
  if (auto s = cluster.CreateDefaults(); !s.ok()) {
    std::fprintf(stderr, "defaults: %s\n", s.ToString().c_str());
    return 1;
  }

  // 1. Throughput.
  // Several clients submit at once, as a busy fleet's users would; the
  // leader packs what arrives together into the same Raft entries.
  std::vector<std::string> ids(static_cast<size_t>(jobs));
  std::atomic<bool> submit_failed{false};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> submitters;
  for (int t = 0; t < kSubmitters; ++t) {
    submitters.emplace_back([&, t] {
      auto rpc = gantry::client::RpcClient::Create({cluster.endpoints(), 10s});
      if (!rpc.ok()) {
        submit_failed = true;
        return;
      }
      for (int i = t; i < jobs; i += kSubmitters) {
        auto r = (*rpc)->Call(Trivial(i));
        if (!r.ok()) {
          std::fprintf(stderr, "submit: %s\n", r.status().ToString().c_str());
          submit_failed = true;
          return;
        }
        ids[static_cast<size_t>(i)] = r->jobId;
      }
    });
  }
  for (auto& th : submitters) th.join();
  if (submit_failed) return 1;
  auto t_submitted = std::chrono::steady_clock::now();
  if (agents == 0) {
    double s = std::chrono::duration<double>(t_submitted - t0).count();
    std::printf("submission only (no agents): %d jobs by %d clients in %.2f s: %.0f submissions/s\n", jobs,
                kSubmitters, s, jobs / s);
    return 0;
  }
  auto done = cluster.WaitForTerminal(ids, 600s);
  auto t1 = std::chrono::steady_clock::now();
  if (!done.ok()) {
    std::fprintf(stderr, "%s\n", done.status().ToString().c_str());
    return 1;
  }
  int failed = 0;
  int64_t first_created = INT64_MAX, last_stopped = 0;
  for (const Job& j : *done) {
    failed += j.status != JobStatus::kSucceeded;
    first_created = std::min(first_created, j.createdAt);
    last_stopped = std::max(last_stopped, j.stoppedAt.value_or(0));
  }
  double wall_s = std::chrono::duration<double>(t1 - t0).count();
  double submit_s = std::chrono::duration<double>(t_submitted - t0).count();
  double server_s = static_cast<double>(last_stopped - first_created) / 1000.0;
  std::printf("throughput: %d trivial jobs, %d replicas, %d agents x 16 vCPU, %s, full path (submit, place, run, report)\n",
              jobs, replicas, agents, sandbox ? "sandboxed" : "no sandbox");
  std::printf("  submitted by %d concurrent clients in %.2f s: %.0f submissions/s\n", kSubmitters, submit_s,
              jobs / submit_s);
  std::printf("  first createdAt -> last stoppedAt: %.2f s: %.0f jobs/s to SUCCEEDED\n", server_s,
              jobs / server_s);
  std::printf("  client wall time incl. polling: %.2f s: %.0f jobs/s; failed: %d\n", wall_s, jobs / wall_s, failed);

  // 2. Latency on an idle cluster: one job at a time.
  std::vector<int64_t> to_running;
  std::vector<int64_t> ack_us;
  for (int i = 0; i < samples; ++i) {
    auto a = std::chrono::steady_clock::now();
    auto r = cluster.rpc().Call(Trivial(jobs + i));
    auto b = std::chrono::steady_clock::now();
    if (!r.ok()) return 1;
    ack_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(b - a).count());
    auto d = cluster.WaitForTerminal({r->jobId}, 30s);
    if (!d.ok() || !(*d)[0].startedAt) return 1;
    to_running.push_back(*(*d)[0].startedAt - (*d)[0].createdAt);
  }
  std::printf("latency: %d jobs one at a time on the idle cluster\n", samples);
  std::printf("  submit -> acknowledged (client): p50 %.2f ms, p99 %.2f ms\n", Percentile(ack_us, 0.5) / 1000.0,
              Percentile(ack_us, 0.99) / 1000.0);
  std::printf("  submit -> RUNNING (coordinator clock, ms resolution): p50 %.0f ms, p99 %.0f ms\n",
              Percentile(to_running, 0.5), Percentile(to_running, 0.99));
  return failed == 0 ? 0 : 1;
}
