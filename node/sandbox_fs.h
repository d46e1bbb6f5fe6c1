// Sandbox file operations: the syscall edge of sandbox.h's layout.
//
// These block on the file system. PrepareSandbox is a few mkdirs and an open,
// cheap enough for the loop thread; RemoveTree and SweepScratch may walk big
// trees and belong on a worker thread (or at start-up, before the loop runs).
// Thread-safe (each call works on its own paths).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "node/sandbox.h"

namespace gantry::node {

// Creates the scratch and log directories and creates (truncating) the log
// file. With paths.scratch_disk_mib set, the scratch directory becomes an
// ext4 filesystem of that size (disk_quota_fs.h; ~20 ms and a fork of
// mkfs.ext4), so a job writing past it gets ENOSPC; RemoveScratch undoes it. Returns the log file's descriptor, opened for writing with
// O_CLOEXEC; the caller owns it. kUnavailable on any file system error, with
// the path and the system's error text.
Result<int> PrepareSandbox(const SandboxPaths& paths);

// Deletes `path` and everything below it without following symlinks. A tree
// the job made read-only is made writable first. A missing path is fine.
// kUnavailable with the first error if something could not be removed.
Status RemoveTree(const std::filesystem::path& path);

// Deletes the attempt's scratch once its processes are gone: unmounts and
// detaches its filesystem if it has one (retrying once), deletes the image,
// then the directory. A directory still mounted is left alone. On failure
// the scratch is kept on the pending list (PendingScratchCleanups) for
// RetryPendingScratchCleanups and the error returned. Blocks: worker thread.
Status RemoveScratch(const SandboxPaths& paths);

// Scratch cleanups that failed and are not yet retried successfully, for the
// agent to show. Thread-safe.
struct ScratchCleanupFailure {
  SandboxPaths paths;
  std::string error;  // the latest
};
std::vector<ScratchCleanupFailure> PendingScratchCleanups();

// What pending cleanups hold and how the node says so: the MiB of the
// requests whose scratch is not yet gone (a loop-ext4 image's size, a
// watched directory's limit), and "N scratch cleanup(s) pending, M MiB held:
// <latest error>" cut to 512 bytes; empty text when none is pending. Pure.
struct PendingCleanupSummary {
  uint64_t held_mib = 0;
  std::string text;
};
PendingCleanupSummary SummarizePendingCleanups(const std::vector<ScratchCleanupFailure>& pending);

// Retries every pending cleanup once and drops the ones that now succeed.
// Returns how many remain. Blocks: worker thread.
size_t RetryPendingScratchCleanups();

// Clears what an earlier run left (the agent crashed before its cleanup):
// unmounts every filesystem below DATA/scratch, detaches loop devices backed
// by DATA/scratch-images/*, deletes the images (SweepScratchMounts), then
// deletes every entry of DATA/scratch. Creates DATA/scratch if missing.
// Keeps going past an entry it cannot delete. Run it before the agent
// registers, when no attempt of this agent runs.
struct SweepResult {
  std::vector<std::string> removed;  // scratch directory names
  std::vector<std::string> unmounted;
  std::vector<std::string> detached_loops;
  std::vector<std::string> removed_images;
  Status status;  // the first error; every entry was still tried
};
SweepResult SweepScratch(const std::filesystem::path& data_dir);

}  // namespace gantry::node
