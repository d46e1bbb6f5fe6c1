// Tests of the message envelope and every message type: round trips, strict
// decoding that names the offending field, and the Validate() rules of
// messages.cc. Hostile frames are in hostile_frames_test.cc.
#include "protocol/messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocol/test_fixtures.h"
#include "protocol/test_msgpack.h"
#include "protocol/test_samples.h"

namespace gantry::protocol {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): Make*() factories
using ::testing::AllOf;
using ::testing::HasSubstr;

// ---- round trips ------------------------------------------------------------

TEST(Messages, SamplesCoverEveryKnownMessageType) {
  std::set<MessageType> sampled;
  for (const Sample& s : AllSamples()) sampled.insert(s.type);
  size_t known = 0;
  for (uint32_t t = 0; t <= UINT16_MAX; ++t) {
    if (!IsKnownMessageType(static_cast<uint16_t>(t))) continue;
    ++known;
    EXPECT_TRUE(sampled.count(static_cast<MessageType>(t)))
        << "no fixture for " << MessageTypeName(static_cast<MessageType>(t));
  }
  EXPECT_EQ(known, 54u);
  EXPECT_EQ(sampled.size(), known);
}

TEST(Messages, RoundTripsEveryMessageTypeByteIdentically) {
  for (const Sample& s : AllSamples()) {
    SCOPED_TRACE(s.name);
    Result<Envelope> env = DecodeEnvelope(s.frame);
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    EXPECT_EQ(env->version, kProtocolVersion);
    EXPECT_EQ(env->type, s.type);
    EXPECT_EQ(env->requestId, s.request_id);
    Result<std::string> again = s.reencode(*env);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(*again, s.frame);
  }
}

TEST(Messages, EncodesEnvelopeAsVersionTypeIdAndBody) {
  std::string frame = EncodeMessage(42, MakeKillAttempt());
  msgpack::object_handle h = msgpack::unpack(frame.data(), frame.size());
  std::map<std::string, msgpack::object> envelope;
  h.get().convert(envelope);
  ASSERT_EQ(envelope.size(), 4u);
  EXPECT_EQ(envelope.at("v").as<uint32_t>(), 1u);
  EXPECT_EQ(envelope.at("t").as<uint32_t>(), 103u);
  EXPECT_EQ(envelope.at("id").as<uint64_t>(), 42u);
  std::map<std::string, std::string> body;
  envelope.at("body").convert(body);
  EXPECT_EQ(body, (std::map<std::string, std::string>{{"attemptId", "job-1-2"},
                                                      {"reason", "TerminateJob by user"}}));
}

// The body of `frame`, each field re-encoded on its own.
std::map<std::string, std::string> BodyFields(const std::string& frame) {
  msgpack::object_handle h = msgpack::unpack(frame.data(), frame.size());
  std::map<std::string, msgpack::object> envelope;
  h.get().convert(envelope);
  std::map<std::string, msgpack::object> body;
  envelope.at("body").convert(body);
  std::map<std::string, std::string> out;
  for (const auto& field : body) out[field.first] = Raw([&](Packer& pk) { pk.pack(field.second); });
  return out;
}

TEST(Messages, EncodesOptionalsOnlyWhenSetAndEnumsByName) {
  auto full = BodyFields(EncodeMessage(1, MakeListJobsRequest()));
  EXPECT_EQ(full.size(), 5u);  // filters is a list: always there
  EXPECT_EQ(full["jobStatus"], Raw([](Packer& pk) { PackStr(pk, "SUCCEEDED"); }));
  EXPECT_EQ(full["maxResults"], Raw([](Packer& pk) { pk.pack(1000); }));
  auto minimal = BodyFields(EncodeMessage(1, MakeMinimalListJobsRequest()));
  EXPECT_EQ(minimal.size(), 2u);
  EXPECT_EQ(minimal.count("jobQueue"), 1u);
}

