// End to end, through real `gantry` processes: what the sandbox promises a
// job and its neighbours. A job writing past its disk request gets ENOSPC
// while its neighbours and the node go on; jobs cannot read each other's
// scratch; `gantry logs --follow` streams a running job, and the tail stays
// readable after its node is gone for good.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/integration/cluster_harness.h"

namespace gantry::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using protocol::JobStatus;

HarnessOptions OneAgent() {
  HarnessOptions o;
  o.agents = 1;
  o.agent_vcpus = 4;
  return o;
}

class SandboxJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok()) << "see " << cluster_.root();
    ASSERT_TRUE(cluster_.CreateDefaults().ok());
  }
  void TearDown() override {
    if (HasFailure()) cluster_.KeepFiles();
  }
  std::string Submit(const std::string& name, std::vector<std::string> command, uint64_t disk_mib = 0) {
    protocol::SubmitJobRequest req;
    req.jobName = name;
    req.jobQueue = "q";
    req.jobDefinition = "d";
    req.command = std::move(command);
    if (disk_mib > 0) req.diskMib = disk_mib;
    auto r = cluster_.rpc().Call(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->jobId : "";
  }
  protocol::Job Describe(const std::string& id) {
    auto r = cluster_.rpc().Call(protocol::DescribeJobsRequest{{id}});
    EXPECT_TRUE(r.ok() && r->jobs.size() == 1) << id;
    return r.ok() && r->jobs.size() == 1 ? r->jobs[0] : protocol::Job{};
  }
  // `gantry ARGS... --endpoint E` with stdout piped to the caller.
  FILE* Gantry(const std::string& args) {
    const std::string cmd = std::string(GANTRY_BINARY) + " " + args + " --endpoint " + cluster_.EndpointList() +
                            " 2>" + cluster_.root() + "/cli.err";
    return ::popen(cmd.c_str(), "r");
  }
  std::string CliStderr() {
    std::ifstream in(cluster_.root() + "/cli.err");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  ClusterHarness cluster_{GANTRY_BINARY, OneAgent()};
};

TEST_F(SandboxJobsTest, AJobPastItsDiskGetsEnospcWhileItsNeighboursAndTheNodeGoOn) {
  // "hog" asks for 16 MiB and writes 64; "neighbour" keeps a secret in its
  // scratch; "snoop" looks for it in every other scratch it can reach.
  const std::string neighbour =
      Submit("neighbour", {"sh", "-c", "echo secret-4711 > \"$HOME/secret\" && sleep 3 && cat \"$HOME/secret\""});
  ASSERT_TRUE(cluster_.WaitForStatus(neighbour, JobStatus::kRunning, 20s).ok());
  const std::string hog = Submit(
      "hog", {"sh", "-c", "head -c 67108864 /dev/zero > \"$HOME/fill\"; echo status=$?; df -m \"$HOME\" | tail -1"},
      16);
  const std::string snoop = Submit(
      "snoop", {"sh", "-c", "for d in \"$HOME\"/../*; do cat \"$d/secret\" 2>/dev/null; done; echo scanned"});
  auto done = cluster_.WaitForTerminal({neighbour, hog, snoop}, 60s);
  ASSERT_TRUE(done.ok()) << done.status().ToString();

  const protocol::Job h = Describe(hog);
  ASSERT_FALSE(h.attempts.empty());
  const std::string hog_log = h.attempts.back().logTail.value_or("");
  EXPECT_NE(hog_log.find("No space left on device"), std::string::npos) << hog_log;
  EXPECT_EQ(hog_log.find("status=0"), std::string::npos) << "the write past 16 MiB succeeded: " << hog_log;

  const protocol::Job n = Describe(neighbour);
  EXPECT_EQ(n.status, JobStatus::kSucceeded);
  ASSERT_FALSE(n.attempts.empty());
  EXPECT_EQ(n.attempts.back().logTail.value_or(""), "secret-4711\n") << "the neighbour's scratch was disturbed";

  const protocol::Job s = Describe(snoop);
  EXPECT_EQ(s.status, JobStatus::kSucceeded);
  ASSERT_FALSE(s.attempts.empty());
  EXPECT_EQ(s.attempts.back().logTail.value_or(""), "scanned\n") << "a job read another job's scratch";

  EXPECT_TRUE(cluster_.WaitForReadyNodes(1, 1s).ok()) << "the node stopped taking work";
  const std::string after = Submit("after", {"true"});
  auto after_done = cluster_.WaitForTerminal({after}, 20s);
  ASSERT_TRUE(after_done.ok());
  EXPECT_EQ((*after_done)[0].status, JobStatus::kSucceeded);
}

TEST_F(SandboxJobsTest, LogsFollowStreamsARunningJobAndTheTailOutlivesItsNode) {
  // The job waits for a file that the test writes only once it has read the
  // job's first line through `gantry logs --follow`: the test can only go on
  // if the output streams while the job runs.
  const fs::path go = fs::path(cluster_.root()) / "go";
  const std::string id = Submit(
      "talker", {"sh", "-c",
                 "echo first line; i=0; while [ ! -e '" + go.string() +
                     "' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; echo last line"});
  ASSERT_TRUE(cluster_.WaitForStatus(id, JobStatus::kRunning, 20s).ok());
  FILE* follow = Gantry("logs " + id + " --follow");
  ASSERT_NE(follow, nullptr);
  char line[256];
  ASSERT_NE(::fgets(line, sizeof line, follow), nullptr) << CliStderr();
  EXPECT_STREQ(line, "first line\n");
  EXPECT_NE(Describe(id).status, JobStatus::kSucceeded) << "the first line came only after the job ended";
  std::ofstream(go) << "go";
  ASSERT_NE(::fgets(line, sizeof line, follow), nullptr) << CliStderr();
  EXPECT_STREQ(line, "last line\n");
  EXPECT_EQ(::fgets(line, sizeof line, follow), nullptr) << "more output than the job wrote";
  const int status = ::pclose(follow);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << CliStderr();
  auto done = cluster_.WaitForTerminal({id}, 20s);
  ASSERT_TRUE(done.ok());

  // The node goes away for good: the coordinator's copy of the tail remains.
  cluster_.StopAgent(0);
  FILE* tail = Gantry("logs " + id);
  ASSERT_NE(tail, nullptr);
  std::string out;
  while (::fgets(line, sizeof line, tail) != nullptr) out += line;
  const int tail_status = ::pclose(tail);
  EXPECT_TRUE(WIFEXITED(tail_status) && WEXITSTATUS(tail_status) == 0) << CliStderr();
  EXPECT_EQ(out, "first line\nlast line\n");
  EXPECT_NE(CliStderr().find("tail"), std::string::npos) << "no note that only the stored tail is shown: "
                                                         << CliStderr();
}

}  // namespace
}  // namespace gantry::testing
