#include "node/sandbox_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>

#include "node/disk_quota_fs.h"

namespace gantry::node {
namespace fs = std::filesystem;

namespace {

Status FsError(std::string_view what, const fs::path& path, const std::error_code& ec) {
  return Status::Unavailable(std::string(what) + " " + path.string() + ": " + ec.message());
}

// Gives the owner rwx on every directory below `root`, so a tree the job made
// read-only can be emptied. Symlinks are not followed.
void MakeDirsWritable(const fs::path& root) {
  std::error_code ec;
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::add | fs::perm_options::nofollow,
                  ec);
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;
    if (it->is_directory(entry_ec) && !it->is_symlink(entry_ec)) {
      fs::permissions(it->path(), fs::perms::owner_all,
                      fs::perm_options::add | fs::perm_options::nofollow, entry_ec);
    }
  }
}

}  // namespace

Result<int> PrepareSandbox(const SandboxPaths& paths) {
  std::error_code ec;
  fs::create_directories(paths.scratch_dir, ec);
  if (ec) return FsError("create", paths.scratch_dir, ec);
  if (paths.scratch_disk_mib > 0) {
    Status s = CreateScratchFilesystem(paths.scratch_image, paths.scratch_dir,
                                       paths.scratch_disk_mib);
    if (!s.ok()) return s.WithContext("scratch filesystem");
  }
  fs::create_directories(paths.log_dir, ec);
  if (ec) return FsError("create", paths.log_dir, ec);
  int fd = ::open(paths.log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    return FsError("open", paths.log_file, std::error_code(errno, std::generic_category()));
  return fd;
}

Status RemoveTree(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (!ec) return Status::Ok();
  // Directories without write or search permission cannot be emptied; the
  // job may have made them so (chmod -R a-w). Open them up and try again.
  MakeDirsWritable(path);
  ec.clear();
  fs::remove_all(path, ec);
  if (ec) return FsError("remove", path, ec);
  return Status::Ok();
}

namespace {

std::mutex pending_mu;
std::vector<ScratchCleanupFailure>& Pending() {
  static auto* pending = new std::vector<ScratchCleanupFailure>;  // never destroyed
  return *pending;
}

Status TryRemoveScratch(const SandboxPaths& paths) {
  if (!paths.scratch_image.empty()) {
    Status s = RemoveScratchFilesystem(paths.scratch_image, paths.scratch_dir);
    if (!s.ok()) s = RemoveScratchFilesystem(paths.scratch_image, paths.scratch_dir);
    if (!s.ok()) return s;
  }
  // Deleting through a mount that would not come off would empty a
  // filesystem nobody then frees; leave it for the retry.
  if (IsMountPoint(paths.scratch_dir)) {
    return Status::Unavailable("scratch " + paths.scratch_dir.string() + " is still mounted");
  }
  return RemoveTree(paths.scratch_dir);
}

}  // namespace

Status RemoveScratch(const SandboxPaths& paths) {
  Status s = TryRemoveScratch(paths);
  if (!s.ok()) {
    std::lock_guard lock(pending_mu);
    auto& pending = Pending();
    auto it = std::find_if(pending.begin(), pending.end(), [&](const ScratchCleanupFailure& f) {
      return f.paths.scratch_dir == paths.scratch_dir;
    });
    if (it == pending.end()) {
      pending.push_back({paths, s.message()});
    } else {
      it->error = s.message();
    }
  }
  return s;
}

std::vector<ScratchCleanupFailure> PendingScratchCleanups() {
  std::lock_guard lock(pending_mu);
  return Pending();
}

PendingCleanupSummary SummarizePendingCleanups(const std::vector<ScratchCleanupFailure>& pending) {
  PendingCleanupSummary s;
  if (pending.empty()) return s;
  for (const auto& p : pending) s.held_mib += std::max(p.paths.scratch_disk_mib, p.paths.watched_disk_mib);
  s.text = std::to_string(pending.size()) + (pending.size() == 1 ? " scratch cleanup" : " scratch cleanups") +
           " pending, " + std::to_string(s.held_mib) + " MiB held: " + pending.back().error;
  if (s.text.size() > 512) s.text.resize(512);
  return s;
}

size_t RetryPendingScratchCleanups() {
  // Retried outside the lock: removal may wait on a loop device.
  for (const auto& failure : PendingScratchCleanups()) {
    Status s = TryRemoveScratch(failure.paths);
    std::lock_guard lock(pending_mu);
    auto& pending = Pending();
    auto it = std::find_if(pending.begin(), pending.end(), [&](const ScratchCleanupFailure& f) {
      return f.paths.scratch_dir == failure.paths.scratch_dir;
    });
    if (it == pending.end()) continue;
    if (s.ok()) {
      pending.erase(it);
    } else {
      it->error = s.message();
    }
  }
  std::lock_guard lock(pending_mu);
  return Pending().size();
}

SweepResult SweepScratch(const fs::path& data_dir) {
  SweepResult result;
  const fs::path root = ScratchRoot(data_dir);
  MountSweepResult mounts = SweepScratchMounts(data_dir);
  result.unmounted = std::move(mounts.unmounted);
  result.detached_loops = std::move(mounts.detached);
  result.removed_images = std::move(mounts.removed);
  result.status = mounts.status;
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    if (result.status.ok()) result.status = FsError("create", root, ec);
    return result;
  }
  fs::directory_iterator it(root, ec);
  std::vector<fs::path> entries;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) entries.push_back(it->path());
  if (ec && result.status.ok()) result.status = FsError("list", root, ec);
  for (const auto& entry : entries) {
    // One whose unmount failed above stays; its error is already reported.
    if (IsMountPoint(entry)) continue;
    Status s = RemoveTree(entry);
    if (s.ok()) {
      result.removed.push_back(entry.filename().string());
    } else if (result.status.ok()) {
      result.status = s;
    }
  }
  return result;
}

}  // namespace gantry::node