TEST(Messages, RoundTripKeepsSubmitJobOverrides) {
  Result<Envelope> env = DecodeEnvelope(EncodeMessage(9, MakeSubmitJobRequest()));
  ASSERT_TRUE(env.ok());
  Result<SubmitJobRequest> r = DecodeBody<SubmitJobRequest>(*env);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->jobName, "nightly-render");
  EXPECT_EQ(r->command, (std::vector<std::string>{"render", "--frames", "1-100"}));
  EXPECT_EQ(r->environment, MakeEnvironment());
  EXPECT_EQ(r->vcpus, 8u);
  EXPECT_EQ(r->memoryMib, 16'384u);
  EXPECT_EQ(r->diskMib, 0u);
  EXPECT_EQ(r->clientToken, "token-123");

  env = DecodeEnvelope(EncodeMessage(9, MakeMinimalSubmitJobRequest()));
  ASSERT_TRUE(env.ok());
  r = DecodeBody<SubmitJobRequest>(*env);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->command.has_value());
  EXPECT_TRUE(r->environment.empty());
  EXPECT_FALSE(r->vcpus.has_value());
  EXPECT_FALSE(r->memoryMib.has_value());
  EXPECT_FALSE(r->diskMib.has_value());
  EXPECT_FALSE(r->clientToken.has_value());
}

TEST(Messages, RoundTripKeepsJobsAttemptsAndEnums) {
  Result<Envelope> env = DecodeEnvelope(EncodeMessage(1, MakeDescribeJobsReply()));
  ASSERT_TRUE(env.ok());
  Result<DescribeJobsReply> r = DecodeBody<DescribeJobsReply>(*env);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->jobs.size(), 2u);
  const Job& job = r->jobs[0];
  EXPECT_EQ(job.status, JobStatus::kRunning);
  EXPECT_EQ(job.createdAt, INT64_MIN);
  EXPECT_EQ(job.sequence, UINT64_MAX - 1);
  EXPECT_EQ(job.resources, MakeResources());
  ASSERT_EQ(job.attempts.size(), 2u);
  const Attempt& ended = job.attempts[0];
  EXPECT_EQ(ended.fencingToken, UINT64_MAX);
  EXPECT_EQ(ended.exitCode, -9);
  EXPECT_EQ(ended.stoppedAt, 1'700'000'003'000);
  EXPECT_EQ(ended.logTail, "line 1\nline 2\n");
  const Attempt& live = job.attempts[1];
  EXPECT_EQ(live.placedAt, -1);
  EXPECT_FALSE(live.startedAt || live.stoppedAt || live.exitCode || live.reason ||
               live.statusReason || live.logTail);
  EXPECT_EQ(r->jobs[1].status, JobStatus::kFailed);
  EXPECT_EQ(r->jobs[1].stoppedAt, 1'700'000'009'000);
}

