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

bool MatchesSelector(const Labels& labels, const Labels& selector) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

Status ComputeEnvironment::Validate() const {
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
  GANTRY_RETURN_IF_ERROR(ValidateName("jobQueueName", jobQueueName));
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
  GANTRY_RETURN_IF_ERROR(ValidateName("jobDefinitionName", jobDefinitionName));
  GANTRY_RETURN_IF_ERROR(ValidateCommand(command));
  GANTRY_RETURN_IF_ERROR(ValidateEnvironment(environment));
  if (status != "ACTIVE" && status != "INACTIVE") {
    return Invalid("status must be ACTIVE or INACTIVE, got " + status.substr(0, 32));
  }
  return Status::Ok();
}

Status Node::Validate() const {
  GANTRY_RETURN_IF_ERROR(ValidateName("nodeId", nodeId));
  if (bootId.empty() || bootId.size() > kMaxNameLength) return Invalid("bootId must be 1-128 bytes");
  if (capacity.vcpus > 1'000'000) return Invalid("capacity.vcpus is implausibly large");
  if (logAddress.size() > 256) return Invalid("logAddress is longer than 256 bytes");
  return ValidateLabels(labels);
}

}  // namespace gantry::protocol
