// Per-attempt disk quotas: which method a node uses, how big each attempt's
// scratch filesystem is, and whether the node has disk enough to take work.
// Pure: nothing here touches the system (disk_quota_fs.h does).
//
// Methods, measured on the target machines (shared/research/reliability.md
// §4.7): XFS and ext4 project quotas need a kernel built with quota support,
// which ours lack; a sparse ext4 image on a loop device mounted at the
// scratch directory works everywhere loop devices and mkfs.ext4 exist, so it
// is the one implemented. btrfs qgroups would need btrfs-progs and one pool
// per node; not implemented. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"

namespace gantry::node {

enum class DiskQuotaMethod : uint8_t {
  kNone,      // no limit: the scratch directory is a plain directory
  kLoopExt4,  // each scratch directory is its own ext4 on a loop device
  // A plain directory whose usage the agent measures every heartbeat,
  // stopping the attempt once it holds more than the job asked for. Not a
  // hard limit (the job can overshoot between two measurements), so only
  // the fallback where loop-ext4 cannot work.
  kWatch,
};

// "none", "loop-ext4", "watch".
std::string_view DiskQuotaMethodName(DiskQuotaMethod method);

// What --job-disk-quota asks for.
enum class DiskQuotaMode : uint8_t {
  kAuto,      // loop-ext4 if the start-up probe passes, else watch
  kNone,      // never limit (the scheduler then sends only jobs asking for no disk)
  kLoopExt4,  // loop-ext4 or refuse to start
  kWatch,     // watch, even where loop-ext4 would work
};

// Parses "auto", "none", "loop-ext4" or "watch"; kInvalidArgument naming the
// flag otherwise.
Result<DiskQuotaMode> ParseDiskQuotaMode(std::string_view text);

// The method a node settled on at start, and why (including why the others
// were not chosen), for logs and `gantry nodes`.
struct DiskQuotaChoice {
  DiskQuotaMethod method = DiskQuotaMethod::kNone;
  std::string reason;
};

// The size of an attempt's scratch filesystem: the job's request, or the
// node's default when the job asked for 0.
uint64_t JobDiskMib(uint64_t requested_mib, uint64_t default_mib);

// Whether the node should take new work given the free space under its data
// directory. `reason` is empty when it should, else says why, e.g. "free
// disk 800 MiB is below the 1024 MiB threshold".
struct FreeDiskVerdict {
  bool accept_work = true;
  std::string reason;
};
FreeDiskVerdict CheckFreeDisk(uint64_t free_mib, uint64_t min_free_mib);

// Where the images of scratch filesystems live: DATA/scratch-images, beside
// (not under) DATA/scratch, so a mount point and its image never share a
// directory that one sweep deletes.
std::filesystem::path ScratchImageRoot(const std::filesystem::path& data_dir);

// The image file for the scratch directory named `scratch_name`.
std::filesystem::path ScratchImagePath(const std::filesystem::path& data_dir,
                                       std::string_view scratch_name);

// The mount points listed in `mountinfo` (the text of /proc/self/mountinfo)
// that are `root` or below it, deepest first (the order to unmount them in).
// Octal escapes ("\040" for a space) are decoded. Malformed lines are
// skipped.
std::vector<std::filesystem::path> MountPointsUnder(std::string_view mountinfo,
                                                    const std::filesystem::path& root);

// The file a loop device reads, as /sys/block/loopN/loop/backing_file shows
// it: trailing newline and a " (deleted)" suffix (the file was unlinked
// while attached) removed.
std::filesystem::path ParseBackingFile(std::string_view text);

}  // namespace gantry::node
