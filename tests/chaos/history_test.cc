// JSON-lines round trips of every history record, and the errors a
// malformed history gives.
#include "tests/chaos/history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "protocol/codec.h"
#include "protocol/test_fixtures.h"
#include "tests/chaos/record_json.h"

namespace gantry::chaos {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// One record of every type, every optional member set.
History FullHistory() {
  History h;
  h.ops.push_back({.t_ms = 1'700'000'000'001,
                   .process = "c1",
                   .kind = OpKind::kOk,
                   .op = OpName::kDescribe,
                   .client_token = "tok-1",
                   .job_id = "job-1",
                   .expect = Expect::kFail,
                   .error = "timed out",
                   .status = protocol::JobStatus::kRunning});
  h.ops.push_back(
      {.t_ms = 2, .process = "7", .kind = OpKind::kInvoke, .op = OpName::kTerminate, .client_token = "tok-2"});
  h.nemesis.push_back({.t_ms = 3,
                       .start = false,
                       .fault = "partition-replica",
                       .target = "coord-2",
                       .detail = "isolated from coord-1, coord-3"});
  h.runs.push_back({.t_ms = 4,
                    .node = "n1",
                    .job_id = "job-1",
                    .attempt_number = 2,
                    .fencing_token = UINT64_MAX,
                    .start = false,
                    .exit = -9});
  h.final_jobs.push_back({.client_token = "tok-1", .job = protocol::fixtures::MakeJob()});
  h.final_jobs.push_back({.client_token = "", .job = protocol::fixtures::MakeFailedJob()});
  h.probes.push_back({.node = "n1",
                      .scratch_entries = {"/var/lib/gantry/jobs/job-1-1"},
                      .mounts = {"/dev/loop3 /var/lib/gantry/jobs/job-1-1/scratch ext4"},
                      .loop_devices = {"/dev/loop3"},
                      .cgroups = {"/sys/fs/cgroup/memory/gantry/job-1-1"}});
  h.digests.push_back({.replica = "coord-1", .applied_index = 1234, .digest = "9f86d081"});
  h.crashes.push_back({.process = "agent-3", .exit_status = -9, .expected = true});
  h.capacity.push_back({.t_ms = 5, .node = "n2", .advertised = {4, 8192, 100'000}, .reserved = {2, 1024, 0}});
  return h;
}

TEST(ChaosHistory, EveryRecordTypeRoundTrips) {
  const History h = FullHistory();
  const std::string text = FormatHistory(h);
  Result<History> back = ParseHistory(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(FormatHistory(*back), text);
  ASSERT_EQ(back->ops.size(), 2u);
  EXPECT_EQ(back->ops[0].status, protocol::JobStatus::kRunning);
  EXPECT_EQ(back->ops[0].expect, Expect::kFail);
  EXPECT_EQ(back->ops[1].kind, OpKind::kInvoke);
  EXPECT_FALSE(back->ops[1].job_id.has_value());
  ASSERT_EQ(back->nemesis.size(), 1u);
  EXPECT_FALSE(back->nemesis[0].start);
  ASSERT_EQ(back->runs.size(), 1u);
  EXPECT_EQ(back->runs[0].fencing_token, UINT64_MAX);
  EXPECT_EQ(back->runs[0].exit, -9);
  ASSERT_EQ(back->final_jobs.size(), 2u);
  EXPECT_EQ(back->final_jobs[0].client_token, "tok-1");
  EXPECT_EQ(back->final_jobs[1].client_token, "");
  EXPECT_EQ(back->probes.at(0).cgroups, h.probes[0].cgroups);
  EXPECT_EQ(back->digests.at(0).applied_index, 1234u);
  EXPECT_TRUE(back->crashes.at(0).expected);
  EXPECT_EQ(back->capacity.at(0).advertised, (protocol::NodeCapacity{4, 8192, 100'000}));
}

// The msgpack encoding covers every field, so equal bytes mean equal jobs.
TEST(ChaosHistory, WholeJobRoundTripsThroughJson) {
  for (const protocol::Job& job : {protocol::fixtures::MakeJob(), protocol::fixtures::MakeFailedJob()}) {
    const nlohmann::json j = RecordToJson(job);
    protocol::Job back;
    JsonPath path("job");
    ASSERT_TRUE(RecordFromJson(j, back, path).ok());
    EXPECT_EQ(protocol::Encode(back), protocol::Encode(job)) << j.dump();
  }
}

TEST(ChaosHistory, JobJsonUsesProtocolNames) {
  const nlohmann::json j = RecordToJson(protocol::fixtures::MakeJob());
  EXPECT_EQ(j["status"], "RUNNING");
  EXPECT_EQ(j["attempts"][0]["statusReason"], "Essential container in task exited");
  EXPECT_EQ(j["attempts"][0]["interruption"]["kind"], "RECLAIMED");
  EXPECT_FALSE(j["attempts"][1].contains("stoppedAt"));  // absent optionals are left out
}

TEST(ChaosHistory, LinesWithBytesThatAreNotUtf8StillParse) {
  History h;
  protocol::Job job = protocol::fixtures::MakeJob();
  job.attempts[0].logTail = std::string("bad \xff\xfe bytes");
  h.final_jobs.push_back({.client_token = "t", .job = job});
  Result<History> back = ParseHistory(FormatHistory(h));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->final_jobs.at(0).job.attempts[0].logTail, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
}

TEST(ChaosHistory, AcceptsIntegerProcessIdsAndBlankLines) {
  Result<History> h = ParseHistory(
      "\n{\"type\":\"client\",\"t_ms\":5,\"process\":3,\"kind\":\"info\",\"op\":\"submit\",\"client_token\":\"a\"}"
      "\n  \n");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->ops.size(), 1u);
  EXPECT_EQ(h->ops[0].process, "3");
  EXPECT_EQ(h->ops[0].kind, OpKind::kInfo);
}

void ExpectLineError(const std::string& text, const std::string& message) {
  Result<History> h = ParseHistory(text);
  ASSERT_FALSE(h.ok()) << text;
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.status().message(), message);
}

const char* kGoodLine = R"({"type":"crash","process":"a","exit_status":0,"expected":true})";

TEST(ChaosHistory, MalformedLinesNameTheLineAndTheMember) {
  ExpectLineError(std::string(kGoodLine) + "\n\n" + R"({"type":"bogus"})", "line 3: unknown record type \"bogus\"");
  ExpectLineError(R"({"t_ms":1})", "line 1: missing string member \"type\"");
  ExpectLineError(std::string(kGoodLine) + "\n[1,2]", "line 2: expected a JSON object, got array");
  ExpectLineError(R"({"type":"run","t_ms":1,"job_id":"j","attempt_number":1,"event":"start"})",
                  "line 1: run: missing member \"node\"");
  ExpectLineError(R"({"type":"run","t_ms":1,"node":"n","job_id":"j","attempt_number":-1,"event":"start"})",
                  "line 1: run.attempt_number: integer -1 out of range");
  ExpectLineError(R"({"type":"run","t_ms":1.5,"node":"n","job_id":"j","attempt_number":1,"event":"start"})",
                  "line 1: run.t_ms: expected integer, got number");
  ExpectLineError(R"({"type":"client","t_ms":1,"process":"c","kind":"done","op":"submit","client_token":"t"})",
                  "line 1: client.kind: must be one of invoke|ok|fail|info, got \"done\"");
  ExpectLineError(R"({"type":"client","t_ms":1,"process":"c","kind":"ok","op":"describe","client_token":"t",)"
                  R"("status":"DONE"})",
                  "line 1: client.status: unknown value \"DONE\"");
  ExpectLineError(R"({"type":"capacity","t_ms":1,"node":"n","advertised":{"vcpus":1,"memoryMib":1,)"
                  R"("diskMib":1},"reserved":{"vcpus":"2","memoryMib":1,"diskMib":1}})",
                  "line 1: capacity.reserved.vcpus: expected integer, got string");
}

TEST(ChaosHistory, ABadFieldDeepInAFinalJobIsNamedByPath) {
  nlohmann::json line = ToJson(FinalJob{.client_token = "t", .job = protocol::fixtures::MakeJob()});
  line["job"]["attempts"][1]["exitCode"] = "zero";
  ExpectLineError(std::string(kGoodLine) + "\n" + line.dump(),
                  "line 2: final-job.job.attempts[1].exitCode: expected integer, got string");
  line = ToJson(FinalJob{.client_token = "t", .job = protocol::fixtures::MakeJob()});
  line["job"].erase("jobId");
  ExpectLineError(line.dump(), "line 1: final-job.job: missing member \"jobId\"");
}

TEST(ChaosHistory, GarbageNeverCrashes) {
  for (const std::string& text :
       {std::string("{\"type\":\"run\""), std::string("\xff\xfe\x00garbage", 10), std::string(100'000, '['),
        std::string("{\"type\":\"client\",\"t_ms\":1e400}"), std::string("{\"type\":\"client\"} trailing")}) {
    Result<History> h = ParseHistory(std::string(kGoodLine) + "\n" + text);
    ASSERT_FALSE(h.ok());
    EXPECT_THAT(h.status().message(), StartsWith("line 2: ")) << h.status().message();
  }
  Result<History> h = ParseHistory("{\"type\":\"run\"");
  ASSERT_FALSE(h.ok());
  EXPECT_THAT(h.status().message(), HasSubstr("not valid JSON"));
}

TEST(ChaosHistory, AFailedLineLeavesTheHistoryUnchanged) {
  History h;
  ASSERT_TRUE(AppendLine(kGoodLine, h).ok());
  const Status s = AppendLine(R"({"type":"crash","process":"a","exit_status":0})", h);
  EXPECT_EQ(s.message(), "crash: missing member \"expected\"");
  EXPECT_EQ(h.crashes.size(), 1u);
}

TEST(ChaosHistory, AMissingFileIsNotFound) {
  Result<History> h = ReadHistoryFile("/nonexistent/chaos-history.jsonl");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace gantry::chaos
