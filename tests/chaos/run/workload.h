// Workload: what the chaos suite asks of the cluster while faults fly, each
// operation recorded as invoke, then ok, fail or info (unknown: timed out).
//
// A seeded mix: short and long jobs, arrays, dependencies, jobs that fail
// once and are retried, jobs that fail on purpose, jobs that write to their
// scratch disk, cancels and terminates of earlier jobs, and describes that
// record what they saw. Every submission carries a client token (also the
// job's name), so a submission retried after an unknown outcome never makes
// a second job. Jobs append their own run records (start, end) to a shared
// file. Jobs that always succeed get 10 attempts, so faults alone never
// exhaust them.
//
// Closed loop: while `max_open` acknowledged jobs are not yet known to have
// ended, a submitter looks them up instead of submitting more, so a long run
// keeps a backlog the cluster can drain rather than one that grows for as
// long as the run lasts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/rpc_client.h"
#include "tests/chaos/run/recorder.h"

namespace gantry::chaos {

struct WorkloadOptions {
  uint64_t seed = 1;
  std::vector<std::string> endpoints;
  std::string run_file;         // where jobs append their run records
  std::string queue = "q";
  std::string definition = "d";
  int submitters = 2;
  std::chrono::milliseconds pace{250};  // between one submitter's operations
  size_t max_open = 48;
};

class Workload {
 public:
  Workload(WorkloadOptions options, Recorder& recorder);
  ~Workload();

  // Starts the submitter threads; Stop() ends them after their current
  // operation (each finishes or records info).
  void Start();
  void Stop();

  // Job ids of every acknowledged submission, and the tokens of the ones
  // whose outcome is unknown.
  std::vector<std::string> AckedJobIds() const;
  std::vector<std::string> UnknownTokens() const;
  size_t submitted() const { return submitted_; }

 private:
  void Run(int worker);
  // One operation of `worker`, chosen by `rng`.
  void Step(int worker, client::RpcClient& rpc, std::mt19937_64& rng);
  void Submit(int worker, client::RpcClient& rpc, std::mt19937_64& rng);
  void StopJob(int worker, client::RpcClient& rpc, std::mt19937_64& rng, bool terminate);
  void Describe(int worker, client::RpcClient& rpc, std::mt19937_64& rng);
  std::string RandomAcked(std::mt19937_64& rng);
  // Looks up open jobs (not recorded: bookkeeping, not an observation) and
  // forgets those that ended. True if fewer than max_open remain open.
  bool Prune(client::RpcClient& rpc);

  WorkloadOptions options_;
  Recorder& recorder_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> submitted_{0};
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::vector<std::string> acked_;    // job ids
  std::set<std::string> open_;        // acknowledged, not yet seen ended
  std::vector<std::string> unknown_;  // client tokens
};

}  // namespace gantry::chaos
