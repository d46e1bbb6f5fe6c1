// From a verb's flags to the request it sends: the pure half of every verb,
// so what the user typed is checked (with errors naming the flag) without a
// coordinator. Each Build* validates the request as the coordinator would,
// so a typo fails at once with kInvalidArgument.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "protocol/messages.h"
#include "protocol/types.h"

namespace gantry::client {

// ---- small parsers ---------------------------------------------------------

// "K=V" items into a map (V may be empty and may contain '='); later items
// win. `flag` names the flag in errors: "--env: \"FOO\" is not K=V".
Result<std::map<std::string, std::string>> ParseKeyValues(const std::vector<std::string>& items,
                                                          std::string_view flag);

// AWS shorthand "order=1,computeEnvironment=ce1" (keys in any order), or
// the JSON form '[{"order":1,"computeEnvironment":"ce1"}, ...]'.
Result<std::vector<protocol::ComputeEnvironmentOrder>> ParseComputeEnvironmentOrder(
    const std::vector<std::string>& items);

// "ce1,ce2" -> orders 1, 2 (position in the list).
Result<std::vector<protocol::ComputeEnvironmentOrder>> ParseComputeEnvironmentList(
    std::string_view list);

// An enum flag, case-insensitive: ParseEnumFlag<JobStatus>("--job-status",
// "running"). The error lists the allowed values.
template <protocol::NamedEnum E>
Result<E> ParseEnumFlag(std::string_view flag, std::string_view value) {
  std::string upper(value);
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (auto e = protocol::EnumFromName<E>(upper)) return *e;
  std::string allowed;
  for (const char* name : protocol::EnumNames<E>::kNames) {
    allowed += allowed.empty() ? "" : "|";
    allowed += name;
  }
  return Status::InvalidArgument(std::string(flag) + " must be one of " + allowed + ", got \"" +
                                 std::string(value.substr(0, 32)) + "\"");
}

// --tags of a create verb or submit-job (ParseTagsFlags): absent when no
// tag is given, so the record says "none" as AWS does.
Result<std::optional<protocol::Tags>> OptionalTags(const std::vector<std::string>& items);

// A random 32-hex-digit token for SubmitJob's clientToken.
std::string NewClientToken();

// ---- per verb ----------------------------------------------------------------

struct ComputeEnvironmentFlags {
  std::string name;
  std::string type = "MANAGED";
  std::string state = "ENABLED";
  std::optional<uint32_t> min_vcpus;
  std::optional<uint32_t> max_vcpus;
  std::optional<uint32_t> desired_vcpus;
  std::string provisioning_model = "ON_DEMAND";  // also EC2 (AWS's name)
  std::vector<std::string> selector;  // k=v
  bool preemptible = false;           // --preemptible: sets preemptible=true
  std::vector<std::string> tags;      // --tags, as tag_requests.h reads them
};
Result<protocol::CreateComputeEnvironmentRequest> BuildCreateComputeEnvironment(
    const ComputeEnvironmentFlags& flags);

struct JobQueueFlags {
  std::string name;
  std::optional<uint32_t> priority;  // required
  std::string state = "ENABLED";
  std::vector<std::string> compute_environment_order;  // AWS form, repeatable
  std::string compute_environments;                    // short form "ce1,ce2"
  std::string scheduling_policy_arn;                   // empty: none (a FIFO queue)
  std::string job_state_time_limit_actions;            // JSON text; empty: none
  std::string preemption_retries;                      // as typed; empty: absent
  std::vector<std::string> tags;                       // --tags
};
Result<protocol::CreateJobQueueRequest> BuildCreateJobQueue(const JobQueueFlags& flags);

// JSON texts are already read (see ReadJsonArgument); empty means absent.
// Precedence: cli_input_json < container_properties < the other flags.
struct JobDefinitionFlags {
  std::string name;
  std::string type;  // empty, or "container"
  std::string container_properties;
  std::string cli_input_json;
  std::optional<uint32_t> vcpus;
  std::optional<uint64_t> memory_mib;
  std::optional<uint64_t> disk_mib;
  std::vector<std::string> env;       // K=V, merged over the JSON's
  std::vector<std::string> command;   // replaces the JSON's when not empty
  std::vector<std::string> parameters;  // k=v, k=v,k2=v2 or JSON; merged over the JSON's
  std::string retry_strategy;           // JSON or attempts=N; empty: absent
  std::string timeout;                  // JSON or attemptDurationSeconds=N; empty: absent
  std::optional<uint32_t> scheduling_priority;
  std::vector<std::string> tags;  // --tags, merged over --cli-input-json's "tags"
};
Result<protocol::RegisterJobDefinitionRequest> BuildRegisterJobDefinition(
    const JobDefinitionFlags& flags);

// Each job-model setting has the aws CLI's form and a short one; giving
// both is an error naming both flags. Text flags: empty means absent.
struct SubmitJobFlags {
  std::string name;
  std::string queue;
  std::string definition = "default";
  std::optional<uint32_t> vcpus;
  std::optional<uint64_t> memory_mib;
  std::optional<uint64_t> disk_mib;
  std::vector<std::string> env;
  std::vector<std::string> command;
  std::vector<std::string> parameters;  // k=v, k=v,k2=v2 or JSON
  std::string retry_strategy;           // --retry-strategy
  std::optional<uint32_t> retry_attempts;  // --retry-attempts
  std::string timeout;                  // --timeout
  std::optional<uint32_t> attempt_duration_seconds;  // --attempt-duration-seconds
  std::string array_properties;         // --array-properties size=N
  std::optional<uint32_t> array_size;   // --array-size
  std::vector<std::string> depends_on;  // jobId=ID[,type=...] ...
  std::string share_identifier;
  std::optional<uint32_t> scheduling_priority_override;
  std::string preemption_retries;  // as typed, 0-100; empty: the queue's
  std::vector<std::string> tags;   // --tags
};
// `client_token` goes into the request as is (NewClientToken() in the verb).
Result<protocol::SubmitJobRequest> BuildSubmitJob(const SubmitJobFlags& flags,
                                                  std::string client_token);

// Exactly one of queue and array_job_id.
struct ListJobsFlags {
  std::string queue;
  std::string array_job_id;
  std::vector<std::string> filters;  // name=JOB_NAME,values=abc* or JSON
  std::string status;  // empty: every status
  std::optional<uint32_t> max_results;
  std::string next_token;
};
Result<protocol::ListJobsRequest> BuildListJobs(const ListJobsFlags& flags);

// gantry operator raft add-voter / remove-peer / transfer-leader. Each
// checks only the flags it uses: --id a whole number > 0 (transfer-leader:
// absent means any voter), --address "a.b.c.d:port" with port 1-65535.
struct RaftPeerFlags {
  std::string id;  // as typed; empty: not given
  std::string address;
};
Result<protocol::RaftAddVoterRequest> BuildRaftAddVoter(const RaftPeerFlags& flags);
Result<protocol::RaftRemovePeerRequest> BuildRaftRemovePeer(const RaftPeerFlags& flags);
Result<protocol::RaftTransferLeaderRequest> BuildRaftTransferLeader(const RaftPeerFlags& flags);

// The text of a JSON argument: "file://PATH" or "PATH" is read from the
// file, "-" from stdin, and text starting with '{' or '[' is the JSON
// itself. kNotFound / kInvalidArgument name the file. Reads files.
Result<std::string> ReadJsonArgument(std::string_view arg, std::string_view flag);

}  // namespace gantry::client
