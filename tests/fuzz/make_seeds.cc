// Writes the seed corpus of the fuzz targets: one frame per message type
// (protocol/test_samples.h), one command per command type, the CLI's JSON
// examples, an HTTP request per AWS Batch operation, and hand-written edge cases (truncation, bombs, deep nesting,
// wrong types). Run once and commit the output; the fuzzer and the replay
// tests read tests/fuzz/corpus/<target>/. Regression inputs (crashes found)
// live beside the seeds and are not written here.
//
// Usage: gantry_fuzz_seeds CORPUS_DIR
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/fsm/command.h"
#include "coordinator/http/operations.h"
#include "protocol/messages.h"
#include "protocol/test_fixtures.h"
#include "protocol/test_msgpack.h"
#include "protocol/test_samples.h"

namespace gantry {
namespace {

namespace fs = std::filesystem;
using namespace protocol::fixtures;  // NOLINT(google-build-using-namespace): Make*() factories
using coordinator::Command;
using coordinator::CommandType;
using protocol::MessageType;
using protocol::Packer;

void Write(const fs::path& dir, std::string name, const std::string& bytes) {
  for (char& c : name) c = (c == '/' || c == ' ') ? '-' : c;
  fs::create_directories(dir);
  std::ofstream(dir / ("seed-" + name), std::ios::binary) << bytes;
}

std::string Nested(int depth, uint8_t open, const std::string& leaf) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += static_cast<char>(open);
  return out + leaf;
}

void FrameSeeds(const fs::path& dir) {
  for (const Sample& s : AllSamples()) Write(dir, s.name, s.frame);
  std::string submit;
  for (const Sample& s : AllSamples()) {
    if (s.name == "SubmitJob") submit = s.frame;
  }
  Write(dir, "truncated-SubmitJob", submit.substr(0, submit.size() / 2));
  Write(dir, "empty", "");
  Write(dir, "garbage", "\x93\xff\x00GET / HTTP/1.1\r\n");
  Write(dir, "bare-array32-bomb", Bytes({0xdd, 0xff, 0xff, 0xff, 0xff}));
  Write(dir, "bare-map32-bomb", Bytes({0xdf, 0xff, 0xff, 0xff, 0xff}));
  Write(dir, "bare-str32-bomb", Bytes({0xdb, 0xff, 0xff, 0xff, 0xff}));
  const auto kDescribe = static_cast<uint16_t>(MessageType::kDescribeJobs);
  Write(dir, "body-array32-bomb", RawFrame(1, kDescribe, 1, [](Packer& pk) {
          pk.pack_map(1);
          PackStr(pk, "jobs");
        }) + Bytes({0xdd, 0x7f, 0xff, 0xff, 0xff}));
  Write(dir, "body-map32-bomb", RawFrame(1, kDescribe, 1, [](Packer&) {}) + Bytes({0xdf, 0x7f, 0xff, 0xff, 0xff}));
  Write(dir, "deep-arrays", RawFrame(1, kDescribe, 1, [](Packer&) {}) + Nested(64, 0x91, "\x90"));
  Write(dir, "deep-maps", RawFrame(1, kDescribe, 1, [](Packer&) {}) + Nested(32, 0x81, "") +
                              std::string(1, '\xa1') + "k" + "\x80");
  Write(dir, "unknown-type", RawFrame(1, 999, 1, [](Packer& pk) { pk.pack_map(0); }));
  Write(dir, "version-2", RawFrame(2, kDescribe, 1, [](Packer& pk) { pk.pack_map(0); }));
  Write(dir, "wrong-type-jobs", RawFrame(1, kDescribe, 1, [](Packer& pk) {
          pk.pack_map(1);
          PackStr(pk, "jobs");
          pk.pack(5);
        }));
  Write(dir, "nil-body", RawFrame(1, kDescribe, 1, [](Packer& pk) { pk.pack_nil(); }));
  Write(dir, "ext-in-body", RawFrame(1, kDescribe, 1, [](Packer&) {}) + Bytes({0xd4, 0x01, 0x00}));
  Write(dir, "bin-job-id", RawFrame(1, kDescribe, 1, [](Packer& pk) {
          pk.pack_map(1);
          PackStr(pk, "jobs");
          pk.pack_array(1);
          pk.pack_bin(3);
          pk.pack_bin_body("abc", 3);
        }));
  Write(dir, "negative-vcpus", RawFrame(1, static_cast<uint16_t>(MessageType::kSubmitJob), 1, [](Packer& pk) {
          pk.pack_map(4);
          PackStr(pk, "jobName");
          PackStr(pk, "j");
          PackStr(pk, "jobQueue");
          PackStr(pk, "q");
          PackStr(pk, "jobDefinition");
          PackStr(pk, "d");
          PackStr(pk, "vcpus");
          pk.pack(-1);
        }));
  Write(dir, "trailing-bytes", submit + "\x00");
}

Command MakeCommand(CommandType type) {
  using namespace protocol;  // NOLINT(google-build-using-namespace)
  Command c;
  c.type = type;
  c.at = 1'700'000'000'000;
  switch (type) {
    case CommandType::kCreateComputeEnvironment: c.computeEnvironment = MakeComputeEnvironment(); break;
    case CommandType::kCreateJobQueue: c.jobQueue = MakeJobQueue(); break;
    case CommandType::kRegisterJobDefinition: c.jobDefinition = MakeJobDefinition(); break;
    case CommandType::kSubmitJob:
      c.submitJob = coordinator::SubmitJobCommand{MakeSubmitJobRequest(), "6f1c2d3e-0000-4000-8000-00000000000a", 0};
      break;
    case CommandType::kUpsertNode: c.node = MakeNode(); break;
    case CommandType::kApplyPlan: c.plan = coordinator::ApplyPlanCommand{{{"job-1", "node-1", "ce"}}}; break;
    case CommandType::kAttemptStarted: c.attemptStarted = coordinator::AttemptStartedCommand{"node-1", "a-1", 7}; break;
    case CommandType::kAttemptEnded: c.attemptEnded = MakeAttemptEnded(); break;
    case CommandType::kCancelJob:
    case CommandType::kTerminateJob: c.stopJob = coordinator::StopJobCommand{"job-1", "by operator"}; break;
    case CommandType::kDeregisterJobDefinition: c.target = "d:1"; break;
    case CommandType::kDeleteJobQueue:
    case CommandType::kDeleteComputeEnvironment:
    case CommandType::kDeleteSchedulingPolicy:
    case CommandType::kNodeLost: c.target = "target"; break;
    case CommandType::kUpdateJobQueue: c.updateJobQueue = MakeUpdateJobQueueRequest(); break;
    case CommandType::kUpdateComputeEnvironment: c.updateComputeEnvironment = MakeUpdateComputeEnvironmentRequest(); break;
    case CommandType::kCreateSchedulingPolicy:
    case CommandType::kUpdateSchedulingPolicy: c.schedulingPolicy = MakeSchedulingPolicy(); break;
    case CommandType::kPurgeJobs: c.purge = coordinator::PurgeJobsCommand{{"job-1", "job-2"}}; break;
    case CommandType::kControlNode:
      c.controlNode = coordinator::ControlNodeCommand{"node-1", NodeControl{NodeControlState::kDraining, "drain", 1, 2}};
      break;
    case CommandType::kInterruptAttempts:
      c.interrupt = coordinator::InterruptAttemptsCommand{{{"a-1", Interruption{InterruptionKind::kPreempted, "p"}}}};
      break;
    case CommandType::kTagResource: c.tagResource = MakeTagResourceRequest(); break;
    case CommandType::kUntagResource: c.untagResource = MakeUntagResourceRequest(); break;
  }
  return c;
}

void CommandSeeds(const fs::path& dir) {
  const auto& names = protocol::EnumNames<CommandType>::kNames;
  for (size_t i = 0; i < std::size(names); ++i) {
    Write(dir, names[i], coordinator::EncodeCommand(MakeCommand(static_cast<CommandType>(i))));
  }
  Command two = MakeCommand(CommandType::kApplyPlan);
  two.target = "extra";
  Write(dir, "two-payloads", coordinator::EncodeCommand(two));
  const std::string plan = coordinator::EncodeCommand(MakeCommand(CommandType::kApplyPlan));
  Write(dir, "truncated-ApplyPlan", plan.substr(0, plan.size() - 3));
  Write(dir, "padded-ApplyPlan", plan + std::string(5, '\0'));
}

void JsonSeeds(const fs::path& dir) {
  const std::string job_def =
      R"({"jobDefinitionName":"d","type":"container","containerProperties":{"command":["echo","Ref::k"],)"
      R"("resourceRequirements":[{"type":"VCPU","value":"2"},{"type":"MEMORY","value":"2048"},)"
      R"({"type":"DISK","value":"4096"}],"vcpus":1,"memory":512,"environment":[{"name":"K","value":"V"}],)"
      R"("ephemeralStorage":{"sizeInGiB":21}},"parameters":{"k":"v"},"retryStrategy":{"attempts":3,)"
      R"("evaluateOnExit":[{"onExitCode":"3*","onReason":"x","onStatusReason":"y","action":"exit"}]},)"
      R"("timeout":{"attemptDurationSeconds":60},"schedulingPriority":5})";
  const std::vector<std::pair<int, std::string>> seeds = {
      {0, job_def},
      {0, R"({"jobDefinitionName":"d"})"},
      {1, R"({"command":["true"],"vcpus":2,"memory":64,"ephemeralStorage":{"sizeInGiB":1}})"},
      {2, R"({"attempts":3,"evaluateOnExit":[{"onExitCode":"1","action":"RETRY"},{"onReason":"*","action":"EXIT"}]})"},
      {2, "attempts=3"},
      {3, R"({"attemptDurationSeconds":60})"},
      {3, "attemptDurationSeconds=60"},
      {4, R"([{"jobId":"6f1c2d3e-0000-4000-8000-00000000000a","type":"N_TO_N"}])"},
      {4, "jobId=6f1c2d3e-0000-4000-8000-00000000000a:3,type=N_TO_N"},
      {4, "type=SEQUENTIAL"},
      {5, "size=4"},
      {5, R"({"size":10000})"},
      {6, R"({"k":"v","k2":""})"},
      {6, "k=v,k2=a,b"},
      {7, "name=JOB_NAME,values=abc*"},
      {7, R"([{"name":"BEFORE_CREATED_AT","values":["1700000000000"]}])"},
      {8, R"({"shareDecaySeconds":3600,"computeReservation":10,"shareDistribution":[{"shareIdentifier":"team*","weightFactor":0.5}]})"},
      {9, R"([{"reason":"r","state":"RUNNABLE","maxTimeSeconds":600,"action":"CANCEL"}])"},
      {10, "minvCpus=0,maxvCpus=8,desiredvCpus=2"},
      {10, R"({"minvCpus":0,"maxvCpus":8})"},
      {11, "order=1,computeEnvironment=ce1"},
      {11, R"([{"order":1,"computeEnvironment":"ce1"},{"order":2,"computeEnvironment":"arn:aws:batch:x:1:compute-environment/ce2"}])"},
      {12, "[]"},
      {13, job_def},
      // Edge cases: nesting, numbers at and past every limit, escapes, types.
      {0, std::string(5000, '[') + std::string(5000, ']')},
      {2, R"({"attempts":18446744073709551616})"},
      {3, R"({"attemptDurationSeconds":-1e400})"},
      {8, R"({"shareDecaySeconds":1,"shareDistribution":[{"shareIdentifier":"a","weightFactor":1e308}]})"},
      {13, R"({"jobDefinitionName":"d\u0000x","containerProperties":{"command":["\ud800"]}})"},
      {13, R"({"jobDefinitionName":["d"],"containerProperties":{"environment":[{"name":1}]}})"},
      {6, "\xff\xfe"},
  };
  for (size_t i = 0; i < seeds.size(); ++i) {
    Write(dir, std::to_string(seeds[i].first) + "-" + std::to_string(i),
          std::string(1, static_cast<char>(seeds[i].first)) + seeds[i].second);
  }
}


// aws_api_fuzz's input (see aws_api_fuzz.cc): method and flags byte,
// backend byte, route byte, then the rest of the target, '\n', the body.
namespace aws {

enum Method : uint8_t { kPost = 0, kGet = 1, kDelete = 2, kPut = 3 };
constexpr uint8_t kInvocationId = 4;  // sends amz-sdk-invocation-id
constexpr uint8_t kNonUtf8Message = 8;  // with a backend failure: a message that is not UTF-8

std::string Input(uint8_t flags, uint8_t backend, uint8_t route, std::string_view target, std::string_view body) {
  std::string out{static_cast<char>(flags), static_cast<char>(backend), static_cast<char>(route)};
  out += target;
  out += '\n';
  out += body;
  return out;
}

uint8_t Op(std::string_view name) {
  const std::vector<std::string> ops = coordinator::http::OperationNames();
  const auto it = std::find(ops.begin(), ops.end(), name);
  if (it == ops.end()) {
    std::fprintf(stderr, "no operation %.*s\n", static_cast<int>(name.size()), name.data());
    std::exit(1);
  }
  return static_cast<uint8_t>(it - ops.begin());
}
uint8_t TagsRoute() { return static_cast<uint8_t>(coordinator::http::OperationNames().size()); }
uint8_t V1() { return static_cast<uint8_t>(TagsRoute() + 1); }
uint8_t Raw() { return static_cast<uint8_t>(TagsRoute() + 2); }

// POST /v1/<op> with `body`, the backend answering.
std::string Post(std::string_view op, std::string_view body) { return Input(kPost, 0, Op(op), "", body); }

constexpr std::string_view kArnPrefix = "arn%3Aaws%3Abatch%3Alocal%3A000000000000%3A";

}  // namespace aws

void AwsApiSeeds(const fs::path& dir) {
  using namespace aws;  // NOLINT(google-build-using-namespace)
  const std::string queue_arn = std::string(kArnPrefix) + "job-queue%2Fhigh-priority";
  const std::vector<std::pair<std::string, std::string>> seeds = {
      // Every operation, with the bodies boto3 sends (coordinator/http/ops_*_test.cc).
      {"createcomputeenvironment",
       Post("createcomputeenvironment",
            R"({"computeEnvironmentName": "gpu-spot", "type": "managed", "state": "DISABLED", )"
            R"("computeResources": {"type": "SPOT", "minvCpus": 0, "maxvCpus": 256, "desiredvCpus": 16, )"
            R"("subnets": ["subnet-1"], "instanceTypes": ["optimal"], "tags": {"pool": "batch", "zone": "a"}}, )"
            R"("serviceRole": "arn:aws:iam::123456789012:role/x", "tags": {"team": "ml"}})")},
      {"createcomputeenvironment-unmanaged",
       Post("createcomputeenvironment", R"({"computeEnvironmentName": "metal", "type": "UNMANAGED", "unmanagedvCpus": 96})")},
      {"updatecomputeenvironment",
       Post("updatecomputeenvironment", R"({"computeEnvironment": "arn:aws:batch:local:000000000000:compute-environment/metal", )"
                                        R"("state": "DISABLED", "computeResources": {"minvCpus": 1, "maxvCpus": 8, "desiredvCpus": 2}})")},
      {"deletecomputeenvironment", Post("deletecomputeenvironment", R"({"computeEnvironment": "spot-ce_1"})")},
      {"describecomputeenvironments", Post("describecomputeenvironments", "{}")},
      {"describecomputeenvironments-names",
       Post("describecomputeenvironments", R"({"computeEnvironments": ["on-demand", )"
                                           R"("arn:aws:batch:local:000000000000:compute-environment/spot-ce_1", "missing"], "maxResults": 1})")},
      {"createjobqueue",
       Post("createjobqueue",
            R"({"jobQueueName": "high", "priority": 10, "state": "DISABLED", "computeEnvironmentOrder": )"
            R"([{"order": 1, "computeEnvironment": "metal"}, {"order": 2, "computeEnvironment": )"
            R"("arn:aws:batch:us-west-2:123456789012:compute-environment/spot"}], "schedulingPolicyArn": )"
            R"("arn:aws:batch:us-west-2:123456789012:scheduling-policy/fair", "jobStateTimeLimitActions": )"
            R"([{"reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "state": "RUNNABLE", "maxTimeSeconds": 600, )"
            R"("action": "CANCEL"}], "tags": {"team": "ml"}, "jobQueueType": "ECS"})")},
      {"updatejobqueue",
       Post("updatejobqueue", R"({"jobQueue": "high", "priority": 5, "schedulingPolicyArn": "fair", "state": "ENABLED", )"
                              R"("computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "spot"}], "jobStateTimeLimitActions": []})")},
      {"deletejobqueue", Post("deletejobqueue", R"({"jobQueue": "arn:aws:batch:local:000000000000:job-queue/old"})")},
      {"describejobqueues", Post("describejobqueues", "{}")},
      {"describejobqueues-names", Post("describejobqueues", R"({"jobQueues": ["high-priority", "nope"], "maxResults": 1})")},
      {"registerjobdefinition",
       Post("registerjobdefinition",
            R"({"jobDefinitionName": "trainer", "type": "container", "containerProperties": {"image": "busybox", )"
            R"("command": ["python", "train.py"], "resourceRequirements": [{"type": "VCPU", "value": "2"}, )"
            R"({"type": "MEMORY", "value": "4096"}], "environment": [{"name": "K", "value": "V"}]}, )"
            R"("parameters": {"p": "v"}, "retryStrategy": {"attempts": 2, "evaluateOnExit": [{"onExitCode": "137", )"
            R"("action": "RETRY"}]}, "timeout": {"attemptDurationSeconds": 60}, "schedulingPriority": 5, )"
            R"("propagateTags": true, "platformCapabilities": ["EC2"], "tags": {"team": "ml"}})")},
      {"deregisterjobdefinition",
       Post("deregisterjobdefinition", R"({"jobDefinition": "arn:aws:batch:local:000000000000:job-definition/trainer:4"})")},
      {"describejobdefinitions", Post("describejobdefinitions", "{}")},
      {"describejobdefinitions-filter",
       Post("describejobdefinitions", R"({"jobDefinitionName": "render_frames", "status": "ACTIVE", "maxResults": 1})")},
      {"describejobdefinitions-names", Post("describejobdefinitions", R"({"jobDefinitions": ["render_frames:7", "x"]})")},
      {"submitjob",
       Post("submitjob",
            R"({"jobName": "train", "jobQueue": "high", "jobDefinition": "trainer:3", "containerOverrides": )"
            R"({"command": ["python", "train.py"], "environment": [{"name": "EPOCHS", "value": "5"}], )"
            R"("resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "2048"}, )"
            R"({"type": "DISK", "value": "4096"}], "instanceType": "m5.large"}, "parameters": {"input": "s3://x"}, )"
            R"("retryStrategy": {"attempts": 3, "evaluateOnExit": [{"onExitCode": "137", "action": "RETRY"}]}, )"
            R"("timeout": {"attemptDurationSeconds": 600}, "arrayProperties": {"size": 10}, "dependsOn": )"
            R"([{"jobId": "parent-id", "type": "N_TO_N"}], "shareIdentifier": "teamA", "schedulingPriorityOverride": 7, )"
            R"("tags": {"team": "ml"}, "propagateTags": true})")},
      {"submitjob-minimal", Post("submitjob", R"({"jobName": "j1", "jobQueue": "q1", "jobDefinition": "jd1", )"
                                              R"("containerOverrides": {"command": ["echo", "\u00fcber \u2603 \ud83d\ude00"]}})")},
      {"submitjob-invocation-id",
       Input(kPost | kInvocationId, 0, Op("submitjob"), "", R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d"})")},
      {"describejobs", Post("describejobs", R"({"jobs": ["5f1e2d3c-0000-4000-8000-000000000001", "unknown"]})")},
      {"listjobs", Post("listjobs", R"({"jobQueue": "arn:aws:batch:local:000000000000:job-queue/high-priority"})")},
      {"listjobs-array", Post("listjobs", R"({"arrayJobId": "parent", "jobStatus": "SUCCEEDED", "maxResults": 5, )"
                                          R"("nextToken": "opaque-from-backend"})")},
      {"listjobs-filters", Post("listjobs", R"({"jobQueue": "high", "jobStatus": "RUNNING", "filters": [{"name": )"
                                            R"("JOB_DEFINITION", "values": ["arn:aws:batch:local:000000000000:job-definition/train:3"]}, )"
                                            R"({"name": "JOB_NAME", "values": ["train*"]}]})")},
      {"canceljob", Post("canceljob", R"({"jobId": "id-1", "reason": "not needed"})")},
      {"terminatejob", Post("terminatejob", R"({"jobId": "id-2", "reason": "stuck"})")},
      {"createschedulingpolicy",
       Post("createschedulingpolicy", R"({"name": "fair", "tags": {"team": "ml"}, "fairsharePolicy": {"shareDecaySeconds": 3600, )"
                                      R"("computeReservation": 10, "shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 0.5}]}})")},
      {"describeschedulingpolicies",
       Post("describeschedulingpolicies", R"({"arns": ["arn:aws:batch:local:000000000000:scheduling-policy/fair", "missing"]})")},
      {"listschedulingpolicies", Post("listschedulingpolicies", R"({"maxResults": 1})")},
      {"updateschedulingpolicy",
       Post("updateschedulingpolicy", R"({"arn": "arn:aws:batch:us-west-2:123456789012:scheduling-policy/fair", )"
                                      R"("fairsharePolicy": {"computeReservation": 5}})")},
      {"updateschedulingpolicy-no-policy", Post("updateschedulingpolicy", R"({"arn": "fair"})")},
      {"deleteschedulingpolicy", Post("deleteschedulingpolicy", R"({"arn": "fair"})")},
      // The tag routes.
      {"tagresource", Input(kPost, 0, TagsRoute(), queue_arn, R"({"tags": {"team": "hpc", "env": ""}})")},
      {"listtagsforresource", Input(kGet, 0, TagsRoute(), std::string(kArnPrefix) + "job-definition%2Frender_frames%3A7", "")},
      {"untagresource", Input(kDelete, 0, TagsRoute(), queue_arn + "?tagKeys=team&tagKeys=a%20b", "")},
      {"untagresource-job", Input(kDelete, 0, TagsRoute(), std::string(kArnPrefix) + "job%2F5f1e2d3c?tagKeys=x", "")},
      // Backend failures, one per code (400, 400, 400, 503, 500, 500).
      {"fail-not-found", Input(kPost, 1, Op("describejobs"), "", R"({"jobs": ["a"]})")},
      {"fail-invalid", Input(kPost, 2, Op("submitjob"), "", R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d"})")},
      {"fail-conflict", Input(kPost, 3, Op("createjobqueue"), "", R"({"jobQueueName": "q", "priority": 1, )"
                                                                 R"("computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "c"}]})")},
      {"fail-unavailable", Input(kPost, 4, Op("listjobs"), "", R"({"jobQueue": "q"})")},
      {"fail-corruption", Input(kPost, 5, Op("describejobqueues"), "", "{}")},
      {"fail-internal-non-utf8", Input(kPost, 6 | kNonUtf8Message, TagsRoute(), queue_arn, R"({"tags": {"a": "b"}})")},
      // Malformed requests.
      {"empty", ""},
      {"no-body", Input(kPost, 0, Op("canceljob"), "", "")},
      {"body-not-json", Post("canceljob", "{")},
      {"body-array", Post("canceljob", "[1, 2]")},
      {"body-string", Post("canceljob", "\"text\"")},
      {"body-trailing", Post("canceljob", R"({"jobId": "a", "reason": "r"} x)")},
      {"get-operation", Input(kGet, 0, Op("canceljob"), "", "")},
      {"put-tags", Input(kPut, 0, TagsRoute(), queue_arn, "")},
      {"bad-percent", Input(kPost, 0, TagsRoute(), "arn%3Zaws", R"({"tags": {"a": "b"}})")},
      {"bad-percent-query", Input(kDelete, 0, TagsRoute(), queue_arn + "?tagKeys=%4", "")},
      {"foreign-arn", Input(kGet, 0, TagsRoute(), "arn%3Aaws%3Asqs%3Aus-west-2%3A123456789012%3Aqueue%2Fq", "")},
      {"unsupported-operation", Input(kPost, 0, V1(), "createconsumableresource", "{}")},
      {"v1-only", Input(kPost, 0, V1(), "", "{}")},
      {"raw-outside-api", Input(kPost, 0, Raw(), "/favicon.ico", "{}")},
      {"raw-submitjob-query", Input(kPost, 0, Raw(), "/v1/submitjob?x=1", R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d"})")},
      {"deep-nesting", Post("submitjob", R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d", "parameters": )" +
                                             std::string(3000, '[') + std::string(3000, ']') + "}")},
      {"wrong-types", Post("submitjob", R"({"jobName": 1, "jobQueue": ["q"], "jobDefinition": null, )"
                                        R"("containerOverrides": {"command": "echo", "environment": [{"name": 1}]}})")},
      {"huge-numbers", Post("submitjob", R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": )"
                                         R"({"size": 18446744073709551616}, "timeout": {"attemptDurationSeconds": -1}, )"
                                         R"("schedulingPriorityOverride": 4294967296, "retryStrategy": {"attempts": 1.5}})")},
      {"float-overflow", Post("submitjob", R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d", )"
                                           R"("timeout": {"attemptDurationSeconds": -1e400}})")},
      {"nul-escape", Post("createjobqueue", R"({"jobQueueName": "a\u0000b", "priority": 1, )"
                                            R"("computeEnvironmentOrder": [{"order": 4294967295, "computeEnvironment": "c"}]})")},
      {"non-utf8-name", Post("submitjob", "{\"jobName\": \"j\xff\xfe\", \"jobQueue\": \"q\", \"jobDefinition\": \"d\"}")},
      {"lone-surrogate", Post("createjobqueue", R"({"jobQueueName": "\ud800", "priority": 1, )"
                                                R"("computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "c\u0000d"}]})")},
      {"bad-next-token", Post("describecomputeenvironments", R"({"nextToken": "garbage", "maxResults": 101})")},
      {"describejobs-empty", Post("describejobs", R"({"jobs": []})")},
      {"nulls", Post("updatejobqueue", R"({"jobQueue": "high", "priority": null, "state": null, "computeEnvironmentOrder": null})")},
  };
  for (const auto& [name, bytes] : seeds) Write(dir, name, bytes);
}

}  // namespace
}  // namespace gantry

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  gantry::FrameSeeds(dir / "frame_fuzz");
  gantry::CommandSeeds(dir / "command_fuzz");
  gantry::JsonSeeds(dir / "cli_json_fuzz");
  gantry::AwsApiSeeds(dir / "aws_api_fuzz");
  return 0;
}
