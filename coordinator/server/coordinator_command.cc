#include "coordinator/server/coordinator_command.h"

#include <uv.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "client/rpc_client.h"
#include "common/logging.h"
#include "coordinator/http/http_api_service.h"
#include "coordinator/server/coordinator_server.h"
#include "gantry/clock.h"
#include "gantry/ports.h"

namespace gantry {
namespace {

struct CoordinatorFlags {
  coordinator::CoordinatorConfig config;
  uint64_t id = 1;
  std::string raft_address;  // default: listen host, listen port + kRaftPortOffset
  std::string peers;         // initial voters; default: this replica alone
  std::string join;          // client endpoints of a running group to join
  unsigned election_timeout_ms = 300;
  unsigned heartbeat_timeout_ms = 30;
  unsigned snapshot_threshold = 4096;
  unsigned snapshot_trailing = 1024;
  coordinator::http::HttpApiConfig http;  // used when http.server.listen is set
  std::string http_coordinators;          // default: --listen, then --peers' and --join's
};

// "tcp://127.0.0.1:7400" -> "127.0.0.1:7420"; empty if listen is not an
// IPv4 literal with a port.
std::string DefaultRaftAddress(const std::string& listen) {
  const std::string scheme = "tcp://";
  if (listen.rfind(scheme, 0) != 0) return "";
  std::string rest = listen.substr(scheme.size());
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return "";
  int port = std::atoi(rest.c_str() + colon + 1);
  if (port <= 0 || port + kRaftPortOffset > 65535) return "";
  std::string address = rest.substr(0, colon) + ":" + std::to_string(port + kRaftPortOffset);
  return coordinator::raft::ValidateAddress(address).ok() ? address : "";
}

// "127.0.0.1:7420" (a peer's Raft address) -> "tcp://127.0.0.1:7400": the
// client endpoint at the default offset; empty if the port does not allow it.
std::string ClientEndpointOfRaftAddress(const std::string& raft_address) {
  size_t colon = raft_address.rfind(':');
  if (colon == std::string::npos) return "";
  int port = std::atoi(raft_address.c_str() + colon + 1);
  if (port <= kRaftPortOffset) return "";
  return "tcp://" + raft_address.substr(0, colon) + ":" + std::to_string(port - kRaftPortOffset);
}

// The endpoints the HTTP API sends requests to: --http-coordinators, else
// this replica's own --listen first (one loopback hop when it leads), then
// the other voters' and --join's, so a follower reaches the leader.
Status BuildHttpOptions(CoordinatorFlags& f) {
  coordinator::http::HttpApiConfig& h = f.http;
  if (!f.http_coordinators.empty()) {
    auto list = client::ParseEndpointList(f.http_coordinators);
    if (!list.ok()) return list.status().WithContext("--http-coordinators");
    h.coordinators = std::move(list).value();
  } else {
    h.coordinators = {f.config.listen};
    for (const auto& peer : f.config.raft.bootstrap) {
      std::string endpoint = ClientEndpointOfRaftAddress(peer.address);
      if (peer.id != f.config.raft.id && !endpoint.empty()) h.coordinators.push_back(endpoint);
    }
    if (!f.join.empty()) {
      auto list = client::ParseEndpointList(f.join);
      if (!list.ok()) return list.status().WithContext("--join");
      for (auto& e : *list) h.coordinators.push_back(std::move(e));
    }
  }
  return coordinator::http::ValidateHttpApiConfig(h);
}

Status BuildRaftOptions(CoordinatorFlags& f) {
  coordinator::raft::RaftOptions& o = f.config.raft;
  o.id = f.id;
  o.address = f.raft_address.empty() ? DefaultRaftAddress(f.config.listen) : f.raft_address;
  if (o.address.empty()) {
    return Status::InvalidArgument("--raft-address is required when --listen (" + f.config.listen +
                                   ") is not tcp://a.b.c.d:port");
  }
  if (Status s = coordinator::raft::ValidateAddress(o.address); !s.ok()) return s.WithContext("--raft-address");
  o.election_timeout_ms = f.election_timeout_ms;
  o.heartbeat_timeout_ms = f.heartbeat_timeout_ms;
  o.snapshot_threshold = f.snapshot_threshold;
  o.snapshot_trailing = f.snapshot_trailing;
  if (!f.join.empty()) {
    if (!f.peers.empty()) return Status::InvalidArgument("--join and --peers exclude each other");
    o.bootstrap.clear();  // a joining replica is added by the leader
  } else if (f.peers.empty()) {
    o.bootstrap = {{o.id, o.address}};
  } else {
    auto peers = coordinator::raft::ParsePeers(f.peers);
    if (!peers.ok()) return peers.status().WithContext("--peers");
    o.bootstrap = std::move(peers).value();
  }
  // RaftNode validates again; checking here names the flags.
  if (!o.bootstrap.empty()) {
    bool listed = false;
    for (const auto& p : o.bootstrap) listed = listed || (p.id == o.id && p.address == o.address);
    if (!listed) {
      return Status::InvalidArgument("--peers must list this replica as " + std::to_string(o.id) + "@" + o.address);
    }
  }
  return Status::Ok();
}

// Asks a running group to add this replica, until it has (or stop is set).
// A replica already in the group (a restart with the same flags) is done.
void JoinGroup(std::string endpoints, coordinator::raft::Peer self, std::atomic<bool>* stop, Logger log) {
  auto list = client::ParseEndpointList(endpoints);
  if (!list.ok()) {
    log->error("--join: {}", list.status().message());
    return;
  }
  auto rpc = client::RpcClient::Create({*list, std::chrono::milliseconds(3000)});
  if (!rpc.ok()) {
    log->error("--join: {}", rpc.status().message());
    return;
  }
  while (!stop->load()) {
    auto r = (*rpc)->Call(protocol::RaftAddVoterRequest{self.id, self.address});
    if (r.ok() || r.status().code() == StatusCode::kConflict) {
      log->info("joined the group id={} address={} via={}", self.id, self.address, (*rpc)->current_endpoint());
      return;
    }
    log->warn("join refused, retrying error={}", r.status().ToString());
    for (int i = 0; i < 10 && !stop->load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

struct SignalContext {
  coordinator::CoordinatorServer* server;
  Logger log;
  int count = 0;
};

void CloseSignalHandles(uv_loop_t* loop) {
  uv_walk(loop, [](uv_handle_t* h, void*) {
    if (h->type == UV_SIGNAL && !uv_is_closing(h)) uv_close(h, nullptr);
  }, nullptr);
}

int RunCoordinator(CoordinatorFlags& flags) {
  SetLogRole("coordinator");
  Logger log = MakeLogger("main");
  if (Status s = BuildRaftOptions(flags); !s.ok()) {
    std::cerr << "gantry coordinator: " << s.message() << "\n";
    return 2;
  }
  const bool serve_http = !flags.http.server.listen.empty();
  if (serve_http) {
    if (Status s = BuildHttpOptions(flags); !s.ok()) {
      std::cerr << "gantry coordinator: " << s.message() << "\n";
      return 2;
    }
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  zmq::context_t ctx(1);
  SystemClock clock;
  auto created = coordinator::CoordinatorServer::Create(&loop, &ctx, flags.config, &clock);
  if (!created.ok()) {
    log->error("cannot start coordinator: {}", created.status().ToString());
    return 1;
  }
  std::unique_ptr<coordinator::CoordinatorServer> server = std::move(created).value();
  int rc = 0;
  SignalContext sig_ctx{server.get(), log};
  uv_signal_t sigint, sigterm;
  for (auto [handle, signum] : {std::pair{&sigint, SIGINT}, std::pair{&sigterm, SIGTERM}}) {
    uv_signal_init(&loop, handle);
    handle->data = &sig_ctx;
    uv_signal_start(handle, [](uv_signal_t* h, int signum) {
      auto* c = static_cast<SignalContext*>(h->data);
      if (++c->count > 1) std::_Exit(1);  // a second signal: no more patience
      c->log->info("stopping signal={}", signum);
      c->server->Stop();
      CloseSignalHandles(h->loop);
    }, signum);
  }
  server->OnRemoved([&loop] { CloseSignalHandles(&loop); });
  if (Status s = server->Start(); !s.ok()) {
    log->error("cannot start coordinator: {}", s.ToString());
    server->Stop();
    CloseSignalHandles(&loop);
    rc = 1;
  }
  // The HTTP API reaches this replica (and the others) through the ZeroMQ
  // client API, so it starts once that is bound.
  std::unique_ptr<coordinator::http::HttpApiService> http;
  if (rc == 0 && serve_http) {
    auto started = coordinator::http::HttpApiService::Start(flags.http, MakeLogger("http"));
    if (!started.ok()) {
      log->error("cannot start the HTTP API: {}", started.status().ToString());
      server->Stop();
      CloseSignalHandles(&loop);
      rc = 1;
    } else {
      http = std::move(started).value();
    }
  }
  std::atomic<bool> stop_join{false};
  std::thread joiner;
  if (rc == 0 && !flags.join.empty()) {
    joiner = std::thread(JoinGroup, flags.join, coordinator::raft::Peer{flags.config.raft.id, flags.config.raft.address},
                         &stop_join, MakeLogger("join"));
  }
  // Runs until Stop (a signal, removal from the group, a failed start) has
  // closed every handle, the Raft node's included.
  uv_run(&loop, UV_RUN_DEFAULT);
  // Requests still in flight are answered by the other replicas, or fail
  // with ServerException (which SDKs retry) once their budget is spent.
  if (http) http->Stop();
  stop_join = true;
  if (joiner.joinable()) joiner.join();
  server.reset();
  uv_run(&loop, UV_RUN_DEFAULT);
  int closed = uv_loop_close(&loop);
  if (closed != 0) log->warn("loop closed with handles still open rc={}", uv_strerror(closed));
  log->info("stopped");
  return rc;
}

void AddHttpFlags(CLI::App& cmd, CoordinatorFlags& flags) {
  coordinator::http::HttpApiConfig& h = flags.http;
  h.server.listen.clear();
  cmd.add_option("--http-listen", h.server.listen,
                 "HOST:PORT for the AWS Batch-compatible HTTP API (boto3, aws CLI); empty: not served");
  cmd.add_option("--http-keys", h.keys_path,
                 "File of access keys, one per line: NAME ACCESS_KEY_ID SECRET (mode 600); requests must be "
                 "SigV4-signed with one, and NAME is recorded as the job's submittedBy");
  cmd.add_flag("--http-no-auth", h.no_auth,
               "Serve the HTTP API without authentication (development only; any signature is ignored)");
  cmd.add_option("--region", h.arns.region, "Region named in ARNs")->capture_default_str();
  cmd.add_option("--account-id", h.arns.account, "12-digit account named in ARNs")->capture_default_str();
  cmd.add_option("--http-rate-limit", h.rate_per_second,
                 "Requests per second per access key before 429 TooManyRequestsException (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  cmd.add_option("--http-rate-burst", h.rate_burst, "Requests an idle access key may send at once")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  cmd.add_option_function<int64_t>(
         "--http-max-clock-skew-seconds", [&h](int64_t s) { h.max_clock_skew = std::chrono::seconds(s); },
         "How far a signed request's X-Amz-Date may be from this replica's clock (default 300)")
      ->check(CLI::Range(int64_t{1}, int64_t{86400}));
  cmd.add_option("--http-tls-cert", h.server.tls_cert,
                 "PEM certificate (chain) for HTTPS; with --http-tls-key the API speaks HTTPS only");
  cmd.add_option("--http-tls-key", h.server.tls_key, "PEM private key of --http-tls-cert");
  cmd.add_option("--http-threads", h.server.threads, "HTTP worker threads (one per open connection)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd.add_option("--http-coordinators", flags.http_coordinators,
                 "Client endpoints the HTTP API sends requests to (default: --listen, then the --peers' and "
                 "--join's client endpoints)");
}

}  // namespace

void AddCoordinatorCommand(CLI::App& app) {
  auto flags = std::make_shared<CoordinatorFlags>();
  coordinator::CoordinatorConfig& config = flags->config;
  config.listen = DefaultEndpoint();
  CLI::App* cmd = app.add_subcommand("coordinator", "Run a coordinator replica");
  cmd->add_option("--data-dir", config.data_dir,
                  "Directory for the replica's state and Raft log; a restart reuses it")
      ->required();
  cmd->add_option("--listen", config.listen, "ZeroMQ endpoint for clients and agents")->capture_default_str();
  cmd->add_option("--node-ttl-ms", config.node_ttl_ms, "A node silent this long gets no new work")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{200}, int64_t{3'600'000}));
  cmd->add_option_function<int64_t>(
         "--job-retention-seconds",
         [&config](int64_t seconds) { config.job_retention_ms = seconds * 1000; },
         "Finished jobs are removed from the state this long after they stopped (default 604800: 7 days)")
      ->check(CLI::Range(int64_t{1}, int64_t{10} * 365 * 86400));
  cmd->add_option("--default-job-disk-mib", config.default_job_disk_mib,
                  "Scratch disk of a job whose definition and submission ask for none (0: no disk, and no "
                  "quota needed on its node)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{0}, protocol::kMaxDiskMib));
  cmd->add_option("--id", flags->id, "This replica's id in the Raft group (unique, never reused)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000}));
  cmd->add_option("--raft-address", flags->raft_address,
                  "IP:PORT for Raft traffic between replicas (default: the --listen IP, its port + " +
                      std::to_string(kRaftPortOffset) + ")");
  cmd->add_option("--peers", flags->peers,
                  "Initial voters, identical on each: 1@IP:PORT,2@IP:PORT,3@IP:PORT (default: this replica "
                  "alone). Ignored on restart");
  cmd->add_option("--join", flags->join,
                  "Client endpoints of a running group; this replica (with an empty data dir) asks its leader to "
                  "add it as a voter");
  cmd->add_option("--election-timeout-ms", flags->election_timeout_ms, "Raft election timeout")
      ->capture_default_str()
      ->check(CLI::Range(50u, 60'000u));
  cmd->add_option("--heartbeat-ms", flags->heartbeat_timeout_ms, "Raft heartbeat, below the election timeout")
      ->capture_default_str()
      ->check(CLI::Range(5u, 10'000u));
  cmd->add_option("--snapshot-threshold", flags->snapshot_threshold, "Log entries between snapshots")
      ->capture_default_str()
      ->check(CLI::Range(16u, 1'000'000u));
  cmd->add_option("--snapshot-trailing", flags->snapshot_trailing,
                  "Log entries kept after a snapshot, for followers a little behind")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1'000'000u));
  AddHttpFlags(*cmd, *flags);
  cmd->callback([flags] {
    int rc = RunCoordinator(*flags);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace gantry
