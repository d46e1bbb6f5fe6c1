#include "node/sandbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

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

TEST(SandboxPaths, WithoutAQuotaTheScratchIsAPlainDirectory) {
  auto paths = SandboxPathsFor("/data", Launch(), ScratchDiskPolicy{DiskQuotaMethod::kNone, 1024});
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  EXPECT_EQ(paths->scratch_disk_mib, 0u);
  EXPECT_EQ(paths->watched_disk_mib, 0u);
  EXPECT_TRUE(paths->scratch_image.empty());
}

TEST(SandboxPaths, AQuotaSizesTheScratchByTheRequestOrTheDefault) {
  const ScratchDiskPolicy loop{DiskQuotaMethod::kLoopExt4, 1024};
  auto l = Launch();
  l.attemptId = "job1:3-1";
  auto by_default = SandboxPathsFor("/data", l, loop);
  ASSERT_TRUE(by_default.ok()) << by_default.status().ToString();
  EXPECT_EQ(by_default->scratch_disk_mib, 1024u);
  EXPECT_EQ(by_default->scratch_image, "/data/scratch-images/job1.3-1.img");
  l.resources.diskMib = 64;
  auto requested = SandboxPathsFor("/data", l, loop);
  ASSERT_TRUE(requested.ok());
  EXPECT_EQ(requested->scratch_disk_mib, 64u);
  l.resources.diskMib = 0;
  EXPECT_EQ(SandboxPathsFor("/data", l, ScratchDiskPolicy{DiskQuotaMethod::kLoopExt4, 0})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(SandboxPaths, TheWatchMethodKeepsAPlainDirectoryAndItsLimit) {
  auto l = Launch();
  l.resources.diskMib = 64;
  auto paths = SandboxPathsFor("/data", l, ScratchDiskPolicy{DiskQuotaMethod::kWatch, 1024});
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  EXPECT_EQ(paths->watched_disk_mib, 64u);
  EXPECT_EQ(paths->scratch_disk_mib, 0u);
  EXPECT_TRUE(paths->scratch_image.empty());
}

TEST(SandboxPaths, ArrayChildIdsAreUsable) {
  auto l = Launch();
  l.jobId = "6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:7";
  l.attemptId = "6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:7-2";
  auto paths = SandboxPathsFor("/data", l);
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  // The log keeps the job id; the scratch (HOME, TMPDIR) holds no ':', which
  // would split PATH-like lists built from $HOME.
  EXPECT_EQ(paths->log_file, "/data/logs/6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:7/2/output.log");
  EXPECT_EQ(paths->scratch_dir, "/data/scratch/6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00.7-2");
  EXPECT_EQ(paths->scratch_dir.string().find(':'), std::string::npos);
}

TEST(SandboxPaths, ScratchNamesOfDistinctIdsDiffer) {
  // '.' is in no name, so "a:1-1" cannot meet a plain id after the mapping.
  EXPECT_EQ(ScratchDirName("job1-1"), "job1-1");
  EXPECT_EQ(ScratchDirName("a:1-1"), "a.1-1");
  EXPECT_NE(ScratchDirName("a:1-1"), ScratchDirName("a_1-1"));
  EXPECT_NE(ScratchDirName("a:1-1"), ScratchDirName("a-1-1"));
}

TEST(SandboxPaths, RejectAttemptIdsWhoseScratchNameEscapes) {
  for (std::string bad : {":", "::"}) {
    auto l = Launch();
    l.attemptId = bad;
    auto r = SandboxPathsFor("/data", l);
    ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("scratch directory name"), std::string::npos)
        << r.status().message();
  }
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

TEST(BuildEnvironment, NamesTheNodeWhenGivenAndTheJobCannotChangeIt) {
  protocol::LaunchAttempt l = Launch();
  l.environment["GANTRY_NODE_ID"] = "forged";
  auto env = BuildEnvironment(l, "/s", "/usr/bin", "node-7");
  ASSERT_TRUE(env.ok());
  EXPECT_NE(std::find(env->begin(), env->end(), "GANTRY_NODE_ID=node-7"), env->end());
  EXPECT_EQ(std::find(env->begin(), env->end(), "GANTRY_NODE_ID=forged"), env->end());
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

TEST(BuildEnvironment, ArrayChildGetsItsIndexAndSize) {
  auto l = Launch();
  l.jobId = "abc:3";
  l.attemptId = "abc:3-1";
  l.arrayIndex = 3;
  l.arraySize = 10;
  auto env = BuildEnvironment(l, "/s", "/usr/bin");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_THAT(*env, Contains("AWS_BATCH_JOB_ARRAY_INDEX=3"));
  EXPECT_THAT(*env, Contains("AWS_BATCH_JOB_ARRAY_SIZE=10"));
  EXPECT_THAT(*env, Contains("AWS_BATCH_JOB_ID=abc:3"));
  EXPECT_THAT(*env, Contains("AWS_BATCH_JQ_NAME=q1"));
  EXPECT_THAT(*env, Contains("AWS_BATCH_CE_NAME=ce1"));
}

TEST(BuildEnvironment, IndexZeroIsSet) {
  auto l = Launch();
  l.arrayIndex = 0;
  l.arraySize = 2;
  auto env = BuildEnvironment(l, "/s", "/usr/bin");
  ASSERT_TRUE(env.ok());
  EXPECT_THAT(*env, Contains("AWS_BATCH_JOB_ARRAY_INDEX=0"));
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
