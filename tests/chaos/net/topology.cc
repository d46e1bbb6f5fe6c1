#include "tests/chaos/net/topology.h"

#include <dirent.h>

#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include "tests/chaos/net/command.h"
#include "tests/chaos/net/netns_ops.h"
#include "tests/chaos/net/signal_cleanup.h"

namespace gantry::chaos::net {

// Everything Destroy needs, shared with the SignalCleanup entry (which holds
// a weak_ptr, so a destroyed Topology is simply skipped).
//
//   empty --Create--> built --Destroy ok--> empty
//                       |  ^
//                       +--+ Destroy failed (kept, retried by next call)
struct Topology::State {
  std::mutex mu;
  TopologyOptions options;
  bool built = false;  // something may exist and must be removed
  std::string ip;
  std::string run_id;
  int subnet = -1;
  std::string switch_ns;
  std::vector<std::string> members;
  std::map<std::string, std::string> addresses;
  std::vector<std::string> namespaces;  // switch first, then members
  std::optional<FileLock> run_lock;
  int cleanup_token = 0;
};

namespace {

constexpr const char* kAllocLock = ".alloc.lock";

std::string RunLockName(const std::string& prefix, const std::string& run_id) {
  return prefix + run_id + ".lock";
}

bool RunIdInUse(const std::string& prefix, const std::string& run_id, const std::vector<std::string>& existing) {
  for (const auto& ns : existing) {
    auto p = ParseNamespace(prefix, ns);
    if (p && p->run_id == run_id) return true;
  }
  return FileLock::IsHeld(RunLockName(prefix, run_id));
}

std::string NewRunId(const std::string& prefix, const std::vector<std::string>& existing) {
  std::random_device rd;
  for (;;) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04x", static_cast<unsigned>(rd() & 0xffff));
    if (!RunIdInUse(prefix, buf, existing)) return buf;
  }
}

// Kills, deletes and checks. Ok if none of `namespaces` exists afterwards.
Status RemoveNamespaces(const std::string& ip, const std::vector<std::string>& namespaces) {
  Status first;
  auto killed = KillProcessesIn(namespaces);
  if (!killed.ok()) first = killed.status();
  GANTRY_ASSIGN_OR_RETURN(auto existing, ListNamespaces());
  std::set<std::string> present(existing.begin(), existing.end());
  std::vector<std::string> to_delete;
  for (const auto& ns : namespaces) {
    if (present.count(ns)) to_delete.push_back(ns);
  }
  if (to_delete.empty()) return first;
  // -force: keep going past a namespace someone else removed meanwhile.
  std::vector<std::string> argv = {ip, "-force", "-batch", "-"};
  auto out = RunCommand(argv, DeleteNamespacesScript(to_delete));
  GANTRY_ASSIGN_OR_RETURN(existing, ListNamespaces());
  present = std::set<std::string>(existing.begin(), existing.end());
  std::string left;
  for (const auto& ns : to_delete) {
    if (present.count(ns)) left += " " + ns;
  }
  if (left.empty()) return first;
  std::string why = out.ok() ? out->err : out.status().ToString();
  return Status::Internal("could not remove namespaces" + left + " (" + CommandLine(argv) + ": " + why + ")");
}

Status DestroyState(Topology::State& s) {
  int token = 0;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (!s.built) return Status::Ok();
    GANTRY_RETURN_IF_ERROR(RemoveNamespaces(s.ip, s.namespaces));
    if (s.run_lock) s.run_lock->RemoveAndRelease();
    s.run_lock.reset();
    s.built = false;
    // run_id, subnet and ip stay readable, for logs and checks afterwards.
    s.switch_ns.clear();
    s.members.clear();
    s.addresses.clear();
    s.namespaces.clear();
    token = std::exchange(s.cleanup_token, 0);
  }
  // Outside s.mu: the signal watcher takes the registry lock, then s.mu.
  SignalCleanup::Remove(token);
  return Status::Ok();
}

}  // namespace

Topology::Topology(TopologyOptions options) : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
}

Topology::~Topology() {
  Status s = Destroy();
  if (!s.ok()) std::fprintf(stderr, "chaos topology: destroy failed: %s\n", s.ToString().c_str());
}

