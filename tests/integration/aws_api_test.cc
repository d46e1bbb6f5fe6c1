// The AWS Batch HTTP API against the real clients: a three-replica cluster
// serving it on every replica, driven by tests/aws/batch_api_e2e.py through
// boto3 and the aws CLI. Each client stack the machine has gets its own
// cluster: Debian's (boto3 1.26, aws CLI 2.9) always, and the python3 and
// aws on PATH when they are another stack (e.g. pip's boto3 1.43).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/cluster_harness.h"
#include "tests/integration/host_probe.h"

namespace gantry::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Two access keys: the script signs with alice's, and checks that a job
// submitted with ci-bot's records ci-bot as its submitter.
constexpr const char* kKeys =
    "# name access-key-id secret\n"
    "alice   AKIDALICE00000000001 alice-secret-0123456789abcdef\n"
    "ci-bot  AKIDCIBOT00000000002 cibot-secret-0123456789abcdef\n";

struct ScriptResult {
  int exit_code = -1;
  std::string output;
};

// Runs `argv` with `env` added to this process's environment; stdout and
// stderr together.
ScriptResult RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env, const fs::path& out) {
  pid_t pid = ::fork();
  if (pid == 0) {
    FILE* f = std::fopen(out.c_str(), "w");
    if (f == nullptr) _exit(126);
    ::dup2(::fileno(f), 1);
    ::dup2(::fileno(f), 2);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ScriptResult r;
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.output = ReadWholeFile(out);
  return r;
}

// The first `name` on PATH that is not `except` (resolved), or "".
std::string OnPathExcept(const std::string& name, const std::string& except) {
  const char* path = std::getenv("PATH");
  std::string rest = path ? path : "";
  std::error_code ec;
  const fs::path skip = fs::weakly_canonical(except, ec);
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    fs::path candidate = fs::path(rest.substr(0, colon)) / name;
    rest = colon == std::string::npos ? "" : rest.substr(colon + 1);
    if (::access(candidate.c_str(), X_OK) != 0) continue;
    if (fs::weakly_canonical(candidate, ec) == skip) continue;
    return candidate.string();
  }
  return "";
}

// A temporary directory holding kKeys as keys.txt (mode 600); removed at
// the end of the test unless it failed.
struct KeysDir {
  KeysDir() {
    char tmpl[] = "/tmp/gantry-aws-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return;
    dir = tmpl;
    keys = dir / "keys.txt";
    std::ofstream(keys) << kKeys;
    ok = ::chmod(keys.c_str(), 0600) == 0;
  }
  ~KeysDir() {
    std::error_code ec;
    if (!::testing::Test::HasFailure()) fs::remove_all(dir, ec);
  }
  fs::path dir;
  fs::path keys;
  bool ok = false;
};

// The script's environment: a follower's URL (so every request is
// forwarded to the leader), alice's key, the region and account the
// replicas use, and the ZeroMQ endpoints for the gantry CLI.
std::vector<std::string> ScriptEnv(ClusterHarness& cluster, int follower, const std::string& aws_cli,
                                   const fs::path& home) {
  std::string urls;
  for (int i = 0; i < cluster.replica_count(); ++i) urls += (i ? "," : "") + cluster.HttpUrl(i);
  return {"GANTRY_AWS_ENDPOINT=" + cluster.HttpUrl(follower),
          "GANTRY_AWS_ENDPOINTS=" + urls,
          "GANTRY_AWS_CLI=" + aws_cli,
          "GANTRY_BINARY=" GANTRY_BINARY,
          "GANTRY_ENDPOINT=" + cluster.EndpointList(),
          "GANTRY_AWS_SECOND_KEY_ID=AKIDCIBOT00000000002",
          "GANTRY_AWS_SECOND_SECRET=cibot-secret-0123456789abcdef",
          "AWS_ACCESS_KEY_ID=AKIDALICE00000000001",
          "AWS_SECRET_ACCESS_KEY=alice-secret-0123456789abcdef",
          "AWS_DEFAULT_REGION=fleet-1",
          "AWS_REGION=fleet-1",
          "AWS_CONFIG_FILE=/dev/null",
          "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
          "AWS_EC2_METADATA_DISABLED=true",
          "AWS_PAGER=",
          "HOME=" + home.string(),
          "PYTHONDONTWRITEBYTECODE=1"};
}

