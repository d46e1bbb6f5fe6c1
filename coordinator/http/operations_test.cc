// The operation table and the rules every operation shares: required
// members, unknown members, backend errors.
#include "coordinator/http/operations.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "coordinator/http/ops_test_util.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;

// Each operation with the smallest body it accepts and the members AWS
// requires of it.
struct OperationCase {
  const char* name;
  const char* body;
  std::vector<std::string> required;
};

const std::vector<OperationCase>& Cases() {
  static const std::vector<OperationCase> kCases = {
      {"createcomputeenvironment",
       R"({"computeEnvironmentName": "ce", "type": "UNMANAGED"})",
       {"computeEnvironmentName", "type"}},
      {"updatecomputeenvironment", R"({"computeEnvironment": "ce"})", {"computeEnvironment"}},
      {"deletecomputeenvironment", R"({"computeEnvironment": "ce"})", {"computeEnvironment"}},
      {"describecomputeenvironments", R"({})", {}},
      {"createjobqueue",
       R"({"jobQueueName": "q", "priority": 1, "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}]})",
       {"jobQueueName", "priority", "computeEnvironmentOrder"}},
      {"updatejobqueue", R"({"jobQueue": "q"})", {"jobQueue"}},
      {"deletejobqueue", R"({"jobQueue": "q"})", {"jobQueue"}},
      {"describejobqueues", R"({})", {}},
      {"registerjobdefinition", R"({"jobDefinitionName": "d", "type": "container"})", {"jobDefinitionName", "type"}},
      {"deregisterjobdefinition", R"({"jobDefinition": "d:1"})", {"jobDefinition"}},
      {"describejobdefinitions", R"({})", {}},
      {"submitjob",
       R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d"})",
       {"jobName", "jobQueue", "jobDefinition"}},
      {"describejobs", R"({"jobs": ["id"]})", {"jobs"}},
      {"listjobs", R"({"jobQueue": "q"})", {}},
      {"canceljob", R"({"jobId": "id", "reason": "r"})", {"jobId", "reason"}},
      {"terminatejob", R"({"jobId": "id", "reason": "r"})", {"jobId", "reason"}},
      {"createschedulingpolicy", R"({"name": "p"})", {"name"}},
      {"describeschedulingpolicies", R"({"arns": ["p"]})", {"arns"}},
      {"listschedulingpolicies", R"({})", {}},
      {"updateschedulingpolicy", R"({"arn": "p", "fairsharePolicy": {}})", {"arn"}},
      {"deleteschedulingpolicy", R"({"arn": "p"})", {"arn"}},
  };
  return kCases;
}

class OperationsTest : public OpsTest {};

TEST(FindOperation, KnowsTheTwentyOneNonTagOperations) {
  std::vector<std::string> names = OperationNames();
  EXPECT_EQ(names.size(), 21u);
  std::vector<std::string> cased;
  for (const OperationCase& c : Cases()) cased.push_back(c.name);
  std::sort(names.begin(), names.end());
  std::sort(cased.begin(), cased.end());
  EXPECT_EQ(names, cased);
  for (const std::string& name : names) EXPECT_NE(FindOperation(name), nullptr) << name;
}

TEST(FindOperation, NullForAnythingElse) {
  for (const char* name : {"", "SubmitJob", "tags", "tagresource", "listjobsbyconsumableresource", "submitjob/"}) {
    EXPECT_EQ(FindOperation(name), nullptr) << name;
  }
}

TEST_F(OperationsTest, EveryOperationAcceptsItsSmallestBody) {
  for (const OperationCase& c : Cases()) {
    Result<json> out = Run(c.name, Body(c.body));
    EXPECT_TRUE(out.ok()) << c.name << ": " << out.status().ToString();
    EXPECT_TRUE(out.ok() && out->is_object()) << c.name;
  }
}

TEST_F(OperationsTest, UnknownMembersAreIgnored) {
  for (const OperationCase& c : Cases()) {
    json body = Body(c.body);
    body["someMemberFromANewerSdk"] = {{"nested", json::array({1, 2})}};
    body["context"] = "x";
    Result<json> out = Run(c.name, body);
    EXPECT_TRUE(out.ok()) << c.name << ": " << out.status().ToString();
  }
}

TEST_F(OperationsTest, EveryRequiredMemberIsNamedWhenMissing) {
  for (const OperationCase& c : Cases()) {
    for (const std::string& member : c.required) {
      json body = Body(c.body);
      body.erase(member);
      Result<json> out = Run(c.name, body);
      ASSERT_FALSE(out.ok()) << c.name << " without " << member;
      EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(out.status().message(), member + " is required") << c.name;
    }
  }
}

TEST_F(OperationsTest, ANullMemberCountsAsMissing) {
  Result<json> out = Run("canceljob", Body(R"({"jobId": null, "reason": "r"})"));
  EXPECT_EQ(out.status().message(), "jobId is required");
}

TEST_F(OperationsTest, BackendErrorsPassThroughUnchanged) {
  backend.fail = Status::Conflict("job queue q is not DISABLED");
  for (const OperationCase& c : Cases()) {
    Result<json> out = Run(c.name, Body(c.body));
    ASSERT_FALSE(out.ok()) << c.name;
    EXPECT_EQ(out.status().code(), StatusCode::kConflict) << c.name;
    EXPECT_EQ(out.status().message(), "job queue q is not DISABLED") << c.name;
  }
}

}  // namespace
}  // namespace gantry::coordinator::http
