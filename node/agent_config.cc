#include "node/agent_config.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "node/atomic_file.h"
#include "node/disk_quota_fs.h"
#include "node/fingerprint.h"

namespace gantry::node {
namespace fs = std::filesystem;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

Result<std::vector<std::string>> ParseEndpoints(std::string_view list) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view entry = Trim(list.substr(pos, end - pos));
    pos = end + 1;
    if (entry.empty()) continue;
    bool tcp = entry.starts_with("tcp://") && entry.find(':', 6) != std::string_view::npos;
    bool ipc = entry.starts_with("ipc://") && entry.size() > 6;
    if (!tcp && !ipc) {
      return Status::InvalidArgument("--coordinator: \"" + std::string(entry.substr(0, 128)) +
                                     "\" is not tcp://HOST:PORT");
    }
    // Each endpoint gets its own DEALER with the node id as routing id; two
    // to one replica would keep taking over each other's pipe.
    if (std::find(out.begin(), out.end(), entry) != out.end()) {
      return Status::InvalidArgument("--coordinator: \"" + std::string(entry.substr(0, 128)) +
                                     "\" is given twice");
    }
    out.emplace_back(entry);
  }
  if (out.empty()) return Status::InvalidArgument("--coordinator: no endpoint given");
  return out;
}

Result<protocol::Labels> ParseLabels(const std::vector<std::string>& labels) {
  protocol::Labels out;
  for (const auto& label : labels) {
    size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--label: \"" + label.substr(0, 128) + "\" is not key=value");
    }
    std::string key = label.substr(0, eq);
    if (!out.emplace(key, label.substr(eq + 1)).second) {
      return Status::InvalidArgument("--label: key \"" + key.substr(0, 128) + "\" given twice");
    }
  }
  Status s = protocol::ValidateLabels(out);
  if (!s.ok()) return s.WithContext("--label");
  return out;
}

Status ApplyCapacityType(const std::optional<std::string>& flag, protocol::Labels& labels) {
  auto valid = [](std::string_view v) { return v == "spot" || v == "on-demand"; };
  const std::string key = protocol::kCapacityTypeLabel;
  if (flag && !valid(*flag)) {
    return Status::InvalidArgument("--capacity-type: \"" + flag->substr(0, 64) + "\" is not spot or on-demand");
  }
  auto label = labels.find(key);
  if (label != labels.end() && !valid(label->second)) {
    return Status::InvalidArgument("--label " + key + "=" + label->second.substr(0, 64) +
                                   ": the capacity type is spot or on-demand (see --capacity-type)");
  }
  if (flag && label != labels.end() && label->second != *flag) {
    return Status::InvalidArgument("--capacity-type " + *flag + " contradicts --label " + key + "=" +
                                   label->second);
  }
  if (label == labels.end()) labels.emplace(key, flag.value_or("on-demand"));
  Status s = protocol::ValidateLabels(labels);  // one more label may pass the limit
  if (!s.ok()) return s.WithContext("--label and --capacity-type");
  return Status::Ok();
}

std::string NodeIdFromHostname(std::string_view hostname, std::string_view suffix) {
  std::string base;
  for (char c : hostname) base.push_back(IsNameChar(c) ? c : '-');
  if (base.empty()) base = "node";
  size_t room = protocol::kMaxNameLength - 1 - suffix.size();
  if (base.size() > room) base.resize(room);
  return base + "-" + std::string(suffix);
}

