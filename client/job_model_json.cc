#include "client/job_model_json.h"

#include <initializer_list>
#include <string>

#include "client/requests.h"

namespace gantry::client {
namespace {

using nlohmann::json;

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

std::string Member(std::string_view path, std::string_view member) {
  return std::string(path) + "." + std::string(member);
}

std::string Index(std::string_view path, size_t i) { return std::string(path) + "[" + std::to_string(i) + "]"; }

// `j` must be an object whose members are all in `known`.
Status CheckObject(const json& j, std::string_view path, std::initializer_list<std::string_view> known) {
  if (!j.is_object()) return Invalid(std::string(path) + " must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || key == k;
    if (ok) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return Invalid(std::string(path) + ": unknown member \"" + key.substr(0, 64) + "\" (known: " + list + ")");
  }
  return Status::Ok();
}

Result<std::string> ReadString(const json& j, const std::string& path) {
  if (!j.is_string()) return Invalid(path + " must be a string");
  return j.get<std::string>();
}

template <protocol::NamedEnum E>
Result<E> ReadEnum(const json& j, const std::string& path) {
  GANTRY_ASSIGN_OR_RETURN(std::string s, ReadString(j, path));
  return ParseEnumFlag<E>(path, s);
}

// Runs `read` on j[member] when the member is present.
template <class F>
Status IfPresent(const json& j, const char* member, F&& read) {
  auto it = j.find(member);
  if (it == j.end() || it->is_null()) return Status::Ok();
  return read(*it);
}

Result<protocol::EvaluateOnExit> ReadEvaluateOnExit(const json& j, const std::string& path) {
  GANTRY_RETURN_IF_ERROR(CheckObject(j, path, {"action", "onExitCode", "onReason", "onStatusReason"}));
  protocol::EvaluateOnExit rule;
  auto action = j.find("action");
  if (action == j.end()) return Invalid(path + ".action is missing (RETRY or EXIT)");
  GANTRY_ASSIGN_OR_RETURN(rule.action, ReadEnum<protocol::RetryAction>(*action, path + ".action"));
  for (auto [name, field] : {std::pair{"onExitCode", &rule.onExitCode}, std::pair{"onReason", &rule.onReason},
                             std::pair{"onStatusReason", &rule.onStatusReason}}) {
    GANTRY_RETURN_IF_ERROR(IfPresent(j, name, [&, name = name, field = field](const json& v) -> Status {
      GANTRY_ASSIGN_OR_RETURN(*field, ReadString(v, Member(path, name)));
      return Status::Ok();
    }));
  }
  return rule;
}

Result<protocol::ShareAttributes> ReadShare(const json& j, const std::string& path) {
  GANTRY_RETURN_IF_ERROR(CheckObject(j, path, {"shareIdentifier", "weightFactor"}));
  protocol::ShareAttributes share;
  auto id = j.find("shareIdentifier");
  if (id == j.end()) return Invalid(path + ".shareIdentifier is missing");
  GANTRY_ASSIGN_OR_RETURN(share.shareIdentifier, ReadString(*id, path + ".shareIdentifier"));
  GANTRY_RETURN_IF_ERROR(IfPresent(j, "weightFactor", [&](const json& v) -> Status {
    if (!v.is_number()) return Invalid(path + ".weightFactor must be a number");
    share.weightFactor = v.get<double>();
    return Status::Ok();
  }));
  return share;
}

Result<protocol::JobStateTimeLimit> ReadTimeLimit(const json& j, const std::string& path) {
  GANTRY_RETURN_IF_ERROR(CheckObject(j, path, {"reason", "state", "maxTimeSeconds", "action"}));
  protocol::JobStateTimeLimit limit;
  for (const char* required : {"reason", "maxTimeSeconds", "action"}) {
    if (!j.contains(required)) return Invalid(Member(path, required) + " is missing");
  }
  GANTRY_ASSIGN_OR_RETURN(limit.reason, ReadString(j["reason"], path + ".reason"));
  GANTRY_ASSIGN_OR_RETURN(limit.maxTimeSeconds, ReadUint32(j["maxTimeSeconds"], path + ".maxTimeSeconds"));
  GANTRY_ASSIGN_OR_RETURN(limit.action, ReadEnum<protocol::JobStateTimeLimitAction>(j["action"], path + ".action"));
  GANTRY_RETURN_IF_ERROR(IfPresent(j, "state", [&](const json& v) -> Status {
    GANTRY_ASSIGN_OR_RETURN(limit.state, ReadString(v, path + ".state"));
    return Status::Ok();
  }));
  return limit;
}

}  // namespace

Result<uint32_t> ReadUint32(const json& j, std::string_view path) {
  if (j.is_number_unsigned()) {
    auto n = j.get<uint64_t>();
    if (n > UINT32_MAX) return Invalid(std::string(path) + " is too large");
    return static_cast<uint32_t>(n);
  }
  if (j.is_number_integer()) return Invalid(std::string(path) + " must not be negative");
  if (j.is_number_float()) return Invalid(std::string(path) + " must be a whole number");
  return Invalid(std::string(path) + " must be a number");
}

Result<protocol::RetryStrategy> ReadRetryStrategy(const json& j, std::string_view path) {
  GANTRY_RETURN_IF_ERROR(CheckObject(j, path, {"attempts", "evaluateOnExit"}));
  protocol::RetryStrategy retry;
  GANTRY_RETURN_IF_ERROR(IfPresent(j, "attempts", [&](const json& v) -> Status {
    GANTRY_ASSIGN_OR_RETURN(retry.attempts, ReadUint32(v, Member(path, "attempts")));
    return Status::Ok();
  }));
  GANTRY_RETURN_IF_ERROR(IfPresent(j, "evaluateOnExit", [&](const json& v) -> Status {
    std::string at = Member(path, "evaluateOnExit");
    if (!v.is_array()) return Invalid(at + " must be an array of objects");
    for (size_t i = 0; i < v.size(); ++i) {
      GANTRY_ASSIGN_OR_RETURN(protocol::EvaluateOnExit rule, ReadEvaluateOnExit(v[i], Index(at, i)));
      retry.evaluateOnExit.push_back(std::move(rule));
    }
    return Status::Ok();
  }));
  return retry;
}

Result<protocol::JobTimeout> ReadJobTimeout(const json& j, std::string_view path) {
  GANTRY_RETURN_IF_ERROR(CheckObject(j, path, {"attemptDurationSeconds"}));
  protocol::JobTimeout timeout;
  GANTRY_RETURN_IF_ERROR(IfPresent(j, "attemptDurationSeconds", [&](const json& v) -> Status {
    GANTRY_ASSIGN_OR_RETURN(timeout.attemptDurationSeconds, ReadUint32(v, Member(path, "attemptDurationSeconds")));
    return Status::Ok();
  }));
  return timeout;
}

Result<protocol::Parameters> ReadParameters(const json& j, std::string_view path) {
  if (!j.is_object()) return Invalid(std::string(path) + " must be a JSON object of strings");
  protocol::Parameters out;
  for (const auto& [key, value] : j.items()) {
    GANTRY_ASSIGN_OR_RETURN(out[key], ReadString(value, Member(path, key)));
  }
  return out;
}

Result<std::vector<protocol::JobDependency>> ReadDependsOn(const json& j, std::string_view path) {
  json list = j.is_object() ? json::array({j}) : j;
  if (!list.is_array()) return Invalid(std::string(path) + " must be an array of {\"jobId\", \"type\"} objects");
  std::vector<protocol::JobDependency> out;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string at = Index(path, i);
    const json& e = list[i];
    GANTRY_RETURN_IF_ERROR(CheckObject(e, at, {"jobId", "type"}));
    protocol::JobDependency dep;
    GANTRY_RETURN_IF_ERROR(IfPresent(e, "jobId", [&](const json& v) -> Status {
      GANTRY_ASSIGN_OR_RETURN(dep.jobId, ReadString(v, at + ".jobId"));
      return Status::Ok();
    }));
    GANTRY_RETURN_IF_ERROR(IfPresent(e, "type", [&](const json& v) -> Status {
      GANTRY_ASSIGN_OR_RETURN(dep.type, ReadEnum<protocol::ArrayJobDependency>(v, at + ".type"));
      return Status::Ok();
    }));
    if (dep.jobId.empty() && dep.type != protocol::ArrayJobDependency::kSequential) {
      return Invalid(at + ".jobId is missing (only type SEQUENTIAL names no job)");
    }
    out.push_back(std::move(dep));
  }
  return out;
}

