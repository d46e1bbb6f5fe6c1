#include "protocol/types.h"

#include <string>

namespace gantry::protocol {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

}  // namespace

Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty()) return Invalid(std::string(what) + " must not be empty");
  if (name.size() > kMaxNameLength) {
    return Invalid(std::string(what) + " is longer than " + std::to_string(kMaxNameLength) +
                   " characters");
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return Invalid(std::string(what) + " \"" + std::string(name.substr(0, 64)) +
                     "\" may contain only letters, digits, '-' and '_'");
    }
  }
  return Status::Ok();
}

Status ValidateCommand(const std::vector<std::string>& command) {
  if (command.size() > kMaxCommandArgs) {
    return Invalid("command has more than " + std::to_string(kMaxCommandArgs) + " arguments");
  }
  size_t bytes = 0;
  for (const auto& arg : command) {
    if (arg.find('\0') != std::string::npos) return Invalid("command argument contains a NUL byte");
    bytes += arg.size();
  }
  if (bytes > kMaxCommandBytes) {
    return Invalid("command is longer than " + std::to_string(kMaxCommandBytes) + " bytes");
  }
  return Status::Ok();
}

Status ValidateEnvironment(const Environment& env) {
  if (env.size() > kMaxEnvironmentEntries) {
    return Invalid("environment has more than " + std::to_string(kMaxEnvironmentEntries) +
                   " variables");
  }
  for (const auto& [k, v] : env) {
    if (k.empty()) return Invalid("environment variable name must not be empty");
    if (k.find('=') != std::string::npos || k.find('\0') != std::string::npos) {
      return Invalid("environment variable name \"" + k.substr(0, 64) +
                     "\" contains '=' or a NUL byte");
    }
    if (v.find('\0') != std::string::npos) {
      return Invalid("environment variable " + k.substr(0, 64) + " contains a NUL byte");
    }
    if (k.rfind("AWS_BATCH_", 0) == 0) {
      return Invalid("environment variable " + k.substr(0, 64) +
                     " is reserved (names starting with AWS_BATCH_ are set by gantry)");
    }
  }
  return Status::Ok();
}

Status ValidateLabels(const Labels& labels) {
  if (labels.size() > kMaxLabels) {
    return Invalid("more than " + std::to_string(kMaxLabels) + " labels");
  }
  for (const auto& [k, v] : labels) {
    if (k.empty() || k.size() > kMaxNameLength) return Invalid("label key must be 1-128 bytes");
    if (v.size() > 256) return Invalid("label " + k + " has a value longer than 256 bytes");
  }
  return Status::Ok();
}

namespace {
Status ValidateTagKey(const std::string& k) {
  if (k.empty() || k.size() > kMaxTagKeyLength) {
    return Invalid("tag key \"" + k.substr(0, 64) + "\" must be 1-" + std::to_string(kMaxTagKeyLength) + " bytes");
  }
  if (k.rfind("aws:", 0) == 0) return Invalid("tag key " + k.substr(0, 64) + " is reserved (aws: prefix)");
  for (unsigned char c : k) {
    if (c < 0x20 || c == 0x7f) return Invalid("tag key \"" + k.substr(0, 64) + "\" contains a control character");
  }
  return Status::Ok();
}
}  // namespace

Status ValidateTags(const Tags& tags) {
  if (tags.size() > kMaxTags) return Invalid("more than " + std::to_string(kMaxTags) + " tags");
  for (const auto& [k, v] : tags) {
    GANTRY_RETURN_IF_ERROR(ValidateTagKey(k));
    if (v.size() > kMaxTagValueLength) {
      return Invalid("tag " + k.substr(0, 64) + " has a value longer than " + std::to_string(kMaxTagValueLength) +
                     " bytes");
    }
  }
  return Status::Ok();
}

Status ValidateTagKeys(const std::vector<std::string>& keys) {
  if (keys.empty() || keys.size() > kMaxTags) {
    return Invalid("tagKeys must hold 1-" + std::to_string(kMaxTags) + " keys");
  }
  for (const auto& k : keys) GANTRY_RETURN_IF_ERROR(ValidateTagKey(k));
  return Status::Ok();
}

bool MatchesSelector(const Labels& labels, const Labels& selector) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

bool IsSpotNode(const Labels& labels) {
  auto it = labels.find(kCapacityTypeLabel);
  return it != labels.end() && it->second == "spot";
}