TEST(Messages, RoundTripKeepsNodeViewsAndComputeEnvironments) {
  Result<Envelope> env = DecodeEnvelope(EncodeMessage(1, MakeDescribeNodesReply()));
  ASSERT_TRUE(env.ok());
  Result<DescribeNodesReply> nodes = DecodeBody<DescribeNodesReply>(*env);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ(nodes->nodes.size(), 3u);
  EXPECT_EQ(nodes->nodes[0].node.labels, MakeNode().labels);
  EXPECT_EQ(nodes->nodes[0].node.diskQuota, "loop-ext4");
  EXPECT_EQ(nodes->nodes[2].state, NodeState::kUnschedulable);
  EXPECT_FALSE(nodes->nodes[2].node.diskQuota.has_value());
  EXPECT_EQ(nodes->nodes[2].stateReason, "free disk 800 MiB is below the 1024 MiB threshold");
  EXPECT_EQ(nodes->nodes[0].node.capacity, MakeNode().capacity);
  EXPECT_EQ(nodes->nodes[1].state, NodeState::kLost);
  EXPECT_EQ(nodes->nodes[1].lastSeenAgoMs, 30'000'000'000);

  env = DecodeEnvelope(EncodeMessage(1, MakeDescribeComputeEnvironmentsReply()));
  ASSERT_TRUE(env.ok());
  Result<DescribeComputeEnvironmentsReply> ces = DecodeBody<DescribeComputeEnvironmentsReply>(*env);
  ASSERT_TRUE(ces.ok()) << ces.status().ToString();
  ASSERT_EQ(ces->computeEnvironments.size(), 2u);
  const ComputeEnvironment& spot = ces->computeEnvironments[0].computeEnvironment;
  EXPECT_EQ(spot.type, ComputeEnvironmentType::kUnmanaged);
  EXPECT_EQ(spot.state, ResourceState::kDisabled);
  EXPECT_EQ(spot.provisioningModel, ProvisioningModel::kSpot);
  EXPECT_EQ(spot.selector, MakeComputeEnvironment().selector);
  EXPECT_EQ(ces->computeEnvironments[0].usedvCpus, 12u);
  EXPECT_EQ(ces->computeEnvironments[1].computeEnvironment.provisioningModel,
            ProvisioningModel::kOnDemand);
}

TEST(Messages, RoundTripKeepsAttemptEndedExitCodeOrSignal) {
  Result<Envelope> env = DecodeEnvelope(EncodeMessage(1, MakeAttemptEnded()));
  ASSERT_TRUE(env.ok());
  Result<AttemptEnded> exited = DecodeBody<AttemptEnded>(*env);
  ASSERT_TRUE(exited.ok()) << exited.status().ToString();
  EXPECT_EQ(exited->exitCode, INT32_MIN);
  EXPECT_FALSE(exited->signal.has_value());

  env = DecodeEnvelope(EncodeMessage(1, MakeKilledAttemptEnded()));
  ASSERT_TRUE(env.ok());
  Result<AttemptEnded> killed = DecodeBody<AttemptEnded>(*env);
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  EXPECT_FALSE(killed->exitCode.has_value());
  EXPECT_EQ(killed->signal, 9);
}

// ---- envelope strictness ----------------------------------------------------

Writer KillBody() {
  return [](Packer& pk) { Pack(pk, MakeKillAttempt()); };
}

TEST(Messages, AcceptsAHandBuiltEnvelope) {
  std::string frame = RawFrame(1, 103, 5, KillBody());
  EXPECT_TRUE(DecodeAs<KillAttempt>(frame).ok());
}

TEST(Messages, RejectsWrongProtocolVersion) {
  for (uint64_t v : {uint64_t{0}, uint64_t{2}, uint64_t{1} << 40}) {
    Status s = DecodeEnvelope(RawFrame(v, 103, 5, KillBody())).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << v;
    if (v < (uint64_t{1} << 32)) {
      EXPECT_EQ(s.message(),
                "unsupported protocol version " + std::to_string(v) + " (this build speaks 1)");
    } else {
      EXPECT_EQ(s.message(), "envelope.v: integer out of range: 1099511627776");
    }
  }
}

TEST(Messages, RejectsUnknownMessageType) {
  for (uint64_t t : {0, 2, 9, 55, 99, 108, 255, 65'535}) {
    Status s = DecodeEnvelope(RawFrame(1, t, 5, KillBody())).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << t;
    EXPECT_EQ(s.message(), "unknown message type " + std::to_string(t));
  }
  Status s = DecodeEnvelope(RawFrame(1, 65'536 + 103, 5, KillBody())).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "envelope.t: integer out of range: 65639");
}

TEST(Messages, RejectsEnvelopeWithMissingOrMistypedHeader) {
  std::string frame = EncodeMessage(5, MakeKillAttempt());
  for (std::string_view key : {"v", "t", "id", "body"}) {
    Status s = DecodeEnvelope(MsgpackTree(frame).Erase({key}).Bytes()).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << key;
    EXPECT_THAT(s.message(),
                AllOf(HasSubstr("envelope"), HasSubstr(std::string(key) + ": missing field")));
  }
  Status s = DecodeEnvelope(MsgpackTree(frame).Set({"id"}, [](Packer& pk) { pk.pack(-5); }).Bytes())
                 .status();
  EXPECT_EQ(s.message(), "envelope.id: integer out of range: -5");
  s = DecodeEnvelope(
          MsgpackTree(frame).Set({"t"}, [](Packer& pk) { PackStr(pk, "KillAttempt"); }).Bytes())
          .status();
  EXPECT_EQ(s.message(), "envelope.t: expected integer, got str");
}

TEST(Messages, RejectsNonMapEnvelope) {
  const std::string frames[] = {
      Raw([](Packer& pk) { pk.pack_array(0); }),
      Raw([](Packer& pk) { pk.pack_nil(); }),
      Raw([](Packer& pk) { PackStr(pk, "hello"); }),
  };
  for (const std::string& frame : frames) {
    Status s = DecodeEnvelope(frame).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("envelope: expected map, got "));
  }
}

TEST(Messages, RejectsTrailingBytesAfterMessage) {
  std::string frame = EncodeMessage(5, MakeKillAttempt());
  for (std::string tail : {std::string(1, '\0'), std::string("\xc0"), frame}) {
    Status s = DecodeEnvelope(frame + tail).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), std::to_string(tail.size()) + " trailing bytes after the message");
  }
}

TEST(Messages, DecodeBodyRejectsEveryOtherType) {
  for (const Sample& frame : AllSamples()) {
    Result<Envelope> env = DecodeEnvelope(frame.frame);
    ASSERT_TRUE(env.ok()) << frame.name;
    for (const Sample& as : AllSamples()) {
      if (as.type == frame.type) continue;
      Status s = as.reencode(*env).status();
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << frame.name << " as " << as.name;
      EXPECT_EQ(s.message(), std::string("expected message ") + MessageTypeName(as.type) +
                                 ", got " + MessageTypeName(frame.type));
    }
  }
}

TEST(Messages, DecodeBodyRejectsNonMapBody) {
  Status s = DecodeAs<KillAttempt>(RawFrame(1, 103, 5, [](Packer& pk) { pk.pack_array(0); }));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "KillAttempt: expected map, got array");
}

