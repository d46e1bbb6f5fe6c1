#include "client/requests.h"

#include <arpa/inet.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <random>

#include "client/flag_text.h"
#include "client/job_definition_json.h"
#include "client/job_model_flags.h"
#include "client/job_model_json.h"
#include "client/tag_requests.h"

namespace gantry::client {
namespace {

using nlohmann::json;

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

Result<uint32_t> ParseUint32(std::string_view s, const std::string& what) {
  if (s.empty() || s.size() > 10) return Invalid(what + " must be a whole number, got " + Quote(s));
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Invalid(what + " must be a whole number, got " + Quote(s));
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > UINT32_MAX) return Invalid(what + " is too large: " + std::string(s));
  return static_cast<uint32_t>(n);
}

// AWS lets a compute environment be named by its ARN; keep the name.
std::string CeName(std::string_view value) {
  static constexpr std::string_view kMarker = ":compute-environment/";
  if (auto at = value.find(kMarker); at != std::string_view::npos && value.rfind("arn:", 0) == 0) {
    return std::string(value.substr(at + kMarker.size()));
  }
  return std::string(value);
}

constexpr const char* kOrderFlag = "--compute-environment-order";
constexpr const char* kOrderForm = "expected order=N,computeEnvironment=NAME";

Result<protocol::ComputeEnvironmentOrder> ParseOrderShorthand(std::string_view item) {
  protocol::ComputeEnvironmentOrder out;
  bool have_order = false, have_ce = false;
  std::string_view rest = item;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view part = Trim(rest.substr(0, comma));
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return Invalid(std::string(kOrderFlag) + " " + Quote(item) + ": " + kOrderForm);
    }
    std::string_view key = Trim(part.substr(0, eq));
    std::string_view value = Trim(part.substr(eq + 1));
    if (key == "order") {
      GANTRY_ASSIGN_OR_RETURN(out.order, ParseUint32(value, std::string(kOrderFlag) + " order"));
      have_order = true;
    } else if (key == "computeEnvironment") {
      out.computeEnvironment = CeName(value);
      have_ce = true;
    } else {
      return Invalid(std::string(kOrderFlag) + ": unknown key " + Quote(key) + " in " + Quote(item) +
                     " (" + kOrderForm + ")");
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!have_order || !have_ce) {
    return Invalid(std::string(kOrderFlag) + " " + Quote(item) + ": " + kOrderForm);
  }
  return out;
}

Status AppendOrderJson(std::string_view item, std::vector<protocol::ComputeEnvironmentOrder>& out) {
  GANTRY_ASSIGN_OR_RETURN(json j, ParseJsonText(item, kOrderFlag));
  if (j.is_object()) j = json::array({j});
  if (!j.is_array()) return Invalid(std::string(kOrderFlag) + " must be a JSON array of objects");
  for (size_t i = 0; i < j.size(); ++i) {
    std::string at = std::string(kOrderFlag) + "[" + std::to_string(i) + "]";
    const json& e = j[i];
    if (!e.is_object()) return Invalid(at + " must be an object");
    auto order = e.find("order");
    auto ce = e.find("computeEnvironment");
    if (order == e.end() || !order->is_number_unsigned() || order->get<uint64_t>() > UINT32_MAX) {
      return Invalid(at + ".order must be a whole number");
    }
    if (ce == e.end() || !ce->is_string()) return Invalid(at + ".computeEnvironment must be a string");
    out.push_back({static_cast<uint32_t>(order->get<uint64_t>()), CeName(ce->get<std::string>())});
  }
  return Status::Ok();
}

Status ApplyResourceFlags(std::optional<uint32_t> vcpus, std::optional<uint64_t> memory_mib,
                          std::optional<uint64_t> disk_mib, protocol::Resources& r) {
  if (vcpus) r.vcpus = *vcpus;
  if (memory_mib) r.memoryMib = *memory_mib;
  if (disk_mib) r.diskMib = *disk_mib;
  return r.Validate();
}

// The aws CLI's form of a setting and gantry's short form, both given.
Status Conflict(std::string_view aws_flag, std::string_view short_flag) {
  return Invalid("give " + std::string(short_flag) + " or " + std::string(aws_flag) + ", not both");
}