std::string RandomHex(size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  out.reserve(bytes * 2);
  for (size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rd() & 0xFF);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

Result<std::string> LoadOrCreateNodeId(const fs::path& data_dir) {
  const fs::path file = data_dir / "node_id";
  std::ifstream in(file);
  if (in) {
    std::ostringstream text;
    text << in.rdbuf();
    std::string id(Trim(text.str()));
    Status s = protocol::ValidateName("node id", id);
    if (!s.ok()) return s.WithContext(file.string());
    return id;
  }
  std::error_code ec;
  if (fs::exists(file, ec)) return Status::Unavailable("cannot read " + file.string());
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::string id = NodeIdFromHostname(host, RandomHex(3));
  GANTRY_RETURN_IF_ERROR(WriteFileAtomically(file, id + "\n"));
  return id;
}

Result<AgentConfig> ResolveAgentConfig(const AgentFlags& flags) {
  AgentConfig config;
  GANTRY_ASSIGN_OR_RETURN(config.coordinators, ParseEndpoints(flags.coordinators));
  GANTRY_ASSIGN_OR_RETURN(config.labels, ParseLabels(flags.labels));
  GANTRY_RETURN_IF_ERROR(ApplyCapacityType(flags.capacity_type, config.labels));
  if (flags.heartbeat_ms < 10) return Status::InvalidArgument("--heartbeat-ms must be at least 10");
  config.heartbeat_ms = flags.heartbeat_ms;
  config.kill_grace_ms = int64_t{flags.kill_grace_seconds} * 1000;
  GANTRY_ASSIGN_OR_RETURN(DiskQuotaMode quota_mode, ParseDiskQuotaMode(flags.job_disk_quota));
  if (flags.default_job_disk_mib == 0) {
    return Status::InvalidArgument("--default-job-disk-mib must be at least 1");
  }
  config.default_job_disk_mib = flags.default_job_disk_mib;
  config.min_free_disk_mib = flags.min_free_disk_mib;
  if (flags.max_log_mib_per_attempt == 0) {
    return Status::InvalidArgument("--max-log-mib-per-attempt must be at least 1");
  }
  config.max_log_bytes_per_attempt = flags.max_log_mib_per_attempt << 20;
  config.log_budget_bytes = flags.log_budget_mib << 20;
  config.log_listen = flags.log_listen;

  if (flags.data_dir.empty()) return Status::InvalidArgument("--data-dir must not be empty");
  std::error_code ec;
  fs::create_directories(flags.data_dir, ec);
  if (ec) return Status::Unavailable("--data-dir: create " + flags.data_dir + ": " + ec.message());
  // Absolute, because HOME and TMPDIR of every job derive from it.
  config.data_dir = fs::weakly_canonical(fs::absolute(flags.data_dir), ec);
  if (ec) return Status::Unavailable("--data-dir: resolve " + flags.data_dir + ": " + ec.message());

  config.reclaim_notice_file = flags.reclaim_notice_file.empty()
                                   ? config.data_dir / "reclaim-notice"
                                   : fs::absolute(flags.reclaim_notice_file, ec);
  if (ec) return Status::Unavailable("--reclaim-notice-file: resolve " + flags.reclaim_notice_file + ": " + ec.message());

  if (!flags.node_id.empty()) {
    Status s = protocol::ValidateName("--node-id", flags.node_id);
    if (!s.ok()) return s;
    config.node_id = flags.node_id;
  } else {
    GANTRY_ASSIGN_OR_RETURN(config.node_id, LoadOrCreateNodeId(config.data_dir));
  }

  config.capacity.vcpus = flags.vcpus ? *flags.vcpus : FingerprintVcpus();
  if (flags.memory_mib) {
    config.capacity.memoryMib = *flags.memory_mib;
  } else {
    GANTRY_ASSIGN_OR_RETURN(config.capacity.memoryMib, FingerprintMemoryMib());
  }
  if (flags.disk_mib) {
    config.capacity.diskMib = *flags.disk_mib;
  } else {
    GANTRY_ASSIGN_OR_RETURN(config.capacity.diskMib, FingerprintDiskMib(config.data_dir));
  }
  GANTRY_ASSIGN_OR_RETURN(config.disk_quota, ChooseDiskQuota(config.data_dir, quota_mode));
  GANTRY_ASSIGN_OR_RETURN(IsolationMode isolation_mode, ParseIsolationMode(flags.isolation));
  config.isolation = ProbeIsolation(isolation_mode, config.data_dir);
  if (flags.cgroups != "auto" && flags.cgroups != "none") {
    return Status::InvalidArgument("--cgroups: \"" + flags.cgroups.substr(0, 64) + "\" is not auto or none");
  }
  config.cgroups = flags.cgroups == "auto";
  if (!flags.run_as_user.empty()) {
    GANTRY_ASSIGN_OR_RETURN(RunAsUser user, ResolveRunAsUser(flags.run_as_user));
    GANTRY_RETURN_IF_ERROR(ProbeRunAsUser(user));
    config.isolation.use.user = user.ids;
    config.isolation.user_name = user.name;
  }
  return config;
}

}  // namespace gantry::node
