#include "protocol/codec.h"

#include <memory>

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

namespace {

// msgpack-c's own object builder, except that an array or map header whose
// count the input cannot hold (every element takes at least a byte, every
// map entry two) is refused as truncated before anything is allocated.
// msgpack-c allocates count * 24 bytes on reading the header, so under the
// Internal() limits 8 bytes (83 dd 02 23 00 00 ...: 35 million elements)
// asked for 1 GiB. Now what a message allocates grows with its own size, by
// at most about 24 bytes per input byte per nesting level. Counts over the
// configured limits still fail those limits first.
class BoundedObjectVisitor : public msgpack::v2::detail::create_object_visitor {
 public:
  BoundedObjectVisitor(size_t input_bytes, const DecodeLimits& limits, const msgpack::unpack_limit& limit)
      : create_object_visitor(nullptr, nullptr, limit), input_bytes_(input_bytes), limits_(limits) {}

  // Hide the base's: msgpack's parser calls them on the visitor's own type.
  bool start_array(uint32_t n) {
    if (n <= limits_.array && n > input_bytes_) throw msgpack::insufficient_bytes("array count");
    return create_object_visitor::start_array(n);
  }
  bool start_map(uint32_t n) {
    if (n <= limits_.map && 2 * static_cast<uint64_t>(n) > input_bytes_) {
      throw msgpack::insufficient_bytes("map count");
    }
    return create_object_visitor::start_map(n);
  }

 private:
  size_t input_bytes_;
  DecodeLimits limits_;
};

}  // namespace

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
    auto zone = std::make_unique<msgpack::zone>();
    BoundedObjectVisitor visitor(bytes.size(), limits, limit);
    visitor.set_zone(*zone);
    visitor.set_referenced(false);
    // Errors throw from the visitor; a normal return means one whole object.
    (void)msgpack::v2::parse(bytes.data(), bytes.size(), offset, visitor);
    handle = msgpack::object_handle(visitor.data(), std::move(zone));
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
