#include "client/job_definition_json.h"

#include <gtest/gtest.h>

namespace gantry::client {
namespace {

TEST(JobDefinitionJson, ReadsTheAwsShape) {
  auto def = ParseJobDefinitionJson(R"({
    "jobDefinitionName": "trainer",
    "type": "container",
    "retryStrategy": {"attempts": 3},
    "containerProperties": {
      "image": "ignored:latest",
      "command": ["python", "train.py", "--epochs", "3"],
      "resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "2048"},
                               {"type": "DISK", "value": "4096"}],
      "environment": [{"name": "MODE", "value": "fast"}, {"name": "EMPTY"}]
    }})");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->jobDefinitionName, "trainer");
  EXPECT_EQ(def->command, (std::vector<std::string>{"python", "train.py", "--epochs", "3"}));
  EXPECT_EQ(def->resources, (protocol::Resources{2, 2048, 4096}));
  EXPECT_EQ(def->environment, (protocol::Environment{{"MODE", "fast"}, {"EMPTY", ""}}));
}

TEST(JobDefinitionJson, ReadsLegacyVcpusMemoryAndEphemeralStorage) {
  auto def = ParseJobDefinitionJson(R"({"jobDefinitionName": "old", "containerProperties":
      {"vcpus": 4, "memory": 1024, "ephemeralStorage": {"sizeInGiB": 21}}})");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->resources, (protocol::Resources{4, 1024, 21 * 1024}));
}

TEST(JobDefinitionJson, ResourceRequirementsWinOverLegacyMembers) {
  auto def = ParseJobDefinitionJson(R"({"containerProperties": {"vcpus": 4, "memory": 1024,
      "ephemeralStorage": {"sizeInGiB": 21},
      "resourceRequirements": [{"type": "VCPU", "value": "8"}, {"type": "MEMORY", "value": 512},
                               {"type": "DISK", "value": "100"}]}})");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->resources, (protocol::Resources{8, 512, 100}));
}

TEST(JobDefinitionJson, AbsentMembersKeepDefaults) {
  auto def = ParseJobDefinitionJson("{}");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->resources, protocol::Resources{});
  EXPECT_TRUE(def->command.empty());
  EXPECT_TRUE(def->jobDefinitionName.empty());
}

TEST(JobDefinitionJson, LaterSourcesOverrideMemberByMember) {
  protocol::JobDefinition def;
  ASSERT_TRUE(ApplyRegisterJobDefinitionJson(
                  nlohmann::json::parse(R"({"containerProperties": {"command": ["a"], "vcpus": 2}})"), def)
                  .ok());
  ASSERT_TRUE(ApplyContainerPropertiesJson(nlohmann::json::parse(R"({"command": ["b"]})"), "--cp", def).ok());
  EXPECT_EQ(def.command, std::vector<std::string>{"b"});
  EXPECT_EQ(def.resources.vcpus, 2u);
}

struct BadCase {
  const char* json;
  const char* error;
};

class JobDefinitionJsonErrors : public testing::TestWithParam<BadCase> {};

TEST_P(JobDefinitionJsonErrors, NameTheMember) {
  auto def = ParseJobDefinitionJson(GetParam().json);
  ASSERT_FALSE(def.ok()) << GetParam().json;
  EXPECT_EQ(def.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(def.status().message(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    All, JobDefinitionJsonErrors,
    testing::Values(
        BadCase{R"({"containerProperties": {"command": "echo hi"}})",
                "containerProperties.command must be an array of strings"},
        BadCase{R"({"containerProperties": {"command": ["echo", 1]}})",
                "containerProperties.command must be an array of strings"},
        BadCase{R"({"jobDefinitionName": 7})", "jobDefinitionName must be a string"},
        BadCase{R"({"type": "multinode"})",
                "type must be \"container\" (gantry runs single-node container jobs), got \"multinode\""},
        BadCase{R"({"containerProperties": []})", "containerProperties must be a JSON object"},
        BadCase{R"({"containerProperties": {"vcpus": -1}})", "containerProperties.vcpus must not be negative"},
        BadCase{R"({"containerProperties": {"memory": 1.5}})",
                "containerProperties.memory must be a whole number"},
        BadCase{R"({"containerProperties": {"vcpus": "2"}})", "containerProperties.vcpus must be a number"},
        BadCase{R"({"containerProperties": {"resourceRequirements": [{"type": "GPU", "value": "1"}]}})",
                "containerProperties.resourceRequirements[0].type: unsupported resource type \"GPU\" "
                "(gantry knows VCPU, MEMORY and DISK)"},
        BadCase{R"({"containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "0.5"}]}})",
                "containerProperties.resourceRequirements[0].value must be a whole number, got \"0.5\""},
        BadCase{R"({"containerProperties": {"resourceRequirements": [{"type": "VCPU"}]}})",
                "containerProperties.resourceRequirements[0].value is missing"},
        BadCase{R"({"containerProperties": {"resourceRequirements": {"type": "VCPU"}}})",
                "containerProperties.resourceRequirements must be an array of {\"type\", \"value\"} objects"},
        BadCase{R"({"containerProperties": {"resourceRequirements": [{"type": "MEMORY",
                "value": "99999999999999999999999"}]}})",
                "containerProperties.resourceRequirements[0].value is too large (at most 67108864)"},
        BadCase{R"({"containerProperties": {"environment": {"A": "1"}}})",
                "containerProperties.environment must be an array of {\"name\", \"value\"} objects"},
        BadCase{R"({"containerProperties": {"environment": [{"value": "1"}]}})",
                "containerProperties.environment[0].name is missing"},
        BadCase{R"({"containerProperties": {"environment": [{"name": "A", "value": 1}]}})",
                "containerProperties.environment[0].value must be a string"},
        BadCase{R"({"containerProperties": {"ephemeralStorage": 21}})",
                "containerProperties.ephemeralStorage must be an object with \"sizeInGiB\""},
        BadCase{"[1, 2]", "the job definition input must be a JSON object"}),
    // Names by position, so ctest lists "All/JobDefinitionJsonErrors.NameTheMember/3".
    [](const testing::TestParamInfo<BadCase>& info) { return std::to_string(info.index); });

TEST(JobDefinitionJson, InvalidJsonSaysWhere) {
  auto def = ParseJobDefinitionJson("{\"jobDefinitionName\": }");
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(def.status().message().rfind("the job definition is not valid JSON: parse error at line 1", 0), 0u)
      << def.status().message();
}

// Found by tests/fuzz/cli_json_fuzz (corpus seed-3-26): nlohmann's parser
// throws out_of_range, not parse_error, for a number past double's range,
// and the exception ended the CLI with std::terminate.
TEST(JobDefinitionJson, NumberPastDoublesRangeIsAnErrorNotAnException) {
  for (const char* text : {R"({"attemptDurationSeconds":-1e400})", "[1e999]"}) {
    auto j = ParseJsonText(text, "--timeout");
    ASSERT_FALSE(j.ok()) << text;
    EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(j.status().message().rfind("--timeout is not valid JSON: number overflow parsing", 0), 0u)
        << j.status().message();
  }
  auto def = ParseJobDefinitionJson(R"({"jobDefinitionName":"d","schedulingPriority":1e400})");
  EXPECT_EQ(def.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gantry::client
