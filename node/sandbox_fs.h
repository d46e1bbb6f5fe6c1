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
// file. Returns the log file's descriptor, opened for writing with
// O_CLOEXEC; the caller owns it. kUnavailable on any file system error, with
// the path and the system's error text.
Result<int> PrepareSandbox(const SandboxPaths& paths);

// Deletes `path` and everything below it without following symlinks. A tree
// the job made read-only is made writable first. A missing path is fine.
// kUnavailable with the first error if something could not be removed.
Status RemoveTree(const std::filesystem::path& path);

// Deletes every entry of DATA/scratch left by an earlier run (the agent
// crashed before its cleanup) and creates DATA/scratch if missing. Keeps
// going past an entry it cannot delete.
struct SweepResult {
  std::vector<std::string> removed;
  Status status;  // the first error; every entry was still tried
};
SweepResult SweepScratch(const std::filesystem::path& data_dir);

}  // namespace gantry::node
