#include "client/tag_requests.h"

#include <nlohmann/json.hpp>

#include <optional>

#include "client/flag_text.h"
#include "client/job_definition_json.h"
#include "client/job_model_json.h"
#include "client/json_format.h"
#include "protocol/arn.h"

namespace gantry::client {
namespace {

using nlohmann::json;

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

bool StartsWith(std::string_view text, char c) {
  text = Trim(text);
  return !text.empty() && text.front() == c;
}

// "k=v,k2=v2" into `out`; a segment without '=' continues the value before.
Status AppendTagShorthand(std::string_view item, std::string_view flag, protocol::Tags& out) {
  std::string* value = nullptr;  // the last tag's, for a value with commas
  std::string_view rest = item;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view segment = rest.substr(0, comma);
    size_t eq = segment.find('=');
    if (eq != std::string_view::npos) {
      std::string key(Trim(segment.substr(0, eq)));
      if (key.empty()) return Invalid(std::string(flag) + ": " + Quote(item) + " has a tag without a key");
      std::string& slot = out[key];
      slot = std::string(segment.substr(eq + 1));
      value = &slot;
    } else if (value != nullptr) {
      *value += "," + std::string(segment);
    } else {
      return Invalid(std::string(flag) + ": " + Quote(item) + " is not KEY=VALUE");
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ReadKeyList(std::string_view item, std::string_view flag) {
  GANTRY_ASSIGN_OR_RETURN(json j, ParseJsonText(item, flag));
  if (!j.is_array()) return Invalid(std::string(flag) + " must be a JSON array of strings");
  std::vector<std::string> keys;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) return Invalid(std::string(flag) + "[" + std::to_string(i) + "] must be a string");
    keys.push_back(j[i].get<std::string>());
  }
  return keys;
}

}  // namespace

Result<protocol::Tags> ParseTagsFlags(const std::vector<std::string>& items, std::string_view flag) {
  protocol::Tags out;
  for (const auto& item : items) {
    if (StartsWith(item, '{') || StartsWith(item, '[')) {
      GANTRY_ASSIGN_OR_RETURN(json j, ParseJsonText(item, flag));
      GANTRY_ASSIGN_OR_RETURN(protocol::Tags tags, ReadParameters(j, flag));
      for (auto& [k, v] : tags) out.insert_or_assign(k, std::move(v));
      continue;
    }
    GANTRY_RETURN_IF_ERROR(AppendTagShorthand(item, flag, out));
  }
  GANTRY_RETURN_IF_ERROR(protocol::ValidateTags(out).WithContext(flag));
  return out;
}

Result<std::vector<std::string>> ParseTagKeysFlags(const std::vector<std::string>& items, std::string_view flag) {
  std::vector<std::string> keys;
  for (const auto& item : items) {
    if (StartsWith(item, '[')) {
      GANTRY_ASSIGN_OR_RETURN(std::vector<std::string> list, ReadKeyList(item, flag));
      keys.insert(keys.end(), list.begin(), list.end());
      continue;
    }
    std::string_view rest = item;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view key = Trim(rest.substr(0, comma));
      if (key.empty()) return Invalid(std::string(flag) + ": empty key in " + Quote(item));
      keys.emplace_back(key);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (keys.empty()) return Invalid(std::string(flag) + " is required");
  GANTRY_RETURN_IF_ERROR(protocol::ValidateTagKeys(keys).WithContext(flag));
  return keys;
}

Result<protocol::ResourceRef> ParseResourceArnFlag(std::string_view text, std::string_view flag) {
  if (Trim(text).empty()) return Invalid(std::string(flag) + " is required");
  // gantry's own ARNs have no account: "arn:gantry:batch:local:job-queue/q".
  if (text.substr(0, kClientArnPrefix.size()) == kClientArnPrefix) {
    std::string_view resource = text.substr(kClientArnPrefix.size());
    size_t slash = resource.find('/');
    std::optional<protocol::ResourceKind> kind;
    if (slash != std::string_view::npos) {
      kind = protocol::EnumFromName<protocol::ResourceKind>(resource.substr(0, slash));
    }
    if (kind) {
      protocol::ResourceRef ref{*kind, std::string(resource.substr(slash + 1))};
      if (Status s = ref.Validate(); !s.ok()) {
        return Invalid(std::string(flag) + " \"" + std::string(text.substr(0, 200)) +
                       "\" is not a valid AWS Batch ARN (" + s.message() + ")");
      }
      return ref;
    }
  }
  return protocol::ParseResourceArn(text, flag);
}

Result<protocol::TagResourceRequest> BuildTagResource(const TagResourceFlags& flags) {
  protocol::TagResourceRequest req;
  GANTRY_ASSIGN_OR_RETURN(req.resource, ParseResourceArnFlag(flags.resource_arn));
  GANTRY_ASSIGN_OR_RETURN(req.tags, ParseTagsFlags(flags.tags));
  if (req.tags.empty()) return Invalid("--tags is required: at least one KEY=VALUE");
  GANTRY_RETURN_IF_ERROR(req.Validate().WithContext("--tags"));
  return req;
}

Result<protocol::UntagResourceRequest> BuildUntagResource(const UntagResourceFlags& flags) {
  protocol::UntagResourceRequest req;
  GANTRY_ASSIGN_OR_RETURN(req.resource, ParseResourceArnFlag(flags.resource_arn));
  GANTRY_ASSIGN_OR_RETURN(req.tagKeys, ParseTagKeysFlags(flags.tag_keys));
  GANTRY_RETURN_IF_ERROR(req.Validate().WithContext("--tag-keys"));
  return req;
}

Result<protocol::ListTagsForResourceRequest> BuildListTagsForResource(std::string_view resource_arn) {
  protocol::ListTagsForResourceRequest req;
  GANTRY_ASSIGN_OR_RETURN(req.resource, ParseResourceArnFlag(resource_arn));
  return req;
}

}  // namespace gantry::client
