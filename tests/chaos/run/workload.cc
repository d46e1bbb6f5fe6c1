#include "tests/chaos/run/workload.h"

#include <chrono>
#include <thread>

namespace gantry::chaos {
namespace {

using namespace std::chrono_literals;

// A job's command: its run records around `body`. The records are JSON
// lines appended to the run file (O_APPEND writes this small are atomic).
std::string WithRunRecords(const std::string& run_file, const std::string& body) {
  return "rec() { printf '{\"type\":\"run\",\"t_ms\":%s,\"node\":\"%s\",\"job_id\":\"%s\",\"attempt_number\":%s,"
         "\"event\":\"%s\"%s}\\n' \"$(date +%s%3N)\" \"$GANTRY_NODE_ID\" \"$AWS_BATCH_JOB_ID\" \"$AWS_BATCH_JOB_ATTEMPT\" \"$1\" \"$2\" >> '" +
         run_file + "'; }; rec start; ( " + body + " ); rc=$?; rec end \",\\\"exit\\\":$rc\"; exit $rc";
}

struct JobKind {
  const char* name;
  const char* body;
  Expect expect;
  uint32_t attempts;
  bool array;
  bool dependent;
  uint64_t disk_mib;
};

// Jobs that always succeed get every attempt there is, so only faults
// could ever exhaust them, and the suite checks they did not.
constexpr JobKind kKinds[] = {
    {"short", "sleep 0.3", Expect::kSucceed, 10, false, false, 16},
    {"long", "sleep 4", Expect::kSucceed, 10, false, false, 16},
    {"flaky", "[ \"$AWS_BATCH_JOB_ATTEMPT\" -ge 2 ] || exit 7; sleep 0.5", Expect::kSucceed, 10, false, false, 16},
    {"failing", "exit 3", Expect::kFail, 1, false, false, 16},
    {"scratch", "dd if=/dev/zero of=\"$HOME/fill\" bs=1M count=8 2>/dev/null && sleep 1", Expect::kSucceed, 10,
     false, false, 64},
    {"array", "sleep 0.5", Expect::kSucceed, 10, true, false, 16},
    {"dependent", "sleep 0.2", Expect::kAny, 10, false, true, 16},
};

bool Unknown(const Status& s) {
  // Unavailable covers timeouts and failovers in flight: the request may
  // have been applied.
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kInternal;
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Workload::Workload(WorkloadOptions options, Recorder& recorder) : options_(std::move(options)), recorder_(recorder) {}

Workload::~Workload() { Stop(); }

void Workload::Start() {
  for (int i = 0; i < options_.submitters; ++i) threads_.emplace_back([this, i] { Run(i); });
}

void Workload::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::vector<std::string> Workload::AckedJobIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acked_;
}

std::vector<std::string> Workload::UnknownTokens() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unknown_;
}

void Workload::Run(int worker) {
  auto rpc = client::RpcClient::Create({options_.endpoints, 5000ms});
  if (!rpc.ok()) return;
  std::mt19937_64 rng(options_.seed * 7919 + static_cast<uint64_t>(worker));
  while (!stop_) {
    Step(worker, **rpc, rng);
    std::this_thread::sleep_for(options_.pace);
  }
}

void Workload::Step(int worker, client::RpcClient& rpc, std::mt19937_64& rng) {
  const uint64_t roll = rng() % 100;
  if (roll < 75) {
    if (!Prune(rpc)) return;
    return Submit(worker, rpc, rng);
  }
  if (roll < 80) return StopJob(worker, rpc, rng, /*terminate=*/false);
  if (roll < 85) return StopJob(worker, rpc, rng, /*terminate=*/true);
  Describe(worker, rpc, rng);
}

void Workload::Submit(int worker, client::RpcClient& rpc, std::mt19937_64& rng) {
  const JobKind& kind = kKinds[rng() % std::size(kKinds)];
  const std::string token =
      "chaos-" + std::to_string(options_.seed) + "-" + std::to_string(worker) + "-" + std::to_string(submitted_++);
  protocol::SubmitJobRequest req;
  req.jobName = token;
  req.jobQueue = options_.queue;
  req.jobDefinition = options_.definition;
  req.clientToken = token;
  req.command = std::vector<std::string>{"sh", "-c", WithRunRecords(options_.run_file, kind.body)};
  req.vcpus = 1;
  req.memoryMib = 64;
  req.diskMib = kind.disk_mib;
  req.retryStrategy = protocol::RetryStrategy{.attempts = kind.attempts};
  req.preemptionRetries = 20;
  if (kind.array) req.arraySize = 3;
  if (kind.dependent) {
    const std::string dep = RandomAcked(rng);
    if (!dep.empty()) req.dependsOn.push_back({dep, std::nullopt});
  }
  const std::string process = std::to_string(worker);
  ClientOp op{.t_ms = NowMs(), .process = process, .kind = OpKind::kInvoke, .op = OpName::kSubmit,
              .client_token = token, .expect = kind.expect};
  recorder_.Write(op);
  // An unknown outcome is tried again with the same token: the coordinator
  // answers with the first job if the first try was applied.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = rpc.Call(req);
    op.t_ms = NowMs();
    if (r.ok()) {
      op.kind = OpKind::kOk;
      op.job_id = r->jobId;
      recorder_.Write(op);
      std::lock_guard<std::mutex> lock(mu_);
      acked_.push_back(r->jobId);
      open_.insert(r->jobId);
      return;
    }
    if (!Unknown(r.status())) {
      op.kind = OpKind::kFail;
      op.error = r.status().ToString();
      recorder_.Write(op);
      return;
    }
    if (stop_) break;
  }
  op.kind = OpKind::kInfo;
  op.error = "no answer";
  recorder_.Write(op);
  std::lock_guard<std::mutex> lock(mu_);
  unknown_.push_back(token);
}

