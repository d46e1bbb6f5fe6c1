// Reading AWS request bodies: the members of a JSON object, each read into
// a field with errors that name it by its path ("containerOverrides.vcpus
// must be a number", "jobQueue is required").
//
// Members gantry does not read are never looked at, so newer SDKs may send
// more. A member set to JSON null counts as absent. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "client/job_model_json.h"
#include "client/requests.h"
#include "gantry/status.h"
#include "protocol/arn.h"
#include "protocol/types.h"

namespace gantry::coordinator::http::ops {

// One value read as T, with `path` naming it in errors. T is one of
// std::string, uint32_t, bool, std::vector<std::string>, a string map
// (Tags, Parameters) or a protocol enum (case-insensitive, as AWS takes
// enum values).
Result<std::string> ReadString(const nlohmann::json& v, const std::string& path);
// client::ReadUint32, also for a non-negative number held as signed (JSON
// built in code rather than parsed).
Result<uint32_t> ReadUint32(const nlohmann::json& v, const std::string& path);
Result<bool> ReadBool(const nlohmann::json& v, const std::string& path);
Result<std::vector<std::string>> ReadStringList(const nlohmann::json& v, const std::string& path);

template <class T>
Result<T> ReadValue(const nlohmann::json& v, const std::string& path) {
  if constexpr (std::is_same_v<T, std::string>) {
    return ReadString(v, path);
  } else if constexpr (std::is_same_v<T, uint32_t>) {
    return ReadUint32(v, path);
  } else if constexpr (std::is_same_v<T, bool>) {
    return ReadBool(v, path);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return ReadStringList(v, path);
  } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
    return client::ReadParameters(v, path);
  } else {
    static_assert(protocol::NamedEnum<T>, "ReadValue: unsupported type");
    GANTRY_ASSIGN_OR_RETURN(std::string s, ReadString(v, path));
    return client::ParseEnumFlag<T>(path, s);
  }
}

// The type a field holds: T for T and for std::optional<T>.
template <class T>
struct FieldValue {
  using type = T;
};
template <class T>
struct FieldValue<std::optional<T>> {
  using type = T;
};

// A view of one JSON object of a request. Holds a pointer into the JSON,
// which must outlive it. Thread-compatible.
class Members {
 public:
  // kInvalidArgument "<path> must be a JSON object" for anything but an
  // object; null reads as an empty object. `path` is empty at the top.
  static Result<Members> Of(const nlohmann::json& j, std::string path = "");

  // The member's value; nullptr when it is absent or null.
  const nlohmann::json* Find(std::string_view name) const;
  // How errors name the member: "containerOverrides.vcpus", or "jobName".
  std::string Path(std::string_view name) const;
  // kInvalidArgument "<path> is required" when the member is absent.
  Status Present(std::string_view name) const;

  // Reads the member into `out` (a T or std::optional<T>, T as for
  // ReadValue). An absent member leaves `out` as it is.
  template <class T>
  Status Get(std::string_view name, T& out) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return Status::Ok();
    GANTRY_ASSIGN_OR_RETURN(out, ReadValue<typename FieldValue<T>::type>(*v, Path(name)));
    return Status::Ok();
  }
  // As Get, but an absent member is an error.
  template <class T>
  Status Require(std::string_view name, T& out) const {
    GANTRY_RETURN_IF_ERROR(Present(name));
    return Get(name, out);
  }

  // A member that takes a name or an ARN of `kind`, read as the name
  // (ResourceName). `out` is a std::string or std::optional<std::string>.
  template <class T>
  Status GetName(std::string_view name, protocol::ResourceKind kind, T& out) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return Status::Ok();
    GANTRY_ASSIGN_OR_RETURN(std::string text, ReadString(*v, Path(name)));
    GANTRY_ASSIGN_OR_RETURN(out, protocol::ResourceName(Path(name), text, kind));
    return Status::Ok();
  }
  Status RequireName(std::string_view name, protocol::ResourceKind kind, std::string& out) const;
  // A list of names or ARNs of `kind`, each read as the name.
  Status GetNames(std::string_view name, protocol::ResourceKind kind, std::vector<std::string>& out) const;

  // Runs a client reader, `Result<T> read(const json&, std::string_view
  // path)` (client/job_model_json.h), on the member when it is present.
  template <class Reader, class T>
  Status Read(std::string_view name, Reader read, T& out) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) return Status::Ok();
    GANTRY_ASSIGN_OR_RETURN(out, read(*v, Path(name)));
    return Status::Ok();
  }

  // A nested object; nullopt when absent.
  Result<std::optional<Members>> Object(std::string_view name) const;
  // An array of objects, each named "<path>[i]"; empty when absent.
  Result<std::vector<Members>> Objects(std::string_view name) const;

 private:
  Members(const nlohmann::json* j, std::string path) : json_(j), path_(std::move(path)) {}

  const nlohmann::json* json_;  // an object, or null
  std::string path_;
};

// AWS's "tags" member of a record, when it has some.
void SetTags(nlohmann::json& j, const std::optional<protocol::Tags>& tags);

}  // namespace gantry::coordinator::http::ops
