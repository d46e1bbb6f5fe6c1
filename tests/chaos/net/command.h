// Running `ip` and `nft` for the chaos network layer: fork + exec, no shell.
//
// Every failure names the command line and carries its stderr, so a broken
// topology step reads like "ip -n gx3f2a-sw-1 -batch - failed (exit 1):
// Cannot find device "v-a1" [line 4: link set v-a1 master br0 up]".
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "gantry/status.h"

namespace gantry::chaos::net {

struct CommandOutput {
  int exit_code = 0;  // 128 + signal if it was killed
  std::string out;
  std::string err;
};

// Runs argv[0] (an absolute path, or a name looked up in PATH) with `input`
// on its stdin, waiting up to `timeout` (then SIGKILL). Returns the output
// whatever the exit code; kInternal only if the process could not be run or
// timed out. The child starts with no blocked signals, so it behaves the
// same when the caller has blocked SIGINT/SIGTERM for a sigwait thread.
// Thread-safe.
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

// RunCommand, and kInternal unless it exits 0. The error message names the
// command and quotes its stderr; for `-batch -` / `-f -` input it also quotes
// the input line the tool reported as failing.
Result<std::string> RunChecked(const std::vector<std::string>& argv, const std::string& input = "");

// Joins argv with spaces, for messages.
std::string CommandLine(const std::vector<std::string>& argv);

// The absolute path of `tool` ("ip", "nft"): PATH first, then /usr/sbin,
// /sbin, /usr/bin, /bin (root's tools often live outside a user's PATH).
// kNotFound names the tool and, for nft, the package that provides it.
Result<std::string> FindTool(const std::string& tool);

}  // namespace gantry::chaos::net
