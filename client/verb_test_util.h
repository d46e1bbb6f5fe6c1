// Test only: runs the client verbs as `gantry ARGS...` would (the real CLI
// parser, main()'s exit statuses) and captures what they print.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "client/commands.h"

namespace gantry::client {

struct RunResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

inline RunResult RunGantry(std::vector<std::string> args) {
  CLI::App app{"gantry"};
  app.require_subcommand(1);
  AddClientCommands(app);
  args.insert(args.begin(), "gantry");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  RunResult r;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::RuntimeError& e) {
    r.exit_code = e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    r.exit_code = code == 0 ? 0 : 2;  // as main() maps bad usage
  }
  std::cout.flush();
  std::cerr.flush();
  r.out = testing::internal::GetCapturedStdout();
  r.err = testing::internal::GetCapturedStderr();
  return r;
}

// An endpoint where nothing listens: bind an ephemeral port, then close it.
inline std::string ClosedEndpoint() {
  zmq::context_t ctx;
  zmq::socket_t s(ctx, zmq::socket_type::router);
  s.set(zmq::sockopt::linger, 0);
  s.bind("tcp://127.0.0.1:*");
  return s.get(zmq::sockopt::last_endpoint);
}

}  // namespace gantry::client
