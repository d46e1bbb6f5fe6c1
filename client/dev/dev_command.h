// `gantry dev`: a whole cluster on this machine, one command, no set-up.
#pragma once

#include <CLI/CLI.hpp>

namespace gantry {
void AddDevCommand(CLI::App& app);
}  // namespace gantry
