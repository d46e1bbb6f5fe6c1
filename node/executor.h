// Executor: starts, stops and reaps attempts' processes on a libuv loop, and
// cleans up after them.
//
// Each attempt runs as the leader of its own session and process group
// (UV_PROCESS_DETACHED), so the whole tree it forks is signalled with
// kill(-pgid). When the leader exits, the rest of the group is SIGKILLed and
// reaped (this process becomes a child subreaper, so orphans come back to
// it), then its output pipe is drained and closed, the log tail read and the
// scratch directory deleted on a libuv worker thread. Only then does
// `on_finished` run: an attempt whose callback has not run still holds its
// processes or its disk.
//
// stdout and stderr go into one pipe the loop reads (attempt_log_pipe.h) and
// writes to DATA/logs/<jobId>/<n>/output.log, capped per attempt and rotated
// (attempt_log.h).
//
// With cgroups (ExecutorOptions::cgroups, and a host that has them, see
// attempt_cgroup.h) each attempt also gets its own cgroups under the agent's,
// with its memory, CPU and pids limits. The process joins them before the job
// runs: it is spawned as a /bin/sh shim that writes its pid to each
// cgroup.procs and then execs the job's argv. At the end every process in
// them is killed (also those that left the group with setsid), before the
// scratch is deleted, and the cgroups are removed. Without cgroups, processes
// that leave the group escape the kill.
//
// Not thread-safe: every call, and every callback, is on the loop thread.
#pragma once

#include <uv.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/logging.h"
#include "gantry/status.h"
#include "node/attempt_cgroup.h"
#include "node/end_reason.h"
#include "node/sandbox.h"
#include "node/sandbox_exec.h"

namespace gantry::node {

struct LaunchSpec {
  std::string attempt_id;
  std::vector<std::string> argv;  // argv[0] is looked up in the job's PATH
  std::vector<std::string> env;   // "NAME=value"
  SandboxPaths paths;             // scratch is the cwd; both outputs go to the log in log_dir
  uint64_t memory_mib = 0;        // cgroup limits; 0 = none
  uint32_t vcpus = 0;
};

struct ExecutorOptions {
  int64_t kill_grace_ms = 10'000;  // SIGTERM -> SIGKILL on Stop
  // Per-attempt cgroups when the host has them (see the file comment).
  bool cgroups = true;
  std::string cgroup_prefix = "gantry-";  // attempt cgroups are <prefix><attempt id>
  int64_t pids_max = 4096;                // per attempt; 0 = no limit
  // Output kept on disk per attempt, newest first (at least 2 bytes).
  uint64_t max_log_bytes_per_attempt = uint64_t{64} << 20;
  // The gantry binary whose `sandbox-exec` starts each attempt when it has
  // cgroups to join or isolation to apply (sandbox_exec.h); the agent gives
  // /proc/self/exe. Empty: cgroups are joined through a /bin/sh shim, and
  // an attempt asking for isolation fails to start.
  std::string gantry_binary;
  // Applied to every attempt; the scratch is chowned to `isolation.user`.
  IsolationOptions isolation;
};

class Executor {
 public:
  using FinishedFn = std::function<void(Outcome)>;

  // Makes this process a child subreaper (process-wide, see prctl(2)).
  // `loop` must outlive the executor.
  Executor(uv_loop_t* loop, Logger log, ExecutorOptions options);
  // Precondition: size() == 0 (every on_finished has run).
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Creates the sandbox and spawns argv there, stdin from /dev/null. Returns
  // the pid, which is also the process group id. If the sandbox or the spawn
  // fails, returns kUnavailable with the error text and the Outcome says so.
  // Either way `on_finished` runs exactly once, later, on the loop thread,
  // after the processes are gone and the scratch directory is deleted.
  // Precondition: no attempt with this id is in flight here.
  Result<int> Start(LaunchSpec spec, FinishedFn on_finished);

  // SIGTERM to the group, SIGKILL after kill_grace_ms. No-op unless the
  // process runs and has not been stopped yet.
  void Stop(const std::string& attempt_id);
  // SIGTERM to the group and no SIGKILL after it: the caller kills it (Kill)
  // when it decides, e.g. at a reclaim's deadline. Same no-op cases as Stop;
  // a later Stop is a no-op too.
  void Terminate(const std::string& attempt_id);
  // SIGKILL to the group now. No-op unless the process runs.
  void Kill(const std::string& attempt_id);

  // True while the attempt's process runs (its exit not yet seen). Until
  // then its scratch directory is in place and no cleanup touches it.
  bool ProcessRunning(const std::string& attempt_id) const;

  // Attempts whose on_finished has not run yet.
  size_t size() const { return procs_.size(); }

  // True while the in-flight attempt logging into `log_dir` may still write
  // output there (its pipe is not yet drained and closed).
  bool LogOpen(const std::filesystem::path& log_dir) const;
  // The log directories of the attempts whose on_finished has not run yet.
  std::vector<std::filesystem::path> LogDirsInUse() const;

  // True when attempts get cgroups (enabled and the host allows it).
  bool cgroups_enabled() const { return layout_.has_value(); }
  // Kills and removes attempt cgroups left by an earlier run of the agent.
  // Blocks for a few ms per leftover: call before attempts start.
  CgroupSweepResult SweepLeftoverCgroups();

 private:
  struct Proc;
  void Spawn(Proc& p, LaunchSpec& spec, int log_fd);
  void OnExit(Proc& p, int64_t exit_status, int term_signal);
  void ReapGroup(Proc& p);
  Result<int> OpenLog(Proc& p, int log_fd);
  void StartCleanup(Proc& p);
  void DrainLog(Proc& p);
  void RemoveSandbox(Proc& p);
  void AfterCleanup(Proc& p);
  void OnHandleClosed(Proc& p);
  void Signal(Proc& p, int signal);
  void DetectCgroups();
  void RetryStaleCgroups();

  uv_loop_t* loop_;
  Logger log_;
  ExecutorOptions options_;
  std::unordered_map<std::string, std::unique_ptr<Proc>> procs_;
  std::optional<CgroupLayout> layout_;       // set when attempts get cgroups
  std::vector<AttemptCgroup> stale_cgroups_;  // rmdir failed; retried after each attempt
};

}  // namespace gantry::node
