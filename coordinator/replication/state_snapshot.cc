#include "coordinator/replication/state_snapshot.h"

#include "protocol/codec.h"

namespace gantry::coordinator {
namespace {

constexpr const char* kFormat = "gantry-state";
constexpr uint32_t kVersion = 1;

struct StateSnapshot {
  std::string format;
  uint32_t version = 0;
  std::vector<std::string> keys;  // in key order
  std::vector<std::string> values;

  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("format", s.format);
    v("version", s.version);
    v("keys", s.keys);
    v("values", s.values);
  }
};

}  // namespace

Result<std::string> SerializeState(const StateView& view) {
  StateSnapshot snap{kFormat, kVersion, {}, {}};
  Status s = view.Scan("", [&](std::string_view k, std::string_view v) {
    snap.keys.emplace_back(k);
    snap.values.emplace_back(v);
    return true;
  });
  if (!s.ok()) return Status::Internal("snapshot: " + s.message());
  return protocol::Encode(snap);
}

Result<StateStore::KeyValues> ParseState(std::string_view data) {
  auto snap = protocol::Decode<StateSnapshot>(data, "StateSnapshot", protocol::DecodeLimits::Internal());
  if (!snap.ok()) return Status::Corruption("snapshot: " + snap.status().message());
  if (snap->format != kFormat || snap->version != kVersion) {
    return Status::Corruption("snapshot: format " + snap->format + " version " + std::to_string(snap->version) +
                              ", expected " + kFormat + " version " + std::to_string(kVersion));
  }
  if (snap->keys.size() != snap->values.size()) {
    return Status::Corruption("snapshot: " + std::to_string(snap->keys.size()) + " keys but " +
                              std::to_string(snap->values.size()) + " values");
  }
  StateStore::KeyValues out;
  out.reserve(snap->keys.size());
  for (size_t i = 0; i < snap->keys.size(); ++i) out.emplace_back(std::move(snap->keys[i]), std::move(snap->values[i]));
  return out;
}

}  // namespace gantry::coordinator