// ---- body strictness --------------------------------------------------------

std::string EditedSubmitJob(std::initializer_list<std::string_view> path, const Writer& write) {
  return MsgpackTree(EncodeMessage(3, MakeSubmitJobRequest())).Set(path, write).Bytes();
}

TEST(Messages, WrongTypeNamesTheField) {
  Status s = DecodeAs<SubmitJobRequest>(
      EditedSubmitJob({"body", "vcpus"}, [](Packer& pk) { PackStr(pk, "4"); }));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("SubmitJob.vcpus"), HasSubstr("expected integer")));
  s = DecodeAs<SubmitJobRequest>(
      EditedSubmitJob({"body", "command", "1"}, [](Packer& pk) { pk.pack(1); }));
  EXPECT_EQ(s.message(), "SubmitJob.command[1]: expected str, got integer");
  s = DecodeAs<SubmitJobRequest>(
      EditedSubmitJob({"body", "environment", "MODE"}, [](Packer& pk) { pk.pack_true(); }));
  EXPECT_EQ(s.message(), "SubmitJob.environment.MODE: expected str, got bool");
}

TEST(Messages, WrongTypeDeepInsideNamesTheFullPath) {
  std::string frame = MsgpackTree(EncodeMessage(3, MakeDescribeJobsReply()))
                          .Set({"body", "jobs", "0", "attempts", "1", "exitCode"},
                               [](Packer& pk) { PackStr(pk, "0"); })
                          .Bytes();
  Status s = DecodeAs<DescribeJobsReply>(frame);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "DescribeJobsReply.jobs[0].attempts[1].exitCode: expected integer, got str");
}

TEST(Messages, MissingFieldIsNamed) {
  std::string frame =
      MsgpackTree(EncodeMessage(3, MakeSubmitJobRequest())).Erase({"body", "jobQueue"}).Bytes();
  Status s = DecodeAs<SubmitJobRequest>(frame);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("jobQueue"), HasSubstr("missing field")));

  frame = MsgpackTree(EncodeMessage(3, MakeNodeStatus()))
              .Erase({"body", "node", "capacity", "diskMib"})
              .Bytes();
  s = DecodeAs<NodeStatus>(frame);
  EXPECT_EQ(s.message(), "NodeStatus.node.capacity.diskMib: missing field");
}

TEST(Messages, IntegerOutOfRangeIsRejected) {
  Status s = DecodeAs<SubmitJobRequest>(
      EditedSubmitJob({"body", "vcpus"}, [](Packer& pk) { pk.pack(uint64_t{1} << 40); }));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "SubmitJob.vcpus: integer out of range: 1099511627776");
  s = DecodeAs<SubmitJobRequest>(
      EditedSubmitJob({"body", "memoryMib"}, [](Packer& pk) { pk.pack(-1); }));
  EXPECT_EQ(s.message(), "SubmitJob.memoryMib: integer out of range: -1");
  std::string frame = MsgpackTree(EncodeMessage(3, MakeAttemptEnded()))
                          .Set({"body", "exitCode"}, [](Packer& pk) { pk.pack(int64_t{1} << 31); })
                          .Bytes();
  EXPECT_EQ(DecodeAs<AttemptEnded>(frame).message(),
            "AttemptEnded.exitCode: integer out of range: 2147483648");
  frame = MsgpackTree(EncodeMessage(3, MakeErrorReply()))
              .Set({"body", "code"}, [](Packer& pk) { pk.pack(256); })
              .Bytes();
  EXPECT_EQ(DecodeAs<ErrorReply>(frame).message(), "ErrorReply.code: integer out of range: 256");
}

