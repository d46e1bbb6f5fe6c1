// Raw msgpack helpers for the protocol tests: Raw() and RawFrame() pack
// arbitrary values, MsgpackTree edits a valid encoding. Together they build
// frames the encoder would never produce (wrong types, missing keys, integers
// out of range) to test the decoder's strictness.
// Test-only code: header-only and not linked into any library.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.h"

namespace gantry::protocol::fixtures {

using Writer = std::function<void(Packer&)>;

// The bytes `write` packs.
inline std::string Raw(const Writer& write) {
  msgpack::sbuffer buf;
  Packer pk(buf);
  write(pk);
  return std::string(buf.data(), buf.size());
}

// Literal bytes, e.g. Bytes({0xdd, 0xff, 0xff, 0xff, 0xff}).
inline std::string Bytes(std::initializer_list<uint8_t> b) {
  return std::string(b.begin(), b.end());
}

inline void PackStr(Packer& pk, std::string_view s) {
  pk.pack_str(static_cast<uint32_t>(s.size()));
  pk.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
}

// An envelope with any header values around whatever `body` packs.
inline std::string RawFrame(uint64_t version, uint64_t type, uint64_t id, const Writer& body) {
  return Raw([&](Packer& pk) {
    pk.pack_map(4);
    PackStr(pk, "v");
    pk.pack(version);
    PackStr(pk, "t");
    pk.pack(type);
    PackStr(pk, "id");
    pk.pack(id);
    PackStr(pk, "body");
    body(pk);
  });
}

// A decoded msgpack value that a test edits and re-encodes. Paths are map keys
// from the root, or decimal indexes into arrays: {"body", "jobs", "0", "jobId"}.
class MsgpackTree {
 public:
  explicit MsgpackTree(std::string_view bytes)
      : handle_(msgpack::unpack(bytes.data(), bytes.size())), root_(handle_.get()) {}

  // Replaces the value at `path` with what `write` packs; adds the last key to
  // its map if it is missing.
  MsgpackTree& Set(std::initializer_list<std::string_view> path, const Writer& write) {
    std::string bytes = Raw(write);
    // Shallow: the value points into its own handle, kept alive with the tree.
    // (msgpack-c's deep copy memcpy()s from nullptr for empty strings.)
    values_.push_back(msgpack::unpack(bytes.data(), bytes.size()));
    *Find(path, /*create=*/true) = values_.back().get();
    return *this;
  }

  // Removes the key at `path` from its map.
  MsgpackTree& Erase(std::initializer_list<std::string_view> path) {
    std::vector<std::string_view> parts(path);
    std::string_view last = parts.back();
    parts.pop_back();
    msgpack::object* map = Walk(parts);
    auto& m = map->via.map;
    for (uint32_t i = 0; i < m.size; ++i) {
      if (KeyIs(m.ptr[i].key, last)) {
        for (uint32_t j = i + 1; j < m.size; ++j) m.ptr[j - 1] = m.ptr[j];
        --m.size;
        return *this;
      }
    }
    throw std::out_of_range("no key " + std::string(last) + " to erase");
  }

  std::string Bytes() const {
    return Raw([&](Packer& pk) { pk.pack(root_); });
  }

 private:
  static bool KeyIs(const msgpack::object& k, std::string_view name) {
    return k.type == msgpack::type::STR && std::string_view(k.via.str.ptr, k.via.str.size) == name;
  }

  msgpack::object* Child(msgpack::object* o, std::string_view part, bool create) {
    if (o->type == msgpack::type::ARRAY) {
      size_t i = std::stoul(std::string(part));
      if (i >= o->via.array.size) throw std::out_of_range("array index " + std::string(part));
      return &o->via.array.ptr[i];
    }
    if (o->type != msgpack::type::MAP)
      throw std::invalid_argument("not a container at " + std::string(part));
    auto& m = o->via.map;
    for (uint32_t i = 0; i < m.size; ++i) {
      if (KeyIs(m.ptr[i].key, part)) return &m.ptr[i].val;
    }
    if (!create) throw std::out_of_range("no key " + std::string(part));
    auto* grown = static_cast<msgpack::object_kv*>(
        handle_.zone()->allocate_align(sizeof(msgpack::object_kv) * (m.size + 1)));
    for (uint32_t i = 0; i < m.size; ++i) grown[i] = m.ptr[i];
    grown[m.size].key = msgpack::object(std::string(part), *handle_.zone());
    grown[m.size].val = msgpack::object();
    m.ptr = grown;
    return &m.ptr[m.size++].val;
  }

  msgpack::object* Walk(const std::vector<std::string_view>& parts) {
    msgpack::object* o = &root_;
    for (std::string_view part : parts) o = Child(o, part, /*create=*/false);
    return o;
  }

  msgpack::object* Find(std::initializer_list<std::string_view> path, bool create) {
    std::vector<std::string_view> parts(path);
    std::string_view last = parts.back();
    parts.pop_back();
    return Child(Walk(parts), last, create);
  }

  msgpack::object_handle handle_;
  msgpack::object root_;
  std::vector<msgpack::object_handle> values_;
};

}  // namespace gantry::protocol::fixtures