std::string Workload::RandomAcked(std::mt19937_64& rng) {
  std::lock_guard<std::mutex> lock(mu_);
  if (acked_.empty()) return "";
  return acked_[rng() % acked_.size()];
}

bool Workload::Prune(client::RpcClient& rpc) {
  protocol::DescribeJobsRequest req;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_.size() < options_.max_open) return true;
    for (auto it = open_.begin(); it != open_.end() && req.jobs.size() < protocol::kMaxDescribeJobs; ++it) {
      req.jobs.push_back(*it);
    }
  }
  auto r = rpc.Call(req);
  if (!r.ok()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& job : r->jobs) {
    if (job.status == protocol::JobStatus::kSucceeded || job.status == protocol::JobStatus::kFailed) {
      open_.erase(job.jobId);
    }
  }
  return open_.size() < options_.max_open;
}

void Workload::StopJob(int worker, client::RpcClient& rpc, std::mt19937_64& rng, bool terminate) {
  const std::string id = RandomAcked(rng);
  if (id.empty()) return;
  ClientOp op{.t_ms = NowMs(), .process = std::to_string(worker), .kind = OpKind::kInvoke,
              .op = terminate ? OpName::kTerminate : OpName::kCancel, .job_id = id};
  recorder_.Write(op);
  Status s = terminate ? rpc.Call(protocol::TerminateJobRequest{id, "chaos workload"}).status()
                       : rpc.Call(protocol::CancelJobRequest{id, "chaos workload"}).status();
  op.t_ms = NowMs();
  op.kind = s.ok() ? OpKind::kOk : Unknown(s) ? OpKind::kInfo : OpKind::kFail;
  if (!s.ok()) op.error = s.ToString();
  recorder_.Write(op);
}

void Workload::Describe(int worker, client::RpcClient& rpc, std::mt19937_64& rng) {
  const std::string id = RandomAcked(rng);
  if (id.empty()) return;
  ClientOp op{.t_ms = NowMs(), .process = std::to_string(worker), .kind = OpKind::kInvoke,
              .op = OpName::kDescribe, .job_id = id};
  recorder_.Write(op);
  auto r = rpc.Call(protocol::DescribeJobsRequest{{id}});
  op.t_ms = NowMs();
  if (r.ok() && !r->jobs.empty()) {
    op.kind = OpKind::kOk;
    op.status = r->jobs[0].status;
  } else {
    op.kind = r.ok() ? OpKind::kFail : Unknown(r.status()) ? OpKind::kInfo : OpKind::kFail;
    op.error = r.ok() ? "job not found" : r.status().ToString();
  }
  recorder_.Write(op);
}

}  // namespace gantry::chaos
