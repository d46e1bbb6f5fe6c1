// `gantry dev` as a user runs it: one command brings up a working cluster,
// and SIGTERM takes everything down again, leaving nothing behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/rpc_client.h"
#include "tests/integration/cluster_harness.h"

namespace gantry::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Pids of live processes whose command line mentions `needle`.
std::vector<int> ProcessesMentioning(const std::string& needle) {
  std::vector<int> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadFile(entry.path() / "cmdline");
    std::string stat = ReadFile(entry.path() / "stat");
    if (stat.find(") Z") != std::string::npos) continue;  // zombies hold nothing
    if (cmdline.find(needle) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

TEST(Dev, OneCommandClusterRunsAJobAndStopsCleanly) {
  const int port = FreePort();
  const fs::path out = fs::temp_directory_path() / ("gantry-dev-test-" + std::to_string(port) + ".out");
  pid_t dev = ::fork();
  if (dev == 0) {
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(GANTRY_BINARY, GANTRY_BINARY, "dev", "--agents", "2", "--base-port", std::to_string(port).c_str(),
            static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string banner;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    banner = ReadFile(out);
    if (banner.find("cluster ready") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_NE(banner.find("cluster ready"), std::string::npos) << banner;
  auto at = banner.find("data       ");
  ASSERT_NE(at, std::string::npos);
  std::string data_dir = banner.substr(at + 11, banner.find(' ', at + 11) - (at + 11));
  ASSERT_TRUE(fs::is_directory(data_dir)) << data_dir;
  EXPECT_EQ(ProcessesMentioning(data_dir).size(), 3u);  // the coordinator and two agents

  auto rpc = client::RpcClient::Create({{"tcp://127.0.0.1:" + std::to_string(port)}, 5s});
  ASSERT_TRUE(rpc.ok());
  protocol::SubmitJobRequest req;
  req.jobName = "hi";
  req.jobQueue = "default";
  req.jobDefinition = "default";  // created by gantry dev
  auto sub = (*rpc)->Call(req);
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  bool done = false;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    auto d = (*rpc)->Call(protocol::DescribeJobsRequest{{sub->jobId}});
    ASSERT_TRUE(d.ok());
    done = d->jobs[0].status == protocol::JobStatus::kSucceeded;
    if (done) {
      EXPECT_EQ(d->jobs[0].attempts[0].logTail.value_or(""), "hello from gantry\n");
    } else {
      std::this_thread::sleep_for(20ms);
    }
  }
  ASSERT_TRUE(done);

  ::kill(dev, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(dev, &status, 0), dev);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(fs::exists(data_dir));
  EXPECT_TRUE(ProcessesMentioning(data_dir).empty());
  fs::remove(out);
}

}  // namespace
}  // namespace gantry::testing
