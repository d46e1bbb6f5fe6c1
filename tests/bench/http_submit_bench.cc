// SubmitJob through the AWS Batch HTTP API, on a real local cluster (3
// replicas and 2 agents by default, separate processes on 127.0.0.1):
//   1. a keep-alive load generator: C connections, each sending signed
//      SubmitJob requests back to back (SigV4 signing and verification
//      included), to the leader's port and to a follower's (which forwards
//      every request to the leader);
//   2. boto3 (tests/bench/boto3_submit_bench.py) with T threads, one client
//      each, as a script would submit.
// Prints requests per second and latency percentiles. AWS Batch's own
// limit is 50 SubmitJob calls per second per account.
// Usage: http_submit_bench [--seconds 10] [--connections 16] [--replicas 3]
//                          [--boto3-threads 8] [--python /usr/bin/python3]
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/http/sigv4.h"
#include "tests/integration/cluster_harness.h"

using namespace std::chrono_literals;
namespace http = gantry::coordinator::http;

namespace {

constexpr const char* kKeyId = "AKIDBENCH00000000001";
constexpr const char* kSecret = "bench-secret-0123456789abcdef";

int Flag(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return def;
}

std::string StringFlag(int argc, char** argv, const char* name, const char* def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}

double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return static_cast<double>(v[std::min(i, v.size() - 1)]) / 1000.0;
}

struct LoadResult {
  int64_t ok = 0;
  int64_t failed = 0;
  double seconds = 0;
  std::vector<int64_t> micros;
  std::string first_error;
};

// `connections` threads, each with one keep-alive connection to host:port,
// each sending signed SubmitJob requests until `duration` has passed.
LoadResult Load(const std::string& host, int port, int connections, std::chrono::seconds duration) {
  LoadResult total;
  std::mutex mu;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + duration;
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client(host, port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // headers and body go out in two writes
      client.set_read_timeout(30, 0);
      const std::string host_header = host + ":" + std::to_string(port);
      LoadResult mine;
      for (int i = 0; std::chrono::steady_clock::now() < end; ++i) {
        const std::string body = "{\"jobName\": \"load-" + std::to_string(c) + "-" + std::to_string(i) +
                                 "\", \"jobQueue\": \"q\", \"jobDefinition\": \"d\"}";
        http::RequestView view{"POST", "/v1/submitjob",
                               {{"Host", host_header}, {"Content-Type", "application/json"}}, body};
        const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        auto signed_auth = http::Sign(view, {kKeyId, kSecret, "local", "batch"}, now);
        if (!signed_auth.ok()) {
          mine.first_error = signed_auth.status().ToString();
          ++mine.failed;
          break;
        }
        httplib::Headers headers = {{"X-Amz-Date", signed_auth->amz_date},
                                    {"Authorization", signed_auth->authorization}};
        const auto t0 = std::chrono::steady_clock::now();
        auto res = client.Post("/v1/submitjob", headers, body, "application/json");
        const auto t1 = std::chrono::steady_clock::now();
        if (res && res->status == 200) {
          ++mine.ok;
          mine.micros.push_back(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
        } else {
          ++mine.failed;
          if (mine.first_error.empty()) {
            mine.first_error = res ? std::to_string(res->status) + " " + res->body : "connection error: " + httplib::to_string(res.error());
          }
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      total.ok += mine.ok;
      total.failed += mine.failed;
      total.micros.insert(total.micros.end(), mine.micros.begin(), mine.micros.end());
      if (total.first_error.empty()) total.first_error = mine.first_error;
    });
  }
  for (auto& t : threads) t.join();
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return total;
}

void Print(const char* what, const LoadResult& r) {
  std::printf("%-44s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  ok %lld  failed %lld%s%s\n", what,
              static_cast<double>(r.ok) / r.seconds, Percentile(r.micros, 0.50), Percentile(r.micros, 0.99),
              static_cast<long long>(r.ok), static_cast<long long>(r.failed),
              r.first_error.empty() ? "" : "  first error: ", r.first_error.substr(0, 200).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = Flag(argc, argv, "--seconds", 10);
  const int connections = Flag(argc, argv, "--connections", 16);
  const int replicas = Flag(argc, argv, "--replicas", 3);
  const int boto3_threads = Flag(argc, argv, "--boto3-threads", 8);
  const std::string python = StringFlag(argc, argv, "--python", "/usr/bin/python3");

  char tmpl[] = "/tmp/gantry-http-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return 1;
  const std::string keys = std::string(tmpl) + "/keys.txt";
  std::ofstream(keys) << "bench " << kKeyId << " " << kSecret << "\n";
  ::chmod(keys.c_str(), 0600);

  gantry::testing::HarnessOptions opts;
  opts.replicas = replicas;
  opts.agents = 2;
  opts.agent_vcpus = 16;
  opts.http = true;
  opts.http_args = {"--http-keys", keys, "--http-threads", std::to_string(std::max(32, connections + 8))};
  // The jobs themselves are trivial and run without a sandbox: this
  // measures the API, not the agents.
  opts.coordinator_args = {"--default-job-disk-mib", "0"};
  opts.agent_args = {"--job-disk-quota", "none", "--isolation", "none", "--cgroups", "none"};
  gantry::testing::ClusterHarness cluster(GANTRY_BINARY, opts);
  if (auto s = cluster.Start(); !s.ok()) {
    std::fprintf(stderr, "cluster did not start: %s\n", s.ToString().c_str());
    return 1;
  }
  if (auto s = cluster.CreateDefaults(); !s.ok()) {
    std::fprintf(stderr, "defaults: %s\n", s.ToString().c_str());
    return 1;
  }
  auto leader = cluster.LeaderIndex(10s);
  if (!leader.ok()) return 1;
  const int follower = (*leader + 1) % cluster.replica_count();
  auto port_of = [&](int i) { return std::atoi(cluster.HttpUrl(i).substr(cluster.HttpUrl(i).rfind(':') + 1).c_str()); };

  std::printf("SubmitJob over HTTP: %d replicas, SigV4 on, %d s per run, %d keep-alive connections\n", replicas,
              seconds, connections);
  Print("keep-alive load generator -> leader", Load("127.0.0.1", port_of(*leader), connections, std::chrono::seconds(seconds)));
  Print("keep-alive load generator -> follower", Load("127.0.0.1", port_of(follower), connections, std::chrono::seconds(seconds)));
  Print("one connection -> leader", Load("127.0.0.1", port_of(*leader), 1, std::chrono::seconds(seconds)));

  if (::access(python.c_str(), X_OK) == 0 && boto3_threads > 0) {
    std::fflush(stdout);
    const std::string cmd = "AWS_ACCESS_KEY_ID=" + std::string(kKeyId) + " AWS_SECRET_ACCESS_KEY=" + kSecret +
                            " AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null " + python + " " +
                            GANTRY_SOURCE_DIR "/tests/bench/boto3_submit_bench.py --endpoint " +
                            cluster.HttpUrl(*leader) + " --threads " + std::to_string(boto3_threads) +
                            " --seconds " + std::to_string(seconds);
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "boto3 bench failed: %s\n", cmd.c_str());
  }
  std::filesystem::remove_all(tmpl);
  return 0;
}
