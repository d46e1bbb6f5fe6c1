// AWS Batch's ARNs for gantry's resources:
//
//   arn:<partition>:batch:<region>:<account>:compute-environment/<name>
//                                            job-queue/<name>
//                                            job-definition/<name>:<revision>
//                                            job/<jobId>
//                                            scheduling-policy/<name>
//
// The partition ("aws"), region and 12-digit account come from the
// coordinator's flags, so tools that parse ARNs find the parts they expect.
// Where AWS takes "a name or an ARN", ResourceName() accepts both and an ARN
// of another partition, region or account too (gantry is one region). Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::protocol {

struct ArnScheme {
  std::string partition = "aws";
  std::string region = "local";
  std::string account = "000000000000";

  // "arn:aws:batch:local:000000000000:" followed by `kind/id`; `id` is taken
  // as is ("name:revision" for a job definition).
  std::string Arn(ResourceKind kind, std::string_view id) const;
  std::string JobArn(std::string_view job_id) const;
  std::string JobQueueArn(std::string_view name) const;
  std::string ComputeEnvironmentArn(std::string_view name) const;
  std::string JobDefinitionArn(std::string_view name, uint32_t revision) const;
  std::string SchedulingPolicyArn(std::string_view name) const;
};

// kInvalidArgument unless partition is 1-32 and region 1-64 of [a-z0-9-]
// and account is 12 digits.
Status ValidateArnScheme(const ArnScheme& scheme);

// An ARN of one of the kinds above into its kind and id ("name:revision"
// for a job definition), of any partition, region and account. The id must
// be valid for its kind (ResourceRef::Validate). kInvalidArgument
// "resourceArn \"...\" is not a valid AWS Batch ARN ..." for anything else;
// `member` names the input in that message (the CLI: "--resource-arn").
Result<ResourceRef> ParseResourceArn(std::string_view arn, std::string_view member = "resourceArn");

// A member that takes a name or an ARN of `kind`: the name (or id) either
// way. A name is returned as given (the coordinator checks it). An ARN of
// another kind, or a malformed one, is kInvalidArgument naming `member`.
Result<std::string> ResourceName(std::string_view member, std::string_view name_or_arn, ResourceKind kind);

}  // namespace gantry::protocol
