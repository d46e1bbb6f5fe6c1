// `gantry agent`: registers the subcommand and its flags.
#pragma once

#include <CLI/CLI.hpp>

namespace gantry {
void AddAgentCommand(CLI::App& app);
}  // namespace gantry
