// The byte layout of what gantry hands to libraft: log entries and snapshots.
//
// Entry (research/libraft.md §6.1). libraft 0.15 writes entries back to back
// on the wire and on disk but decodes them assuming each is padded to 8
// bytes; an unaligned entry makes followers apply garbage, silently, and can
// leave a log that no longer loads. So every entry is padded, and the payload
// length is stated explicitly:
//
//   entry    := magic:u32le length:u32le payload[length] zero[pad]
//   magic    := 0x31455247 ("GRE1")
//   pad      := 0-7 bytes so that 8 + length + pad is a multiple of 8
//
// The magic makes a misframed entry fail loudly (abort) instead of being
// applied as garbage.
//
// Snapshot (one buffer; libraft needs no padding here, §6.1):
//
//   snapshot := magic:u32le zero:u32le applied_index:u64le length:u64le data[length]
//   magic    := 0x31535247 ("GRS1")
//
// `applied_index` is the state machine's own AppliedIndex() when the
// snapshot was pinned, which may be above libraft's snapshot index after a
// restart (the state survives in RocksDB); restore compares it, not
// libraft's, with the receiver's AppliedIndex().
//
// Pure: no libraft, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gantry/status.h"

namespace gantry::coordinator::raft {

inline constexpr uint32_t kEntryMagic = 0x31455247;
inline constexpr uint32_t kSnapshotMagic = 0x31535247;
inline constexpr size_t kEntryHeaderBytes = 8;
inline constexpr size_t kSnapshotHeaderBytes = 24;
// The largest payload Propose accepts: one entry is one message and is held
// in RAM on every replica until a snapshot truncates the log.
inline constexpr size_t kMaxPayloadBytes = 64u << 20;

// Bytes EncodeEntry writes for a payload of `payload_size`: a multiple of 8.
size_t EncodedEntrySize(size_t payload_size);
// Writes the entry into `out`, which holds EncodedEntrySize(payload.size())
// bytes. Precondition: payload.size() <= kMaxPayloadBytes.
void EncodeEntry(std::string_view payload, char* out);
// The payload inside `entry`, a view into it. kCorruption if the magic is
// wrong, the length runs past the buffer, the buffer is not exactly the
// padded size, or the padding is not zero.
Result<std::string_view> DecodeEntry(std::string_view entry);

size_t EncodedSnapshotSize(size_t data_size);
// Writes header and data into `out`, which holds EncodedSnapshotSize bytes.
void EncodeSnapshot(uint64_t applied_index, std::string_view data, char* out);
struct DecodedSnapshot {
  uint64_t applied_index = 0;
  std::string_view data;  // view into the decoded buffer
};
// kCorruption on a bad magic or a length that does not match the buffer.
Result<DecodedSnapshot> DecodeSnapshot(std::string_view snapshot);

}  // namespace gantry::coordinator::raft
