// Strict msgpack codec for gantry's records.
//
// A record is a struct that lists its fields once, in a static template:
//
//   struct Example {
//     std::string name;
//     std::optional<int64_t> size;
//     template <class S, class V> static void Fields(S& s, V& v) {
//       v("name", s.name);
//       v("size", s.size);
//     }
//   };
//
// and is encoded as a msgpack map from those names to values. The same list
// drives encoding and decoding, so the two cannot drift apart.
//
// Grammar of an encoded value:
//   record    = map { field-name(str) : value }   ; unknown keys are ignored
//   value     = bool | int | str | array of value | map { str : value } | record
//             | enum (encoded as its str name)
//
// Decoding rules (what "strict" means here):
//   - the input is unpacked with explicit msgpack limits (element counts, string
//     and binary sizes, nesting depth), and must not exceed max_bytes, so a
//     small frame cannot ask for gigabytes;
//   - every field that is not std::optional must be present;
//   - a value of the wrong msgpack type, an integer out of the field's range or
//     an unknown enum name is an error;
//   - after a record decodes, its `Status Validate() const` runs if it has one;
//   - errors are kInvalidArgument and name the field by its path, e.g.
//     "job.attempts[2].exitCode: expected integer, got str".
// Decoding never throws and never aborts.
#pragma once

#include <msgpack.hpp>

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "gantry/status.h"

namespace gantry::protocol {

// Limits applied while unpacking. Wire() is for anything that arrives from a
// socket; Internal() for bytes this process (or its replicas) wrote itself.
struct DecodeLimits {
  size_t max_bytes;
  size_t array;
  size_t map;
  size_t str;
  size_t bin;
  size_t depth;

