// libFuzzer target: a replicated-log entry as the FSM reads it back.
// DecodeCommand is only ever given this cluster's own log, and a command
// that fails to decode is fatal there; but a corrupt or hostile entry must
// still end in an error, never a crash or an allocation the entry's size
// does not justify.
//
// Invariants (each broken one aborts, see fuzz_check.h):
//   - a refused entry is kInvalidArgument with a message;
//   - an accepted command passes Validate() (exactly its own payload);
//   - it re-encodes to bytes that decode to a command whose own encoding is
//     byte-identical.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "coordinator/fsm/command.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gantry::coordinator::Command;
  const std::string_view entry(reinterpret_cast<const char*>(data), size);
  gantry::Result<Command> cmd = gantry::coordinator::DecodeCommand(entry);
  if (!cmd.ok()) {
    gantry::fuzz::CheckRejected(cmd.status(), "DecodeCommand refusal");
    return 0;
  }
  gantry::fuzz::Check(cmd->Validate().ok(), "accepted command fails Validate", cmd->Validate());
  const std::string again = gantry::coordinator::EncodeCommand(*cmd);
  gantry::Result<Command> cmd2 = gantry::coordinator::DecodeCommand(again);
  gantry::fuzz::Check(cmd2.ok(), "re-encoded command does not decode", cmd2.status());
  gantry::fuzz::Check(cmd2->type == cmd->type && cmd2->at == cmd->at, "re-encoded command differs");
  gantry::fuzz::Check(gantry::coordinator::EncodeCommand(*cmd2) == again, "round trip is not stable");
  return 0;
}
