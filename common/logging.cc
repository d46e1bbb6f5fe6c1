#include "common/logging.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>
#include <mutex>

namespace gantry {
namespace {

std::mutex g_mu;
std::string g_role = "gantry";
spdlog::sink_ptr g_sink;

spdlog::level::level_enum LevelFromEnv() {
  const char* env = std::getenv("GANTRY_LOG_LEVEL");
  if (env == nullptr) return spdlog::level::info;
  return spdlog::level::from_str(env);
}

}  // namespace

void SetLogRole(const std::string& role) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_role = role;
}

Logger MakeLogger(const std::string& subsystem) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_sink) g_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(subsystem, g_sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%L%$ [" + g_role + "] [%n] %v");
  logger->set_level(LevelFromEnv());
  logger->flush_on(spdlog::level::warn);
  return logger;
}

Logger NullLogger(const std::string& subsystem) {
  return std::make_shared<spdlog::logger>(subsystem, std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace gantry
