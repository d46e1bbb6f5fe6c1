// Where this process's cgroups are, and which limits the agent can enforce
// through them. Pure: the caller reads /proc/self/cgroup, /proc/self/mountinfo
// and (for cgroup v2) the own cgroup's cgroup.controllers, and passes the text.
//
// Two layouts exist in the wild:
//   v1 (and hybrid): one hierarchy per controller, e.g.
//        /proc/self/cgroup  "4:memory:/process_api/5a4f"
//        mountinfo          "... /sys/fs/cgroup/memory ... - cgroup cgroup rw,memory"
//      plus, on hybrid hosts, a cgroup2 mount (often /sys/fs/cgroup/unified)
//      that holds no resource controller.
//   v2 (unified): one hierarchy, "0::/system.slice/gantry.service", mounted
//      at /sys/fs/cgroup with the controllers listed in cgroup.controllers.
// A controller bound to a v1 hierarchy is not available in v2, so each of
// memory, cpu, pids and freezer is found in at most one place. Attempts'
// cgroups are made as children of the process's own cgroup there: the limits
// of whoever started the agent keep applying to its jobs.
// Thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"

namespace gantry::node {

// One line of /proc/self/cgroup: "<id>:<controllers>:<path>".
struct ProcCgroupEntry {
  int hierarchy_id = 0;
  std::vector<std::string> controllers;  // empty for the v2 line ("0::/")
  std::string path;                      // the process's cgroup, from the hierarchy root
};

// One cgroup or cgroup2 line of /proc/self/mountinfo.
struct CgroupMount {
  bool v2 = false;
  std::filesystem::path mount_point;
  std::string root;                      // the hierarchy path mounted there (field 4)
  std::vector<std::string> controllers;  // v1: from the super options; v2: empty
};

// kInvalidArgument naming the line if it is not "<id>:<list>:<path>".
Result<std::vector<ProcCgroupEntry>> ParseProcCgroup(std::string_view text);
// The cgroup and cgroup2 mounts, in order; other lines are skipped.
// kInvalidArgument naming the line if a cgroup line is malformed.
Result<std::vector<CgroupMount>> ParseCgroupMounts(std::string_view mountinfo);

enum class CgroupVersion : uint8_t { kV1, kV2 };

// Where one controller is enforced for children of the own cgroup.
struct CgroupPlace {
  CgroupVersion version = CgroupVersion::kV1;
  std::filesystem::path own_dir;  // e.g. /sys/fs/cgroup/memory/process_api/5a4f
};

struct CgroupLayout {
  std::optional<CgroupPlace> memory;
  std::optional<CgroupPlace> cpu;
  std::optional<CgroupPlace> pids;
  std::optional<CgroupPlace> freezer;  // v1 only; v2 kills with cgroup.kill
  // The own cgroup in the v2 hierarchy, mounted, whatever its controllers.
  std::optional<std::filesystem::path> unified_own_dir;
  // One line per limit that cannot be enforced, saying why, e.g.
  // "pids: no v1 hierarchy and cgroup v2 has no pids controller".
  std::vector<std::string> unavailable;
};

// The v2 own directory (mount point + own path), for the caller to read its
// cgroup.controllers before ResolveCgroupLayout; none when no cgroup2
// mount shows the own cgroup.
std::optional<std::filesystem::path> UnifiedOwnDir(const std::vector<ProcCgroupEntry>& entries,
                                                   const std::vector<CgroupMount>& mounts);

// Puts the pieces together. `v2_controllers` is the content of the v2 own
// dir's cgroup.controllers ("" when there is none). Never fails: what is
// missing lands in `unavailable`.
CgroupLayout ResolveCgroupLayout(const std::vector<ProcCgroupEntry>& entries,
                                 const std::vector<CgroupMount>& mounts,
                                 std::string_view v2_controllers);

// The prefix of one agent's attempt cgroups: "gantry-<8 hex digits>-", the
// digits a hash (FNV-1a) of its data directory. Agents share the cgroup
// hierarchies of their machine (several run on one in tests and in `gantry
// dev`), and each sweeps only its own leftovers.
std::string AgentCgroupPrefix(std::string_view data_dir);

// The attempt cgroup's directory name: `prefix` + attempt id, ':' as '.'
// (kept apart from the separator of the cgroup files' own syntax).
std::string AttemptCgroupName(std::string_view prefix, std::string_view attempt_id);

}  // namespace gantry::node
