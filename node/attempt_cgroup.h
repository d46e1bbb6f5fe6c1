// One attempt's cgroups: made before its process runs, limits written, every
// process in them killed when it ends, then removed. Also the detection of
// the agent's own cgroups (reads /proc/self) and the start-up sweep of
// leftovers. This is the syscall edge of cgroup_hierarchy.h.
//
//   Create ──> (the shim joins each cgroup.procs, then execs the job)
//          ──> KillAll (v2: cgroup.kill; v1: freeze, SIGKILL each pid, thaw,
//              until cgroup.procs is empty everywhere) ──> OomKilled ──> Remove
//
// Blocking calls (KillAll, Remove, the sweep wait for the kernel, a few ms):
// run them off the event loop. Thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "node/cgroup_hierarchy.h"

namespace gantry::node {

// Reads /proc/self/cgroup, /proc/self/mountinfo and the v2 own
// cgroup.controllers, and drops (with a reason in `unavailable`) places whose
// own directory this process cannot write (not root, not delegated).
// kUnavailable if /proc cannot be read or parsed.
Result<CgroupLayout> DetectCgroupLayout();

// 0 means "no limit" for each.
struct CgroupLimits {
  uint64_t memory_bytes = 0;
  uint32_t vcpus = 0;
  int64_t pids_max = 0;
};

class AttemptCgroup {
 public:
  // Makes directory `name` under each of the layout's places (one directory
  // for the places v2 shares) and writes `limits`. On failure removes what it
  // made and returns kUnavailable naming the file. A leftover directory of
  // the same name is an error (kConflict): the sweep owns leftovers.
  static Result<AttemptCgroup> Create(const CgroupLayout& layout, const std::string& name,
                                      const CgroupLimits& limits);
  // The existing directories named `name` under the layout's places.
  static AttemptCgroup Existing(const CgroupLayout& layout, const std::string& name);

  const std::string& name() const { return name_; }
  // Every directory; after Remove, the ones that could not be removed.
  const std::vector<std::filesystem::path>& dirs() const { return dirs_; }
  // The cgroup.procs files a process writes its pid to, to join.
  std::vector<std::string> ProcsFiles() const;

  // SIGKILLs every process in the cgroups until none is left. Returns the
  // pids it signalled (for the caller to reap its children among them), or
  // kUnavailable if processes are still there after ~5 s.
  Result<std::vector<int>> KillAll();

  // True when the memory limit killed a process: oom_kill > 0 (v1
  // memory.oom_control, v2 memory.events), or, on v1 kernels without that
  // counter, memory.failcnt > 0 and `sigkilled` (the job died of SIGKILL).
  bool OomKilled(bool sigkilled) const;

  // rmdir of each directory, retried a few times while the kernel still
  // holds it. Directories that remain stay in dirs() for a later retry;
  // returns the first error.
  Status Remove();

 private:
  AttemptCgroup(std::string name, const CgroupLayout& layout);
  std::filesystem::path DirFor(const std::optional<CgroupPlace>& place) const;

  std::string name_;
  CgroupLayout layout_;
  std::vector<std::filesystem::path> dirs_;
};

struct CgroupSweepResult {
  std::vector<std::string> removed;  // names of the leftover cgroups removed
  Status status;                     // the first failure; the sweep goes on past it
};

// Kills the processes of every directory named `prefix`* under the layout's
// places and removes it: attempts of an agent that crashed.
CgroupSweepResult SweepAttemptCgroups(const CgroupLayout& layout, std::string_view prefix);

// cgroup v2's "no internal processes" rule: a cgroup can hand controllers to
// children only while it holds no process itself (the root excepted). A
// delegated cgroup (systemd's Delegate=yes) starts out holding the agent, so
// on v2 this enables memory, cpu and pids for the own cgroup's children and,
// if the kernel refuses, moves process `pid` (the agent, all its threads)
// into the leaf `leaf_name` beside the attempts' cgroups and tries again.
// `leaf_name` must not start with the sweep's prefix. `write` writes a
// control file (WriteCgroupFile in production; tests fake the kernel).
// No-op without v2 places. kUnavailable naming the file if it still fails
// (e.g. other processes share the cgroup).
using CgroupFileWriter = std::function<Status(const std::filesystem::path& file, const std::string& text)>;
Status DelegateV2Controllers(const CgroupLayout& layout, const std::string& leaf_name, int pid,
                             const CgroupFileWriter& write);

// Writes `text` to the control file `file` in one write(2).
Status WriteCgroupFile(const std::filesystem::path& file, const std::string& text);

// Waits (up to ~2 s) for each of `pids` that is or becomes this process's
// child to be reaped, so killed orphans do not stay zombies.
void ReapKilled(const std::vector<int>& pids);

}  // namespace gantry::node
