// CommandEntry: how commands travel through the Raft log.
//
// The leader packs every command that arrived while earlier entries were in
// flight into one log entry: one fsync and one round trip for many commands
// is where throughput comes from (research/libraft.md §2: 100 commands per
// entry commit 5-10x more commands/s than one per entry). Each command keeps
// its own position, so the FSM still sees a strictly increasing index per
// command:
//
//   command index = raft index << 16 | position in the entry
//
// which keeps "skip what is already applied" and fencing tokens (the plan's
// command index) exact. AppliedIndex for Raft is the top 48 bits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"

namespace gantry::coordinator {

inline constexpr int kPositionBits = 16;
inline constexpr size_t kMaxCommandsPerEntry = 1024;  // well below 1 << 16
// Room for a batch of large submissions, far below the adapter's 64 MiB.
inline constexpr size_t kMaxEntryBytes = 8u << 20;

inline uint64_t CommandIndex(uint64_t raft_index, uint64_t position) {
  return raft_index << kPositionBits | position;
}
// The index every command of entry `raft_index` is at or below once the
// whole entry is applied.
inline uint64_t EntryEndIndex(uint64_t raft_index) {
  return CommandIndex(raft_index, (uint64_t{1} << kPositionBits) - 1);
}
inline uint64_t RaftIndexOf(uint64_t command_index) { return command_index >> kPositionBits; }

struct CommandEntry {
  // Identifies the proposal on the replica that made it, so that replica can
  // hand each command's result to its caller; other replicas ignore it.
  uint64_t nonce = 0;
  std::vector<std::string> commands;  // each EncodeCommand()'s bytes

  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("nonce", s.nonce);
    v("commands", s.commands);
  }
};

std::string EncodeCommandEntry(const CommandEntry& entry);
// Entries come only from this cluster's own log: an error means corruption
// or a replica of an incompatible version, and callers treat it as fatal.
Result<CommandEntry> DecodeCommandEntry(std::string_view bytes);

}  // namespace gantry::coordinator
