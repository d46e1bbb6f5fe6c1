#include "protocol/arn.h"

#include <array>
#include <optional>

namespace gantry::protocol {
namespace {

constexpr std::string_view kArnPrefix = "arn:";

bool IsArn(std::string_view s) { return s.substr(0, kArnPrefix.size()) == kArnPrefix; }

bool AllOf(std::string_view s, bool (*ok)(char)) {
  for (char c : s) {
    if (!ok(c)) return false;
  }
  return true;
}

bool IsLowerAlnumOrDash(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status CheckPart(std::string_view what, std::string_view value, size_t max_length) {
  if (!value.empty() && value.size() <= max_length && AllOf(value, IsLowerAlnumOrDash)) return Status::Ok();
  return Status::InvalidArgument("ARN " + std::string(what) + " \"" + std::string(value.substr(0, 80)) +
                                 "\" must be 1-" + std::to_string(max_length) + " of a-z, 0-9 and '-'");
}

Status NotAnArn(std::string_view member, std::string_view arn, std::string_view why) {
  return Status::InvalidArgument(std::string(member) + " \"" + std::string(arn.substr(0, 200)) +
                                 "\" is not a valid AWS Batch ARN (" + std::string(why) + ")");
}

// "arn:<partition>:batch:<region>:<account>:<resource>" into its six parts;
// the resource keeps its own colons (a job definition's revision, an array
// child's index).
bool SplitArn(std::string_view arn, std::array<std::string_view, 6>& parts) {
  for (size_t i = 0; i < 5; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return false;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[5] = arn;
  return true;
}

Result<ResourceRef> ParseArn(std::string_view member, std::string_view arn) {
  constexpr std::string_view kShape = "arn:<partition>:batch:<region>:<account>:<type>/<id>";
  std::array<std::string_view, 6> parts;
  if (!SplitArn(arn, parts) || parts[0] != "arn" || parts[1].empty() || parts[2] != "batch") {
    return NotAnArn(member, arn, kShape);
  }
  std::string_view resource = parts[5];
  size_t slash = resource.find('/');
  std::optional<ResourceKind> kind;
  if (slash != std::string_view::npos) kind = EnumFromName<ResourceKind>(resource.substr(0, slash));
  if (!kind) {
    return NotAnArn(member, arn,
                    "the type must be compute-environment, job-queue, job-definition, job or scheduling-policy");
  }
  ResourceRef ref{*kind, std::string(resource.substr(slash + 1))};
  if (Status s = ref.Validate(); !s.ok()) return NotAnArn(member, arn, s.message());
  return ref;
}

}  // namespace

std::string ArnScheme::Arn(ResourceKind kind, std::string_view id) const {
  return "arn:" + partition + ":batch:" + region + ":" + account + ":" + EnumName(kind) + "/" +
         std::string(id);
}

std::string ArnScheme::JobArn(std::string_view job_id) const { return Arn(ResourceKind::kJob, job_id); }

std::string ArnScheme::JobQueueArn(std::string_view name) const { return Arn(ResourceKind::kJobQueue, name); }

std::string ArnScheme::ComputeEnvironmentArn(std::string_view name) const {
  return Arn(ResourceKind::kComputeEnvironment, name);
}

std::string ArnScheme::JobDefinitionArn(std::string_view name, uint32_t revision) const {
  return Arn(ResourceKind::kJobDefinition, std::string(name) + ":" + std::to_string(revision));
}

std::string ArnScheme::SchedulingPolicyArn(std::string_view name) const {
  return Arn(ResourceKind::kSchedulingPolicy, name);
}

Status ValidateArnScheme(const ArnScheme& scheme) {
  GANTRY_RETURN_IF_ERROR(CheckPart("partition", scheme.partition, 32));
  GANTRY_RETURN_IF_ERROR(CheckPart("region", scheme.region, 64));
  if (scheme.account.size() != 12 || !AllOf(scheme.account, IsDigit)) {
    return Status::InvalidArgument("ARN account \"" + scheme.account.substr(0, 80) + "\" must be 12 digits");
  }
  return Status::Ok();
}

Result<ResourceRef> ParseResourceArn(std::string_view arn, std::string_view member) { return ParseArn(member, arn); }

Result<std::string> ResourceName(std::string_view member, std::string_view name_or_arn, ResourceKind kind) {
  if (!IsArn(name_or_arn)) return std::string(name_or_arn);
  GANTRY_ASSIGN_OR_RETURN(ResourceRef ref, ParseArn(member, name_or_arn));
  if (ref.kind != kind) {
    return Status::InvalidArgument(std::string(member) + " \"" + std::string(name_or_arn.substr(0, 200)) +
                                   "\" is not a " + EnumName(kind) + " ARN");
  }
  return std::move(ref.id);
}

}  // namespace gantry::protocol
