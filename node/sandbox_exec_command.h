// `gantry sandbox-exec`: registers the internal subcommand the executor
// spawns attempts through (see node/sandbox_exec.h).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "node/sandbox_exec.h"

namespace gantry {

// Hidden from `gantry --help`; `gantry sandbox-exec --help` still explains it.
void AddSandboxExecCommand(CLI::App& app);

// What `gantry sandbox-exec ARGS...` would run, without running it (ARGS
// is what follows "sandbox-exec"). kInvalidArgument with CLI11's message
// for bad usage. Thread-compatible.
Result<node::SandboxExecSpec> ParseSandboxExecArgs(std::vector<std::string> args);

}  // namespace gantry
