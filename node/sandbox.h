// Sandbox policy: where an attempt's files live and what environment its
// process sees. Pure: no file is touched here (sandbox_fs.h does that).
//
// Layout under the agent's data directory:
//   DATA/scratch/<ScratchDirName(attemptId)>/     cwd, HOME and TMPDIR; deleted at the end
//   DATA/logs/<jobId>/<attemptNumber>/output.log  stdout and stderr, kept
//   DATA/scratch-images/<scratch name>.img        with a loop-ext4 disk quota:
//                                                 the scratch filesystem's image
// An array child's ids hold a ':' ("<uuid>:<index>", "<uuid>:<index>-<n>").
// Log paths use the job id as it is (':' is an ordinary file name
// character). The scratch directory becomes the job's HOME and TMPDIR, and
// a ':' there would split "PATH=$HOME/bin:$PATH" (and PYTHONPATH,
// LD_LIBRARY_PATH, virtualenv's activate) in two, so its name spells ':' as
// '.', which no other id holds: see ScratchDirName.
// Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "node/disk_quota.h"
#include "protocol/messages.h"

namespace gantry::node {

// PATH given to jobs whose environment sets none and whose agent has none.
inline constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct SandboxPaths {
  std::filesystem::path scratch_dir;
  std::filesystem::path log_dir;
  std::filesystem::path log_file;
  // With a disk quota the scratch directory is a filesystem of its own,
  // `scratch_disk_mib` MiB big, kept in `scratch_image`. Empty and 0: a
  // plain directory on the data dir's filesystem.
  std::filesystem::path scratch_image;
  uint64_t scratch_disk_mib = 0;
  // With the watch method the scratch is a plain directory the agent
  // measures against this many MiB (see disk_watch.h); 0 otherwise.
  uint64_t watched_disk_mib = 0;
};

// How a node limits its attempts' scratch space (settled at start).
struct ScratchDiskPolicy {
  DiskQuotaMethod method = DiskQuotaMethod::kNone;
  uint64_t default_job_disk_mib = 1024;  // for jobs asking for 0
};

std::filesystem::path ScratchRoot(const std::filesystem::path& data_dir);
std::filesystem::path LogRoot(const std::filesystem::path& data_dir);

// Ids from the wire become directory names, so each must be one safe path
// component: 1-255 bytes, no '/', no NUL, not "." or "..". kInvalidArgument
// naming `what` otherwise.
Status ValidatePathComponent(std::string_view what, std::string_view value);

// The scratch directory's name for `attempt_id`: the id with each ':' as
// '.'. One-to-one for ids protocol::LaunchAttempt accepts (names hold only
// [A-Za-z0-9_-]).
std::string ScratchDirName(std::string_view attempt_id);

// The attempt's paths; kInvalidArgument if attemptId or jobId is not a safe
// path component.
Result<SandboxPaths> SandboxPathsFor(const std::filesystem::path& data_dir,
                                     const protocol::LaunchAttempt& launch);

// The same, with the scratch filesystem's image and size filled in for the
// loop-ext4 method, or watched_disk_mib for the watch method: the size is
// launch.resources.diskMib, or disk.default_job_disk_mib when that is 0.
// kInvalidArgument as above, or if the size comes out 0.
Result<SandboxPaths> SandboxPathsFor(const std::filesystem::path& data_dir,
                                     const protocol::LaunchAttempt& launch,
                                     const ScratchDiskPolicy& disk);

// The process environment as "NAME=value" strings, sorted by name: the job's
// environment; PATH (agent_path, or kDefaultPath when empty), HOME and TMPDIR
// (= scratch_dir) unless the job sets them; and always AWS_BATCH_JOB_ID,
// AWS_BATCH_JOB_ATTEMPT, AWS_BATCH_JQ_NAME, AWS_BATCH_CE_NAME and
// GANTRY_ATTEMPT_ID (and GANTRY_NODE_ID, the node's id, when `node_id` is
// given), plus AWS_BATCH_JOB_ARRAY_INDEX and
// AWS_BATCH_JOB_ARRAY_SIZE for an array child (when arrayIndex / arraySize
// are set), which the job cannot override. kInvalidArgument if the
// job's environment breaks protocol::ValidateEnvironment (LaunchAttempt's
// decoder does not check it).
Result<std::vector<std::string>> BuildEnvironment(const protocol::LaunchAttempt& launch,
                                                  const std::string& scratch_dir,
                                                  std::string_view agent_path, std::string_view node_id = {});

}  // namespace gantry::node
