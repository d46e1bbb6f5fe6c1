// The syscall edge of disk_quota.h: per-attempt ext4 images on loop devices.
//
//   create:   truncate IMAGE (sparse) -> mkfs.ext4 -> LOOP_CTL_GET_FREE +
//             LOOP_CONFIGURE (autoclear) -> mount(2) at the scratch dir
//   remove:   umount2 (MNT_DETACH if busy) -> wait for autoclear, else
//             LOOP_CLR_FD -> unlink IMAGE
//   sweep:    the same for every mount under DATA/scratch and every loop
//             device backed by a file under DATA/scratch-images
//
// Needs root (CAP_SYS_ADMIN), /dev/loop-control and mkfs.ext4 (e2fsprogs).
// Removal assumes the attempt's processes are gone: a process still holding
// a file in the filesystem keeps the loop device attached, which removal
// reports as an error instead of waiting. Every call blocks (mkfs forks,
// removal waits up to ~1 s for the loop device to clear): run them on a
// worker thread or at start-up. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "node/disk_quota.h"

namespace gantry::node {

// Makes `mount_point` (created if missing) an ext4 filesystem of `size_mib`
// MiB backed by the sparse file `image` (its parent is created if missing).
// kInvalidArgument if size_mib is under 1 MiB or over 16 TiB; kUnavailable
// naming the failed step otherwise, after undoing the steps that succeeded.
Status CreateScratchFilesystem(const std::filesystem::path& image,
                               const std::filesystem::path& mount_point, uint64_t size_mib);

// Undoes CreateScratchFilesystem, whichever steps of it happened: unmounts
// `mount_point` if something is mounted there, detaches loop devices backed
// by `image` and deletes `image`. Leaves the (now empty) mount point
// directory. Missing pieces are fine. kUnavailable with the first failure;
// every step is still tried.
Status RemoveScratchFilesystem(const std::filesystem::path& image,
                               const std::filesystem::path& mount_point);

// True if `path` is a mount point per /proc/self/mountinfo.
bool IsMountPoint(const std::filesystem::path& path);

// "/dev/loopN" for each attached loop device whose backing file is `image`
// or, if `image` is a directory, any file below it.
std::vector<std::string> LoopDevicesBackedBy(const std::filesystem::path& image);

// Unmounts everything mounted at or below ScratchRoot(data_dir), detaches
// every loop device backed by a file under ScratchImageRoot(data_dir) and
// deletes those files: what a crashed agent left. Keeps going past
// failures. Does not delete the scratch directories (SweepScratch does).
struct MountSweepResult {
  std::vector<std::string> unmounted;  // mount points
  std::vector<std::string> detached;   // loop devices
  std::vector<std::string> removed;    // image files
  Status status;                       // the first error
};
MountSweepResult SweepScratchMounts(const std::filesystem::path& data_dir);

// Settles the node's method once at start by trying it for real: makes a
// tiny loop-ext4 scratch under `data_dir`, writes past its size expecting
// ENOSPC, and removes it. kNone needs no probe. With kAuto a failed probe
// gives kNone and the reason; with kLoopExt4 it is kUnavailable, as the
// operator asked for a limit the node cannot give.
Result<DiskQuotaChoice> ChooseDiskQuota(const std::filesystem::path& data_dir, DiskQuotaMode mode);

// Runs the loop-ext4 probe alone; Ok if the method works here.
Status ProbeLoopExt4(const std::filesystem::path& data_dir);

}  // namespace gantry::node
