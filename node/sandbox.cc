#include "node/sandbox.h"

#include <algorithm>
#include <map>

namespace gantry::node {

std::filesystem::path ScratchRoot(const std::filesystem::path& data_dir) {
  return data_dir / "scratch";
}

std::filesystem::path LogRoot(const std::filesystem::path& data_dir) { return data_dir / "logs"; }

Status ValidatePathComponent(std::string_view what, std::string_view value) {
  if (value.empty() || value.size() > 255) {
    return Status::InvalidArgument(std::string(what) + " must be 1-255 bytes");
  }
  if (value == "." || value == ".." || value.find('/') != std::string_view::npos ||
      value.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " \"" + std::string(value.substr(0, 64)) +
                                   "\" is not usable as a directory name");
  }
  return Status::Ok();
}

std::string ScratchDirName(std::string_view attempt_id) {
  std::string name(attempt_id);
  std::replace(name.begin(), name.end(), ':', '.');
  return name;
}

Result<SandboxPaths> SandboxPathsFor(const std::filesystem::path& data_dir,
                                     const protocol::LaunchAttempt& launch) {
  GANTRY_RETURN_IF_ERROR(ValidatePathComponent("attemptId", launch.attemptId));
  // ":" and "::" would become "." and "..".
  const std::string scratch_name = ScratchDirName(launch.attemptId);
  GANTRY_RETURN_IF_ERROR(ValidatePathComponent("attemptId's scratch directory name", scratch_name));
  GANTRY_RETURN_IF_ERROR(ValidatePathComponent("jobId", launch.jobId));
  SandboxPaths paths;
  paths.scratch_dir = ScratchRoot(data_dir) / scratch_name;
  paths.log_dir = LogRoot(data_dir) / launch.jobId / std::to_string(launch.attemptNumber);
  paths.log_file = paths.log_dir / "output.log";
  return paths;
}

Result<SandboxPaths> SandboxPathsFor(const std::filesystem::path& data_dir,
                                     const protocol::LaunchAttempt& launch,
                                     const ScratchDiskPolicy& disk) {
  GANTRY_ASSIGN_OR_RETURN(SandboxPaths paths, SandboxPathsFor(data_dir, launch));
  if (disk.method == DiskQuotaMethod::kNone) return paths;
  const uint64_t mib = JobDiskMib(launch.resources.diskMib, disk.default_job_disk_mib);
  if (mib == 0) return Status::InvalidArgument("scratch disk size is 0 MiB (no request and no default)");
  if (disk.method == DiskQuotaMethod::kWatch) {
    paths.watched_disk_mib = mib;
    return paths;
  }
  paths.scratch_disk_mib = mib;
  paths.scratch_image = ScratchImagePath(data_dir, paths.scratch_dir.filename().string());
  return paths;
}

Result<std::vector<std::string>> BuildEnvironment(const protocol::LaunchAttempt& launch,
                                                  const std::string& scratch_dir,
                                                  std::string_view agent_path, std::string_view node_id) {
  GANTRY_RETURN_IF_ERROR(protocol::ValidateEnvironment(launch.environment));
  std::map<std::string, std::string> env(launch.environment.begin(), launch.environment.end());
  env.try_emplace("PATH", agent_path.empty() ? kDefaultPath : agent_path);
  env.try_emplace("HOME", scratch_dir);
  env.try_emplace("TMPDIR", scratch_dir);
  env["AWS_BATCH_JOB_ID"] = launch.jobId;
  env["AWS_BATCH_JOB_ATTEMPT"] = std::to_string(launch.attemptNumber);
  env["AWS_BATCH_JQ_NAME"] = launch.jobQueue;
  env["AWS_BATCH_CE_NAME"] = launch.computeEnvironment;
  if (!node_id.empty()) env["GANTRY_NODE_ID"] = std::string(node_id);
  env["GANTRY_ATTEMPT_ID"] = launch.attemptId;
  // Only an array child has them; a job tells it is one by their presence.
  if (launch.arrayIndex) env["AWS_BATCH_JOB_ARRAY_INDEX"] = std::to_string(*launch.arrayIndex);
  if (launch.arraySize) env["AWS_BATCH_JOB_ARRAY_SIZE"] = std::to_string(*launch.arraySize);
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace gantry::node
