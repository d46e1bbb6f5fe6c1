// The log tail an AttemptEnded carries: the last bytes of output.log.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "gantry/status.h"

namespace gantry::node {

// Drops the bytes at the front of `tail` that continue a UTF-8 character cut
// by taking a tail (at most 3), so the text starts on a character boundary.
// Bytes that are not UTF-8 at all are left as they are. Pure.
std::string_view TrimCutCharacter(std::string_view tail);

// Reads the last `max_bytes` of `file` (all of it when smaller), trimmed with
// TrimCutCharacter when the file was longer. kNotFound if the file does not
// exist, kUnavailable for other errors. Blocks on the file system;
// thread-safe.
Result<std::string> ReadLogTail(const std::filesystem::path& file, size_t max_bytes);

}  // namespace gantry::node
