// What a node's processes left on this machine, read from /proc and /sys:
// the tests and the chaos suite's collection use these to check that jobs,
// scratch filesystems and cgroups are gone. Linux only; reads, never writes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace gantry::testing {

// The whole file; empty if it cannot be read.
std::string ReadWholeFile(const std::filesystem::path& path);

// Pids of processes whose command line holds `marker`.
std::vector<pid_t> ProcessesWith(const std::string& marker);

// Cgroup directories (any controller, at most four levels down) whose name
// starts with `prefix`. An agent's own leaf ("<prefix>….agent", cgroup v2)
// is not an attempt's and is left out.
std::vector<std::filesystem::path> CgroupsWithPrefix(const std::string& prefix);

// Entries of `dir` (none if it does not exist).
std::vector<std::filesystem::path> EntriesOf(const std::filesystem::path& dir);

// Mount points at or below `root`.
std::vector<std::filesystem::path> MountsUnder(const std::filesystem::path& root);

// Loop devices ("/dev/loopN") whose backing file lies below `dir`.
std::vector<std::string> LoopDevicesUnder(const std::filesystem::path& dir);

}  // namespace gantry::testing