// A scheduling policy reference as typed: a name or an ARN.
Result<std::string> SchedulingPolicyRef(std::string_view text, std::string_view flag) {
  std::string ref(Trim(text));
  Status s = protocol::ValidateName("scheduling policy name", protocol::SchedulingPolicyName(ref));
  if (!s.ok()) return s.WithContext(flag);
  return ref;
}

// Parsed here rather than by CLI11, whose unsigned conversion wraps "-1".
Result<uint64_t> RaftId(std::string_view text) {
  if (text.empty()) return Invalid("--id is required");
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id == 0) {
    return Invalid("--id must be a replica id > 0, got " + Quote(text));
  }
  return id;
}

// The coordinator's own rule (libraft 0.15 resolves no names), so a typo
// fails here rather than as a peer nobody can reach.
Status CheckRaftAddress(std::string_view address) {
  auto bad = [&](std::string_view why) {
    return Invalid("--address " + Quote(address) + ": " + std::string(why) +
                   " (want the replica's Raft address a.b.c.d:port)");
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string host(address.substr(0, colon));
  in_addr ip{};
  if (inet_pton(AF_INET, host.c_str(), &ip) != 1) return bad("not an IPv4 address");
  std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return bad("the port must be 1-65535");
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<protocol::Tags>> OptionalTags(const std::vector<std::string>& items) {
  GANTRY_ASSIGN_OR_RETURN(protocol::Tags tags, ParseTagsFlags(items));
  if (tags.empty()) return std::optional<protocol::Tags>();
  return std::optional<protocol::Tags>(std::move(tags));
}

Result<std::map<std::string, std::string>> ParseKeyValues(const std::vector<std::string>& items,
                                                          std::string_view flag) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Invalid(std::string(flag) + ": " + Quote(item) + " is not KEY=VALUE");
    }
    out.insert_or_assign(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

Result<std::vector<protocol::ComputeEnvironmentOrder>> ParseComputeEnvironmentOrder(
    const std::vector<std::string>& items) {
  std::vector<protocol::ComputeEnvironmentOrder> out;
  for (const auto& raw : items) {
    std::string_view item = Trim(raw);
    if (!item.empty() && (item.front() == '[' || item.front() == '{')) {
      GANTRY_RETURN_IF_ERROR(AppendOrderJson(item, out));
      continue;
    }
    GANTRY_ASSIGN_OR_RETURN(protocol::ComputeEnvironmentOrder o, ParseOrderShorthand(item));
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<protocol::ComputeEnvironmentOrder>> ParseComputeEnvironmentList(
    std::string_view list) {
  std::vector<protocol::ComputeEnvironmentOrder> out;
  std::string_view rest = list;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view name = Trim(rest.substr(0, comma));
    if (name.empty()) return Invalid("--compute-environments: empty name in " + Quote(list));
    out.push_back({static_cast<uint32_t>(out.size() + 1), CeName(name)});
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string NewClientToken() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    uint32_t word = rd();
    for (int j = 0; j < 8; ++j, word >>= 4) out += kHex[word & 0xF];
  }
  return out;
}

Result<protocol::CreateComputeEnvironmentRequest> BuildCreateComputeEnvironment(
    const ComputeEnvironmentFlags& flags) {
  protocol::CreateComputeEnvironmentRequest req;
  protocol::ComputeEnvironment& ce = req.computeEnvironment;
  ce.computeEnvironmentName = flags.name;
  GANTRY_ASSIGN_OR_RETURN(ce.type, ParseEnumFlag<protocol::ComputeEnvironmentType>("--type", flags.type));
  GANTRY_ASSIGN_OR_RETURN(ce.state, ParseEnumFlag<protocol::ResourceState>("--state", flags.state));
  std::string model = flags.provisioning_model;
  if (model == "EC2" || model == "ec2") model = "ON_DEMAND";
  GANTRY_ASSIGN_OR_RETURN(ce.provisioningModel,
                          ParseEnumFlag<protocol::ProvisioningModel>("--provisioning-model", model));
  if (flags.min_vcpus) ce.minvCpus = *flags.min_vcpus;
  if (flags.max_vcpus) ce.maxvCpus = *flags.max_vcpus;
  if (flags.desired_vcpus) ce.desiredvCpus = *flags.desired_vcpus;
  GANTRY_ASSIGN_OR_RETURN(ce.selector, ParseKeyValues(flags.selector, "--selector"));
  if (flags.preemptible) ce.preemptible = true;
  GANTRY_ASSIGN_OR_RETURN(ce.tags, OptionalTags(flags.tags));
  GANTRY_RETURN_IF_ERROR(ce.Validate());
  return req;
}

Result<protocol::CreateJobQueueRequest> BuildCreateJobQueue(const JobQueueFlags& flags) {
  protocol::CreateJobQueueRequest req;
  protocol::JobQueue& q = req.jobQueue;
  q.jobQueueName = flags.name;
  if (!flags.priority) return Invalid("--priority is required");
  q.priority = *flags.priority;
  GANTRY_ASSIGN_OR_RETURN(q.state, ParseEnumFlag<protocol::ResourceState>("--state", flags.state));
  const bool has_order = !flags.compute_environment_order.empty();
  const bool has_list = !Trim(flags.compute_environments).empty();
  if (has_order && has_list) {
    return Invalid("give --compute-environment-order or --compute-environments, not both");
  }
  if (!has_order && !has_list) {
    return Invalid("a job queue needs compute environments: --compute-environments ce1,ce2 or "
                   "--compute-environment-order order=1,computeEnvironment=ce1");
  }
  if (has_order) {
    GANTRY_ASSIGN_OR_RETURN(q.computeEnvironmentOrder,
                            ParseComputeEnvironmentOrder(flags.compute_environment_order));
  } else {
    GANTRY_ASSIGN_OR_RETURN(q.computeEnvironmentOrder,
                            ParseComputeEnvironmentList(flags.compute_environments));
  }
  if (!flags.scheduling_policy_arn.empty()) {
    GANTRY_ASSIGN_OR_RETURN(q.schedulingPolicyArn,
                            SchedulingPolicyRef(flags.scheduling_policy_arn, "--scheduling-policy-arn"));
  }
  if (!flags.job_state_time_limit_actions.empty()) {
    GANTRY_ASSIGN_OR_RETURN(q.jobStateTimeLimitActions,
                            ParseJobStateTimeLimitActionsFlag(flags.job_state_time_limit_actions));
  }
  if (!flags.preemption_retries.empty()) {
    GANTRY_ASSIGN_OR_RETURN(q.preemptionRetries,
                            ParsePreemptionRetriesFlag(flags.preemption_retries, "--preemption-retries"));
  }
  GANTRY_ASSIGN_OR_RETURN(q.tags, OptionalTags(flags.tags));
  GANTRY_RETURN_IF_ERROR(q.Validate());
  return req;
}

Result<protocol::RegisterJobDefinitionRequest> BuildRegisterJobDefinition(
    const JobDefinitionFlags& flags) {
  protocol::RegisterJobDefinitionRequest req;
  protocol::JobDefinition& def = req.jobDefinition;
  if (!flags.cli_input_json.empty()) {
    GANTRY_ASSIGN_OR_RETURN(json input, ParseJsonText(flags.cli_input_json, "--cli-input-json"));
    Status s = ApplyRegisterJobDefinitionJson(input, def);
    if (!s.ok()) return s.WithContext("--cli-input-json");
    if (input.is_object() && input.contains("tags")) {
      GANTRY_ASSIGN_OR_RETURN(def.tags, ReadParameters(input["tags"], "--cli-input-json.tags"));
      GANTRY_RETURN_IF_ERROR(protocol::ValidateTags(*def.tags).WithContext("--cli-input-json.tags"));
    }
  }
  if (!flags.container_properties.empty()) {
    GANTRY_ASSIGN_OR_RETURN(json props, ParseJsonText(flags.container_properties, "--container-properties"));
    GANTRY_RETURN_IF_ERROR(ApplyContainerPropertiesJson(props, "--container-properties", def));
  }
  if (!flags.name.empty()) def.jobDefinitionName = flags.name;
  if (def.jobDefinitionName.empty()) {
    return Invalid("a job definition needs a name: --job-definition-name NAME, or jobDefinitionName "
                   "in --cli-input-json");
  }
  if (!flags.type.empty() && flags.type != "container") {
    return Invalid("--type must be container, got " + Quote(flags.type));
  }
  GANTRY_RETURN_IF_ERROR(ApplyResourceFlags(flags.vcpus, flags.memory_mib, flags.disk_mib, def.resources));
  GANTRY_ASSIGN_OR_RETURN(auto env, ParseKeyValues(flags.env, "--env"));
  for (auto& [k, v] : env) def.environment.insert_or_assign(k, std::move(v));
  if (!flags.command.empty()) def.command = flags.command;
  GANTRY_ASSIGN_OR_RETURN(auto parameters, ParseParametersFlags(flags.parameters));
  for (auto& [k, v] : parameters) def.parameters.insert_or_assign(k, std::move(v));
  if (!flags.retry_strategy.empty()) {
    GANTRY_ASSIGN_OR_RETURN(def.retryStrategy, ParseRetryStrategyFlag(flags.retry_strategy, "--retry-strategy"));
  }
  if (!flags.timeout.empty()) {
    GANTRY_ASSIGN_OR_RETURN(def.timeout, ParseTimeoutFlag(flags.timeout, "--timeout"));
  }
  if (flags.scheduling_priority) def.schedulingPriority = flags.scheduling_priority;
  GANTRY_ASSIGN_OR_RETURN(std::optional<protocol::Tags> tags, OptionalTags(flags.tags));
  if (tags) {
    if (!def.tags) def.tags.emplace();
    for (auto& [k, v] : *tags) def.tags->insert_or_assign(k, std::move(v));
    GANTRY_RETURN_IF_ERROR(protocol::ValidateTags(*def.tags).WithContext("--tags"));
  }
  GANTRY_RETURN_IF_ERROR(def.Validate());
  return req;
}

// submit-job's job-model flags: each setting from its aws form or its short
// form, never both.
static Status ApplyJobModelFlags(const SubmitJobFlags& flags, protocol::SubmitJobRequest& req) {
  GANTRY_ASSIGN_OR_RETURN(req.parameters, ParseParametersFlags(flags.parameters));
  if (!flags.retry_strategy.empty() && flags.retry_attempts) return Conflict("--retry-strategy", "--retry-attempts");
  if (!flags.retry_strategy.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.retryStrategy, ParseRetryStrategyFlag(flags.retry_strategy, "--retry-strategy"));
  } else if (flags.retry_attempts) {
    req.retryStrategy = protocol::RetryStrategy{*flags.retry_attempts, {}};
    GANTRY_RETURN_IF_ERROR(req.retryStrategy->Validate().WithContext("--retry-attempts"));
  }
  if (!flags.timeout.empty() && flags.attempt_duration_seconds) {
    return Conflict("--timeout", "--attempt-duration-seconds");
  }
  if (!flags.timeout.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.timeout, ParseTimeoutFlag(flags.timeout, "--timeout"));
  } else if (flags.attempt_duration_seconds) {
    req.timeout = protocol::JobTimeout{flags.attempt_duration_seconds};
    GANTRY_RETURN_IF_ERROR(req.timeout->Validate().WithContext("--attempt-duration-seconds"));
  }
  if (!flags.array_properties.empty() && flags.array_size) return Conflict("--array-properties", "--array-size");
  if (!flags.array_properties.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.arraySize, ParseArrayPropertiesFlag(flags.array_properties));
  } else {
    req.arraySize = flags.array_size;
  }
  if (req.arraySize && (*req.arraySize < protocol::kMinArraySize || *req.arraySize > protocol::kMaxArraySize)) {
    return Invalid(std::string(flags.array_size ? "--array-size" : "--array-properties size") +
                   " must be between 2 and 10000, got " + std::to_string(*req.arraySize));
  }
  GANTRY_ASSIGN_OR_RETURN(req.dependsOn, ParseDependsOnFlags(flags.depends_on));
  if (!flags.share_identifier.empty()) {
    GANTRY_RETURN_IF_ERROR(protocol::ValidateName("--share-identifier", flags.share_identifier));
    req.shareIdentifier = flags.share_identifier;
  }
  if (flags.scheduling_priority_override && *flags.scheduling_priority_override > protocol::kMaxSchedulingPriority) {
    return Invalid("--scheduling-priority-override must be between 0 and 9999");
  }
  req.schedulingPriorityOverride = flags.scheduling_priority_override;
  if (!flags.preemption_retries.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.preemptionRetries,
                            ParsePreemptionRetriesFlag(flags.preemption_retries, "--preemption-retries"));
  }
  return Status::Ok();
}

