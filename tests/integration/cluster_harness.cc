#include "tests/integration/cluster_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace gantry::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int FreePort() {
  // Distinct ports even when the kernel hands the same one out twice: two
  // replicas must never be given one port.
  static std::mutex mu;
  static std::set<int> given;
  std::lock_guard<std::mutex> lock(mu);
  while (true) {
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
    if (given.insert(port).second) return port;
  }
}

namespace {

constexpr auto kStopGrace = 10s;

// The exit code of a wait status: 128 + signal when killed.
int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` (already signalled); SIGKILL after kStopGrace. Returns
// the exit code.
int WaitOrKill(pid_t pid) {
  auto deadline = Clock::now() + kStopGrace;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return ExitCode(status);
    if (r < 0) return -1;
    if (Clock::now() > deadline) {
      std::fprintf(stderr, "harness: pid %d did not stop within %llds of SIGTERM; killing it\n", pid,
                   static_cast<long long>(kStopGrace.count()));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return ExitCode(status);
    }
    std::this_thread::sleep_for(5ms);
  }
}

void KillAndWait(pid_t& pid, bool kill9) {
  if (pid <= 0) return;
  ::kill(pid, kill9 ? SIGKILL : SIGTERM);
  WaitOrKill(pid);
  pid = -1;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

ClusterHarness::ClusterHarness(std::string binary, HarnessOptions options)
    : binary_(std::move(binary)), options_(options) {
  std::random_device rd;
  root_ = (fs::temp_directory_path() / ("gantry-it-" + std::to_string(rd()))).string();
  fs::create_directories(root_);
  std::vector<std::string> peers;
  for (int i = 0; i < options_.replicas; ++i) {
    replicas_.push_back(MakeReplica(static_cast<uint64_t>(i) + 1));
    peers.push_back(std::to_string(i + 1) + "@" + replicas_.back().raft_address);
  }
  for (auto& r : replicas_) r.args.insert(r.args.end(), {"--peers", Join(peers)});
  if (options_.http) {
    for (auto& r : replicas_) {
      // Its own endpoint first: one loopback hop when it leads.
      std::vector<std::string> coordinators = {r.endpoint};
      for (const auto& other : replicas_) {
        if (other.id != r.id) coordinators.push_back(other.endpoint);
      }
      r.args.insert(r.args.end(), {"--http-listen", r.http_address, "--http-coordinators", Join(coordinators)});
      r.args.insert(r.args.end(), options_.http_args.begin(), options_.http_args.end());
    }
  }
  agents_.assign(static_cast<size_t>(options_.agents), -1);
  ResetRpc();
}

ClusterHarness::~ClusterHarness() {
  for (auto& a : agents_) KillAndWait(a, false);
  StopCoordinator(false);
  replica_rpc_.clear();
  rpc_.reset();
  if (keep_files_ || std::getenv("GANTRY_KEEP_FILES") != nullptr) {
    std::fprintf(stderr, "harness: kept the cluster's data and logs in %s\n", root_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(root_, ec);
}

ClusterHarness::Replica ClusterHarness::MakeReplica(uint64_t id) {
  Replica r;
  r.id = id;
  const std::string i = std::to_string(id - 1);
  const std::string host = HostOf("coordinator-" + i);
  r.endpoint = "tcp://" + host + ":" + std::to_string(FreePort());
  r.raft_address = host + ":" + std::to_string(FreePort());
  if (options_.http) r.http_address = host + ":" + std::to_string(FreePort());
  r.dir = root_ + "/coordinator-" + i;
  r.log = root_ + "/coordinator-" + i + ".log";
  // Flag and value pairs, one per line.
  // clang-format off
  r.args = {"coordinator",
            "--data-dir", r.dir,
            "--listen", r.endpoint,
            "--id", std::to_string(id),
            "--raft-address", r.raft_address,
            "--node-ttl-ms", std::to_string(options_.node_ttl_ms),
            "--election-timeout-ms", std::to_string(options_.election_timeout_ms),
            "--heartbeat-ms", std::to_string(options_.heartbeat_ms),
            "--snapshot-threshold", std::to_string(options_.snapshot_threshold),
            "--snapshot-trailing", std::to_string(options_.snapshot_trailing)};
  // clang-format on
  r.args.insert(r.args.end(), options_.coordinator_args.begin(), options_.coordinator_args.end());
  return r;
}

void ClusterHarness::ResetRpc() {
  rpc_ = std::move(client::RpcClient::Create({endpoints(), options_.rpc_timeout})).value();
}

std::vector<std::string> ClusterHarness::endpoints() const {
  std::vector<std::string> out;
  for (const auto& r : replicas_) {
    if (!r.forgotten) out.push_back(r.endpoint);
  }
  return out;
}

std::string ClusterHarness::EndpointList() const { return Join(endpoints()); }

client::RpcClient& ClusterHarness::ReplicaRpc(int i) {
  auto& c = replica_rpc_[i];
  if (!c) c = std::move(client::RpcClient::Create({{ReplicaEndpoint(i)}, 1000ms})).value();
  return *c;
}

std::string ClusterHarness::ReplicaLog(int i) const {
  std::ifstream in(replicas_[static_cast<size_t>(i)].log);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ClusterHarness::HostOf(const std::string& process) const {
  std::string host = options_.host_of ? options_.host_of(process) : "";
  return host.empty() ? "127.0.0.1" : host;
}

pid_t ClusterHarness::Spawn(const std::vector<std::string>& args, const std::string& log,
                            const std::string& process) {
  const std::string netns = options_.netns_of ? options_.netns_of(process) : "";
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary_.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // Built before fork: the child of a threaded parent may only call
  // async-signal-safe functions, which setenv is not.
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  if (options_.env_of) {
    for (auto& extra : options_.env_of(process)) env.push_back(std::move(extra));
  }
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    // A caller that blocks signals (to handle them on a thread) must not
    // pass that on: the processes must die of SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!netns.empty()) {
      const std::string path = "/var/run/netns/" + netns;
      int ns = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
        std::fprintf(stderr, "harness: cannot enter network namespace %s: %s\n", netns.c_str(), std::strerror(errno));
        _exit(126);
      }
    }
    ::execve(binary_.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

// ---- replicas ---------------------------------------------------------------

bool ClusterHarness::ReplicaAlive(int i) {
  Replica& r = replicas_[static_cast<size_t>(i)];
  if (r.pid <= 0) return false;
  int status = 0;
  if (::waitpid(r.pid, &status, WNOHANG) == r.pid) {
    r.exit_code = ExitCode(status);
    r.pid = -1;
    return false;
  }
  return true;
}

Status ClusterHarness::WaitForAnswer(int i, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (!ReplicaAlive(i)) {
      return Status::Unavailable("replica " + std::to_string(i) + " exited with " +
                                 std::to_string(replicas_[static_cast<size_t>(i)].exit_code) + "; see " +
                                 replicas_[static_cast<size_t>(i)].log);
    }
    if (ReplicaRpc(i).Call(protocol::RaftListPeersRequest{}).ok()) return Status::Ok();
    std::this_thread::sleep_for(10ms);
  }
  return Status::Unavailable("replica " + std::to_string(i) + " did not answer in time");
}

Status ClusterHarness::StartReplica(int i) {
  Replica& r = replicas_[static_cast<size_t>(i)];
  if (!ReplicaAlive(i)) r.pid = Spawn(r.args, r.log, "coordinator-" + std::to_string(i));
  return WaitForAnswer(i, 20s);
}

void ClusterHarness::Reap(Replica& r) {
  if (r.pid <= 0) return;
  r.exit_code = WaitOrKill(r.pid);
  r.pid = -1;
}

void ClusterHarness::StopReplica(int i, bool kill9) {
  Replica& r = replicas_[static_cast<size_t>(i)];
  if (r.pid <= 0) return;
  ::kill(r.pid, kill9 ? SIGKILL : SIGTERM);
  Reap(r);
}

Result<int> ClusterHarness::WaitForReplicaExit(int i, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (ReplicaAlive(i)) {
    if (Clock::now() > deadline) return Status::Unavailable("replica " + std::to_string(i) + " still runs");
    std::this_thread::sleep_for(10ms);
  }
  return replicas_[static_cast<size_t>(i)].exit_code;
}

Status ClusterHarness::StartCoordinator() {
  for (int i = 0; i < replica_count(); ++i) {
    Replica& r = replicas_[static_cast<size_t>(i)];
    if (!r.forgotten && !ReplicaAlive(i)) r.pid = Spawn(r.args, r.log, "coordinator-" + std::to_string(i));
  }
  auto deadline = Clock::now() + 20s;
  while (Clock::now() < deadline) {
    for (int i = 0; i < replica_count(); ++i) {
      if (!replicas_[static_cast<size_t>(i)].forgotten && !ReplicaAlive(i)) {
        return Status::Unavailable("replica " + std::to_string(i) + " exited; see " +
                                   replicas_[static_cast<size_t>(i)].log);
      }
    }
    if (rpc_->Call(protocol::DescribeJobQueuesRequest{}).ok()) return Status::Ok();
    std::this_thread::sleep_for(10ms);
  }
  return Status::Unavailable("the coordinator did not answer within 20s; see " + root_);
}

void ClusterHarness::StopCoordinator(bool kill9) {
  // Signal all first: a clean stop of one replica at a time would make the
  // others hold elections in between.
  for (auto& r : replicas_) {
    if (r.pid > 0) ::kill(r.pid, kill9 ? SIGKILL : SIGTERM);
  }
  for (auto& r : replicas_) Reap(r);
}

bool ClusterHarness::CoordinatorAlive() {
  bool any = false;
  for (int i = 0; i < replica_count(); ++i) any = ReplicaAlive(i) || any;
  return any;
}

// ---- agents and jobs --------------------------------------------------------

std::string ClusterHarness::AgentDataDir(int i) const { return root_ + "/agent-" + std::to_string(i); }

Status ClusterHarness::StartAgent(int i) {
  std::string coordinators = options_.coordinators_for_agent ? options_.coordinators_for_agent(i) : "";
  if (coordinators.empty()) coordinators = EndpointList();
  std::vector<std::string> args = {"agent", "--coordinator", coordinators, "--data-dir", AgentDataDir(i),
                                   "--node-id", "agent-" + std::to_string(i), "--vcpus",
                                   std::to_string(options_.agent_vcpus), "--memory",
                                   std::to_string(options_.agent_memory_mib), "--disk", "100000",
                                   "--heartbeat-ms", "200", "--kill-grace-seconds", "2",
                                   "--log-listen", "tcp://" + HostOf("agent-" + std::to_string(i)) + ":0"};
  args.insert(args.end(), options_.agent_args.begin(), options_.agent_args.end());
  if (auto it = options_.agent_args_for.find(i); it != options_.agent_args_for.end()) {
    args.insert(args.end(), it->second.begin(), it->second.end());
  }
  agents_[static_cast<size_t>(i)] = Spawn(args, root_ + "/agent-" + std::to_string(i) + ".log", "agent-" + std::to_string(i));
  return Status::Ok();
}

void ClusterHarness::StopAgent(int i, bool kill9) { KillAndWait(agents_[static_cast<size_t>(i)], kill9); }

bool ClusterHarness::AgentAlive(int i, int* exit_code) {
  pid_t& pid = agents_[static_cast<size_t>(i)];
  if (pid <= 0) return false;
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) {
    if (exit_code) *exit_code = ExitCode(status);
    pid = -1;
    return false;
  }
  return true;
}

void ClusterHarness::SignalAgent(int i, int signum) {
  if (pid_t pid = agents_[static_cast<size_t>(i)]; pid > 0) ::kill(pid, signum);
}

void ClusterHarness::SignalReplica(int i, int signum) {
  if (pid_t pid = replicas_[static_cast<size_t>(i)].pid; pid > 0) ::kill(pid, signum);
}

std::string ClusterHarness::AgentLog(int i) const {
  std::ifstream in(root_ + "/agent-" + std::to_string(i) + ".log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status ClusterHarness::Start() {
  GANTRY_RETURN_IF_ERROR(StartCoordinator());
  for (int i = 0; i < options_.agents; ++i) GANTRY_RETURN_IF_ERROR(StartAgent(i));
  return WaitForReadyNodes(options_.agents, 20s);
}

Status ClusterHarness::WaitForReadyNodes(int n, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
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
  auto deadline = Clock::now() + limit;
  std::map<std::string, protocol::Job> done;
  while (Clock::now() < deadline) {
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
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    auto r = rpc_->Call(protocol::DescribeJobsRequest{{id}});
    if (r.ok() && !r->jobs.empty() && r->jobs[0].status == status) return Status::Ok();
    std::this_thread::sleep_for(10ms);
  }
  return Status::Unavailable("job " + id + " did not reach " + protocol::EnumName(status));
}

}  // namespace gantry::testing
