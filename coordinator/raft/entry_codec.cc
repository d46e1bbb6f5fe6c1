#include "coordinator/raft/entry_codec.h"

#include <cstring>
#include <string>

#include "gantry/check.h"

namespace gantry::coordinator::raft {
namespace {

void Put32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void Put64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t Get32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
uint64_t Get64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

}  // namespace

size_t EncodedEntrySize(size_t payload_size) {
  return (kEntryHeaderBytes + payload_size + 7) & ~static_cast<size_t>(7);
}

void EncodeEntry(std::string_view payload, char* out) {
  GANTRY_CHECK(payload.size() <= kMaxPayloadBytes);
  Put32(out, kEntryMagic);
  Put32(out + 4, static_cast<uint32_t>(payload.size()));
  if (!payload.empty()) std::memcpy(out + kEntryHeaderBytes, payload.data(), payload.size());
  size_t used = kEntryHeaderBytes + payload.size();
  std::memset(out + used, 0, EncodedEntrySize(payload.size()) - used);
}

Result<std::string_view> DecodeEntry(std::string_view entry) {
  if (entry.size() < kEntryHeaderBytes) {
    return Status::Corruption("raft entry", "shorter than its header: " + std::to_string(entry.size()) + " bytes");
  }
  uint32_t magic = Get32(entry.data());
  if (magic != kEntryMagic) return Status::Corruption("raft entry", "bad magic " + std::to_string(magic));
  size_t length = Get32(entry.data() + 4);
  if (EncodedEntrySize(length) != entry.size()) {
    return Status::Corruption("raft entry", "payload length " + std::to_string(length) + " does not fit buffer of " +
                                                std::to_string(entry.size()) + " bytes");
  }
  for (size_t i = kEntryHeaderBytes + length; i < entry.size(); ++i) {
    if (entry[i] != 0) return Status::Corruption("raft entry", "non-zero padding");
  }
  return entry.substr(kEntryHeaderBytes, length);
}

size_t EncodedSnapshotSize(size_t data_size) { return kSnapshotHeaderBytes + data_size; }

void EncodeSnapshot(uint64_t applied_index, std::string_view data, char* out) {
  Put32(out, kSnapshotMagic);
  Put32(out + 4, 0);
  Put64(out + 8, applied_index);
  Put64(out + 16, data.size());
  if (!data.empty()) std::memcpy(out + kSnapshotHeaderBytes, data.data(), data.size());
}

Result<DecodedSnapshot> DecodeSnapshot(std::string_view snapshot) {
  if (snapshot.size() < kSnapshotHeaderBytes) {
    return Status::Corruption("raft snapshot",
                              "shorter than its header: " + std::to_string(snapshot.size()) + " bytes");
  }
  uint32_t magic = Get32(snapshot.data());
  if (magic != kSnapshotMagic) return Status::Corruption("raft snapshot", "bad magic " + std::to_string(magic));
  uint64_t length = Get64(snapshot.data() + 16);
  if (length != snapshot.size() - kSnapshotHeaderBytes) {
    return Status::Corruption("raft snapshot", "data length " + std::to_string(length) + " does not match buffer of " +
                                                   std::to_string(snapshot.size()) + " bytes");
  }
  return DecodedSnapshot{Get64(snapshot.data() + 8), snapshot.substr(kSnapshotHeaderBytes)};
}

}  // namespace gantry::coordinator::raft