// Brings up three replicas serving the HTTP API with two access keys and
// runs the end-to-end script with `python` and `aws_cli`.
void RunStack(const std::string& python, const std::string& aws_cli) {
  KeysDir keys_dir;
  ASSERT_TRUE(keys_dir.ok);
  const fs::path& dir = keys_dir.dir;
  const fs::path& keys = keys_dir.keys;

  HarnessOptions options;
  options.replicas = 3;
  options.agents = 2;
  options.http = true;
  options.http_args = {"--http-keys", keys.string(), "--region", "fleet-1", "--account-id", "123456789012"};
  ClusterHarness cluster(GANTRY_BINARY, options);
  Status started = cluster.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  Result<int> leader = cluster.LeaderIndex(10s);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  const int follower = (*leader + 1) % cluster.replica_count();

  ScriptResult r = RunProgram({python, GANTRY_SOURCE_DIR "/tests/aws/batch_api_e2e.py", "-v"},
                       ScriptEnv(cluster, follower, aws_cli, dir), dir / "script.out");
  EXPECT_EQ(r.exit_code, 0) << r.output << "\nleader's log:\n" << cluster.ReplicaLog(*leader).substr(0, 20000);
  if (r.exit_code != 0) cluster.KeepFiles();
}

TEST(AwsApi, DebianBoto3AndAwsCliWorkUnchanged) {
  for (const char* needed : {"/usr/bin/python3", "/usr/bin/aws"}) {
    ASSERT_EQ(::access(needed, X_OK), 0) << needed << " is missing: run deploy/install-deps";
  }
  RunStack("/usr/bin/python3", "/usr/bin/aws");
}

// The newer stack (boto3 1.43, aws CLI v1 on this machine image) when PATH
// has one; it also sends members the Debian stack does not know.
TEST(AwsApi, TheOtherPythonStackOnPathWorksToo) {
  const std::string python = OnPathExcept("python3", "/usr/bin/python3");
  const std::string aws = OnPathExcept("aws", "/usr/bin/aws");
  if (python.empty() || aws.empty()) GTEST_SKIP() << "no python3 and aws on PATH besides Debian's";
  ScriptResult probe = RunProgram({python, "-c", "import boto3"}, {}, fs::temp_directory_path() / "gantry-boto3-probe.out");
  if (probe.exit_code != 0) GTEST_SKIP() << python << " has no boto3";
  RunStack(python, aws);
}

// HTTPS: boto3 and the aws CLI trust the replica's certificate through
// their own options (verify=, --ca-bundle), sign as usual, and reach it.
TEST(AwsApi, HttpsWithACertificateTheClientsTrust) {
  KeysDir keys_dir;
  ASSERT_TRUE(keys_dir.ok);
  const fs::path& dir = keys_dir.dir;
  const fs::path& keys = keys_dir.keys;
  const fs::path cert = dir / "cert.pem", key = dir / "key.pem";
  const std::string make_cert = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                                "-addext subjectAltName=IP:127.0.0.1 -keyout " + key.string() + " -out " +
                                cert.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(make_cert.c_str()), 0) << "needs the openssl tool (deploy/install-deps)";
  HarnessOptions options;
  options.replicas = 1;
  options.agents = 1;
  options.http = true;
  options.http_args = {"--http-keys", keys.string(), "--http-tls-cert", cert.string(), "--http-tls-key",
                       key.string(), "--region", "fleet-1"};
  ClusterHarness cluster(GANTRY_BINARY, options);
  ASSERT_TRUE(cluster.Start().ok());
  ASSERT_TRUE(cluster.CreateDefaults().ok());
  std::string url = cluster.HttpUrl(0);
  url.replace(0, 4, "https");
  std::vector<std::string> env = ScriptEnv(cluster, 0, "/usr/bin/aws", dir);

  const std::string script =
      "import boto3, sys\n"
      "b = boto3.client('batch', endpoint_url=sys.argv[1], verify=sys.argv[2])\n"
      "r = b.submit_job(jobName='over-tls', jobQueue='q', jobDefinition='d')\n"
      "assert b.describe_jobs(jobs=[r['jobId']])['jobs'][0]['jobName'] == 'over-tls'\n"
      "print('ok', r['jobId'])\n";
  ScriptResult boto3 = RunProgram({"/usr/bin/python3", "-c", script, url, cert.string()}, env, dir / "boto3.out");
  EXPECT_EQ(boto3.exit_code, 0) << boto3.output;
  EXPECT_EQ(boto3.output.rfind("ok ", 0), 0u) << boto3.output;

  ScriptResult cli = RunProgram({"/usr/bin/aws", "batch", "describe-job-queues", "--endpoint-url", url,
                                 "--ca-bundle", cert.string()},
                                env, dir / "cli.out");
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_NE(cli.output.find("job-queue/q"), std::string::npos) << cli.output;

  // Without trusting the certificate, the client refuses the server.
  ScriptResult untrusted = RunProgram({"/usr/bin/aws", "batch", "describe-job-queues", "--endpoint-url", url}, env,
                                      dir / "untrusted.out");
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.output;
}

