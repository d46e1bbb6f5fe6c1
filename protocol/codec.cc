#include "protocol/codec.h"

namespace gantry::protocol {

std::string DecodePath::ToString() const {
  std::string out;
  for (const auto& p : parts_) {
    // A map key may be empty: front() on it would be undefined behaviour.
    if (!out.empty() && (p.empty() || p.front() != '[')) out += '.';
    out += p;
  }
  return out;
}

Status DecodePath::Error(std::string_view what) const {
  std::string where = ToString();
  if (where.empty()) return Status::InvalidArgument(std::string(what));
  return Status::InvalidArgument(where + ": " + std::string(what));
}

const char* MsgpackTypeName(msgpack::type::object_type t) {
  switch (t) {
    case msgpack::type::NIL: return "nil";
    case msgpack::type::BOOLEAN: return "bool";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER: return "integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return "float";
    case msgpack::type::STR: return "str";
    case msgpack::type::BIN: return "bin";
    case msgpack::type::ARRAY: return "array";
    case msgpack::type::MAP: return "map";
    case msgpack::type::EXT: return "ext";
  }
  return "unknown";
}

namespace detail {

const msgpack::object* FindKey(const msgpack::object& map, std::string_view name) {
  for (uint32_t i = 0; i < map.via.map.size; ++i) {
    const auto& k = map.via.map.ptr[i].key;
    if (k.type == msgpack::type::STR && std::string_view(k.via.str.ptr, k.via.str.size) == name) {
      return &map.via.map.ptr[i].val;
    }
  }
  return nullptr;
}

Status ExpectType(const msgpack::object& o, msgpack::type::object_type want, const char* want_name,
                  const DecodePath& path) {
  if (o.type == want) return Status::Ok();
  return path.Error(std::string("expected ") + want_name + ", got " + MsgpackTypeName(o.type));
}

}  // namespace detail

Result<msgpack::object_handle> UnpackObject(std::string_view bytes, const DecodeLimits& limits,
                                            bool allow_trailing_zeros) {
  if (bytes.size() > limits.max_bytes) {
    return Status::InvalidArgument("message of " + std::to_string(bytes.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(limits.max_bytes));
  }
  if (bytes.empty()) return Status::InvalidArgument("empty message");
  msgpack::unpack_limit limit(limits.array, limits.map, limits.str, limits.bin, /*ext=*/0,
                              limits.depth);
  size_t offset = 0;
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limit);
  } catch (const msgpack::insufficient_bytes&) {
    return Status::InvalidArgument("truncated message (" + std::to_string(bytes.size()) + " bytes)");
  } catch (const msgpack::depth_size_overflow& e) {
    return Status::InvalidArgument(std::string("message nested too deeply: ") + e.what());
  } catch (const msgpack::size_overflow& e) {
    return Status::InvalidArgument(std::string("message exceeds decoder limits: ") + e.what());
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument("message too large to decode");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("malformed msgpack: ") + e.what());
  }
  if (offset != bytes.size()) {
    bool zeros = allow_trailing_zeros;
    for (size_t i = offset; zeros && i < bytes.size(); ++i) zeros = bytes[i] == 0;
    if (!zeros) {
      return Status::InvalidArgument(std::to_string(bytes.size() - offset) +
                                     " trailing bytes after the message");
    }
  }
  return handle;
}

}  // namespace gantry::protocol