Result<std::map<std::string, std::string>> Topology::Create(const std::vector<std::string>& members) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (s.built) return Status::Conflict("topology " + s.run_id + " already created");
  const std::string& prefix = s.options.prefix;
  GANTRY_RETURN_IF_ERROR(ValidatePrefix(prefix));
  GANTRY_ASSIGN_OR_RETURN(std::string ip, FindTool("ip"));

  // Serialises subnet choice and namespace creation across processes, so
  // two runs starting together cannot pick the same k or run id.
  GANTRY_ASSIGN_OR_RETURN(FileLock alloc, FileLock::Acquire(kAllocLock, /*blocking=*/true));
  GANTRY_ASSIGN_OR_RETURN(auto existing, ListNamespaces());
  std::string run_id = s.options.run_id.empty() ? NewRunId(prefix, existing) : s.options.run_id;
  GANTRY_RETURN_IF_ERROR(ValidateRunId(run_id));
  for (const auto& ns : existing) {
    auto p = ParseNamespace(prefix, ns);
    if (p && p->run_id == run_id) {
      return Status::Conflict("namespace " + ns + " of run " + run_id + " exists (SweepLeftovers removes dead runs)");
    }
  }
  GANTRY_ASSIGN_OR_RETURN(int subnet, ChooseSubnet(existing));
  GANTRY_ASSIGN_OR_RETURN(TopologyScripts scripts, PlanTopology(prefix, run_id, subnet, members));
  GANTRY_ASSIGN_OR_RETURN(FileLock run_lock, FileLock::Acquire(RunLockName(prefix, run_id), /*blocking=*/false));

  s.ip = ip;
  s.run_id = run_id;
  s.subnet = subnet;
  s.switch_ns = SwitchNamespace(prefix, run_id, subnet);
  s.members = members;
  s.addresses.clear();
  s.namespaces = {s.switch_ns};
  for (size_t i = 0; i < members.size(); ++i) {
    s.namespaces.push_back(MemberNamespace(prefix, run_id, members[i]));
    s.addresses[members[i]] = MemberAddress(subnet, static_cast<int>(i));
  }
  s.run_lock = std::move(run_lock);
  s.built = true;
  std::weak_ptr<State> weak = state_;
  s.cleanup_token = SignalCleanup::Add([weak] {
    if (auto st = weak.lock()) {
      Status d = DestroyState(*st);
      if (!d.ok()) std::fprintf(stderr, "chaos topology: destroy on signal failed: %s\n", d.ToString().c_str());
    }
  });

  Status built = RunChecked({ip, "-batch", "-"}, scripts.root).status();
  alloc.Release();
  // The next steps run `ip -n <ns> -batch -`: one exec per namespace, not
  // one per command (a 10-member topology would otherwise take ~50 execs).
  if (built.ok()) built = RunChecked({ip, "-n", s.switch_ns, "-batch", "-"}, scripts.bridge).status();
  for (size_t i = 0; built.ok() && i < scripts.members.size(); ++i) {
    built = RunChecked({ip, "-n", scripts.members[i].first, "-batch", "-"}, scripts.members[i].second).status();
  }
  if (built.ok()) return s.addresses;
  lock.unlock();
  Status undo = DestroyState(s);
  if (!undo.ok()) std::fprintf(stderr, "chaos topology: undo after failed create: %s\n", undo.ToString().c_str());
  return built;
}

Status Topology::Destroy() { return DestroyState(*state_); }

Result<std::string> Topology::NamespaceOf(const std::string& member) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!state_->addresses.count(member)) return Status::NotFound("no member \"" + member + "\" in the topology");
  return MemberNamespace(state_->options.prefix, state_->run_id, member);
}

Result<std::string> Topology::AddressOf(const std::string& member) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->addresses.find(member);
  if (it == state_->addresses.end()) return Status::NotFound("no member \"" + member + "\" in the topology");
  return it->second;
}

Result<std::string> Topology::PortOf(const std::string& member) const {
  GANTRY_RETURN_IF_ERROR(NamespaceOf(member).status());
  return PortName(member);
}

Result<std::vector<std::string>> Topology::RunIn(const std::string& member,
                                                 const std::vector<std::string>& argv) const {
  GANTRY_ASSIGN_OR_RETURN(std::string ns, NamespaceOf(member));
  std::vector<std::string> out = {ip_path(), "netns", "exec", ns};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::string Topology::switch_namespace() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->switch_ns;
}
std::vector<std::string> Topology::members() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->members;
}
std::string Topology::run_id() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->run_id;
}
int Topology::subnet() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->subnet;
}
std::string Topology::ip_path() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->ip;
}

Result<int> Topology::SweepLeftovers(const std::string& prefix) {
  GANTRY_RETURN_IF_ERROR(ValidatePrefix(prefix));
  GANTRY_ASSIGN_OR_RETURN(std::string ip, FindTool("ip"));
  // Under the allocation lock, a run is either not started or holds its lock.
  GANTRY_ASSIGN_OR_RETURN(FileLock alloc, FileLock::Acquire(kAllocLock, /*blocking=*/true));
  GANTRY_ASSIGN_OR_RETURN(auto existing, ListNamespaces());
  std::map<std::string, std::vector<std::string>> by_run;
  for (const auto& ns : existing) {
    if (auto p = ParseNamespace(prefix, ns)) by_run[p->run_id].push_back(ns);
  }
  int removed = 0;
  Status first;
  for (const auto& [run_id, names] : by_run) {
    if (FileLock::IsHeld(RunLockName(prefix, run_id))) continue;  // live run
    Status s = RemoveNamespaces(ip, names);
    if (s.ok()) {
      removed += static_cast<int>(names.size());
    } else if (first.ok()) {
      first = s;
    } else {
      std::fprintf(stderr, "chaos sweep: %s\n", s.ToString().c_str());
    }
  }
  // Lock files of dead runs (their namespaces are gone by now).
  if (DIR* dir = ::opendir(kLockDir)) {
    std::vector<std::string> stale;
    while (dirent* e = ::readdir(dir)) {
      std::string n = e->d_name;
      if (n.rfind(prefix, 0) == 0 && n.size() > 5 && n.compare(n.size() - 5, 5, ".lock") == 0) stale.push_back(n);
    }
    ::closedir(dir);
    for (const auto& n : stale) {
      auto held = FileLock::Acquire(n, /*blocking=*/false);
      if (held.ok()) held->RemoveAndRelease();
    }
  }
  if (!first.ok()) return first;
  return removed;
}

}  // namespace gantry::chaos::net
