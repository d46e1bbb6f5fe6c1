#include "node/cgroup_hierarchy.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace gantry::node {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::string_view line : Split(text, '\n')) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int value = 0;
      auto [ptr, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 4, value, 8);
      if (ec == std::errc() && ptr == s.data() + i + 4) {
        out.push_back(static_cast<char>(value));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The directory of `own_path` (from /proc/self/cgroup) under `mount`, or none
// when the mount shows another part of the hierarchy.
std::optional<std::filesystem::path> OwnDirUnder(const CgroupMount& mount,
                                                 std::string_view own_path) {
  std::string_view root = mount.root;
  if (root == "/") root = "";
  if (!own_path.starts_with(root)) return std::nullopt;
  std::string_view rest = own_path.substr(root.size());
  if (!rest.empty() && rest.front() != '/') return std::nullopt;  // "/a" is not under "/ab"
  std::filesystem::path dir = mount.mount_point;
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (!rest.empty()) dir /= std::string(rest);
  return dir;
}

}  // namespace

Result<std::vector<ProcCgroupEntry>> ParseProcCgroup(std::string_view text) {
  std::vector<ProcCgroupEntry> entries;
  for (std::string_view line : Lines(text)) {
    size_t first = line.find(':');
    size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) {
      return Status::InvalidArgument("cgroup line is not <id>:<controllers>:<path>: " +
                                     std::string(line));
    }
    ProcCgroupEntry entry;
    std::string_view id = line.substr(0, first);
    auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), entry.hierarchy_id);
    if (ec != std::errc() || ptr != id.data() + id.size()) {
      return Status::InvalidArgument("cgroup line has no hierarchy id: " + std::string(line));
    }
    std::string_view list = line.substr(first + 1, second - first - 1);
    if (!list.empty()) {
      for (std::string_view c : Split(list, ',')) entry.controllers.emplace_back(c);
    }
    entry.path = std::string(line.substr(second + 1));
    if (!entry.path.starts_with('/')) {
      return Status::InvalidArgument("cgroup path is not absolute: " + std::string(line));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<CgroupMount>> ParseCgroupMounts(std::string_view mountinfo) {
  std::vector<CgroupMount> mounts;
  for (std::string_view line : Lines(mountinfo)) {
    std::vector<std::string_view> fields = Split(line, ' ');
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (dash == fields.end()) continue;
    size_t d = static_cast<size_t>(dash - fields.begin());
    if (d + 1 >= fields.size()) continue;
    std::string_view fstype = fields[d + 1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    if (d < 6 || d + 3 >= fields.size()) {
      return Status::InvalidArgument("malformed cgroup mountinfo line: " + std::string(line));
    }
    CgroupMount mount;
    mount.v2 = fstype == "cgroup2";
    mount.root = Unescape(fields[3]);
    mount.mount_point = Unescape(fields[4]);
    if (!mount.v2) {
      for (std::string_view option : Split(fields[d + 3], ',')) {
        // Controllers are the bare words among the super options; "rw",
        // "ro" and the key=value and flag options are not.
        static constexpr std::string_view kNotControllers[] = {
            "rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "favordynmods"};
        if (option.find('=') != std::string_view::npos) continue;
        if (std::find(std::begin(kNotControllers), std::end(kNotControllers), option) !=
            std::end(kNotControllers)) {
          continue;
        }
        mount.controllers.emplace_back(option);
      }
    }
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

std::optional<std::filesystem::path> UnifiedOwnDir(const std::vector<ProcCgroupEntry>& entries,
                                                   const std::vector<CgroupMount>& mounts) {
  for (const auto& entry : entries) {
    if (entry.hierarchy_id != 0 || !entry.controllers.empty()) continue;
    for (const auto& mount : mounts) {
      if (!mount.v2) continue;
      if (auto dir = OwnDirUnder(mount, entry.path)) return dir;
    }
  }
  return std::nullopt;
}

CgroupLayout ResolveCgroupLayout(const std::vector<ProcCgroupEntry>& entries,
                                 const std::vector<CgroupMount>& mounts,
                                 std::string_view v2_controllers) {
  CgroupLayout layout;
  layout.unified_own_dir = UnifiedOwnDir(entries, mounts);
  std::vector<std::string> v2_list;
  for (std::string_view word : Split(v2_controllers, ' ')) {
    while (!word.empty() && (word.back() == '\n' || word.back() == '\r')) word.remove_suffix(1);
    if (!word.empty()) v2_list.emplace_back(word);
  }

  auto find = [&](std::string_view controller, bool v2_capable) -> std::optional<CgroupPlace> {
    for (const auto& entry : entries) {
      if (!Has(entry.controllers, controller)) continue;
      for (const auto& mount : mounts) {
        if (mount.v2 || !Has(mount.controllers, controller)) continue;
        if (auto dir = OwnDirUnder(mount, entry.path)) return CgroupPlace{CgroupVersion::kV1, *dir};
      }
      layout.unavailable.push_back(std::string(controller) +
                                   ": its v1 hierarchy is not mounted where the own cgroup shows");
      return std::nullopt;
    }
    if (v2_capable && layout.unified_own_dir && Has(v2_list, controller)) {
      return CgroupPlace{CgroupVersion::kV2, *layout.unified_own_dir};
    }
    std::string why = std::string(controller) + ": no v1 hierarchy";
    if (!v2_capable) {
      why += "; processes are killed one by one without freezing";
    } else if (layout.unified_own_dir) {
      why += " and cgroup v2 has no " + std::string(controller) + " controller";
    } else {
      why += " and no cgroup v2 mount";
    }
    layout.unavailable.push_back(std::move(why));
    return std::nullopt;
  };
  layout.memory = find("memory", true);
  layout.cpu = find("cpu", true);
  layout.pids = find("pids", true);
  auto is_v1 = [](const std::optional<CgroupPlace>& p) {
    return p && p->version == CgroupVersion::kV1;
  };
  // Only v1 needs the freezer: v2 kills a whole cgroup with cgroup.kill.
  if (is_v1(layout.memory) || is_v1(layout.cpu) || is_v1(layout.pids)) {
    layout.freezer = find("freezer", false);
  }
  return layout;
}

std::string AttemptCgroupName(std::string_view prefix, std::string_view attempt_id) {
  std::string name(prefix);
  for (char c : attempt_id) name.push_back(c == ':' ? '.' : c);
  return name;
}

std::string AgentCgroupPrefix(std::string_view data_dir) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : data_dir) {
    hash ^= c;
    hash *= 16777619u;
  }
  char buf[24];
  std::snprintf(buf, sizeof(buf), "gantry-%08x-", hash);
  return buf;
}

}  // namespace gantry::node
