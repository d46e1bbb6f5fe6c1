#include "tests/chaos/run/host_faults.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "node/attempt_cgroup.h"
#include "node/cgroup_hierarchy.h"
#include "tests/chaos/net/signal_cleanup.h"

namespace gantry::chaos {
namespace fs = std::filesystem;

namespace {

// Debian's libfaketime; the MT flavour is the one for threaded programs.
constexpr const char* kFaketimeLibraries[] = {"/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
                                              "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1"};
// A disk's mount source names the run that mounted it, for the sweep.
constexpr const char* kDiskSourcePrefix = "gantry-chaos-disk-";

std::string Agent(int i) { return "agent-" + std::to_string(i); }
std::string Replica(int i) { return "coordinator-" + std::to_string(i); }

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::Internal("cannot write " + path);
  return Status::Ok();
}

// "tcp://10.77.3.1:7000" -> host, port.
bool SplitEndpoint(const std::string& endpoint, std::string* host, uint16_t* port) {
  const std::string prefix = "tcp://";
  if (!endpoint.starts_with(prefix)) return false;
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon < prefix.size()) return false;
  *host = endpoint.substr(prefix.size(), colon - prefix.size());
  *port = static_cast<uint16_t>(std::stoi(endpoint.substr(colon + 1)));
  return true;
}

}  // namespace

std::unique_ptr<HostFaults> HostFaults::Create(HostFaultsOptions options) {
  std::unique_ptr<HostFaults> h(new HostFaults(std::move(options)));
  const HostFaultsOptions& o = h->options_;
  for (const char* lib : kFaketimeLibraries) {
    if (fs::exists(lib)) h->faketime_library_ = lib;
  }
  if (h->faketime_library_.empty()) {
    h->notes_.push_back("clock skew skipped: libfaketime is not installed");
  } else {
    // One replica and one agent, chosen by the seed: skew is a fault of one
    // machine, and a wall clock the rest disagrees with is the test.
    h->skewable_.insert(Replica(static_cast<int>(o.seed % static_cast<uint64_t>(o.replicas))));
    h->skewable_.insert(Agent(static_cast<int>(o.seed % static_cast<uint64_t>(o.agents))));
    for (const auto& process : h->skewable_) {
      if (Status s = h->SetSkew(process, std::chrono::seconds(0)); !s.ok()) {
        h->notes_.push_back("clock skew skipped: " + s.message());
        h->skewable_.clear();
        break;
      }
    }
  }
  // Two other agents get delay proxies.
  h->delayable_.insert(static_cast<int>((o.seed + 1) % static_cast<uint64_t>(o.agents)));
  h->delayable_.insert(static_cast<int>((o.seed + 2) % static_cast<uint64_t>(o.agents)));
  if (::geteuid() != 0) h->notes_.push_back("disk full skipped: mounting the agents' disks needs root");
  return h;
}

HostFaults::~HostFaults() { Teardown(); }

std::string HostFaults::OffsetFile(const std::string& process) const {
  return options_.dir + "/faketime-" + process;
}

std::string HostFaults::FillFile(int agent) const {
  return options_.agent_data_dirs[static_cast<size_t>(agent)] + "/chaos-fill";
}

std::vector<int> HostFaults::Delayable() const {
  std::vector<int> out;
  for (const auto& [agent, proxies] : proxies_) out.push_back(agent);
  return out;
}

Status HostFaults::MountDisks() {
  if (::geteuid() != 0) return Status::Ok();
  const std::string source = kDiskSourcePrefix + std::to_string(::getpid());
  const std::string data = "size=" + std::to_string(options_.disk_mib) + "m,mode=0755";
  for (const auto& dir : options_.agent_data_dirs) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (::mount(source.c_str(), dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str()) != 0) {
      const std::string why = std::strerror(errno);
      Teardown();
      notes_.push_back("disk full skipped: cannot mount a tmpfs on " + dir + ": " + why);
      return Status::Ok();
    }
  }
  disks_mounted_ = true;
  // A Ctrl-C must not leave the mounts behind either.
  cleanup_token_ = net::SignalCleanup::Add([this] { Teardown(); });
  return Status::Ok();
}

Status HostFaults::StartProxies(const std::vector<std::string>& replica_endpoints,
                                const std::function<std::string(const std::string&)>& netns_of) {
  for (int agent : delayable_) {
    std::vector<std::unique_ptr<net::DelayProxy>> mine;
    for (const auto& endpoint : replica_endpoints) {
      net::DelayProxyOptions p;
      if (!SplitEndpoint(endpoint, &p.target_host, &p.target_port)) {
        return Status::InvalidArgument("not a tcp://host:port endpoint: " + endpoint);
      }
      if (netns_of) p.netns = netns_of(Agent(agent));
      auto proxy = net::DelayProxy::Start(p);
      if (!proxy.ok()) return proxy.status();
      mine.push_back(std::move(proxy).value());
    }
    proxies_[agent] = std::move(mine);
  }
  return Status::Ok();
}

