// libFuzzer target: every JSON input the CLI takes, through the functions
// the verbs call. The first byte picks the entry point, the rest is the text
// typed (or read from a file) for that flag. Most of these flags also take
// AWS shorthand ("attempts=3"), which the same text exercises.
//
// Invariants (each broken one aborts, see fuzz_check.h):
//   - a refused input is kInvalidArgument with a message (never an
//     exception escaping, which would end the CLI with a stack trace);
//   - a request the CLI accepts decodes on the coordinator: its frame passes
//     DecodeEnvelope and DecodeBody<T>, whose checks include Validate();
//   - a job definition read from JSON that passes its own and its
//     resources' Validate() does too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/control_requests.h"
#include "client/job_definition_json.h"
#include "client/requests.h"
#include "protocol/messages.h"
#include "tests/fuzz/fuzz_check.h"

namespace gantry::client {
namespace {

// What the coordinator does with the request the CLI would send.
template <class T>
void CheckAccepted(const T& req) {
  Result<protocol::Envelope> env = protocol::DecodeEnvelope(protocol::EncodeMessage(1, req));
  fuzz::Check(env.ok(), "an accepted request's frame does not decode", env.status());
  Result<T> body = protocol::DecodeBody<T>(*env);
  fuzz::Check(body.ok(), "the coordinator refuses a request the CLI accepted", body.status());
}

template <class T>
void CheckBuilt(const Result<T>& r) {
  if (!r.ok()) return fuzz::CheckRejected(r.status(), "CLI refusal");
  CheckAccepted(r.value());
}

SubmitJobFlags Submit() {
  SubmitJobFlags f;
  f.name = "job";
  f.queue = "q";
  return f;
}

JobQueueFlags Queue() {
  JobQueueFlags f;
  f.name = "q";
  f.priority = 1;
  return f;
}

void RunEntry(uint8_t which, const std::string& text) {
  switch (which % 14) {
    case 0: {  // register-job-definition --cli-input-json
      JobDefinitionFlags f;
      f.cli_input_json = text;
      return CheckBuilt(BuildRegisterJobDefinition(f));
    }
    case 1: {  // register-job-definition --container-properties
      JobDefinitionFlags f;
      f.name = "d";
      f.container_properties = text;
      return CheckBuilt(BuildRegisterJobDefinition(f));
    }
    case 2: {
      SubmitJobFlags f = Submit();
      f.retry_strategy = text;
      return CheckBuilt(BuildSubmitJob(f, "token"));
    }
    case 3: {
      SubmitJobFlags f = Submit();
      f.timeout = text;
      return CheckBuilt(BuildSubmitJob(f, "token"));
    }
    case 4: {  // an array job, so N_TO_N and SEQUENTIAL can be accepted
      SubmitJobFlags f = Submit();
      f.depends_on = {text};
      f.array_size = 4;
      return CheckBuilt(BuildSubmitJob(f, "token"));
    }
    case 5: {
      SubmitJobFlags f = Submit();
      f.array_properties = text;
      return CheckBuilt(BuildSubmitJob(f, "token"));
    }
    case 6: {
      SubmitJobFlags f = Submit();
      f.parameters = {text};
      return CheckBuilt(BuildSubmitJob(f, "token"));
    }
    case 7: {
      ListJobsFlags f;
      f.queue = "q";
      f.filters = {text};
      return CheckBuilt(BuildListJobs(f));
    }
    case 8: {
      SchedulingPolicyFlags f;
      f.name_or_arn = "p";
      f.fairshare_policy = text;
      return CheckBuilt(BuildCreateSchedulingPolicy(f));
    }
    case 9: {
      JobQueueFlags f = Queue();
      f.compute_environments = "ce";
      f.job_state_time_limit_actions = text;
      return CheckBuilt(BuildCreateJobQueue(f));
    }
    case 10: {
      UpdateComputeEnvironmentFlags f;
      f.compute_environment = "ce";
      f.compute_resources = text;
      return CheckBuilt(BuildUpdateComputeEnvironment(f));
    }
    case 11: {
      JobQueueFlags f = Queue();
      f.compute_environment_order = {text};
      return CheckBuilt(BuildCreateJobQueue(f));
    }
    case 12: {
      UpdateJobQueueFlags f;
      f.queue = "q";
      f.job_state_time_limit_actions = text;
      return CheckBuilt(BuildUpdateJobQueue(f));
    }
    default: {  // the job definition reader on its own
      Result<protocol::JobDefinition> def = ParseJobDefinitionJson(text);
      if (!def.ok()) return fuzz::CheckRejected(def.status(), "ParseJobDefinitionJson refusal");
      // JobDefinition::Validate() leaves resources to Resources::Validate()
      // (the decoder runs both), so a caller checks both, as the verb does.
      if (!def->Validate().ok()) return fuzz::CheckRejected(def->Validate(), "JobDefinition::Validate");
      if (!def->resources.Validate().ok()) return fuzz::CheckRejected(def->resources.Validate(), "Resources::Validate");
      return CheckAccepted(protocol::RegisterJobDefinitionRequest{*def});
    }
  }
}

}  // namespace
}  // namespace gantry::client

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  gantry::client::RunEntry(data[0], std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
