// Fingerprint: what this node can offer (vCPUs, memory, disk), read from the
// system when the operator does not say.
//
// Parsing is pure and tested on sample text; the Fingerprint* functions are
// the syscall edge. All are thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "gantry/status.h"

namespace gantry::node {

// MemTotal from the text of /proc/meminfo ("MemTotal:  16318480 kB"), in MiB
// (rounded down). kInvalidArgument if the line is missing or malformed.
Result<uint64_t> ParseMemTotalMib(std::string_view meminfo);

// CPUs this process may run on (sched_getaffinity), falling back to
// std::thread::hardware_concurrency, and to 1 if both fail.
uint32_t FingerprintVcpus();

// MemTotal of /proc/meminfo. kUnavailable if it cannot be read.
Result<uint64_t> FingerprintMemoryMib();

// Space available to unprivileged users on the file system holding `dir`
// (statvfs f_bavail), in MiB. kUnavailable on error.
Result<uint64_t> FingerprintDiskMib(const std::filesystem::path& dir);

}  // namespace gantry::node