std::vector<std::string> HostFaults::EnvOf(const std::string& process) const {
  if (!CanSkew(process)) return {};
  // The offset file is re-read every second; the monotonic clock is left
  // alone (timers, TTLs and Raft run on it, and NTP never moves it).
  return {"LD_PRELOAD=" + faketime_library_, "FAKETIME_TIMESTAMP_FILE=" + OffsetFile(process),
          "FAKETIME_CACHE_DURATION=1", "FAKETIME_DONT_FAKE_MONOTONIC=1",
          // Files' own timestamps stay real: only the clock is wrong.
          "NO_FAKE_STAT=1"};
}

std::string HostFaults::CoordinatorsFor(int agent) const {
  auto it = proxies_.find(agent);
  if (it == proxies_.end()) return "";
  std::string out;
  for (const auto& proxy : it->second) {
    if (!out.empty()) out += ",";
    out += "tcp://127.0.0.1:" + std::to_string(proxy->port());
  }
  return out;
}

Status HostFaults::SetSkew(const std::string& process, std::chrono::seconds offset) {
  if (!CanSkew(process)) return Status::InvalidArgument(process + " runs without libfaketime");
  const int64_t s = offset.count();
  // libfaketime's relative form: a sign, then seconds.
  return WriteFile(OffsetFile(process), (s < 0 ? "" : "+") + std::to_string(s) + "\n");
}

Status HostFaults::Fill(int agent) {
  if (!disks_mounted_) return Status::InvalidArgument("the agents' disks are not mounted");
  const std::string path = FillFile(agent);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal("open " + path + ": " + std::strerror(errno));
  // Chunks down to a page, so the last free page goes too.
  off_t offset = 0;
  for (off_t chunk = off_t{64} << 20; chunk >= 4096; chunk /= 16) {
    while (::fallocate(fd, 0, offset, chunk) == 0) offset += chunk;
  }
  ::close(fd);
  return Status::Ok();
}

Status HostFaults::Unfill(int agent) {
  std::error_code ec;
  fs::remove(FillFile(agent), ec);
  if (ec) return Status::Internal("remove " + FillFile(agent) + ": " + ec.message());
  return Status::Ok();
}

void HostFaults::SetDelay(int agent, std::chrono::milliseconds each_way) {
  auto it = proxies_.find(agent);
  if (it == proxies_.end()) return;
  for (auto& proxy : it->second) proxy->SetDelay(each_way, each_way);
}

void HostFaults::Teardown() {
  std::lock_guard<std::mutex> lock(teardown_mu_);
  if (torn_down_) return;
  torn_down_ = true;
  if (cleanup_token_ >= 0) net::SignalCleanup::Remove(cleanup_token_);
  for (auto& [agent, proxies] : proxies_) {
    for (auto& proxy : proxies) proxy->Stop();
  }
  if (::geteuid() != 0) return;
  // Attempts of agents that could not clean up (killed by a signal's
  // cleanup, or stopped mid-cleanup) leave cgroups, as a crashed agent
  // would; the agent's own sweep removes them when it starts again, and
  // these agents will not.
  if (auto layout = node::DetectCgroupLayout(); layout.ok()) {
    for (const auto& dir : options_.agent_data_dirs) {
      (void)node::SweepAttemptCgroups(*layout, node::AgentCgroupPrefix(dir));
    }
  }
  for (const auto& dir : options_.agent_data_dirs) (void)::umount2(dir.c_str(), MNT_DETACH);
}

void HostFaults::SweepLeftovers() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::vector<std::string> stale;
  while (std::getline(in, line)) {
    // "... <mount point> <options> [optional fields] - tmpfs <source> <options>"
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    const auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || dash == f.end() || f.end() - dash < 3 || *(dash + 1) != "tmpfs") continue;
    const std::string& source = *(dash + 2);
    if (!source.starts_with(kDiskSourcePrefix)) continue;
    const pid_t owner = static_cast<pid_t>(std::atoi(source.c_str() + std::strlen(kDiskSourcePrefix)));
    if (owner > 0 && ::kill(owner, 0) == 0) continue;  // its run is alive
    stale.push_back(f[4]);
  }
  for (const auto& mount_point : stale) (void)::umount2(mount_point.c_str(), MNT_DETACH);
}

}  // namespace gantry::chaos