Result<protocol::SubmitJobRequest> BuildSubmitJob(const SubmitJobFlags& flags, std::string client_token) {
  protocol::SubmitJobRequest req;
  req.jobName = flags.name;
  req.jobQueue = flags.queue;
  req.jobDefinition = flags.definition.empty() ? "default" : flags.definition;
  if (!flags.command.empty()) req.command = flags.command;
  GANTRY_ASSIGN_OR_RETURN(req.environment, ParseKeyValues(flags.env, "--env"));
  req.vcpus = flags.vcpus;
  req.memoryMib = flags.memory_mib;
  req.diskMib = flags.disk_mib;
  req.clientToken = std::move(client_token);
  GANTRY_RETURN_IF_ERROR(ApplyJobModelFlags(flags, req));
  GANTRY_ASSIGN_OR_RETURN(req.tags, OptionalTags(flags.tags));
  GANTRY_RETURN_IF_ERROR(req.Validate());
  return req;
}

Result<protocol::ListJobsRequest> BuildListJobs(const ListJobsFlags& flags) {
  protocol::ListJobsRequest req;
  const bool has_queue = !Trim(flags.queue).empty();
  const bool has_array = !Trim(flags.array_job_id).empty();
  if (has_queue && has_array) return Invalid("give --job-queue or --array-job-id, not both");
  if (!has_queue && !has_array) return Invalid("give --job-queue or --array-job-id");
  req.jobQueue = flags.queue;
  if (has_array) req.arrayJobId = flags.array_job_id;
  GANTRY_ASSIGN_OR_RETURN(req.filters, ParseFiltersFlags(flags.filters));
  if (!flags.status.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.jobStatus, ParseEnumFlag<protocol::JobStatus>("--job-status", flags.status));
  }
  req.maxResults = flags.max_results;
  if (!flags.next_token.empty()) req.nextToken = flags.next_token;
  GANTRY_RETURN_IF_ERROR(req.Validate());
  return req;
}