TEST(Messages, UnknownEnumNameIsRejected) {
  std::string frame = MsgpackTree(EncodeMessage(3, MakeListJobsRequest()))
                          .Set({"body", "jobStatus"}, [](Packer& pk) { PackStr(pk, "DONE"); })
                          .Bytes();
  Status s = DecodeAs<ListJobsRequest>(frame);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "ListJobs.jobStatus: unknown value \"DONE\"");
  frame = MsgpackTree(EncodeMessage(3, MakeCreateComputeEnvironmentRequest()))
              .Set({"body", "computeEnvironment", "provisioningModel"},
                   [](Packer& pk) { PackStr(pk, "spot"); })
              .Bytes();
  EXPECT_EQ(
      DecodeAs<CreateComputeEnvironmentRequest>(frame).message(),
      "CreateComputeEnvironment.computeEnvironment.provisioningModel: unknown value \"spot\"");
}

TEST(Messages, NilOptionalIsUnsetAndUnknownKeysAreIgnored) {
  std::string frame =
      MsgpackTree(EncodeMessage(3, MakeSubmitJobRequest()))
          .Set({"body", "vcpus"}, [](Packer& pk) { pk.pack_nil(); })
          .Set({"body", "schedulingPriorityOverride"}, [](Packer& pk) { pk.pack(5); })
          .Set({"extension"}, [](Packer& pk) { PackStr(pk, "x"); })
          .Bytes();
  Result<Envelope> env = DecodeEnvelope(frame);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  Result<SubmitJobRequest> r = DecodeBody<SubmitJobRequest>(*env);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->vcpus.has_value());
  EXPECT_EQ(r->memoryMib, 16'384u);
}

// ---- Validate() of messages -------------------------------------------------

TEST(Messages, SubmitJobValidateChecksOverrides) {
  EXPECT_TRUE(MakeSubmitJobRequest().Validate().ok());
  EXPECT_TRUE(MakeMinimalSubmitJobRequest().Validate().ok());
  struct Case {
    const char* what;
    void (*edit)(SubmitJobRequest&);
    const char* message;
  };
  const Case cases[] = {
      {"bad job name", [](SubmitJobRequest& r) { r.jobName = "a b"; }, "jobName"},
      {"empty queue", [](SubmitJobRequest& r) { r.jobQueue = ""; }, "jobQueue must not be empty"},
      {"long definition", [](SubmitJobRequest& r) { r.jobDefinition.assign(257, 'd'); },
       "jobDefinition is too long"},
      {"NUL in command", [](SubmitJobRequest& r) { r.command->push_back(std::string("a\0b", 3)); },
       "NUL"},
      {"reserved env", [](SubmitJobRequest& r) { r.environment["AWS_BATCH_JOB_ID"] = "x"; },
       "reserved"},
      {"zero vcpus", [](SubmitJobRequest& r) { r.vcpus = 0; }, "vcpus must be between 1 and 4096"},
      {"too many vcpus", [](SubmitJobRequest& r) { r.vcpus = 4097; },
       "vcpus must be between 1 and 4096"},
      {"tiny memory", [](SubmitJobRequest& r) { r.memoryMib = 3; }, "memory must be between 4"},
      {"huge memory", [](SubmitJobRequest& r) { r.memoryMib = kMaxMemoryMib + 1; },
       "memory must be between 4"},
      {"huge disk", [](SubmitJobRequest& r) { r.diskMib = kMaxDiskMib + 1; }, "disk is too large"},
      {"empty token", [](SubmitJobRequest& r) { r.clientToken = ""; },
       "clientToken must be 1-64 bytes"},
      {"long token", [](SubmitJobRequest& r) { r.clientToken = std::string(65, 't'); },
       "clientToken must be 1-64 bytes"},
  };
  for (const Case& c : cases) {
    SubmitJobRequest r = MakeSubmitJobRequest();
    c.edit(r);
    Status s = r.Validate();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.what;
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.what;
  }
  SubmitJobRequest edge = MakeSubmitJobRequest();
  edge.vcpus = 4096;
  edge.memoryMib = kMaxMemoryMib;
  edge.diskMib = kMaxDiskMib;
  edge.clientToken = std::string(64, 't');
  edge.jobDefinition.assign(256, 'd');
  EXPECT_TRUE(edge.Validate().ok()) << edge.Validate().ToString();
}

