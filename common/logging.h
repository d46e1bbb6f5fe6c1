// One named spdlog logger per subsystem, made once at startup and passed in.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace gantry {

using Logger = std::shared_ptr<spdlog::logger>;

// A logger writing to stderr with the process's role in each line, e.g.
// "[coordinator] [rpc]". Level from GANTRY_LOG_LEVEL (default info).
Logger MakeLogger(const std::string& subsystem);
// For tests and tools: drops everything.
Logger NullLogger(const std::string& subsystem = "null");
// Sets the process role shown in each line; call once in main before MakeLogger.
void SetLogRole(const std::string& role);

}  // namespace gantry
