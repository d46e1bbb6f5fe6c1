// gantry-chaos: a seeded chaos run against a real gantry cluster, judged
// from its history.
//
//   gantry-chaos --seed S --duration SECONDS [--replicas 3] [--agents 6]
//                [--ttl-ms 2000] [--history FILE] [--network auto|off] [--keep]
//
// Starts the cluster (every process in its own network namespace on a
// bridge when run as root where namespaces work, else all on 127.0.0.1 with
// the network faults left out; HostFaults adds clock skew, full disks and
// delay where they work), runs the workload (workload.h) while the
// nemesis (nemesis.h) injects faults for SECONDS, heals everything, lets
// the jobs drain, collects the final state and checks the history
// (checker.h). Prints the faults injected and the invariants checked, the
// seed and the history file; exits 1 on any violation, 2 on a bad flag or
// a cluster that would not start.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "tests/chaos/checker.h"
#include "tests/chaos/run/collect.h"
#include "tests/chaos/run/host_faults.h"
#include "tests/chaos/run/nemesis.h"
#include "tests/chaos/run/network.h"
#include "tests/chaos/run/workload.h"
#include "tests/integration/cluster_harness.h"

namespace {

using namespace std::chrono_literals;
using gantry::Status;
using gantry::chaos::Recorder;

struct Flags {
  uint64_t seed = 1;
  int duration_s = 60;
  int replicas = 3;
  int agents = 6;
  int64_t ttl_ms = 2000;
  std::string history;
  std::string network = "auto";
  bool keep = false;
};

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "gantry-chaos: %s\nusage: gantry-chaos --seed S --duration SECONDS [--replicas 3|5] [--agents N]\n"
               "                    [--ttl-ms MS] [--history FILE] [--network auto|off] [--keep]\n",
               why.c_str());
  std::exit(2);
}

int64_t Number(const char* flag, const char* text, int64_t lo, int64_t hi) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) {
    Usage(std::string(flag) + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
          ", got \"" + text + "\"");
  }
  return v;
}

