#include "tests/chaos/run/network.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/chaos/net/signal_cleanup.h"

namespace gantry::chaos {

std::string ChaosNetwork::Member(const std::string& process) {
  const size_t dash = process.rfind('-');
  if (dash == std::string::npos) return process;
  const int index = std::atoi(process.c_str() + dash + 1) + 1;
  return (process.starts_with("coordinator") ? "c" : "a") + std::to_string(index);
}

Result<std::unique_ptr<ChaosNetwork>> ChaosNetwork::Create(int replicas, int agents) {
  if (::geteuid() != 0) return Status::Unavailable("not running as root");
  GANTRY_RETURN_IF_ERROR(net::SignalCleanup::Install());
  (void)net::Topology::SweepLeftovers();
  std::unique_ptr<ChaosNetwork> n(new ChaosNetwork());
  std::vector<std::string> members = {"cl"};
  for (int i = 0; i < replicas; ++i) members.push_back("c" + std::to_string(i + 1));
  for (int i = 0; i < agents; ++i) members.push_back("a" + std::to_string(i + 1));
  auto made = n->topology_.Create(members);
  if (!made.ok()) return Status::Unavailable("network namespaces: " + made.status().message());
  n->faults_ = std::make_unique<net::NetFaults>(n->topology_);
  GANTRY_ASSIGN_OR_RETURN(std::string client_ns, n->topology_.NamespaceOf("cl"));
  const std::string path = "/var/run/netns/" + client_ns;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
    const std::string err = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    (void)n->topology_.Destroy();
    return Status::Unavailable("enter " + path + ": " + err);
  }
  ::close(fd);
  return n;
}

ChaosNetwork::~ChaosNetwork() { (void)Destroy(); }

Status ChaosNetwork::Destroy() {
  if (faults_) (void)faults_->HealAll();
  return topology_.Destroy();
}

std::string ChaosNetwork::HostOf(const std::string& process) const {
  auto a = topology_.AddressOf(Member(process));
  return a.ok() ? *a : "";
}

std::string ChaosNetwork::NamespaceOf(const std::string& process) const {
  auto ns = topology_.NamespaceOf(Member(process));
  return ns.ok() ? *ns : "";
}

Result<int> ChaosNetwork::Isolate(const std::string& process) { return faults_->Isolate(Member(process)); }

Result<int> ChaosNetwork::Partition(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> ma, mb;
  for (const auto& p : a) ma.push_back(Member(p));
  for (const auto& p : b) mb.push_back(Member(p));
  return faults_->Partition(ma, mb);
}

Result<int> ChaosNetwork::Loss(const std::string& process, int percent) {
  return faults_->Loss(Member(process), percent);
}

Status ChaosNetwork::Heal(int id) { return faults_->Heal(id); }

}  // namespace gantry::chaos
