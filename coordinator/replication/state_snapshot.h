// The coordinator's Raft snapshot: every key and value of the state store,
// read from a pinned view (so it runs on a worker thread while the loop keeps
// applying), in one msgpack record with a format name and version.
#pragma once

#include <string>
#include <string_view>

#include "coordinator/state/state_store.h"
#include "gantry/status.h"

namespace gantry::coordinator {

// kInternal if the view cannot be read.
Result<std::string> SerializeState(const StateView& view);
// kCorruption naming what is wrong for anything but SerializeState's output
// (of this format version).
Result<StateStore::KeyValues> ParseState(std::string_view data);

}  // namespace gantry::coordinator