Result<protocol::RaftAddVoterRequest> BuildRaftAddVoter(const RaftPeerFlags& flags) {
  protocol::RaftAddVoterRequest req;
  GANTRY_ASSIGN_OR_RETURN(req.id, RaftId(flags.id));
  GANTRY_RETURN_IF_ERROR(CheckRaftAddress(flags.address));
  req.address = flags.address;
  GANTRY_RETURN_IF_ERROR(req.Validate());
  return req;
}

Result<protocol::RaftRemovePeerRequest> BuildRaftRemovePeer(const RaftPeerFlags& flags) {
  protocol::RaftRemovePeerRequest req;
  GANTRY_ASSIGN_OR_RETURN(req.id, RaftId(flags.id));
  return req;
}

Result<protocol::RaftTransferLeaderRequest> BuildRaftTransferLeader(const RaftPeerFlags& flags) {
  protocol::RaftTransferLeaderRequest req;  // id 0: any voter
  if (!flags.id.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.id, RaftId(flags.id));
  }
  return req;
}

Result<std::string> ReadJsonArgument(std::string_view arg, std::string_view flag) {
  std::string_view trimmed = Trim(arg);
  if (!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) return std::string(arg);
  if (trimmed == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::string path(arg.rfind("file://", 0) == 0 ? arg.substr(7) : arg);
  if (path.empty()) return Invalid(std::string(flag) + ": no file given");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    std::string m = std::string(flag) + ": cannot read " + path + ": " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(m) : Invalid(m);
  }
  std::string text;
  char buf[64 * 1024];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    text.append(buf, n);
    if (text.size() > static_cast<size_t>(protocol::kMaxFrameBytes)) {
      std::fclose(f);
      return Invalid(std::string(flag) + ": " + path + " is larger than 16 MiB");
    }
  }
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Invalid(std::string(flag) + ": error reading " + path);
  return text;
}

}  // namespace gantry::client
