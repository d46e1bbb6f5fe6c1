#include "client/job_definition_json.h"

#include <limits>
#include <optional>
#include <string>

#include "client/job_model_json.h"

namespace gantry::client {
namespace {

using nlohmann::json;

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

std::string Join(std::string_view path, std::string_view member) {
  if (path.empty()) return std::string(member);
  return std::string(path) + "." + std::string(member);
}

std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

Result<std::string> GetString(const json& v, const std::string& path) {
  if (!v.is_string()) return Invalid(path + " must be a string");
  return v.get<std::string>();
}

// A non-negative integer no larger than `max`.
Result<uint64_t> GetCount(const json& v, const std::string& path, uint64_t max) {
  if (v.is_number_unsigned()) {
    auto n = v.get<uint64_t>();
    if (n > max) return Invalid(path + " is too large (at most " + std::to_string(max) + ")");
    return n;
  }
  if (v.is_number_integer()) return Invalid(path + " must not be negative");
  if (v.is_number_float()) return Invalid(path + " must be a whole number");
  return Invalid(path + " must be a number");
}

// A resourceRequirements value: AWS spells it as a string ("2048"); a bare
// number is accepted too.
Result<uint64_t> GetRequirementValue(const json& v, const std::string& path, uint64_t max) {
  if (v.is_number()) return GetCount(v, path, max);
  if (!v.is_string()) return Invalid(path + " must be a string holding a number");
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty()) return Invalid(path + " must not be empty");
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return Invalid(path + " must be a whole number, got \"" + s.substr(0, 32) + "\"");
    }
    if (n > (max - static_cast<uint64_t>(c - '0')) / 10) {
      return Invalid(path + " is too large (at most " + std::to_string(max) + ")");
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

Result<std::vector<std::string>> GetCommand(const json& v, const std::string& path) {
  if (!v.is_array()) return Invalid(path + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& arg : v) {
    if (!arg.is_string()) return Invalid(path + " must be an array of strings");
    out.push_back(arg.get<std::string>());
  }
  return out;
}

Result<protocol::Environment> GetEnvironment(const json& v, const std::string& path) {
  if (!v.is_array()) return Invalid(path + " must be an array of {\"name\", \"value\"} objects");
  protocol::Environment env;
  for (size_t i = 0; i < v.size(); ++i) {
    const json& e = v[i];
    std::string at = Index(path, i);
    if (!e.is_object()) return Invalid(at + " must be an object with \"name\" and \"value\"");
    auto name = e.find("name");
    if (name == e.end()) return Invalid(at + ".name is missing");
    GANTRY_ASSIGN_OR_RETURN(std::string key, GetString(*name, at + ".name"));
    std::string value;
    if (auto val = e.find("value"); val != e.end()) {
      GANTRY_ASSIGN_OR_RETURN(value, GetString(*val, at + ".value"));
    }
    env.insert_or_assign(std::move(key), std::move(value));
  }
  return env;
}

// resourceRequirements: the types gantry knows; anything else (GPU, ...) is
// an error rather than silently running without it.
Status ApplyRequirements(const json& v, const std::string& path, protocol::Resources& r,
                         bool& disk_set) {
  if (!v.is_array()) return Invalid(path + " must be an array of {\"type\", \"value\"} objects");
  for (size_t i = 0; i < v.size(); ++i) {
    const json& e = v[i];
    std::string at = Index(path, i);
    if (!e.is_object()) return Invalid(at + " must be an object with \"type\" and \"value\"");
    auto type_it = e.find("type");
    auto value_it = e.find("value");
    if (type_it == e.end()) return Invalid(at + ".type is missing");
    if (value_it == e.end()) return Invalid(at + ".value is missing");
    GANTRY_ASSIGN_OR_RETURN(std::string type, GetString(*type_it, at + ".type"));
    if (type == "VCPU") {
      GANTRY_ASSIGN_OR_RETURN(uint64_t n, GetRequirementValue(*value_it, at + ".value", std::numeric_limits<uint32_t>::max()));
      r.vcpus = static_cast<uint32_t>(n);
    } else if (type == "MEMORY") {
      GANTRY_ASSIGN_OR_RETURN(r.memoryMib, GetRequirementValue(*value_it, at + ".value", protocol::kMaxMemoryMib));
    } else if (type == "DISK") {
      GANTRY_ASSIGN_OR_RETURN(r.diskMib, GetRequirementValue(*value_it, at + ".value", protocol::kMaxDiskMib));
      disk_set = true;
    } else {
      return Invalid(at + ".type: unsupported resource type \"" + type.substr(0, 32) +
                     "\" (gantry knows VCPU, MEMORY and DISK)");
    }
  }
  return Status::Ok();
}

// The job-model members of RegisterJobDefinition: parameters, retryStrategy,
// timeout, schedulingPriority.
Status ApplyJobModelJson(const json& input, protocol::JobDefinition& def) {
  if (auto it = input.find("parameters"); it != input.end()) {
    GANTRY_ASSIGN_OR_RETURN(def.parameters, ReadParameters(*it, "parameters"));
  }
  if (auto it = input.find("retryStrategy"); it != input.end()) {
    GANTRY_ASSIGN_OR_RETURN(def.retryStrategy, ReadRetryStrategy(*it, "retryStrategy"));
  }
  if (auto it = input.find("timeout"); it != input.end()) {
    GANTRY_ASSIGN_OR_RETURN(def.timeout, ReadJobTimeout(*it, "timeout"));
  }
  if (auto it = input.find("schedulingPriority"); it != input.end()) {
    GANTRY_ASSIGN_OR_RETURN(def.schedulingPriority, ReadUint32(*it, "schedulingPriority"));
  }
  return Status::Ok();
}

}  // namespace

Result<json> ParseJsonText(std::string_view text, std::string_view what) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // Not only parse_error: a number past double's range ("1e400") throws
    // out_of_range from the parser.
    std::string m = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    if (auto close = m.find("] "); m.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      m.erase(0, close + 2);
    }
    return Invalid(std::string(what) + " is not valid JSON: " + m);
  }
}

