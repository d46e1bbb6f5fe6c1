// `gantry dev`: a Raft group of coordinator replicas (3 by default) and N
// agents as separate child processes on 127.0.0.1, with a compute
// environment, a job queue and a job definition named "default", so that
//
//   gantry submit-job --job-name hi --job-queue default -- echo hello
//
// works at once, and so does boto3 or the aws CLI against
// http://127.0.0.1:7480. Ports: replica i (from 1) serves clients on
// base + i - 1, Raft on base + kRaftPortOffset + i - 1 and the AWS Batch
// HTTP API on base + kHttpPortOffset + i - 1 (without auth unless
// --http-keys is given). Ctrl-C or SIGTERM stops every child
// and removes the temporary data directory.
#include "client/dev/dev_command.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "client/dev/process_group.h"
#include "client/rpc_client.h"
#include "gantry/ports.h"

namespace gantry {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using dev::ChildProcesses;

struct DevConfig {
  int replicas = 3;
  int agents = 2;
  std::string data_dir;
  uint16_t base_port = kDefaultBasePort;
  uint32_t agent_vcpus = 0;  // 0: fingerprint
  uint64_t agent_memory = 0;
  uint64_t agent_disk = 0;
  int64_t node_ttl_ms = 5000;
  bool keep = false;
  std::string http_keys;  // empty: the HTTP API runs without auth
};

std::string SelfPath() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "gantry" : p.string();
}

// Polls until the coordinator answers, or the deadline passes.
Status WaitForCoordinator(client::RpcClient& rpc, ChildProcesses& children, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  Status last;
  while (std::chrono::steady_clock::now() < deadline) {
    children.Reap();
    for (const auto& c : children.children()) {
      if (c.exited && c.name.rfind("coordinator", 0) == 0) {
        return Status::Unavailable(c.name + " exited during start-up");
      }
    }
    auto r = rpc.Call(protocol::DescribeJobQueuesRequest{});
    if (r.ok()) return Status::Ok();
    last = r.status();
  }
  return Status::Unavailable("the coordinator did not answer within " + std::to_string(limit.count()) +
                             "s: " + last.message());
}

Status EnsureDefaults(client::RpcClient& rpc) {
  protocol::CreateComputeEnvironmentRequest ce;
  ce.computeEnvironment.computeEnvironmentName = "default";
  ce.computeEnvironment.type = protocol::ComputeEnvironmentType::kUnmanaged;
  ce.computeEnvironment.maxvCpus = 100000;
  auto c = rpc.Call(ce);
  if (!c.ok() && c.status().code() != StatusCode::kConflict) return c.status().WithContext("create compute environment");

  protocol::CreateJobQueueRequest q;
  q.jobQueue.jobQueueName = "default";
  q.jobQueue.priority = 1;
  q.jobQueue.computeEnvironmentOrder = {{1, "default"}};
  auto qr = rpc.Call(q);
  if (!qr.ok() && qr.status().code() != StatusCode::kConflict) return qr.status().WithContext("create job queue");

  auto defs = rpc.Call(protocol::DescribeJobDefinitionsRequest{{}});
  if (!defs.ok()) return defs.status();
  for (const auto& d : defs->jobDefinitions) {
    if (d.jobDefinitionName == "default") return Status::Ok();
  }
  protocol::RegisterJobDefinitionRequest def;
  def.jobDefinition.jobDefinitionName = "default";
  def.jobDefinition.command = {"echo", "hello from gantry"};
  def.jobDefinition.resources = {1, 128, 0};
  auto dr = rpc.Call(def);
  return dr.ok() ? Status::Ok() : dr.status().WithContext("register job definition");
}

// Waits until `want` nodes are READY, so the first submission runs at once.
void WaitForNodes(client::RpcClient& rpc, int want, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = rpc.Call(protocol::DescribeNodesRequest{});
    if (r.ok()) {
      int ready = 0;
      for (const auto& n : r->nodes) ready += n.state == protocol::NodeState::kReady;
      if (ready >= want) return;
    }
    std::this_thread::sleep_for(50ms);
  }
  std::cerr << "gantry dev: not every agent is ready yet; see `gantry nodes`\n";
}

