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
#include "gantry/ports.h"
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

// Each live process whose command line mentions `needle`, as "pid args".
std::string DescribeProcesses(const std::string& needle) {
  std::string out;
  for (int pid : ProcessesMentioning(needle)) {
    std::string cmdline = ReadFile(fs::path("/proc") / std::to_string(pid) / "cmdline");
    for (char& c : cmdline) c = c == '\0' ? ' ' : c;
    out += std::to_string(pid) + " " + cmdline + "\n";
  }
  return out;
}

// SIGTERMs and reaps `gantry dev` if the test ends early, so that a failed
// assertion leaves no cluster behind.
struct DevProcess {
  pid_t pid = -1;
  ~DevProcess() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
};

TEST(Dev, OneCommandClusterRunsAJobAndStopsCleanly) {
  const int port = FreePort();
  const fs::path out = fs::temp_directory_path() / ("gantry-dev-test-" + std::to_string(port) + ".out");
  DevProcess dev;
  dev.pid = ::fork();
  if (dev.pid == 0) {
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
  // Three coordinator replicas (the default) and two agents. Polled: on a
  // busy machine one scan of /proc has been seen to miss live processes.
  auto scan_deadline = std::chrono::steady_clock::now() + 5s;
  while (ProcessesMentioning(data_dir).size() != 5u && std::chrono::steady_clock::now() < scan_deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(ProcessesMentioning(data_dir).size(), 5u) << DescribeProcesses(data_dir) << banner;
  at = banner.find("endpoints  ");
  ASSERT_NE(at, std::string::npos);
  auto endpoints = client::ParseEndpointList(banner.substr(at + 11, banner.find_first_of(" \n", at + 11) - (at + 11)));
  ASSERT_TRUE(endpoints.ok());
  EXPECT_EQ(endpoints->size(), 3u);

  auto rpc = client::RpcClient::Create({*endpoints, 5s});
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

  // The AWS Batch API on the fixed offset, without auth: the aws CLI as the
  // README shows it, unsigned, sees the queue gantry dev created.
  const std::string url = "http://127.0.0.1:" + std::to_string(port + kHttpPortOffset);
  EXPECT_NE(banner.find("AWS API    " + url), std::string::npos) << banner;
  if (::access("/usr/bin/aws", X_OK) == 0) {
    const fs::path cli_out = out.string() + ".aws";
    const std::string cmd = "AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER= "
                            "/usr/bin/aws batch describe-job-queues --no-sign-request --region local "
                            "--endpoint-url " + url + " > " + cli_out.string() + " 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << ReadFile(cli_out);
    EXPECT_NE(ReadFile(cli_out).find("\"jobQueueArn\": \"arn:aws:batch:local:000000000000:job-queue/default\""),
              std::string::npos)
        << ReadFile(cli_out);
    fs::remove(cli_out);
  }

  ::kill(dev.pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(dev.pid, &status, 0), dev.pid);
  dev.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(fs::exists(data_dir));
  EXPECT_TRUE(ProcessesMentioning(data_dir).empty());
  fs::remove(out);
}

}  // namespace
}  // namespace gantry::testing
