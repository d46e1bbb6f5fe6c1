// Writing a small file so that a reader sees the old content or the new,
// never half of it: the agent's node id, a job's reclaim deadline file.
#pragma once

#include <filesystem>
#include <string>

#include "gantry/status.h"

namespace gantry::node {

// Writes `content` to a hidden temporary beside `path` (".<name>.tmp", so a
// job listing its directory does not mistake it for the file) and renames it
// into place. kUnavailable, naming the file, if either step fails.
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content);

}  // namespace gantry::node
