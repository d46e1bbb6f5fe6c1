// Small I/O helpers under the chaos topology: listing named network
// namespaces, killing what still runs inside them, and the lock files that
// tell a live run from the leftovers of an interrupted one.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "gantry/status.h"

namespace gantry::chaos::net {

// Lock files live here (tmpfs: gone after a reboot, like the namespaces).
inline constexpr const char* kLockDir = "/run/gantry-chaos-net";

// The names under /run/netns (what `ip netns list` prints), sorted. Empty if
// the directory does not exist. kInternal if it cannot be read.
Result<std::vector<std::string>> ListNamespaces();

// SIGKILLs every process whose network namespace is one of `namespaces`
// (looked up under /run/netns; missing ones are skipped), never this
// process, and waits up to `wait` until none is left (zombies do not
// count). Returns how many were killed; kUnavailable if some survived.
// Threads of other processes that entered a namespace with setns() are not
// seen; only a process's main thread is checked.
Result<int> KillProcessesIn(const std::vector<std::string>& namespaces,
                            std::chrono::milliseconds wait = std::chrono::seconds(2));

// An exclusive flock(2) on a file under kLockDir, released when this object
// dies (or the process does: that is the point). Move-only.
class FileLock {
 public:
  // Creates kLockDir and the file if needed. blocking=false returns
  // kConflict at once if another holder has it. kInternal on I/O errors.
  static Result<FileLock> Acquire(const std::string& name, bool blocking);
  // Whether a live holder has `name` locked. False if the file is absent.
  // Never blocks.
  static bool IsHeld(const std::string& name);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  // Releases the lock and keeps the file. Idempotent.
  void Release();
  // Unlinks the file while still holding it, then releases. Idempotent.
  void RemoveAndRelease();

 private:
  FileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace gantry::chaos::net