bool BelongsTo(const Node& node, const ComputeEnvironment& ce) {
  return MatchesSelector(node.labels, ce.selector) &&
         IsSpotNode(node.labels) == (ce.provisioningModel == ProvisioningModel::kSpot);
}

Status ValidateJobId(std::string_view what, std::string_view id) {
  // "<uuid>" or "<uuid>:<index>"; anything else names no job gantry made.
  const size_t colon = id.find(':');
  GANTRY_RETURN_IF_ERROR(ValidateName(what, id.substr(0, colon)));
  if (colon == std::string_view::npos) return Status::Ok();
  std::string_view index = id.substr(colon + 1);
  bool digits = !index.empty() && index.size() <= 5;
  for (char c : index) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    return Invalid(std::string(what) + " \"" + std::string(id.substr(0, 160)) +
                   "\": an array child's id is <parentId>:<index>");
  }
  return Status::Ok();
}

Status ValidateParameters(const std::map<std::string, std::string>& parameters) {
  if (parameters.size() > kMaxParameters) {
    return Invalid("more than " + std::to_string(kMaxParameters) + " parameters");
  }
  for (const auto& [k, v] : parameters) {
    GANTRY_RETURN_IF_ERROR(ValidateName("parameter name", k));
    if (v.size() > kMaxCommandBytes) return Invalid("parameter " + k + " is longer than 128 KiB");
    if (v.find('\0') != std::string::npos) return Invalid("parameter " + k + " contains a NUL byte");
  }
  return Status::Ok();
}

bool GlobMatches(std::string_view pattern, std::string_view text) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return text.substr(0, pattern.size()) == pattern;
  }
  return pattern == text;
}

namespace {

Status ValidatePattern(const char* what, const std::optional<std::string>& p, bool digits_only) {
  if (!p) return Status::Ok();
  if (p->size() > kMaxPatternLength) {
    return Invalid(std::string("evaluateOnExit.") + what + " is longer than 512 characters");
  }
  for (size_t i = 0; i < p->size(); ++i) {
    char c = (*p)[i];
    if (c == '*' && i + 1 != p->size()) {
      return Invalid(std::string("evaluateOnExit.") + what + " \"" + p->substr(0, 64) +
                     "\": '*' may only end the pattern");
    }
    if (digits_only && c != '*' && (c < '0' || c > '9')) {
      return Invalid(std::string("evaluateOnExit.") + what + " \"" + p->substr(0, 64) +
                     "\" may contain only digits and a trailing '*'");
    }
    if (c == '\0') return Invalid(std::string("evaluateOnExit.") + what + " contains a NUL byte");
  }
  return Status::Ok();
}

}  // namespace

Status EvaluateOnExit::Validate() const {
  GANTRY_RETURN_IF_ERROR(ValidatePattern("onStatusReason", onStatusReason, false));
  GANTRY_RETURN_IF_ERROR(ValidatePattern("onReason", onReason, false));
  return ValidatePattern("onExitCode", onExitCode, true);
}

Status RetryStrategy::Validate() const {
  if (attempts < 1 || attempts > kMaxRetryAttempts) {
    return Invalid("retryStrategy.attempts must be between 1 and 10, got " + std::to_string(attempts));
  }
  if (evaluateOnExit.size() > kMaxEvaluateOnExit) {
    return Invalid("retryStrategy.evaluateOnExit has " + std::to_string(evaluateOnExit.size()) +
                   " rules; at most 5 are allowed");
  }
  // The decoder checks each rule as a record of its own; callers that build
  // a strategy in memory (the CLI's JSON readers) rely on this call alone.
  for (const EvaluateOnExit& rule : evaluateOnExit) GANTRY_RETURN_IF_ERROR(rule.Validate());
  return Status::Ok();
}

Status JobTimeout::Validate() const {
  if (attemptDurationSeconds &&
      (*attemptDurationSeconds < 1 || *attemptDurationSeconds > kMaxAttemptDurationSeconds)) {
    return Invalid("timeout.attemptDurationSeconds must be between 1 and " +
                   std::to_string(kMaxAttemptDurationSeconds) + ", got " +
                   std::to_string(*attemptDurationSeconds));
  }
  return Status::Ok();
}

