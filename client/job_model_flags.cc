#include "client/job_model_flags.h"

#include <nlohmann/json.hpp>

#include "client/flag_text.h"
#include "client/job_definition_json.h"
#include "client/job_model_json.h"
#include "client/requests.h"

namespace gantry::client {
namespace {

using nlohmann::json;

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

bool LooksLikeJson(std::string_view text) {
  text = Trim(text);
  return !text.empty() && (text.front() == '{' || text.front() == '[');
}

bool IsKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<uint32_t> ParseWholeNumber(std::string_view text, const std::string& what) {
  text = Trim(text);
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return Invalid(what + " must be a whole number, got " + Quote(text));
  }
  uint64_t n = std::stoull(std::string(text));
  if (n > UINT32_MAX) return Invalid(what + " is too large: " + std::string(text));
  return static_cast<uint32_t>(n);
}

Status UnknownKey(std::string_view flag, std::string_view key, std::string_view known) {
  return Invalid(std::string(flag) + ": unknown key " + Quote(key) + " (expected " + std::string(known) + ")");
}

// The flag's JSON text, parsed; errors name the flag.
Result<json> FlagJson(std::string_view text, std::string_view flag) { return ParseJsonText(text, flag); }

}  // namespace

Result<ShorthandPairs> ParseShorthand(std::string_view text, std::string_view flag) {
  ShorthandPairs pairs;
  std::string_view rest = text;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view segment = rest.substr(0, comma);
    size_t eq = segment.find('=');
    std::string_view key = eq == std::string_view::npos ? std::string_view() : Trim(segment.substr(0, eq));
    if (IsKey(key)) {
      pairs.emplace_back(std::string(key), std::string(segment.substr(eq + 1)));
    } else if (!pairs.empty()) {
      pairs.back().second += "," + std::string(segment);  // a comma inside the value
    } else {
      return Invalid(std::string(flag) + ": " + Quote(text) + " is not key=value");
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return pairs;
}

Result<protocol::RetryStrategy> ParseRetryStrategyFlag(std::string_view text, std::string_view flag) {
  protocol::RetryStrategy retry;
  if (LooksLikeJson(text)) {
    GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(text, flag));
    GANTRY_ASSIGN_OR_RETURN(retry, ReadRetryStrategy(j, flag));
  } else {
    GANTRY_ASSIGN_OR_RETURN(ShorthandPairs pairs, ParseShorthand(text, flag));
    for (const auto& [key, value] : pairs) {
      if (key != "attempts") return UnknownKey(flag, key, "attempts=N; give evaluateOnExit in the JSON form");
      GANTRY_ASSIGN_OR_RETURN(retry.attempts, ParseWholeNumber(value, std::string(flag) + " attempts"));
    }
  }
  GANTRY_RETURN_IF_ERROR(retry.Validate().WithContext(flag));
  for (const auto& rule : retry.evaluateOnExit) GANTRY_RETURN_IF_ERROR(rule.Validate().WithContext(flag));
  return retry;
}

Result<protocol::JobTimeout> ParseTimeoutFlag(std::string_view text, std::string_view flag) {
  protocol::JobTimeout timeout;
  if (LooksLikeJson(text)) {
    GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(text, flag));
    GANTRY_ASSIGN_OR_RETURN(timeout, ReadJobTimeout(j, flag));
  } else {
    GANTRY_ASSIGN_OR_RETURN(ShorthandPairs pairs, ParseShorthand(text, flag));
    for (const auto& [key, value] : pairs) {
      if (key != "attemptDurationSeconds") return UnknownKey(flag, key, "attemptDurationSeconds=N");
      GANTRY_ASSIGN_OR_RETURN(timeout.attemptDurationSeconds,
                              ParseWholeNumber(value, std::string(flag) + " attemptDurationSeconds"));
    }
  }
  if (!timeout.attemptDurationSeconds) return Invalid(std::string(flag) + " needs attemptDurationSeconds");
  GANTRY_RETURN_IF_ERROR(timeout.Validate().WithContext(flag));
  return timeout;
}