Result<protocol::FairsharePolicy> ReadFairsharePolicy(const json& j, std::string_view path) {
  GANTRY_RETURN_IF_ERROR(CheckObject(j, path, {"shareDecaySeconds", "computeReservation", "shareDistribution"}));
  protocol::FairsharePolicy policy;
  GANTRY_RETURN_IF_ERROR(IfPresent(j, "shareDecaySeconds", [&](const json& v) -> Status {
    GANTRY_ASSIGN_OR_RETURN(policy.shareDecaySeconds, ReadUint32(v, Member(path, "shareDecaySeconds")));
    return Status::Ok();
  }));
  GANTRY_RETURN_IF_ERROR(IfPresent(j, "computeReservation", [&](const json& v) -> Status {
    GANTRY_ASSIGN_OR_RETURN(policy.computeReservation, ReadUint32(v, Member(path, "computeReservation")));
    return Status::Ok();
  }));
  GANTRY_RETURN_IF_ERROR(IfPresent(j, "shareDistribution", [&](const json& v) -> Status {
    std::string at = Member(path, "shareDistribution");
    if (!v.is_array()) return Invalid(at + " must be an array of objects");
    for (size_t i = 0; i < v.size(); ++i) {
      GANTRY_ASSIGN_OR_RETURN(protocol::ShareAttributes share, ReadShare(v[i], Index(at, i)));
      policy.shareDistribution.push_back(std::move(share));
    }
    return Status::Ok();
  }));
  return policy;
}

Result<std::vector<protocol::JobStateTimeLimit>> ReadJobStateTimeLimitActions(const json& j,
                                                                              std::string_view path) {
  json list = j.is_object() ? json::array({j}) : j;
  if (!list.is_array()) return Invalid(std::string(path) + " must be an array of objects");
  std::vector<protocol::JobStateTimeLimit> out;
  for (size_t i = 0; i < list.size(); ++i) {
    GANTRY_ASSIGN_OR_RETURN(protocol::JobStateTimeLimit limit, ReadTimeLimit(list[i], Index(path, i)));
    out.push_back(std::move(limit));
  }
  return out;
}

}  // namespace gantry::client