Status JobStateTimeLimit::Validate() const {
  static constexpr const char* kReasons[] = {"MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
                                             "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
                                             "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"};
  bool known = false;
  for (const char* r : kReasons) known = known || reason == r;
  if (!known) {
    return Invalid("jobStateTimeLimitActions.reason \"" + reason.substr(0, 64) +
                   "\" is not one of MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT, "
                   "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE, CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
  }
  if (state != "RUNNABLE") return Invalid("jobStateTimeLimitActions.state must be RUNNABLE");
  if (maxTimeSeconds < 1 || maxTimeSeconds > 86400 * 365) {
    return Invalid("jobStateTimeLimitActions.maxTimeSeconds must be between 1 and 31536000");
  }
  return Status::Ok();
}

std::string SchedulingPolicyName(std::string_view ref) {
  constexpr std::string_view kMarker = "scheduling-policy/";
  if (auto at = ref.rfind(kMarker); at != std::string_view::npos) ref = ref.substr(at + kMarker.size());
  return std::string(ref);
}

Status SchedulingPolicy::Validate() const {
  if (tags) GANTRY_RETURN_IF_ERROR(ValidateTags(*tags));
  GANTRY_RETURN_IF_ERROR(ValidateName("scheduling policy name", name));
  const FairsharePolicy& f = fairsharePolicy;
  if (f.computeReservation > 99) {
    return Invalid("fairsharePolicy.computeReservation must be between 0 and 99, got " +
                   std::to_string(f.computeReservation));
  }
  if (f.shareDecaySeconds > 604800) {
    return Invalid("fairsharePolicy.shareDecaySeconds must be at most 604800 (a week)");
  }
  if (f.shareDistribution.size() > kMaxShareDistribution) {
    return Invalid("fairsharePolicy.shareDistribution has more than 500 entries");
  }
  for (size_t i = 0; i < f.shareDistribution.size(); ++i) {
    const ShareAttributes& a = f.shareDistribution[i];
    std::string_view id = a.shareIdentifier;
    if (!id.empty() && id.back() == '*') id.remove_suffix(1);
    if (!id.empty() || a.shareIdentifier != "*") {
      GANTRY_RETURN_IF_ERROR(ValidateName("shareIdentifier", id));
    }
    if (!(a.weightFactor > 0.0) || a.weightFactor > 999.9999) {
      return Invalid("weightFactor of share " + a.shareIdentifier + " must be above 0 and at most 999.9999");
    }
    for (size_t j = 0; j < i; ++j) {
      if (f.shareDistribution[j].shareIdentifier == a.shareIdentifier) {
        return Invalid("shareDistribution names " + a.shareIdentifier + " twice");
      }
    }
  }
  return Status::Ok();
}

double ShareWeight(const FairsharePolicy& policy, std::string_view share) {
  double weight = 1.0;
  size_t best_prefix = 0;
  bool have_prefix = false;
  for (const ShareAttributes& a : policy.shareDistribution) {
    std::string_view id = a.shareIdentifier;
    if (id == share) return a.weightFactor;
    if (id.empty() || id.back() != '*') continue;
    id.remove_suffix(1);
    if (share.substr(0, id.size()) == id && (!have_prefix || id.size() > best_prefix)) {
      weight = a.weightFactor;
      best_prefix = id.size();
      have_prefix = true;
    }
  }
  return weight;
}

Status ComputeEnvironment::Validate() const {
  if (tags) GANTRY_RETURN_IF_ERROR(ValidateTags(*tags));
  GANTRY_RETURN_IF_ERROR(ValidateName("computeEnvironmentName", computeEnvironmentName));
  GANTRY_RETURN_IF_ERROR(ValidateLabels(selector));
  if (maxvCpus == 0) return Invalid("maxvCpus must be at least 1");
  if (minvCpus > maxvCpus) {
    return Invalid("minvCpus (" + std::to_string(minvCpus) + ") exceeds maxvCpus (" +
                   std::to_string(maxvCpus) + ")");
  }
  if (desiredvCpus > maxvCpus) {
    return Invalid("desiredvCpus (" + std::to_string(desiredvCpus) + ") exceeds maxvCpus (" +
                   std::to_string(maxvCpus) + ")");
  }
  return Status::Ok();
}

Status JobQueue::Validate() const {
  if (tags) GANTRY_RETURN_IF_ERROR(ValidateTags(*tags));
  GANTRY_RETURN_IF_ERROR(ValidateName("jobQueueName", jobQueueName));
  if (preemptionRetries && *preemptionRetries > kMaxPreemptionRetries) {
    return Invalid("preemptionRetries must be at most " + std::to_string(kMaxPreemptionRetries));
  }
  if (computeEnvironmentOrder.empty()) {
    return Invalid("computeEnvironmentOrder must name at least one compute environment");
  }
  if (computeEnvironmentOrder.size() > 3) {
    return Invalid("computeEnvironmentOrder may name at most 3 compute environments");
  }
  for (size_t i = 0; i < computeEnvironmentOrder.size(); ++i) {
    GANTRY_RETURN_IF_ERROR(
        ValidateName("computeEnvironment", computeEnvironmentOrder[i].computeEnvironment));
    for (size_t j = 0; j < i; ++j) {
      if (computeEnvironmentOrder[j].order == computeEnvironmentOrder[i].order) {
        return Invalid("computeEnvironmentOrder has two entries with order " +
                       std::to_string(computeEnvironmentOrder[i].order));
      }
      if (computeEnvironmentOrder[j].computeEnvironment ==
          computeEnvironmentOrder[i].computeEnvironment) {
        return Invalid("computeEnvironmentOrder names " +
                       computeEnvironmentOrder[i].computeEnvironment + " twice");
      }
    }
  }
  if (schedulingPolicyArn) {
    GANTRY_RETURN_IF_ERROR(ValidateName("schedulingPolicyArn", SchedulingPolicyName(*schedulingPolicyArn)));
  }
  if (jobStateTimeLimitActions.size() > 5) return Invalid("at most 5 jobStateTimeLimitActions");
  for (const auto& a : jobStateTimeLimitActions) GANTRY_RETURN_IF_ERROR(a.Validate());
  return Status::Ok();
}

Status Resources::Validate() const {
  if (vcpus < 1 || vcpus > kMaxVcpus) {
    return Invalid("vcpus must be between 1 and " + std::to_string(kMaxVcpus) + ", got " +
                   std::to_string(vcpus));
  }
  if (memoryMib < 4 || memoryMib > kMaxMemoryMib) {
    return Invalid("memory must be between 4 and " + std::to_string(kMaxMemoryMib) + " MiB, got " +
                   std::to_string(memoryMib));
  }
  if (diskMib > kMaxDiskMib) return Invalid("disk is larger than " + std::to_string(kMaxDiskMib) + " MiB");
  return Status::Ok();
}

Status JobDefinition::Validate() const {
  if (tags) GANTRY_RETURN_IF_ERROR(ValidateTags(*tags));
  GANTRY_RETURN_IF_ERROR(ValidateName("jobDefinitionName", jobDefinitionName));
  GANTRY_RETURN_IF_ERROR(ValidateCommand(command));
  GANTRY_RETURN_IF_ERROR(ValidateEnvironment(environment));
  if (status != "ACTIVE" && status != "INACTIVE") {
    return Invalid("status must be ACTIVE or INACTIVE, got " + status.substr(0, 32));
  }
  GANTRY_RETURN_IF_ERROR(ValidateParameters(parameters));
  if (retryStrategy) GANTRY_RETURN_IF_ERROR(retryStrategy->Validate());
  if (timeout) GANTRY_RETURN_IF_ERROR(timeout->Validate());
  if (schedulingPriority && *schedulingPriority > kMaxSchedulingPriority) {
    return Invalid("schedulingPriority must be between 0 and 9999");
  }
  return Status::Ok();
}

bool EnforcesDiskQuota(const Node& node) {
  return !node.diskQuota || !std::string_view(*node.diskQuota).starts_with("none");
}

Status Node::Validate() const {
  GANTRY_RETURN_IF_ERROR(ValidateName("nodeId", nodeId));
  if (bootId.empty() || bootId.size() > kMaxNameLength) return Invalid("bootId must be 1-128 bytes");
  if (capacity.vcpus > 1'000'000) return Invalid("capacity.vcpus is implausibly large");
  if (logAddress.size() > 256) return Invalid("logAddress is longer than 256 bytes");
  if (diskQuota && diskQuota->size() > 512) return Invalid("diskQuota is longer than 512 bytes");
  return ValidateLabels(labels);
}

}  // namespace gantry::protocol
