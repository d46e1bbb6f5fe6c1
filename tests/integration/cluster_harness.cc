#include "tests/integration/cluster_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <thread>

namespace gantry::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

namespace {

void KillAndWait(pid_t& pid, bool kill9) {
  if (pid <= 0) return;
  ::kill(pid, kill9 ? SIGKILL : SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
}

}  // namespace

ClusterHarness::ClusterHarness(std::string binary, HarnessOptions options)
    : binary_(std::move(binary)), options_(options) {
  std::random_device rd;
  root_ = (fs::temp_directory_path() / ("gantry-it-" + std::to_string(rd()))).string();
  fs::create_directories(root_);
  endpoint_ = "tcp://127.0.0.1:" + std::to_string(FreePort());
  agents_.assign(static_cast<size_t>(options_.agents), -1);
  rpc_ = std::move(client::RpcClient::Create({{endpoint_}, 2000ms})).value();
}

ClusterHarness::~ClusterHarness() {
  for (auto& a : agents_) KillAndWait(a, false);
  KillAndWait(coordinator_, false);
  std::error_code ec;
  fs::remove_all(root_, ec);
}

pid_t ClusterHarness::Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary_.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(binary_.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

Status ClusterHarness::StartCoordinator() {
  coordinator_ = Spawn({"coordinator", "--data-dir", root_ + "/coordinator", "--listen", endpoint_,
                        "--node-ttl-ms", std::to_string(options_.node_ttl_ms)},
                       root_ + "/coordinator.log");
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!CoordinatorAlive()) return Status::Unavailable("coordinator exited; see " + root_ + "/coordinator.log");
    if (rpc_->Call(protocol::DescribeJobQueuesRequest{}).ok()) return Status::Ok();
  }
  return Status::Unavailable("coordinator did not answer within 20s");
}

bool ClusterHarness::CoordinatorAlive() {
  if (coordinator_ <= 0) return false;
  int status = 0;
  if (::waitpid(coordinator_, &status, WNOHANG) == coordinator_) {
    coordinator_ = -1;
    return false;
  }
  return true;
}

void ClusterHarness::StopCoordinator(bool kill9) { KillAndWait(coordinator_, kill9); }

std::string ClusterHarness::AgentDataDir(int i) const { return root_ + "/agent-" + std::to_string(i); }

Status ClusterHarness::StartAgent(int i) {
  agents_[static_cast<size_t>(i)] =
      Spawn({"agent", "--coordinator", endpoint_, "--data-dir", AgentDataDir(i), "--node-id",
             "agent-" + std::to_string(i), "--vcpus", std::to_string(options_.agent_vcpus), "--memory",
             std::to_string(options_.agent_memory_mib), "--disk", "100000", "--heartbeat-ms", "200",
             "--kill-grace-seconds", "2"},
            root_ + "/agent-" + std::to_string(i) + ".log");
  return Status::Ok();
}

void ClusterHarness::StopAgent(int i, bool kill9) { KillAndWait(agents_[static_cast<size_t>(i)], kill9); }

Status ClusterHarness::Start() {
  GANTRY_RETURN_IF_ERROR(StartCoordinator());
  for (int i = 0; i < options_.agents; ++i) GANTRY_RETURN_IF_ERROR(StartAgent(i));
  return WaitForReadyNodes(options_.agents, 20s);
}

Status ClusterHarness::WaitForReadyNodes(int n, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = rpc_->Call(protocol::DescribeNodesRequest{});
    if (r.ok()) {
      int ready = 0;
      for (const auto& node : r->nodes) ready += node.state == protocol::NodeState::kReady;
      if (ready >= n) return Status::Ok();
    }
    std::this_thread::sleep_for(20ms);
  }
  return Status::Unavailable(std::to_string(n) + " nodes not ready in time");
}

Status ClusterHarness::CreateDefaults() {
  protocol::CreateComputeEnvironmentRequest ce;
  ce.computeEnvironment.computeEnvironmentName = "ce";
  ce.computeEnvironment.maxvCpus = 10000;
  GANTRY_RETURN_IF_ERROR(rpc_->Call(ce).status());
  protocol::CreateJobQueueRequest q;
  q.jobQueue.jobQueueName = "q";
  q.jobQueue.computeEnvironmentOrder = {{1, "ce"}};
  GANTRY_RETURN_IF_ERROR(rpc_->Call(q).status());
  protocol::RegisterJobDefinitionRequest d;
  d.jobDefinition.jobDefinitionName = "d";
  d.jobDefinition.command = {"echo", "hello"};
  d.jobDefinition.resources = {1, 64, 0};
  return rpc_->Call(d).status();
}

Result<std::vector<protocol::Job>> ClusterHarness::WaitForTerminal(const std::vector<std::string>& ids,
                                                                   std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::map<std::string, protocol::Job> done;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::string> open;
    for (const auto& id : ids) {
      if (!done.count(id)) open.push_back(id);
    }
    if (open.empty()) break;
    for (size_t i = 0; i < open.size(); i += protocol::kMaxDescribeJobs) {
      protocol::DescribeJobsRequest req;
      req.jobs.assign(open.begin() + static_cast<long>(i),
                      open.begin() + static_cast<long>(std::min(open.size(), i + protocol::kMaxDescribeJobs)));
      auto r = rpc_->Call(req);
      if (!r.ok()) continue;
      for (auto& j : r->jobs) {
        if (protocol::IsTerminal(j.status)) done[j.jobId] = j;
      }
    }
    if (done.size() < ids.size()) std::this_thread::sleep_for(20ms);
  }
  if (done.size() < ids.size()) {
    return Status::Unavailable(std::to_string(ids.size() - done.size()) + " of " + std::to_string(ids.size()) +
                               " jobs not finished in time");
  }
  std::vector<protocol::Job> out;
  for (const auto& id : ids) out.push_back(done[id]);
  return out;
}

Status ClusterHarness::WaitForStatus(const std::string& id, protocol::JobStatus status,
                                     std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = rpc_->Call(protocol::DescribeJobsRequest{{id}});
    if (r.ok() && !r->jobs.empty() && r->jobs[0].status == status) return Status::Ok();
    std::this_thread::sleep_for(10ms);
  }
  return Status::Unavailable("job " + id + " did not reach " + protocol::EnumName(status));
}

}  // namespace gantry::testing