int RunDev(DevConfig cfg) {
  // Signals are taken synchronously below; block them before any child
  // exists so none is lost. Children unblock them before exec.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGCHLD);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

  bool made_dir = false;
  if (cfg.data_dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "gantry-dev-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::cerr << "gantry dev: cannot create a temporary directory\n";
      return 1;
    }
    cfg.data_dir = tmpl;
    made_dir = !cfg.keep;
  }
  fs::create_directories(cfg.data_dir);
  const std::string self = SelfPath();
  std::vector<std::string> endpoints;
  std::string peers;
  for (int i = 0; i < cfg.replicas; ++i) {
    endpoints.push_back("tcp://127.0.0.1:" + std::to_string(cfg.base_port + i));
    peers += (i ? "," : "") + std::to_string(i + 1) + "@127.0.0.1:" +
             std::to_string(cfg.base_port + kRaftPortOffset + i);
  }
  std::string endpoint_list;
  for (const auto& e : endpoints) endpoint_list += (endpoint_list.empty() ? "" : ",") + e;
  std::vector<std::string> http_listen;
  for (int i = 0; i < cfg.replicas; ++i) {
    http_listen.push_back("127.0.0.1:" + std::to_string(cfg.base_port + kHttpPortOffset + i));
  }

  ChildProcesses children;
  auto cleanup = [&] {
    children.StopAll(15s);
    if (made_dir) {
      std::error_code ec;
      fs::remove_all(cfg.data_dir, ec);
    }
  };
  Status s;
  for (int i = 1; s.ok() && i <= cfg.replicas; ++i) {
    const std::string name = "coordinator-" + std::to_string(i);
    std::vector<std::string> argv = {self, "coordinator", "--data-dir", cfg.data_dir + "/" + name, "--listen",
                                     endpoints[i - 1], "--id", std::to_string(i), "--peers", peers,
                                     "--node-ttl-ms", std::to_string(cfg.node_ttl_ms), "--http-listen",
                                     http_listen[i - 1]};
    if (cfg.http_keys.empty()) {
      argv.push_back("--http-no-auth");
    } else {
      argv.insert(argv.end(), {"--http-keys", cfg.http_keys});
    }
    s = children.Start(name, argv, cfg.data_dir + "/" + name + ".log");
  }
  for (int i = 1; s.ok() && i <= cfg.agents; ++i) {
    std::vector<std::string> argv = {self, "agent", "--coordinator", endpoint_list, "--data-dir",
                                     cfg.data_dir + "/agent-" + std::to_string(i), "--node-id",
                                     "dev-agent-" + std::to_string(i)};
    if (cfg.agent_vcpus) argv.insert(argv.end(), {"--vcpus", std::to_string(cfg.agent_vcpus)});
    if (cfg.agent_memory) argv.insert(argv.end(), {"--memory", std::to_string(cfg.agent_memory)});
    if (cfg.agent_disk) argv.insert(argv.end(), {"--disk", std::to_string(cfg.agent_disk)});
    s = children.Start("agent-" + std::to_string(i), argv,
                       cfg.data_dir + "/agent-" + std::to_string(i) + ".log");
  }
  if (!s.ok()) {
    std::cerr << "gantry dev: " << s.message() << "\n";
    cleanup();
    return 1;
  }

  auto rpc = client::RpcClient::Create({endpoints, 2s});
  if (!rpc.ok()) {
    std::cerr << "gantry dev: " << rpc.status().message() << "\n";
    cleanup();
    return 1;
  }
  s = WaitForCoordinator(**rpc, children, 20s);
  if (s.ok()) s = EnsureDefaults(**rpc);
  if (!s.ok()) {
    std::cerr << "gantry dev: " << s.message() << "\n  see " << cfg.data_dir << "/coordinator-N.log\n";
    cleanup();
    return 1;
  }
  WaitForNodes(**rpc, cfg.agents, 20s);

  std::cout << "gantry dev: cluster ready: " << cfg.replicas << " coordinator replica"
            << (cfg.replicas > 1 ? "s" : "") << ", " << cfg.agents << " agents\n"
            << "  endpoints  " << endpoint_list
            << (cfg.base_port == kDefaultBasePort ? " (the client's default)" : "")
            << "\n  AWS API    http://" << http_listen.front() << " (any replica; "
            << (cfg.http_keys.empty() ? "no auth" : "SigV4 with --http-keys") << ", region local)"
            << "\n  data       " << cfg.data_dir << (made_dir ? " (removed on exit)" : "") << "\n"
            << "  logs       " << cfg.data_dir << "/coordinator-N.log, agent-N.log\n"
            << "  try        gantry submit-job --job-name hi --job-queue default -- echo hello\n"
            << "             gantry describe-jobs <id>; gantry logs <id>; gantry nodes\n"
            << "             aws batch submit-job --endpoint-url http://" << http_listen.front()
            << " --region local --no-sign-request --job-name hi --job-queue default --job-definition default\n"
            << "  stop       Ctrl-C\n"
            << std::flush;

  int exit_code = 0;
  while (true) {
    int sig = 0;
    if (sigwait(&stop_signals, &sig) != 0) continue;
    if (sig == SIGCHLD) {
      for (const auto& c : children.Reap()) {
        std::cerr << "gantry dev: " << c.name << " " << dev::DescribeWaitStatus(c.wait_status)
                  << "; the rest keeps running (log: " << cfg.data_dir << "/" << c.name << ".log)\n";
      }
      continue;
    }
    std::cerr << "gantry dev: stopping\n";
    break;
  }
  cleanup();
  return exit_code;
}

}  // namespace

void AddDevCommand(CLI::App& app) {
  auto cfg = std::make_shared<DevConfig>();
  CLI::App* cmd = app.add_subcommand("dev", "Run a whole cluster on this machine (coordinator and agents)");
  cmd->add_option("--replicas", cfg->replicas, "Coordinator replicas (a Raft group): 1, 3 or 5")
      ->capture_default_str()
      ->check(CLI::IsMember({1, 3, 5}));
  cmd->add_option("--agents", cfg->agents, "Number of agents")->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--data-dir", cfg->data_dir, "Data directory (default: a temporary one, removed on exit)");
  cmd->add_option("--base-port", cfg->base_port, "Client API port; other ports sit above it")
      ->capture_default_str()
      ->check(CLI::Range(1024, 65000));
  cmd->add_option("--agent-vcpus", cfg->agent_vcpus, "vCPUs each agent advertises (default: this machine's)");
  cmd->add_option("--agent-memory", cfg->agent_memory, "Memory (MiB) each agent advertises");
  cmd->add_option("--agent-disk", cfg->agent_disk, "Disk (MiB) each agent advertises");
  cmd->add_option("--node-ttl-ms", cfg->node_ttl_ms, "Node heartbeat TTL")->capture_default_str();
  cmd->add_flag("--keep", cfg->keep, "Keep a temporary data directory at exit");
  cmd->add_option("--http-keys", cfg->http_keys,
                  "Access keys file for the HTTP API (NAME ACCESS_KEY_ID SECRET per line); default: no auth");
  cmd->callback([cfg] {
    int rc = RunDev(*cfg);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace gantry
