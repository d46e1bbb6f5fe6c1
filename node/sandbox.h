// Sandbox policy: where an attempt's files live and what environment its
// process sees. Pure: no file is touched here (sandbox_fs.h does that).
//
// Layout under the agent's data directory:
//   DATA/scratch/<attemptId>/                     cwd, HOME and TMPDIR; deleted at the end
//   DATA/logs/<jobId>/<attemptNumber>/output.log  stdout and stderr, kept
// Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::node {

// PATH given to jobs whose environment sets none and whose agent has none.
inline constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct SandboxPaths {
  std::filesystem::path scratch_dir;
  std::filesystem::path log_dir;
  std::filesystem::path log_file;
};

std::filesystem::path ScratchRoot(const std::filesystem::path& data_dir);
std::filesystem::path LogRoot(const std::filesystem::path& data_dir);

// Ids from the wire become directory names, so each must be one safe path
// component: 1-255 bytes, no '/', no NUL, not "." or "..". kInvalidArgument
// naming `what` otherwise.
Status ValidatePathComponent(std::string_view what, std::string_view value);

// The attempt's paths; kInvalidArgument if attemptId or jobId is not a safe
// path component.
Result<SandboxPaths> SandboxPathsFor(const std::filesystem::path& data_dir,
                                     const protocol::LaunchAttempt& launch);

// The process environment as "NAME=value" strings, sorted by name: the job's
// environment; PATH (agent_path, or kDefaultPath when empty), HOME and TMPDIR
// (= scratch_dir) unless the job sets them; and always AWS_BATCH_JOB_ID,
// AWS_BATCH_JOB_ATTEMPT, AWS_BATCH_JQ_NAME, AWS_BATCH_CE_NAME and
// GANTRY_ATTEMPT_ID, which the job cannot override. kInvalidArgument if the
// job's environment breaks protocol::ValidateEnvironment (LaunchAttempt's
// decoder does not check it).
Result<std::vector<std::string>> BuildEnvironment(const protocol::LaunchAttempt& launch,
                                                  const std::string& scratch_dir,
                                                  std::string_view agent_path);

}  // namespace gantry::node
