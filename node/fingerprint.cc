#include "node/fingerprint.h"

#include <sched.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace gantry::node {

Result<uint64_t> ParseMemTotalMib(std::string_view meminfo) {
  constexpr std::string_view kKey = "MemTotal:";
  size_t pos = 0;
  while (pos < meminfo.size()) {
    size_t end = meminfo.find('\n', pos);
    if (end == std::string_view::npos) end = meminfo.size();
    std::string_view line = meminfo.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(kKey)) continue;
    line.remove_prefix(kKey.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    uint64_t kib = 0;
    auto [rest, ec] = std::from_chars(line.data(), line.data() + line.size(), kib);
    std::string_view unit(rest, static_cast<size_t>(line.data() + line.size() - rest));
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    if (ec != std::errc() || !unit.starts_with("kB")) {
      return Status::InvalidArgument("malformed MemTotal line in /proc/meminfo");
    }
    return kib / 1024;
  }
  return Status::InvalidArgument("no MemTotal line in /proc/meminfo");
}

uint32_t FingerprintVcpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<uint32_t>(n);
  }
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

Result<uint64_t> FingerprintMemoryMib() {
  std::ifstream in("/proc/meminfo");
  if (!in) return Status::Unavailable("cannot read /proc/meminfo");
  std::ostringstream text;
  text << in.rdbuf();
  Result<uint64_t> mib = ParseMemTotalMib(text.str());
  if (!mib.ok()) return Status::Unavailable(mib.status().message());
  return mib;
}

Result<uint64_t> FingerprintDiskMib(const std::filesystem::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) {
    return Status::Unavailable("statvfs " + dir.string() + ": " + std::strerror(errno));
  }
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize / (1024 * 1024);
}

}  // namespace gantry::node
