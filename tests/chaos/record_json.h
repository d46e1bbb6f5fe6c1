// protocol records (Job, Attempt, NodeCapacity, ...) as JSON, driven by the
// same Fields() list the msgpack codec uses, so the chaos history holds a
// whole record and cannot drift from the wire format.
//
// Shape: a record is an object keyed by its field names (AWS's camelCase);
// an absent std::optional is left out; enums are their names ("SUCCEEDED");
// maps are objects; vectors are arrays.
//
// Reading is strict in the way the codec is: every non-optional field must
// be present, a null optional counts as absent, a value of the wrong JSON
// type, an integer out of the field's range or an unknown enum name is an
// error. Unknown members are ignored. Errors are kInvalidArgument and name
// the member by path, e.g. "job.attempts[0].exitCode: expected integer, got
// string". Validate() is not run: a history may hold whatever the cluster
// produced, and judging it is the checker's job. Never throws. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "gantry/status.h"
#include "protocol/codec.h"

namespace gantry::chaos {

// Where in a nested JSON value a reader is, for error messages.
class JsonPath {
 public:
  explicit JsonPath(std::string root) { parts_.push_back(std::move(root)); }
  void Push(std::string_view member) { parts_.push_back("." + std::string(member)); }
  void PushIndex(size_t i) { parts_.push_back("[" + std::to_string(i) + "]"); }
  void Pop() { parts_.pop_back(); }
  Status Error(std::string_view what) const {
    std::string at;
    for (const auto& p : parts_) at += p;
    return Status::InvalidArgument(at + ": " + std::string(what));
  }

 private:
  std::vector<std::string> parts_;
};

// "string", "number", "object", ... for error messages.
inline std::string JsonTypeName(const nlohmann::json& j) { return j.type_name(); }

template <class T>
nlohmann::json RecordToJson(const T& value);

namespace detail {
struct JsonFieldWriter {
  nlohmann::json& obj;
  template <class T>
  void operator()(const char* name, const T& v) {
    obj[name] = RecordToJson(v);
  }
  template <class T>
  void operator()(const char* name, const std::optional<T>& v) {
    if (v) obj[name] = RecordToJson(*v);
  }
};
}  // namespace detail

template <class T>
nlohmann::json RecordToJson(const T& value) {
  if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T> || std::is_same_v<T, double> ||
                std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (protocol::NamedEnum<T>) {
    return protocol::EnumName(value);
  } else if constexpr (protocol::Record<T>) {
    nlohmann::json obj = nlohmann::json::object();
    detail::JsonFieldWriter writer{obj};
    T::Fields(value, writer);
    return obj;
  } else if constexpr (requires { typename T::mapped_type; }) {
    nlohmann::json obj = nlohmann::json::object();
    for (const auto& [k, v] : value) obj[k] = RecordToJson(v);
    return obj;
  } else {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& v : value) arr.push_back(RecordToJson(v));
    return arr;
  }
}

template <class T>
Status RecordFromJson(const nlohmann::json& j, T& out, JsonPath& path);

namespace detail {
struct JsonFieldReader {
  const nlohmann::json& obj;
  JsonPath& path;
  Status status;

  template <class T>
  void operator()(const char* name, T& v) {
    if (!status.ok()) return;
    auto it = obj.find(name);
    if (it == obj.end()) {
      status = path.Error("missing member \"" + std::string(name) + "\"");
      return;
    }
    path.Push(name);
    status = RecordFromJson(*it, v, path);
    path.Pop();
  }
  template <class T>
  void operator()(const char* name, std::optional<T>& v) {
    if (!status.ok()) return;
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) {
      v.reset();
      return;
    }
    T value{};
    path.Push(name);
    status = RecordFromJson(*it, value, path);
    path.Pop();
    if (status.ok()) v = std::move(value);
  }
};
}  // namespace detail

template <class T>
Status RecordFromJson(const nlohmann::json& j, T& out, JsonPath& path) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return path.Error("expected boolean, got " + JsonTypeName(j));
    out = j.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) return path.Error("expected integer, got " + JsonTypeName(j));
    const bool fits = j.is_number_unsigned() ? std::in_range<T>(j.get<uint64_t>()) : std::in_range<T>(j.get<int64_t>());
    if (!fits) return path.Error("integer " + j.dump() + " out of range");
    out = j.is_number_unsigned() ? static_cast<T>(j.get<uint64_t>()) : static_cast<T>(j.get<int64_t>());
  } else if constexpr (std::is_same_v<T, double>) {
    if (!j.is_number()) return path.Error("expected number, got " + JsonTypeName(j));
    out = j.get<double>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return path.Error("expected string, got " + JsonTypeName(j));
    out = j.get<std::string>();
  } else if constexpr (protocol::NamedEnum<T>) {
    if (!j.is_string()) return path.Error("expected string, got " + JsonTypeName(j));
    std::optional<T> e = protocol::EnumFromName<T>(j.get<std::string>());
    if (!e) return path.Error("unknown value \"" + j.get<std::string>() + "\"");
    out = *e;
  } else if constexpr (protocol::Record<T>) {
    if (!j.is_object()) return path.Error("expected object, got " + JsonTypeName(j));
    detail::JsonFieldReader reader{j, path, Status::Ok()};
    T::Fields(out, reader);
    return reader.status;
  } else if constexpr (requires { typename T::mapped_type; }) {
    if (!j.is_object()) return path.Error("expected object, got " + JsonTypeName(j));
    out.clear();
    for (auto it = j.begin(); it != j.end(); ++it) {
      typename T::mapped_type v{};
      path.Push(it.key());
      Status s = RecordFromJson(it.value(), v, path);
      path.Pop();
      GANTRY_RETURN_IF_ERROR(s);
      out.emplace(it.key(), std::move(v));
    }
  } else {
    if (!j.is_array()) return path.Error("expected array, got " + JsonTypeName(j));
    out.clear();
    for (size_t i = 0; i < j.size(); ++i) {
      typename T::value_type v{};
      path.PushIndex(i);
      Status s = RecordFromJson(j[i], v, path);
      path.Pop();
      GANTRY_RETURN_IF_ERROR(s);
      out.push_back(std::move(v));
    }
  }
  return Status::Ok();
}

}  // namespace gantry::chaos