Flags Parse(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--seed") f.seed = static_cast<uint64_t>(Number("--seed", value(), 0, INT64_MAX));
    else if (a == "--duration") f.duration_s = static_cast<int>(Number("--duration", value(), 1, 24 * 3600));
    else if (a == "--replicas") f.replicas = static_cast<int>(Number("--replicas", value(), 3, 5));
    else if (a == "--agents") f.agents = static_cast<int>(Number("--agents", value(), 2, 32));
    else if (a == "--ttl-ms") f.ttl_ms = Number("--ttl-ms", value(), 500, 60'000);
    else if (a == "--history") f.history = value();
    else if (a == "--network") {
      f.network = value();
      if (f.network != "auto" && f.network != "off") Usage("--network must be auto or off");
    } else if (a == "--keep") f.keep = true;
    else Usage("unknown flag " + a);
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = Parse(argc, argv);
  const std::string history = !flags.history.empty()
                                  ? flags.history
                                  : "gantry-chaos-" + std::to_string(flags.seed) + "-" +
                                        std::to_string(gantry::chaos::NowMs()) + ".jsonl";
  std::unique_ptr<gantry::chaos::ChaosNetwork> network;
  std::string network_note = "network faults off (--network off)";
  if (flags.network == "auto") {
    auto made = gantry::chaos::ChaosNetwork::Create(flags.replicas, flags.agents);
    if (made.ok()) {
      network = std::move(made).value();
      network_note = "each process in its own network namespace on a bridge";
    } else {
      network_note = "network faults skipped: " + made.status().message();
    }
  }
  if (::geteuid() == 0) gantry::chaos::HostFaults::SweepLeftovers();
  // Set once the cluster's directories are known, before any process starts.
  std::unique_ptr<gantry::chaos::HostFaults> host;
  gantry::testing::HarnessOptions o;
  o.replicas = flags.replicas;
  o.agents = flags.agents;
  o.agent_vcpus = 2;
  o.agent_memory_mib = 4096;
  o.node_ttl_ms = flags.ttl_ms;
  o.rpc_timeout = 5000ms;
  if (network) {
    o.host_of = [n = network.get()](const std::string& p) { return n->HostOf(p); };
    o.netns_of = [n = network.get()](const std::string& p) { return n->NamespaceOf(p); };
  }
  o.env_of = [&host](const std::string& p) { return host ? host->EnvOf(p) : std::vector<std::string>{}; };
  o.coordinators_for_agent = [&host](int agent) { return host ? host->CoordinatorsFor(agent) : std::string(); };
  // Each agent's disk is a small tmpfs (HostFaults), so its floor is low.
  o.agent_args = {"--min-free-disk-mib", "128"};
  gantry::testing::ClusterHarness cluster(GANTRY_BINARY, o);
  if (flags.keep) cluster.KeepFiles();
  {
    gantry::chaos::HostFaultsOptions h{.seed = flags.seed, .replicas = flags.replicas, .agents = flags.agents,
                                       .dir = cluster.root()};
    for (int i = 0; i < flags.agents; ++i) h.agent_data_dirs.push_back(cluster.AgentDataDir(i));
    host = gantry::chaos::HostFaults::Create(std::move(h));
    if (Status s = host->MountDisks(); !s.ok()) Usage("mounting the agents' disks: " + s.ToString());
    if (Status s = host->StartProxies(cluster.endpoints(), o.netns_of); !s.ok()) {
      Usage("starting the delay proxies: " + s.ToString());
    }
  }
  Recorder recorder(history);
  if (!recorder.ok()) Usage("cannot write the history file " + history);
  std::printf("gantry-chaos: seed %llu, %d s, %d replicas, %d agents, TTL %lld ms; %s\n",
              static_cast<unsigned long long>(flags.seed), flags.duration_s, flags.replicas, flags.agents,
              static_cast<long long>(flags.ttl_ms), network_note.c_str());
  for (const auto& note : host->notes()) std::printf("gantry-chaos: %s\n", note.c_str());
  std::fflush(stdout);
  if (Status s = cluster.Start(); !s.ok()) {
    std::fprintf(stderr, "gantry-chaos: the cluster did not start: %s (see %s)\n", s.ToString().c_str(),
                 cluster.root().c_str());
    cluster.KeepFiles();
    return 2;
  }
  if (Status s = cluster.CreateDefaults(); !s.ok()) {
    std::fprintf(stderr, "gantry-chaos: %s\n", s.ToString().c_str());
    return 2;
  }

  const std::string run_file = cluster.root() + "/runs.jsonl";
  // Four jobs open per vCPU in the cluster: enough to keep every node busy
  // through the faults, few enough to drain in the time given.
  gantry::chaos::Workload workload({.seed = flags.seed,
                                    .endpoints = cluster.endpoints(),
                                    .run_file = run_file,
                                    .max_open = static_cast<size_t>(4 * flags.agents * o.agent_vcpus)},
                                   recorder);
  gantry::chaos::Nemesis nemesis(cluster, recorder, {.seed = flags.seed, .ttl_ms = flags.ttl_ms}, network.get(),
                                  host.get());
  auto sampler = gantry::client::RpcClient::Create({cluster.endpoints(), 3000ms});
  workload.Start();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(flags.duration_s);
  std::thread faults([&] { nemesis.Run(until); });
  while (std::chrono::steady_clock::now() < until) {
    if (sampler.ok()) gantry::chaos::SampleCapacity(**sampler, recorder);
    std::this_thread::sleep_for(1s);
  }
  faults.join();
  workload.Stop();
  nemesis.HealAll();
  std::printf("gantry-chaos: faults healed; %zu submissions; waiting for the jobs to finish\n", workload.submitted());
  std::fflush(stdout);
  auto& rpc = cluster.rpc();
  const size_t unfinished = gantry::chaos::WaitForQuiet(rpc, "q", 180s);
  if (unfinished > 0) std::printf("gantry-chaos: %zu jobs still unfinished after 180 s\n", unfinished);
  if (Status s = gantry::chaos::RecordFinalJobs(rpc, "q", recorder); !s.ok()) {
    std::fprintf(stderr, "gantry-chaos: reading the final state failed: %s\n", s.ToString().c_str());
  }
  gantry::chaos::RecordNodeProbes(cluster, recorder, 15s);
  gantry::chaos::RecordReplicaDigests(cluster, recorder, 15s);
  gantry::chaos::RecordRuns(run_file, recorder);

  auto read = gantry::chaos::ReadHistoryFile(history);
  if (!read.ok()) {
    std::fprintf(stderr, "gantry-chaos: %s\n", read.status().ToString().c_str());
    return 1;
  }
  const gantry::chaos::CheckResult result = gantry::chaos::Check(*read);
  std::printf("\nfaults injected:\n");
  for (const auto& [fault, n] : nemesis.injected()) std::printf("  %-20s %d\n", fault.c_str(), n);
  std::printf("\n%s\nseed %llu; history in %s\n", gantry::chaos::FormatTable(result).c_str(),
              static_cast<unsigned long long>(flags.seed), history.c_str());
  const bool ok = gantry::chaos::Ok(result);
  if (!ok) cluster.KeepFiles();
  return ok ? 0 : 1;
}
