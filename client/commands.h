// The client verbs (`gantry submit-job`, `gantry describe-jobs`, ...), named
// like the `aws batch` CLI's.
#pragma once

#include <CLI/CLI.hpp>

namespace gantry {
void AddClientCommands(CLI::App& app);
}  // namespace gantry