// boto3's retries across a failover: submissions through a follower's HTTP
// API while the leader is killed -9 are all acknowledged, and each became
// exactly one job. A retried SubmitJob (after a 503 or a timeout) carries
// the same invocation id, which the gateway turns into the client token.
TEST(AwsApi, SubmissionsAcrossALeaderKillAreAcknowledgedOnceEach) {
  KeysDir keys_dir;
  ASSERT_TRUE(keys_dir.ok);
  const fs::path& dir = keys_dir.dir;
  const fs::path& keys = keys_dir.keys;
  HarnessOptions options;
  options.replicas = 3;
  options.agents = 1;
  options.http = true;
  options.http_args = {"--http-keys", keys.string(), "--region", "fleet-1"};
  options.coordinator_args = {"--default-job-disk-mib", "0"};
  options.agent_args = LoadTestAgentArgs();
  ClusterHarness cluster(GANTRY_BINARY, options);
  ASSERT_TRUE(cluster.Start().ok());
  ASSERT_TRUE(cluster.CreateDefaults().ok());
  Result<int> leader = cluster.LeaderIndex(10s);
  ASSERT_TRUE(leader.ok());
  const int follower = (*leader + 1) % cluster.replica_count();

  constexpr int kJobs = 150;
  const fs::path out = dir / "acked.txt";
  const std::vector<std::string> env = ScriptEnv(cluster, follower, "/usr/bin/aws", dir);
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    FILE* f = std::fopen(out.c_str(), "w");
    if (f == nullptr) _exit(126);
    ::dup2(::fileno(f), 1);
    ::execl("/usr/bin/python3", "python3", GANTRY_SOURCE_DIR "/tests/aws/submit_through_failover.py",
            cluster.HttpUrl(follower).c_str(), "q", "d", std::to_string(kJobs).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  auto acked = [&] {
    std::string text = ReadWholeFile(out);
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  };
  // The kill lands a third of the way in.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  int exited = 0;
  while (acked() < kJobs / 3 && std::chrono::steady_clock::now() < deadline &&
         ::waitpid(pid, &exited, WNOHANG) == 0) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_GE(acked(), kJobs / 3);
  cluster.StopReplica(*leader, /*kill9=*/true);
  const int acked_at_kill = acked();
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadWholeFile(out);
  EXPECT_LT(acked_at_kill, kJobs) << "the kill came after the last submission; it tested nothing";

  std::set<std::string> ids;
  std::istringstream lines(ReadWholeFile(out));
  int64_t slowest_ms = 0;
  for (std::string id; lines >> id;) {
    int64_t ms = 0;
    lines >> ms;
    ids.insert(id);
    slowest_ms = std::max(slowest_ms, ms);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kJobs)) << "an acknowledgement repeated a job id";
  std::printf("[   info   ] leader killed after %d of %d acknowledgements; the slowest SubmitJob took %lld ms\n",
              acked_at_kill, kJobs, static_cast<long long>(slowest_ms));

  // Every job the queue holds is one of them: no submission made a second job.
  protocol::ListJobsRequest list;
  list.jobQueue = "q";
  list.filters = {{.name = "JOB_NAME", .values = {"failover-*"}}};
  std::set<std::string> listed;
  do {
    auto page = cluster.rpc().Call(list);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& j : page->jobSummaryList) listed.insert(j.jobId);
    list.nextToken = page->nextToken;
  } while (list.nextToken);
  std::vector<std::string> extra;
  std::set_difference(listed.begin(), listed.end(), ids.begin(), ids.end(), std::back_inserter(extra));
  EXPECT_TRUE(extra.empty()) << extra.size() << " jobs were created by retried submissions, e.g. " << extra.front();
  EXPECT_EQ(listed.size() - extra.size(), ids.size()) << "an acknowledged job is missing from the queue";
}

}  // namespace
}  // namespace gantry::testing
