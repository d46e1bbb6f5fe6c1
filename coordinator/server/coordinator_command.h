// `gantry coordinator`: registers the subcommand and its flags.
#pragma once

#include <CLI/CLI.hpp>

namespace gantry {
void AddCoordinatorCommand(CLI::App& app);
}  // namespace gantry
