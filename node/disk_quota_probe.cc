// ChooseDiskQuota and its probe (disk_quota_fs.h): tried once at start so a
// node never promises a limit it cannot keep.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "node/disk_quota_fs.h"
#include "node/sandbox.h"

namespace gantry::node {
namespace fs = std::filesystem;

namespace {

// No attempt's scratch name starts with '.', so the probe never meets one.
constexpr std::string_view kProbeName = ".quota-probe";
constexpr uint64_t kProbeMib = 16;

constexpr std::string_view kOthers =
    "btrfs-qgroup: not implemented; xfs/ext4 project quotas: not used (they need a kernel built "
    "with quota support, which the machines measured lack)";

// Writes 1 MiB blocks to `file` until the filesystem is full; Ok only if it
// reports ENOSPC before 4x its size was written.
Status FillUntilFull(const fs::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("create " + file.string() + ": " + std::strerror(errno));
  std::vector<char> block(1 << 20, 'x');
  Status result = Status::Unavailable("no ENOSPC after writing " + std::to_string(4 * kProbeMib) +
                                      " MiB into a " + std::to_string(kProbeMib) + " MiB scratch");
  for (uint64_t i = 0; i < 4 * kProbeMib; ++i) {
    ssize_t n = ::write(fd, block.data(), block.size());
    if (n < 0 && errno == ENOSPC) {
      result = Status::Ok();
      break;
    }
    if (n < 0) {
      result = Status::Unavailable("write " + file.string() + ": " + std::strerror(errno));
      break;
    }
  }
  ::close(fd);
  return result;
}

}  // namespace

Status ProbeLoopExt4(const fs::path& data_dir) {
  if (::geteuid() != 0) return Status::Unavailable("the agent is not root (mount needs it)");
  if (::access("/dev/loop-control", R_OK | W_OK) != 0) {
    return Status::Unavailable(std::string("/dev/loop-control: ") + std::strerror(errno));
  }
  const fs::path image = ScratchImagePath(data_dir, kProbeName);
  const fs::path mount_point = ScratchRoot(data_dir) / kProbeName;
  Status s = RemoveScratchFilesystem(image, mount_point);  // an earlier probe's, if it crashed
  if (s.ok()) s = CreateScratchFilesystem(image, mount_point, kProbeMib);
  if (s.ok()) s = FillUntilFull(mount_point / "fill");
  Status removed = RemoveScratchFilesystem(image, mount_point);
  std::error_code ec;
  fs::remove_all(mount_point, ec);
  if (!s.ok()) return s;
  if (!removed.ok()) return removed.WithContext("remove the probe's scratch");
  if (IsMountPoint(mount_point) || !LoopDevicesBackedBy(image).empty()) {
    return Status::Unavailable("the probe's scratch outlived its removal");
  }
  return Status::Ok();
}

Result<DiskQuotaChoice> ChooseDiskQuota(const fs::path& data_dir, DiskQuotaMode mode) {
  if (mode == DiskQuotaMode::kNone) {
    return DiskQuotaChoice{DiskQuotaMethod::kNone,
                           "disabled by --job-disk-quota=none; job disk is not limited, so this node "
                           "takes only jobs that ask for no disk"};
  }
  if (mode == DiskQuotaMode::kWatch) {
    return DiskQuotaChoice{DiskQuotaMethod::kWatch,
                           "chosen by --job-disk-quota=watch; scratch usage measured every heartbeat"};
  }
  Status probe = ProbeLoopExt4(data_dir);
  if (probe.ok()) {
    return DiskQuotaChoice{DiskQuotaMethod::kLoopExt4,
                           "loop-ext4: probe passed; " + std::string(kOthers)};
  }
  if (mode == DiskQuotaMode::kLoopExt4) {
    return probe.WithContext("--job-disk-quota=loop-ext4: probe failed");
  }
  return DiskQuotaChoice{DiskQuotaMethod::kWatch, "loop-ext4: probe failed: " + probe.message() +
                                                      "; " + std::string(kOthers) +
                                                      "; scratch usage measured every heartbeat instead"};
}

}  // namespace gantry::node
