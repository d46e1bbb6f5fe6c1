#include "node/sandbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gantry::node {
namespace {

using ::testing::Contains;
using ::testing::Not;

protocol::LaunchAttempt Launch() {
  protocol::LaunchAttempt l;
  l.attemptId = "job1-1";
  l.jobId = "job1";
  l.attemptNumber = 2;
  l.command = {"echo", "hi"};
  l.jobQueue = "q1";
  l.computeEnvironment = "ce1";
  l.environment = {{"FOO", "bar"}};
  return l;
}

TEST(SandboxPaths, FollowTheLayout) {
  auto paths = SandboxPathsFor("/data", Launch());
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  EXPECT_EQ(paths->scratch_dir, "/data/scratch/job1-1");
  EXPECT_EQ(paths->log_dir, "/data/logs/job1/2");
  EXPECT_EQ(paths->log_file, "/data/logs/job1/2/output.log");
}

TEST(SandboxPaths, ArrayChildJobIdIsUsable) {
  auto l = Launch();
  l.jobId = "abc:7";
  ASSERT_TRUE(SandboxPathsFor("/data", l).ok());
}

TEST(SandboxPaths, RejectIdsThatEscapeTheirDirectory) {
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "..", "a/b", "../x", std::string(256, 'a'), std::string("a\0b", 3)}) {
    auto l = Launch();
    l.attemptId = bad;
    auto r = SandboxPathsFor("/data", l);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    l = Launch();
    l.jobId = bad;
    EXPECT_EQ(SandboxPathsFor("/data", l).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(BuildEnvironment, AddsAwsBatchVariablesAndDefaults) {
  auto env = BuildEnvironment(Launch(), "/data/scratch/job1-1", "/usr/bin:/bin");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(*env, (std::vector<std::string>{
                      "AWS_BATCH_CE_NAME=ce1",
                      "AWS_BATCH_JOB_ATTEMPT=2",
                      "AWS_BATCH_JOB_ID=job1",
                      "AWS_BATCH_JQ_NAME=q1",
                      "FOO=bar",
                      "GANTRY_ATTEMPT_ID=job1-1",
                      "HOME=/data/scratch/job1-1",
                      "PATH=/usr/bin:/bin",
                      "TMPDIR=/data/scratch/job1-1",
                  }));
}

TEST(BuildEnvironment, JobMaySetPathHomeAndTmpdir) {
  auto l = Launch();
  l.environment = {{"PATH", "/opt/bin"}, {"HOME", "/h"}, {"TMPDIR", "/t"}};
  auto env = BuildEnvironment(l, "/s", "/usr/bin");
  ASSERT_TRUE(env.ok());
  EXPECT_THAT(*env, Contains("PATH=/opt/bin"));
  EXPECT_THAT(*env, Contains("HOME=/h"));
  EXPECT_THAT(*env, Contains("TMPDIR=/t"));
}

TEST(BuildEnvironment, JobCannotOverrideGantryAttemptId) {
  auto l = Launch();
  l.environment = {{"GANTRY_ATTEMPT_ID", "forged"}};
  auto env = BuildEnvironment(l, "/s", "/usr/bin");
  ASSERT_TRUE(env.ok());
  EXPECT_THAT(*env, Contains("GANTRY_ATTEMPT_ID=job1-1"));
  EXPECT_THAT(*env, Not(Contains("GANTRY_ATTEMPT_ID=forged")));
}

TEST(BuildEnvironment, DefaultPathWhenTheAgentHasNone) {
  auto env = BuildEnvironment(Launch(), "/s", "");
  ASSERT_TRUE(env.ok());
  EXPECT_THAT(*env, Contains("PATH=" + std::string(kDefaultPath)));
}

TEST(BuildEnvironment, RejectsReservedAndMalformedNames) {
  for (auto bad : std::vector<protocol::Environment>{{{"AWS_BATCH_JOB_ID", "x"}},
                                                     {{"A=B", "x"}},
                                                     {{"", "x"}},
                                                     {{"A", std::string("x\0y", 3)}}}) {
    auto l = Launch();
    l.environment = bad;
    EXPECT_EQ(BuildEnvironment(l, "/s", "/bin").status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace gantry::node