  static DecodeLimits Wire() { return {16u << 20, 100'000, 4096, 1u << 20, 4u << 20, 12}; }
  static DecodeLimits Internal() { return {1u << 30, 50'000'000, 1'000'000, 64u << 20, 64u << 20, 16}; }
};

// Enums are encoded by name. Specialise EnumNames<E> with a static array
// `kNames` indexed by the enum's value (values must be 0..N-1).
template <class E>
struct EnumNames;

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires { EnumNames<E>::kNames; };

template <NamedEnum E>
const char* EnumName(E e) {
  const auto& names = EnumNames<E>::kNames;
  auto i = static_cast<size_t>(e);
  return i < std::size(names) ? names[i] : "?";
}

template <NamedEnum E>
std::optional<E> EnumFromName(std::string_view name) {
  const auto& names = EnumNames<E>::kNames;
  for (size_t i = 0; i < std::size(names); ++i) {
    if (name == names[i]) return static_cast<E>(i);
  }
  return std::nullopt;
}

namespace detail {
struct FieldCounter {
  size_t n = 0;
  template <class T>
  void operator()(const char*, const T&) { ++n; }
  template <class T>
  void operator()(const char*, const std::optional<T>& v) { n += v.has_value() ? 1 : 0; }
};
}  // namespace detail

template <class T>
concept Record = requires(T& t, detail::FieldCounter& c) { T::Fields(t, c); };

template <class T>
concept Validated = requires(const T& t) {
  { t.Validate() } -> std::same_as<Status>;
};

// ---- encoding -------------------------------------------------------------

using Packer = msgpack::packer<msgpack::sbuffer>;

template <class T>
void Pack(Packer& pk, const T& value);

namespace detail {
struct FieldWriter {
  Packer& pk;
  template <class T>
  void operator()(const char* name, const T& v) {
    pk.pack_str(static_cast<uint32_t>(std::char_traits<char>::length(name)));
    pk.pack_str_body(name, static_cast<uint32_t>(std::char_traits<char>::length(name)));
    Pack(pk, v);
  }
  template <class T>
  void operator()(const char* name, const std::optional<T>& v) {
    if (v.has_value()) (*this)(name, *v);
  }
};
}  // namespace detail

template <class T>
void Pack(Packer& pk, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    if (value) pk.pack_true(); else pk.pack_false();
  } else if constexpr (std::is_integral_v<T>) {
    pk.pack(value);
  } else if constexpr (std::is_same_v<T, double>) {
    pk.pack_double(value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    pk.pack_str(static_cast<uint32_t>(value.size()));
    pk.pack_str_body(value.data(), static_cast<uint32_t>(value.size()));
  } else if constexpr (NamedEnum<T>) {
    std::string_view name = EnumName(value);
    pk.pack_str(static_cast<uint32_t>(name.size()));
    pk.pack_str_body(name.data(), static_cast<uint32_t>(name.size()));
  } else if constexpr (Record<T>) {
    detail::FieldCounter counter;
    T::Fields(value, counter);
    pk.pack_map(static_cast<uint32_t>(counter.n));
    detail::FieldWriter writer{pk};
    T::Fields(value, writer);
  } else {
    // std::vector<U> or std::map<std::string, U>
    if constexpr (requires { typename T::mapped_type; }) {
      pk.pack_map(static_cast<uint32_t>(value.size()));
      for (const auto& [k, v] : value) {
        Pack(pk, k);
        Pack(pk, v);
      }
    } else {
      pk.pack_array(static_cast<uint32_t>(value.size()));
      for (const auto& v : value) Pack(pk, v);
    }
  }
}

// Encodes a record (or any supported value) into a standalone msgpack buffer.
template <class T>
std::string Encode(const T& value) {
  msgpack::sbuffer buf;
  Packer pk(buf);
  Pack(pk, value);
  return std::string(buf.data(), buf.size());
}

// ---- decoding -------------------------------------------------------------

// Tracks where in a nested value the decoder is, for error messages.
class DecodePath {
 public:
  void Push(std::string_view part) { parts_.push_back(std::string(part)); }
  void PushIndex(size_t i) { parts_.push_back("[" + std::to_string(i) + "]"); }
  void Pop() { parts_.pop_back(); }
  std::string ToString() const;
  Status Error(std::string_view what) const;

 private:
  std::vector<std::string> parts_;
};

const char* MsgpackTypeName(msgpack::type::object_type t);

template <class T>
Status Unpack(const msgpack::object& o, T& out, DecodePath& path);

namespace detail {

// Finds `name` in a msgpack map; nullptr when absent.
const msgpack::object* FindKey(const msgpack::object& map, std::string_view name);

struct FieldReader {
  const msgpack::object& map;
  DecodePath& path;
  Status status;

  template <class T>
  void operator()(const char* name, T& field) {
    if (!status.ok()) return;
    const msgpack::object* v = FindKey(map, name);
    path.Push(name);
    if (v == nullptr) {
      status = path.Error("missing field");
    } else {
      status = Unpack(*v, field, path);
    }
    path.Pop();
  }
  template <class T>
  void operator()(const char* name, std::optional<T>& field) {
    if (!status.ok()) return;
    const msgpack::object* v = FindKey(map, name);
    if (v == nullptr || v->type == msgpack::type::NIL) {
      field.reset();
      return;
    }
    path.Push(name);
    T value{};
    status = Unpack(*v, value, path);
    if (status.ok()) field = std::move(value);
    path.Pop();
  }
};

Status ExpectType(const msgpack::object& o, msgpack::type::object_type want, const char* want_name,
                  const DecodePath& path);

template <class I>
Status UnpackInteger(const msgpack::object& o, I& out, const DecodePath& path) {
  if (o.type == msgpack::type::POSITIVE_INTEGER) {
    if (o.via.u64 > static_cast<uint64_t>(std::numeric_limits<I>::max())) {
      return path.Error("integer out of range: " + std::to_string(o.via.u64));
    }
    out = static_cast<I>(o.via.u64);
    return Status::Ok();
  }
  if (o.type == msgpack::type::NEGATIVE_INTEGER) {
    if constexpr (std::is_unsigned_v<I>) {
      return path.Error("integer out of range: " + std::to_string(o.via.i64));
    } else {
      if (o.via.i64 < static_cast<int64_t>(std::numeric_limits<I>::min())) {
        return path.Error("integer out of range: " + std::to_string(o.via.i64));
      }
      out = static_cast<I>(o.via.i64);
      return Status::Ok();
    }
  }
  return path.Error(std::string("expected integer, got ") + MsgpackTypeName(o.type));
}

}  // namespace detail

template <class T>
Status Unpack(const msgpack::object& o, T& out, DecodePath& path) {
  if constexpr (std::is_same_v<T, bool>) {
    GANTRY_RETURN_IF_ERROR(detail::ExpectType(o, msgpack::type::BOOLEAN, "bool", path));
    out = o.via.boolean;
    return Status::Ok();
  } else if constexpr (std::is_integral_v<T>) {
    return detail::UnpackInteger(o, out, path);
  } else if constexpr (std::is_same_v<T, double>) {
    if (o.type == msgpack::type::FLOAT64 || o.type == msgpack::type::FLOAT32) {
      out = o.via.f64;
      return Status::Ok();
    }
    if (o.type == msgpack::type::POSITIVE_INTEGER) { out = static_cast<double>(o.via.u64); return Status::Ok(); }
    if (o.type == msgpack::type::NEGATIVE_INTEGER) { out = static_cast<double>(o.via.i64); return Status::Ok(); }
    return path.Error(std::string("expected number, got ") + MsgpackTypeName(o.type));
  } else if constexpr (std::is_same_v<T, std::string>) {
    GANTRY_RETURN_IF_ERROR(detail::ExpectType(o, msgpack::type::STR, "str", path));
    out.assign(o.via.str.ptr, o.via.str.size);
    return Status::Ok();
  } else if constexpr (NamedEnum<T>) {
    GANTRY_RETURN_IF_ERROR(detail::ExpectType(o, msgpack::type::STR, "str", path));
    std::string_view name(o.via.str.ptr, o.via.str.size);
    auto e = EnumFromName<T>(name);
    if (!e) return path.Error("unknown value \"" + std::string(name.substr(0, 64)) + "\"");
    out = *e;
    return Status::Ok();
  } else if constexpr (Record<T>) {
    GANTRY_RETURN_IF_ERROR(detail::ExpectType(o, msgpack::type::MAP, "map", path));
    detail::FieldReader reader{o, path, Status::Ok()};
    T::Fields(out, reader);
    GANTRY_RETURN_IF_ERROR(reader.status);
    if constexpr (Validated<T>) {
      Status s = out.Validate();
      if (!s.ok()) {
        std::string where = path.ToString();
        return Status::InvalidArgument(where.empty() ? s.message() : where + ": " + s.message());
      }
    }
    return Status::Ok();
  } else if constexpr (requires { typename T::mapped_type; }) {
    GANTRY_RETURN_IF_ERROR(detail::ExpectType(o, msgpack::type::MAP, "map", path));
    out.clear();
    for (uint32_t i = 0; i < o.via.map.size; ++i) {
      const auto& kv = o.via.map.ptr[i];
      std::string key;
      path.Push("<key>");
      Status s = Unpack(kv.key, key, path);
      path.Pop();
      GANTRY_RETURN_IF_ERROR(s);
      path.Push(key);
      typename T::mapped_type value{};
      s = Unpack(kv.val, value, path);
      path.Pop();
      GANTRY_RETURN_IF_ERROR(s);
      out.insert_or_assign(std::move(key), std::move(value));
    }
    return Status::Ok();
  } else {
    GANTRY_RETURN_IF_ERROR(detail::ExpectType(o, msgpack::type::ARRAY, "array", path));
    out.clear();
    out.reserve(o.via.array.size);
    for (uint32_t i = 0; i < o.via.array.size; ++i) {
      path.PushIndex(i);
      typename T::value_type value{};
      Status s = Unpack(o.via.array.ptr[i], value, path);
      path.Pop();
      GANTRY_RETURN_IF_ERROR(s);
      out.push_back(std::move(value));
    }
    return Status::Ok();
  }
}

// Unpacks `bytes` as exactly one msgpack object under `limits`. Trailing bytes
// are an error unless allow_trailing_zeros and they are all zero (the padding
// a replicated log adds). Never throws.
Result<msgpack::object_handle> UnpackObject(std::string_view bytes, const DecodeLimits& limits,
                                            bool allow_trailing_zeros = false);

// Decodes one record (or value) from `bytes`. `what` names the top-level value
// in error messages, e.g. "JobDefinition".
template <class T>
Result<T> Decode(std::string_view bytes, std::string_view what,
                 const DecodeLimits& limits = DecodeLimits::Wire()) {
  GANTRY_ASSIGN_OR_RETURN(msgpack::object_handle handle, UnpackObject(bytes, limits));
  DecodePath path;
  path.Push(what);
  T out{};
  GANTRY_RETURN_IF_ERROR(Unpack(handle.get(), out, path));
  return out;
}

}  // namespace gantry::protocol