Result<std::vector<protocol::JobDependency>> ParseDependsOnFlags(const std::vector<std::string>& items) {
  constexpr std::string_view kFlag = "--depends-on";
  std::vector<protocol::JobDependency> out;
  for (const auto& item : items) {
    if (LooksLikeJson(item)) {
      GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(item, kFlag));
      GANTRY_ASSIGN_OR_RETURN(auto deps, ReadDependsOn(j, kFlag));
      out.insert(out.end(), deps.begin(), deps.end());
      continue;
    }
    GANTRY_ASSIGN_OR_RETURN(ShorthandPairs pairs, ParseShorthand(item, kFlag));
    protocol::JobDependency dep;
    for (const auto& [key, value] : pairs) {
      if (key == "jobId") {
        dep.jobId = std::string(Trim(value));
      } else if (key == "type") {
        GANTRY_ASSIGN_OR_RETURN(dep.type, ParseEnumFlag<protocol::ArrayJobDependency>("--depends-on type", Trim(value)));
      } else {
        return UnknownKey(kFlag, key, "jobId=ID[,type=N_TO_N|SEQUENTIAL]");
      }
    }
    if (dep.jobId.empty() && dep.type != protocol::ArrayJobDependency::kSequential) {
      return Invalid("--depends-on " + Quote(item) + " names no jobId (only type=SEQUENTIAL stands alone)");
    }
    if (!dep.jobId.empty()) GANTRY_RETURN_IF_ERROR(protocol::ValidateJobId("--depends-on jobId", dep.jobId));
    out.push_back(std::move(dep));
  }
  return out;
}

Result<uint32_t> ParseArrayPropertiesFlag(std::string_view text) {
  constexpr std::string_view kFlag = "--array-properties";
  if (LooksLikeJson(text)) {
    GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(text, kFlag));
    if (!j.is_object() || !j.contains("size") || j.size() != 1) {
      return Invalid("--array-properties must be {\"size\": N}");
    }
    return ReadUint32(j["size"], "--array-properties.size");
  }
  GANTRY_ASSIGN_OR_RETURN(ShorthandPairs pairs, ParseShorthand(text, kFlag));
  std::optional<uint32_t> size;
  for (const auto& [key, value] : pairs) {
    if (key != "size") return UnknownKey(kFlag, key, "size=N");
    GANTRY_ASSIGN_OR_RETURN(size, ParseWholeNumber(value, "--array-properties size"));
  }
  if (!size) return Invalid("--array-properties needs size=N");
  return *size;
}

Result<protocol::Parameters> ParseParametersFlags(const std::vector<std::string>& items) {
  constexpr std::string_view kFlag = "--parameters";
  protocol::Parameters out;
  for (const auto& item : items) {
    if (LooksLikeJson(item)) {
      GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(item, kFlag));
      GANTRY_ASSIGN_OR_RETURN(protocol::Parameters p, ReadParameters(j, kFlag));
      for (auto& [k, v] : p) out.insert_or_assign(k, std::move(v));
      continue;
    }
    GANTRY_ASSIGN_OR_RETURN(ShorthandPairs pairs, ParseShorthand(item, kFlag));
    for (auto& [k, v] : pairs) out.insert_or_assign(k, std::move(v));
  }
  GANTRY_RETURN_IF_ERROR(protocol::ValidateParameters(out).WithContext(kFlag));
  return out;
}

Result<std::vector<protocol::KeyValuesPair>> ParseFiltersFlags(const std::vector<std::string>& items) {
  constexpr std::string_view kFlag = "--filters";
  std::vector<protocol::KeyValuesPair> out;
  for (const auto& item : items) {
    if (LooksLikeJson(item)) {
      GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(item, kFlag));
      json list = j.is_object() ? json::array({j}) : j;
      for (size_t i = 0; i < list.size(); ++i) {
        std::string at = std::string(kFlag) + "[" + std::to_string(i) + "]";
        const json& e = list[i];
        if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("values") ||
            !e["values"].is_array()) {
          return Invalid(at + " must be {\"name\": NAME, \"values\": [VALUE]}");
        }
        protocol::KeyValuesPair filter{e["name"].get<std::string>(), {}};
        for (const json& v : e["values"]) {
          if (!v.is_string()) return Invalid(at + ".values must be strings");
          filter.values.push_back(v.get<std::string>());
        }
        out.push_back(std::move(filter));
      }
      continue;
    }
    GANTRY_ASSIGN_OR_RETURN(ShorthandPairs pairs, ParseShorthand(item, kFlag));
    protocol::KeyValuesPair filter;
    for (const auto& [key, value] : pairs) {
      if (key == "name") {
        filter.name = std::string(Trim(value));
      } else if (key == "values") {
        std::string_view rest = value;
        while (true) {
          size_t comma = rest.find(',');
          filter.values.emplace_back(Trim(rest.substr(0, comma)));
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      } else {
        return UnknownKey(kFlag, key, "name=NAME,values=VALUE");
      }
    }
    if (filter.name.empty() || filter.values.empty()) {
      return Invalid("--filters " + Quote(item) + ": expected name=NAME,values=VALUE");
    }
    out.push_back(std::move(filter));
  }
  if (out.size() > 1) return Invalid("--filters: at most one filter, as AWS Batch allows");
  for (auto& f : out) {
    for (char& c : f.name) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    // The coordinator checks the names again; here the error names the flag.
    protocol::ListJobsRequest probe;
    probe.jobQueue = "q";
    probe.filters = {f};
    GANTRY_RETURN_IF_ERROR(probe.Validate().WithContext(kFlag));
  }
  return out;
}