TEST(Messages, SubmitJobValidateRunsOnDecode) {
  SubmitJobRequest r = MakeSubmitJobRequest();
  r.vcpus = 0;
  Status s = DecodeAs<SubmitJobRequest>(EncodeMessage(1, r));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "SubmitJob: vcpus must be between 1 and 4096");
}

TEST(Messages, SubmitJobValidatesTagsAndSubmitter) {
  SubmitJobRequest r = MakeSubmitJobRequest();
  r.tags = Tags{{"aws:x", "v"}};
  EXPECT_THAT(r.Validate().message(), HasSubstr("reserved (aws: prefix)"));
  r = MakeSubmitJobRequest();
  r.submittedBy = "not a name";
  EXPECT_THAT(r.Validate().message(), HasSubstr("may contain only letters, digits"));
  Status s = DecodeAs<SubmitJobRequest>(EncodeMessage(1, r));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("SubmitJob: submittedBy"));
}

TEST(Messages, RoundTripKeepsTagsAndTheirResource) {
  Result<Envelope> env = DecodeEnvelope(EncodeMessage(3, MakeTagResourceRequest()));
  ASSERT_TRUE(env.ok());
  Result<TagResourceRequest> tag = DecodeBody<TagResourceRequest>(*env);
  ASSERT_TRUE(tag.ok()) << tag.status().ToString();
  EXPECT_EQ(tag->resource, (ResourceRef{ResourceKind::kJobDefinition, "render_frames:7"}));
  EXPECT_EQ(tag->tags, MakeTags());
  // The kind travels by its ARN spelling.
  EXPECT_EQ(BodyFields(EncodeMessage(3, MakeListTagsForResourceRequest()))["resource"],
            Raw([](Packer& pk) {
              pk.pack_map(2);
              PackStr(pk, "kind");
              PackStr(pk, "scheduling-policy");
              PackStr(pk, "id");
              PackStr(pk, "fair");
            }));

  env = DecodeEnvelope(EncodeMessage(4, MakeSubmitJobRequest()));
  ASSERT_TRUE(env.ok());
  Result<SubmitJobRequest> submit = DecodeBody<SubmitJobRequest>(*env);
  ASSERT_TRUE(submit.ok()) << submit.status().ToString();
  EXPECT_EQ(submit->tags, MakeTags());
  EXPECT_EQ(submit->submittedBy, "ci-key");
  // Jobs stored before tags existed decode with neither.
  env = DecodeEnvelope(EncodeMessage(5, MakeMinimalSubmitJobRequest()));
  ASSERT_TRUE(env.ok());
  submit = DecodeBody<SubmitJobRequest>(*env);
  ASSERT_TRUE(submit.ok());
  EXPECT_FALSE(submit->tags || submit->submittedBy);
}

TEST(Messages, TagRequestsValidateTheirTagsAndResource) {
  EXPECT_TRUE(MakeTagResourceRequest().Validate().ok());
  EXPECT_TRUE(MakeUntagResourceRequest().Validate().ok());

  TagResourceRequest tag = MakeTagResourceRequest();
  tag.tags.clear();
  EXPECT_EQ(tag.Validate().message(), "tags must hold at least one tag");
  tag.tags = {{"aws:x", "v"}};
  EXPECT_THAT(tag.Validate().message(), HasSubstr("reserved"));
  tag.tags.clear();
  for (size_t i = 0; i <= kMaxTags; ++i) tag.tags["k" + std::to_string(i)] = "v";
  Status s = DecodeAs<TagResourceRequest>(EncodeMessage(1, tag));
  EXPECT_EQ(s.message(), "TagResource: more than 50 tags");

  UntagResourceRequest untag = MakeUntagResourceRequest();
  untag.tagKeys.clear();
  s = DecodeAs<UntagResourceRequest>(EncodeMessage(1, untag));
  EXPECT_EQ(s.message(), "UntagResource: tagKeys must hold 1-50 keys");

  // The resource is checked wherever it is nested.
  tag = MakeTagResourceRequest();
  tag.resource.id = "render_frames";
  s = DecodeAs<TagResourceRequest>(EncodeMessage(1, tag));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "TagResource.resource: job definition \"render_frames\" must be name:revision");
  ListTagsForResourceRequest list{.resource = {.kind = ResourceKind::kJobQueue, .id = ""}};
  s = DecodeAs<ListTagsForResourceRequest>(EncodeMessage(1, list));
  EXPECT_EQ(s.message(), "ListTagsForResource.resource: job queue name must not be empty");
  // An unknown kind is an unknown enum name.
  std::string frame = RawFrame(1, static_cast<uint16_t>(MessageType::kListTagsForResource), 1, [](Packer& pk) {
    pk.pack_map(1);
    PackStr(pk, "resource");
    pk.pack_map(2);
    PackStr(pk, "kind");
    PackStr(pk, "queue");
    PackStr(pk, "id");
    PackStr(pk, "q");
  });
  EXPECT_EQ(DecodeAs<ListTagsForResourceRequest>(frame).message(),
            "ListTagsForResource.resource.kind: unknown value \"queue\"");
}