Status ApplyContainerPropertiesJson(const json& props, std::string_view path, protocol::JobDefinition& def) {
  if (!props.is_object()) return Invalid(std::string(path) + " must be a JSON object");
  // Legacy members first, so resourceRequirements below win over them.
  if (auto it = props.find("vcpus"); it != props.end()) {
    GANTRY_ASSIGN_OR_RETURN(uint64_t n, GetCount(*it, Join(path, "vcpus"), std::numeric_limits<uint32_t>::max()));
    def.resources.vcpus = static_cast<uint32_t>(n);
  }
  if (auto it = props.find("memory"); it != props.end()) {
    GANTRY_ASSIGN_OR_RETURN(def.resources.memoryMib, GetCount(*it, Join(path, "memory"), protocol::kMaxMemoryMib));
  }
  bool disk_set = false;
  if (auto it = props.find("resourceRequirements"); it != props.end()) {
    GANTRY_RETURN_IF_ERROR(ApplyRequirements(*it, Join(path, "resourceRequirements"), def.resources, disk_set));
  }
  if (auto it = props.find("ephemeralStorage"); it != props.end() && !disk_set) {
    std::string at = Join(path, "ephemeralStorage");
    if (!it->is_object()) return Invalid(at + " must be an object with \"sizeInGiB\"");
    if (auto size = it->find("sizeInGiB"); size != it->end()) {
      GANTRY_ASSIGN_OR_RETURN(uint64_t gib, GetCount(*size, at + ".sizeInGiB", protocol::kMaxDiskMib / 1024));
      def.resources.diskMib = gib * 1024;
    }
  }
  if (auto it = props.find("command"); it != props.end()) {
    GANTRY_ASSIGN_OR_RETURN(def.command, GetCommand(*it, Join(path, "command")));
  }
  if (auto it = props.find("environment"); it != props.end()) {
    GANTRY_ASSIGN_OR_RETURN(def.environment, GetEnvironment(*it, Join(path, "environment")));
  }
  return Status::Ok();
}

Status ApplyRegisterJobDefinitionJson(const json& input, protocol::JobDefinition& def) {
  if (!input.is_object()) return Invalid("the job definition input must be a JSON object");
  if (auto it = input.find("jobDefinitionName"); it != input.end()) {
    GANTRY_ASSIGN_OR_RETURN(def.jobDefinitionName, GetString(*it, "jobDefinitionName"));
  }
  if (auto it = input.find("type"); it != input.end()) {
    GANTRY_ASSIGN_OR_RETURN(std::string type, GetString(*it, "type"));
    if (type != "container") {
      return Invalid("type must be \"container\" (gantry runs single-node container jobs), got \"" +
                     type.substr(0, 32) + "\"");
    }
  }
  if (auto it = input.find("containerProperties"); it != input.end()) {
    GANTRY_RETURN_IF_ERROR(ApplyContainerPropertiesJson(*it, "containerProperties", def));
  }
  return ApplyJobModelJson(input, def);
}

Result<protocol::JobDefinition> ParseJobDefinitionJson(std::string_view text) {
  GANTRY_ASSIGN_OR_RETURN(json input, ParseJsonText(text, "the job definition"));
  protocol::JobDefinition def;
  GANTRY_RETURN_IF_ERROR(ApplyRegisterJobDefinitionJson(input, def));
  return def;
}

}  // namespace gantry::client