Result<protocol::FairsharePolicy> ParseFairsharePolicyFlag(std::string_view text) {
  constexpr std::string_view kFlag = "--fairshare-policy";
  GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(text, kFlag));
  return ReadFairsharePolicy(j, kFlag);
}

Result<std::vector<protocol::JobStateTimeLimit>> ParseJobStateTimeLimitActionsFlag(std::string_view text) {
  constexpr std::string_view kFlag = "--job-state-time-limit-actions";
  GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(text, kFlag));
  GANTRY_ASSIGN_OR_RETURN(auto actions, ReadJobStateTimeLimitActions(j, kFlag));
  for (const auto& a : actions) GANTRY_RETURN_IF_ERROR(a.Validate().WithContext(kFlag));
  return actions;
}

Result<uint32_t> ParsePreemptionRetriesFlag(std::string_view text, std::string_view flag) {
  const std::string range = " must be a whole number from 0 to " + std::to_string(protocol::kMaxPreemptionRetries);
  std::string_view t = Trim(text);
  if (t.empty() || t.size() > 10 || t.find_first_not_of("0123456789") != std::string_view::npos) {
    return Invalid(std::string(flag) + range + ", got " + Quote(text));
  }
  uint64_t n = std::stoull(std::string(t));
  if (n > protocol::kMaxPreemptionRetries) return Invalid(std::string(flag) + range + ", got " + std::string(t));
  return static_cast<uint32_t>(n);
}

Result<bool> ParseBoolFlag(std::string_view text, std::string_view flag) {
  std::string lower(Trim(text));
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "true") return true;
  if (lower == "false") return false;
  return Invalid(std::string(flag) + " must be true or false, got " + Quote(text));
}

Result<ComputeResourcesUpdate> ParseComputeResourcesFlag(std::string_view text) {
  constexpr std::string_view kFlag = "--compute-resources";
  constexpr std::string_view kForm = "minvCpus=N,maxvCpus=N,desiredvCpus=N";
  ComputeResourcesUpdate out;
  auto target = [&](std::string_view key) -> std::optional<uint32_t>* {
    if (key == "minvCpus") return &out.minvCpus;
    if (key == "maxvCpus") return &out.maxvCpus;
    if (key == "desiredvCpus") return &out.desiredvCpus;
    return nullptr;
  };
  if (LooksLikeJson(text)) {
    GANTRY_ASSIGN_OR_RETURN(json j, FlagJson(text, kFlag));
    if (!j.is_object()) return Invalid(std::string(kFlag) + " must be a JSON object");
    for (const auto& [key, value] : j.items()) {
      auto* field = target(key);
      if (field == nullptr) return UnknownKey(kFlag, key, kForm);
      GANTRY_ASSIGN_OR_RETURN(*field, ReadUint32(value, std::string(kFlag) + "." + key));
    }
  } else {
    GANTRY_ASSIGN_OR_RETURN(ShorthandPairs pairs, ParseShorthand(text, kFlag));
    for (const auto& [key, value] : pairs) {
      auto* field = target(key);
      if (field == nullptr) return UnknownKey(kFlag, key, kForm);
      GANTRY_ASSIGN_OR_RETURN(*field, ParseWholeNumber(value, std::string(kFlag) + " " + key));
    }
  }
  return out;
}

}  // namespace gantry::client