TEST(Messages, DescribeJobsLimitsIds) {
  DescribeJobsRequest r;
  r.jobs.assign(kMaxDescribeJobs, "id");
  EXPECT_TRUE(r.Validate().ok());
  r.jobs.push_back("one-too-many");
  EXPECT_EQ(r.Validate().code(), StatusCode::kInvalidArgument);
  Status s = DecodeAs<DescribeJobsRequest>(EncodeMessage(1, r));
  EXPECT_EQ(s.message(), "DescribeJobs: at most 100 job ids per request");
}

TEST(Messages, ListJobsMaxResultsRange) {
  ListJobsRequest r = MakeListJobsRequest();
  for (uint32_t ok : {1u, 500u, 1000u}) {
    r.maxResults = ok;
    EXPECT_TRUE(r.Validate().ok()) << ok;
  }
  for (uint32_t bad : {0u, 1001u, UINT32_MAX}) {
    r.maxResults = bad;
    Status s = r.Validate();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.message(), "maxResults must be between 1 and 1000");
    EXPECT_EQ(DecodeAs<ListJobsRequest>(EncodeMessage(1, r)).message(),
              "ListJobs: maxResults must be between 1 and 1000");
  }
  r = MakeMinimalListJobsRequest();
  r.jobQueue = "no/slashes";
  EXPECT_THAT(r.Validate().message(), HasSubstr("jobQueue"));
}

