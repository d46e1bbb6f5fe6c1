#include "coordinator/replication/command_entry.h"

#include "protocol/codec.h"

namespace gantry::coordinator {

std::string EncodeCommandEntry(const CommandEntry& entry) { return protocol::Encode(entry); }

Result<CommandEntry> DecodeCommandEntry(std::string_view bytes) {
  return protocol::Decode<CommandEntry>(bytes, "CommandEntry", protocol::DecodeLimits::Internal());
}

}  // namespace gantry::coordinator
