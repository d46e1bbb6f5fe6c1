#include "node/disk_quota.h"

#include <algorithm>

namespace gantry::node {
namespace fs = std::filesystem;

namespace {

// mountinfo escapes ' ', '\t', '\n' and '\\' as a backslash and three octal
// digits.
std::string DecodeOctalEscapes(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() &&
        std::all_of(field.begin() + static_cast<long>(i) + 1,
                    field.begin() + static_cast<long>(i) + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

// The `n`th space-separated field of `line` (0-based), or empty.
std::string_view Field(std::string_view line, int n) {
  size_t pos = 0;
  for (int i = 0; i < n; ++i) {
    pos = line.find(' ', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  size_t end = line.find(' ', pos);
  return line.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
}

bool IsAtOrBelow(const fs::path& path, const fs::path& root) {
  auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  (void)path_it;  // only whether all of root matched matters
  return root_end == root.end();
}

}  // namespace

std::string_view DiskQuotaMethodName(DiskQuotaMethod method) {
  switch (method) {
    case DiskQuotaMethod::kNone:
      return "none";
    case DiskQuotaMethod::kLoopExt4:
      return "loop-ext4";
    case DiskQuotaMethod::kWatch:
      return "watch";
  }
  return "unknown";
}

Result<DiskQuotaMode> ParseDiskQuotaMode(std::string_view text) {
  if (text == "auto") return DiskQuotaMode::kAuto;
  if (text == "none") return DiskQuotaMode::kNone;
  if (text == "loop-ext4") return DiskQuotaMode::kLoopExt4;
  if (text == "watch") return DiskQuotaMode::kWatch;
  return Status::InvalidArgument("--job-disk-quota: \"" + std::string(text.substr(0, 64)) +
                                 "\" is not auto, none, loop-ext4 or watch");
}

uint64_t JobDiskMib(uint64_t requested_mib, uint64_t default_mib) {
  return requested_mib != 0 ? requested_mib : default_mib;
}

FreeDiskVerdict CheckFreeDisk(uint64_t free_mib, uint64_t min_free_mib) {
  if (free_mib >= min_free_mib) return {};
  return {.accept_work = false,
          .reason = "free disk " + std::to_string(free_mib) + " MiB is below the " +
                    std::to_string(min_free_mib) + " MiB threshold"};
}

fs::path ScratchImageRoot(const fs::path& data_dir) { return data_dir / "scratch-images"; }

fs::path ScratchImagePath(const fs::path& data_dir, std::string_view scratch_name) {
  return ScratchImageRoot(data_dir) / (std::string(scratch_name) + ".img");
}

std::vector<fs::path> MountPointsUnder(std::string_view mountinfo, const fs::path& root) {
  fs::path clean_root = root.lexically_normal();
  if (!clean_root.has_filename()) clean_root = clean_root.parent_path();  // "/a/b/" -> "/a/b"
  std::vector<fs::path> out;
  size_t pos = 0;
  while (pos < mountinfo.size()) {
    size_t end = mountinfo.find('\n', pos);
    if (end == std::string_view::npos) end = mountinfo.size();
    std::string_view line = mountinfo.substr(pos, end - pos);
    pos = end + 1;
    // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw"
    std::string_view mount_point = Field(line, 4);
    if (mount_point.empty() || mount_point.front() != '/') continue;
    fs::path path = fs::path(DecodeOctalEscapes(mount_point)).lexically_normal();
    if (IsAtOrBelow(path, clean_root)) out.push_back(std::move(path));
  }
  // Deeper paths have more components; unmount children before parents.
  auto depth = [](const fs::path& p) { return std::distance(p.begin(), p.end()); };
  std::sort(out.begin(), out.end(), [&](const fs::path& a, const fs::path& b) {
    return depth(a) != depth(b) ? depth(a) > depth(b) : a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

fs::path ParseBackingFile(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  constexpr std::string_view kDeleted = " (deleted)";
  if (text.ends_with(kDeleted)) text.remove_suffix(kDeleted.size());
  return fs::path(std::string(text));
}

}  // namespace gantry::node