TEST(Messages, NodeStatusValidatesItsNode) {
  EXPECT_TRUE(MakeNodeStatus().Validate().ok());
  NodeStatus n = MakeNodeStatus();
  n.node.bootId = "";
  EXPECT_EQ(n.Validate().message(), "bootId must be 1-128 bytes");
  EXPECT_EQ(DecodeAs<NodeStatus>(EncodeMessage(1, n)).message(),
            "NodeStatus.node: bootId must be 1-128 bytes");
  n = MakeNodeStatus();
  n.runningAttempts.assign(100'001, "a");
  EXPECT_EQ(n.Validate().message(), "too many running attempts");
}

TEST(Messages, LaunchAttemptNeedsIdCommandAndValidResources) {
  EXPECT_TRUE(MakeLaunchAttempt().Validate().ok());
  LaunchAttempt a = MakeLaunchAttempt();
  a.attemptId = "";
  EXPECT_EQ(a.Validate().message(), "attemptId must not be empty");
  a = MakeLaunchAttempt();
  a.attemptId = "../etc";  // names a directory on the node
  EXPECT_THAT(a.Validate().message(), HasSubstr("may contain only letters, digits"));
  a.attemptId = "5f1e2d3c:17-2";  // an array child's attempt
  EXPECT_TRUE(a.Validate().ok());
  a.attemptId = "5f1e2d3c:17/../x";
  EXPECT_THAT(a.Validate().message(), HasSubstr("<parentId>:<index>-<attemptNumber>"));
  a = MakeLaunchAttempt();
  a.environment["AWS_BATCH_JOB_ID"] = "forged";
  EXPECT_THAT(a.Validate().message(), HasSubstr("is reserved"));
  a = MakeLaunchAttempt();
  a.command.clear();
  EXPECT_EQ(a.Validate().message(), "command must not be empty");
  a = MakeLaunchAttempt();
  a.resources.vcpus = 0;
  EXPECT_THAT(a.Validate().message(), HasSubstr("vcpus must be between 1 and 4096"));
  Status s = DecodeAs<LaunchAttempt>(EncodeMessage(1, a));
  EXPECT_EQ(s.message(), "LaunchAttempt.resources: vcpus must be between 1 and 4096, got 0");
}

TEST(Messages, AttemptEndedLimitsLogTailAndReason) {
  AttemptEnded e = MakeAttemptEnded();
  e.logTail.assign(kMaxLogTailBytes, 'l');
  EXPECT_TRUE(e.Validate().ok());
  EXPECT_TRUE(DecodeAs<AttemptEnded>(EncodeMessage(1, e)).ok());
  e.logTail.push_back('!');
  EXPECT_EQ(e.Validate().message(), "logTail exceeds 65536 bytes");
  EXPECT_EQ(DecodeAs<AttemptEnded>(EncodeMessage(1, e)).message(),
            "AttemptEnded: logTail exceeds 65536 bytes");
  e = MakeAttemptEnded();
  e.reason.assign(4097, 'r');
  EXPECT_EQ(e.Validate().message(), "reason exceeds 4096 bytes");
  e = MakeAttemptEnded();
  e.attemptId = "";
  EXPECT_EQ(e.Validate().message(), "attemptId must not be empty");
}

TEST(Messages, ReadLogRefusesIdsThatAreNotOnePathComponent) {
  EXPECT_TRUE(MakeReadLogRequest().Validate().ok());
  for (const char* hostile : {"", "..", "../../etc", "a/b", "/etc/passwd", "job\n1"}) {
    ReadLogRequest r = MakeReadLogRequest();
    r.jobId = hostile;
    Status s = DecodeAs<ReadLogRequest>(EncodeMessage(1, r));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << hostile;
    EXPECT_THAT(s.message(), HasSubstr("ReadLog: jobId")) << hostile;
  }
  ReadLogRequest r = MakeReadLogRequest();
  r.attemptNumber = 0;
  EXPECT_EQ(r.Validate().message(), "attemptNumber must be at least 1");
}

TEST(Messages, ReadLogReplyCarriesAtMostOneMebibyteAndConsistentOffsets) {
  ReadLogReply rep{.data = std::string(kMaxReadLogBytes, 'x'), .offset = 5, .nextOffset = 5 + kMaxReadLogBytes};
  EXPECT_TRUE(DecodeAs<ReadLogReply>(EncodeMessage(1, rep)).ok());  // fits the wire limits
  rep.data.push_back('x');
  rep.nextOffset += 1;
  EXPECT_EQ(rep.Validate().message(), "data exceeds 1048576 bytes");
  rep = MakeReadLogReply();
  rep.nextOffset += 1;
  EXPECT_EQ(rep.Validate().message(), "nextOffset must be offset plus the size of data");
}

TEST(Messages, NestedRecordValidateRunsOnDecode) {
  CreateJobQueueRequest q = MakeCreateJobQueueRequest();
  q.jobQueue.computeEnvironmentOrder.clear();
  Status s = DecodeAs<CreateJobQueueRequest>(EncodeMessage(1, q));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "CreateJobQueue.jobQueue: computeEnvironmentOrder must name at least one compute "
            "environment");

  DescribeComputeEnvironmentsReply ces = MakeDescribeComputeEnvironmentsReply();
  ces.computeEnvironments[1].computeEnvironment.minvCpus = 1'000'000;
  s = DecodeAs<DescribeComputeEnvironmentsReply>(EncodeMessage(1, ces));
  EXPECT_THAT(
      s.message(),
      HasSubstr("DescribeComputeEnvironmentsReply.computeEnvironments[1].computeEnvironment: "
                "minvCpus (1000000) exceeds maxvCpus"));
}

TEST(Messages, NamesEveryMessageType) {
  EXPECT_STREQ(MessageTypeName(MessageType::kSubmitJob), "SubmitJob");
  EXPECT_STREQ(MessageTypeName(MessageType::kAttemptReportAck), "AttemptReportAck");
  EXPECT_STREQ(MessageTypeName(MessageType::kListTagsForResourceReply), "ListTagsForResourceReply");
  EXPECT_TRUE(IsKnownMessageType(51));
  EXPECT_TRUE(IsKnownMessageType(54));
  EXPECT_FALSE(IsKnownMessageType(55));
  EXPECT_STREQ(MessageTypeName(static_cast<MessageType>(2)), "Unknown");
  EXPECT_TRUE(IsKnownMessageType(1));
  EXPECT_FALSE(IsKnownMessageType(0));
  EXPECT_FALSE(IsKnownMessageType(108));
}

}  // namespace
}  // namespace gantry::protocol
