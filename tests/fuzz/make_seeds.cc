// Writes the seed corpus of the fuzz targets: one frame per message type
// (protocol/test_samples.h), one command per command type, the CLI's JSON
// examples, and hand-written edge cases (truncation, bombs, deep nesting,
// wrong types). Run once and commit the output; the fuzzer and the replay
// tests read tests/fuzz/corpus/<target>/. Regression inputs (crashes found)
// live beside the seeds and are not written here.
//
// Usage: gantry_fuzz_seeds CORPUS_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "coordinator/fsm/command.h"
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
  return 0;
}
