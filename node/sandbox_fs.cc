#include "node/sandbox_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

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

SweepResult SweepScratch(const fs::path& data_dir) {
  SweepResult result;
  const fs::path root = ScratchRoot(data_dir);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    result.status = FsError("create", root, ec);
    return result;
  }
  fs::directory_iterator it(root, ec);
  std::vector<fs::path> entries;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) entries.push_back(it->path());
  if (ec) result.status = FsError("list", root, ec);
  for (const auto& entry : entries) {
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
