#include "tests/integration/host_probe.h"

#include <fstream>
#include <sstream>

#include "node/disk_quota.h"

namespace gantry::testing {
namespace fs = std::filesystem;

std::string ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<pid_t> ProcessesWith(const std::string& marker) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadWholeFile(it->path() / "cmdline");
    for (char& c : cmdline) c = c == '\0' ? ' ' : c;
    if (cmdline.find(marker) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

std::vector<fs::path> CgroupsWithPrefix(const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::recursive_directory_iterator it("/sys/fs/cgroup", fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 3) {
      it.disable_recursion_pending();
      continue;
    }
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec) && name.starts_with(prefix)) {
      if (!name.ends_with(".agent")) out.push_back(it->path());
      it.disable_recursion_pending();
    }
  }
  return out;
}

std::vector<fs::path> EntriesOf(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    out.push_back(it->path());
  }
  return out;
}

std::vector<fs::path> MountsUnder(const fs::path& root) {
  return node::MountPointsUnder(ReadWholeFile("/proc/self/mountinfo"), root);
}

std::vector<std::string> LoopDevicesUnder(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/sys/block", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string backing = ReadWholeFile(it->path() / "loop" / "backing_file");
    if (!backing.empty() && backing.starts_with(dir.string())) {
      out.push_back("/dev/" + it->path().filename().string());
    }
  }
  return out;
}

}  // namespace gantry::testing
