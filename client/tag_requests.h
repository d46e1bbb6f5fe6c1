// From flags to AWS's resource tags: the pure half of tag-resource,
// untag-resource and list-tags-for-resource, and the --tags flag of
// submit-job and the create verbs. Errors are kInvalidArgument and name the
// flag, so a verb exits with a usage error before it sends anything:
//
//   --tags          k=v, k=v,k2=v2 or the aws CLI's '{"k":"v"}' (repeatable; later wins)
//   --tag-keys      k, k1,k2 or '["k1","k2"]' (repeatable)
//   --resource-arn  an AWS Batch ARN of any partition, region and account
//                   ("arn:aws:batch:us-east-1:123456789012:job-queue/q"), or
//                   the ARNs gantry's -o json prints ("arn:gantry:batch:local:job-queue/q")
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "protocol/messages.h"
#include "protocol/types.h"

namespace gantry::client {

// --tags items into one map. In "k=v,k2=v2" a comma starts a new tag only
// when the text after it holds '=', so a value may hold commas ("k=a,b");
// keys are trimmed of spaces, values kept as typed. Checked as the
// coordinator checks tags: at most 50, keys 1-128 bytes not starting with
// "aws:", values at most 256 bytes. No items: an empty map.
Result<protocol::Tags> ParseTagsFlags(const std::vector<std::string>& items, std::string_view flag = "--tags");

// --tag-keys items into keys in order (1-50 of them, each a valid key).
Result<std::vector<std::string>> ParseTagKeysFlags(const std::vector<std::string>& items,
                                                   std::string_view flag = "--tag-keys");

// --resource-arn into the resource it names (protocol::ParseResourceArn,
// and gantry's own "arn:gantry:batch:local:<type>/<id>" as json_format.h prints).
Result<protocol::ResourceRef> ParseResourceArnFlag(std::string_view text,
                                                   std::string_view flag = "--resource-arn");

struct TagResourceFlags {
  std::string resource_arn;
  std::vector<std::string> tags;  // at least one tag in all
};
Result<protocol::TagResourceRequest> BuildTagResource(const TagResourceFlags& flags);

struct UntagResourceFlags {
  std::string resource_arn;
  std::vector<std::string> tag_keys;  // at least one key in all
};
Result<protocol::UntagResourceRequest> BuildUntagResource(const UntagResourceFlags& flags);

Result<protocol::ListTagsForResourceRequest> BuildListTagsForResource(std::string_view resource_arn);

}  // namespace gantry::client
