#include "coordinator/server/coordinator_command.h"

#include <uv.h>

#include <iostream>

#include "common/logging.h"
#include "coordinator/server/coordinator_server.h"
#include "gantry/clock.h"
#include "gantry/ports.h"

namespace gantry {
namespace {

struct SignalContext {
  coordinator::CoordinatorServer* server;
  Logger log;
  int count = 0;
};

int RunCoordinator(const coordinator::CoordinatorConfig& config) {
  SetLogRole("coordinator");
  Logger log = MakeLogger("main");
  uv_loop_t loop;
  uv_loop_init(&loop);
  zmq::context_t ctx(1);
  SystemClock clock;
  auto server = coordinator::CoordinatorServer::Create(&loop, &ctx, config, &clock);
  if (!server.ok()) {
    log->error("cannot start coordinator: {}", server.status().ToString());
    return 1;
  }
  if (Status s = (*server)->Start(); !s.ok()) {
    log->error("cannot start coordinator: {}", s.ToString());
    return 1;
  }
  SignalContext sig_ctx{server->get(), log};
  uv_signal_t sigint, sigterm;
  for (auto [handle, signum] : {std::pair{&sigint, SIGINT}, std::pair{&sigterm, SIGTERM}}) {
    uv_signal_init(&loop, handle);
    handle->data = &sig_ctx;
    uv_signal_start(handle, [](uv_signal_t* h, int signum) {
      auto* c = static_cast<SignalContext*>(h->data);
      if (++c->count > 1) std::_Exit(1);  // a second signal: no more patience
      c->log->info("stopping signal={}", signum);
      c->server->Stop();
      uv_close(reinterpret_cast<uv_handle_t*>(h), nullptr);
      uv_walk(h->loop, [](uv_handle_t* other, void*) {
        if (other->type == UV_SIGNAL && !uv_is_closing(other)) uv_close(other, nullptr);
      }, nullptr);
    }, signum);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  server->reset();
  // Let closing handles finish.
  uv_run(&loop, UV_RUN_DEFAULT);
  int rc = uv_loop_close(&loop);
  if (rc != 0) log->warn("loop closed with handles still open rc={}", uv_strerror(rc));
  log->info("stopped");
  return 0;
}

}  // namespace

void AddCoordinatorCommand(CLI::App& app) {
  auto config = std::make_shared<coordinator::CoordinatorConfig>();
  config->listen = DefaultEndpoint();
  CLI::App* cmd = app.add_subcommand("coordinator", "Run a coordinator replica");
  cmd->add_option("--data-dir", config->data_dir, "Directory for the replica's state")->required();
  cmd->add_option("--listen", config->listen, "ZeroMQ endpoint for clients and agents")
      ->capture_default_str();
  cmd->add_option("--node-ttl-ms", config->node_ttl_ms,
                  "A node silent this long gets no new work")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{200}, int64_t{3'600'000}));
  cmd->callback([config] {
    int rc = RunCoordinator(*config);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace gantry
