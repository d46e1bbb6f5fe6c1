// The replicated coordinator end to end: three (or four) real `gantry
// coordinator` replicas on 127.0.0.1 behind the client's failover, with
// leaders killed, whole groups restarted, a follower caught up through a
// snapshot, and the membership changed while the group serves.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/cluster_harness.h"

namespace gantry::testing {
namespace {

using namespace std::chrono_literals;
using protocol::JobStatus;
using Clock = std::chrono::steady_clock;

protocol::SubmitJobRequest Job(const std::string& name, std::vector<std::string> command) {
  protocol::SubmitJobRequest req;
  req.jobName = name;
  req.jobQueue = "q";
  req.jobDefinition = "d";
  req.command = std::move(command);
  req.clientToken = "token-" + name;
  return req;
}

// Sends `req` until it is acknowledged, repeating it (same client token)
// after a lost or refused reply. Gives up at `deadline` or on an error other
// than kUnavailable. `tries` counts the sends.
Result<std::string> SubmitUntilAcked(client::RpcClient& rpc, const protocol::SubmitJobRequest& req,
                                     Clock::time_point deadline, int* tries) {
  while (true) {
    ++*tries;
    auto r = rpc.Call(req);
    if (r.ok()) return r->jobId;
    if (r.status().code() != StatusCode::kUnavailable || Clock::now() > deadline) return r.status();
  }
}

// Jobs named `prefix`-0 .. -(count-1), sent by `threads` clients at once,
// each with its own RpcClient over every endpoint.
class Submitter {
 public:
  // `budget`: of each call; a call that runs out is sent again.
  Submitter(std::vector<std::string> endpoints, std::string prefix, int count, std::vector<std::string> command,
            std::chrono::milliseconds budget = 5s)
      : endpoints_(std::move(endpoints)),
        budget_(budget),
        prefix_(std::move(prefix)),
        command_(std::move(command)),
        ids_(static_cast<size_t>(count)) {}
  ~Submitter() { Join(); }

  void Start(int threads, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, t, threads, deadline] { Run(t, threads, deadline); });
    }
  }
  void Join() {
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  std::string Name(int i) const { return prefix_ + "-" + std::to_string(i); }
  int acked() const { return acked_.load(); }
  int tries() const { return tries_.load(); }
  // After Join: the id acknowledged for each submission, "" if none.
  const std::vector<std::string>& ids() const { return ids_; }
  std::string first_error() {
    std::lock_guard<std::mutex> lock(mu_);
    return first_error_;
  }

 private:
  void Run(int t, int threads, Clock::time_point deadline) {
    auto rpc = client::RpcClient::Create({endpoints_, budget_});
    if (!rpc.ok()) return Fail(rpc.status());
    int tries = 0;
    for (size_t i = static_cast<size_t>(t); i < ids_.size(); i += static_cast<size_t>(threads)) {
      auto id = SubmitUntilAcked(**rpc, Job(Name(static_cast<int>(i)), command_), deadline, &tries);
      if (!id.ok()) {
        Fail(id.status());
        break;
      }
      ids_[i] = *id;
      ++acked_;
    }
    tries_ += tries;
  }
  void Fail(const Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_error_.empty()) first_error_ = s.ToString();
  }

  std::vector<std::string> endpoints_;
  std::chrono::milliseconds budget_;
  std::string prefix_;
  std::vector<std::string> command_;
  std::vector<std::string> ids_;  // each slot written by one thread
  std::atomic<int> acked_{0};
  std::atomic<int> tries_{0};
  std::mutex mu_;
  std::string first_error_;
  std::vector<std::thread> threads_;
};

// Every job in queue "q", through `rpc`, page by page.
Result<std::vector<protocol::Job>> ListAllJobs(client::RpcClient& rpc) {
  std::vector<protocol::Job> out;
  protocol::ListJobsRequest req;
  req.jobQueue = "q";
  while (true) {
    GANTRY_ASSIGN_OR_RETURN(auto page, rpc.Call(req));
    out.insert(out.end(), page.jobSummaryList.begin(), page.jobSummaryList.end());
    if (!page.nextToken) return out;
    req.nextToken = page.nextToken;
  }
}

// Describes every id through `rpc`; kNotFound naming the first id missing.
Result<std::map<std::string, protocol::Job>> DescribeAll(client::RpcClient& rpc, const std::vector<std::string>& ids) {
  std::map<std::string, protocol::Job> out;
  for (size_t i = 0; i < ids.size(); i += protocol::kMaxDescribeJobs) {
    protocol::DescribeJobsRequest req;
    req.jobs.assign(ids.begin() + static_cast<long>(i),
                    ids.begin() + static_cast<long>(std::min(ids.size(), i + protocol::kMaxDescribeJobs)));
    GANTRY_ASSIGN_OR_RETURN(auto reply, rpc.Call(req));
    for (auto& j : reply.jobs) out[j.jobId] = std::move(j);
  }
  for (const auto& id : ids) {
    if (!out.count(id)) return Status::NotFound("job " + id + " is missing");
  }
  return out;
}

// How many jobs in `jobs` carry each name.
std::map<std::string, int> CountNames(const std::vector<protocol::Job>& jobs) {
  std::map<std::string, int> n;
  for (const auto& j : jobs) ++n[j.jobName];
  return n;
}

// "<id> FAILED: <statusReason>; attempt 1 on <node>: <reason>", for a failure message.
std::string DescribeOutcome(const protocol::Job& j) {
  std::string out = j.jobId + " " + protocol::EnumName(j.status) + ": " + j.statusReason;
  for (const auto& a : j.attempts) {
    out += "; attempt " + std::to_string(a.attemptNumber) + " on " + a.node + ": " + a.reason.value_or("") + " " +
           a.statusReason.value_or("") + (a.logTail ? " log tail: " + *a.logTail : "");
  }
  return out;
}

// Checks, through `rpc`, that submission i of `s` made exactly one job:
// the acknowledged one, and no other with its name.
void ExpectOneJobPerSubmission(client::RpcClient& rpc, Submitter& s, int count) {
  auto jobs = ListAllJobs(rpc);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  std::map<std::string, int> names = CountNames(*jobs);
  std::map<std::string, std::string> id_of;
  for (const auto& j : *jobs) id_of[j.jobName] = j.jobId;
  int mismatched = 0;
  for (int i = 0; i < count; ++i) {
    const std::string name = s.Name(i);
    if (names[name] != 1 || id_of[name] != s.ids()[static_cast<size_t>(i)]) ++mismatched;
  }
  EXPECT_EQ(mismatched, 0) << "of " << count << " submissions, " << mismatched
                           << " have no job, several jobs, or a job other than the acknowledged one";
}

// True once replica i itself lists some peer as the leader.
Status WaitUntilItSeesALeader(ClusterHarness& c, int i, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    auto r = c.ReplicaRpc(i).Call(protocol::RaftListPeersRequest{});
    if (r.ok()) {
      for (const auto& p : r->peers) {
        if (p.leader) return Status::Ok();
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  return Status::Unavailable("replica " + std::to_string(i) + " knows no leader");
}

// Replica i's exit code, -1 while it runs.
int ExitCode(ClusterHarness& c, int i) {
  auto code = c.WaitForReplicaExit(i, 0ms);
  return code.ok() ? *code : -1;
}

class ReplicationTest : public ::testing::Test {
 protected:
  void StartCluster(HarnessOptions options) {
    cluster_ = std::make_unique<ClusterHarness>(GANTRY_BINARY, options);
    ASSERT_TRUE(cluster_->Start().ok()) << "see " << cluster_->root();
    ASSERT_TRUE(cluster_->CreateDefaults().ok());
  }
  void TearDown() override {
    if (cluster_ && HasFailure()) cluster_->KeepFiles();
  }
  static HarnessOptions ThreeReplicas(int agents) {
    HarnessOptions o;
    o.replicas = 3;
    o.agents = agents;
    return o;
  }
  // For the streams of thousands of `true` jobs, which test the Raft group
  // (see LoadTestAgentArgs).
  static HarnessOptions ThreeReplicasWithoutDiskQuotas(int agents) {
    HarnessOptions o = ThreeReplicas(agents);
    o.coordinator_args = {"--default-job-disk-mib", "0"};
    o.agent_args = LoadTestAgentArgs();
    return o;
  }

  std::unique_ptr<ClusterHarness> cluster_;
};

#ifdef GANTRY_SANITIZED_BUILD
constexpr int kStreamJobs = 2000;
#else
constexpr int kStreamJobs = 5000;
#endif

TEST_F(ReplicationTest, LeaderKilledMidStreamLosesAndDuplicatesNothing) {
  constexpr int kJobs = kStreamJobs;
  HarnessOptions o = ThreeReplicasWithoutDiskQuotas(2);
  o.agent_vcpus = 16;
  ASSERT_NO_FATAL_FAILURE(StartCluster(o));

  // A short budget per call, so that calls caught in the failover give up
  // and are sent again by the test, with the same client token.
  Submitter s(cluster_->endpoints(), "a", kJobs, {"true"}, /*budget=*/600ms);
  const auto t0 = Clock::now();
  s.Start(/*threads=*/16, 90s);
  auto deadline = Clock::now() + 60s;
  // The kill lands a fifth of the way into the stream.
  while (s.acked() < kJobs / 5 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_GE(s.acked(), kJobs / 5) << s.first_error();
  auto old_leader = cluster_->LeaderIndex(5s);
  ASSERT_TRUE(old_leader.ok());
  const int acked_at_kill = s.acked();
  cluster_->StopReplica(*old_leader, /*kill9=*/true);
  s.Join();
  ASSERT_EQ(s.acked(), kJobs) << s.first_error();
  const auto t_acked = Clock::now();
  EXPECT_LT(acked_at_kill, kJobs) << "the kill came after the stream; it tested nothing";

  auto new_leader = cluster_->LeaderIndex(10s);
  ASSERT_TRUE(new_leader.ok());
  EXPECT_NE(*new_leader, *old_leader);
  // About a minute in a Release build with every attempt sandboxed (cgroups,
  // a pid namespace); the sanitizer build runs its 2,000 at a few dozen a
  // second on two cores.
  auto done = cluster_->WaitForTerminal(s.ids(), 300s);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  const auto t_done = Clock::now();
  int not_succeeded = 0, rerun = 0;
  std::string why;
  for (const auto& j : *done) {
    if (j.status != JobStatus::kSucceeded && not_succeeded++ < 5) why += "\n  " + DescribeOutcome(j);
    rerun += j.attempts.size() != 1;
  }
  EXPECT_EQ(not_succeeded, 0) << why;
  EXPECT_EQ(rerun, 0) << "jobs that ran more than once";
  std::printf(
      "[   info   ] leader %d killed after %d acknowledgements; %d sends for %d jobs; all acknowledged "
      "in %.1f s, all SUCCEEDED %.1f s later\n",
      *old_leader, acked_at_kill, s.tries(), kJobs, std::chrono::duration<double>(t_acked - t0).count(),
      std::chrono::duration<double>(t_done - t_acked).count());
  ExpectOneJobPerSubmission(cluster_->rpc(), s, kJobs);

  const auto t_checked = Clock::now();
  ASSERT_TRUE(cluster_->StartReplica(*old_leader).ok());
  EXPECT_TRUE(WaitUntilItSeesALeader(*cluster_, *old_leader, 10s).ok());
  std::printf("[   info   ] checks %.1f s; the killed replica back with a leader in %.1f s\n",
              std::chrono::duration<double>(t_checked - t_done).count(),
              std::chrono::duration<double>(Clock::now() - t_checked).count());
}

TEST_F(ReplicationTest, WholeGroupRestartKeepsStateAndFinishesRunningJobs) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(ThreeReplicas(2)));
  std::vector<std::string> done, running;
  for (int i = 0; i < 10; ++i) {
    auto id = cluster_->rpc().Call(Job("done-" + std::to_string(i), {"true"}));
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    done.push_back(id->jobId);
  }
  ASSERT_TRUE(cluster_->WaitForTerminal(done, 30s).ok());
  for (int i = 0; i < 4; ++i) {
    auto id = cluster_->rpc().Call(Job("long-" + std::to_string(i), {"sh", "-c", "sleep 2; echo finished"}));
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    running.push_back(id->jobId);
  }
  for (const auto& id : running) ASSERT_TRUE(cluster_->WaitForStatus(id, JobStatus::kRunning, 30s).ok());

  cluster_->StopCoordinator(/*kill9=*/false);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ExitCode(*cluster_, i), 0) << "replica " << i;
  ASSERT_TRUE(cluster_->StartCoordinator().ok());

  std::vector<std::string> all = done;
  all.insert(all.end(), running.begin(), running.end());
  auto before = DescribeAll(cluster_->rpc(), all);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  for (const auto& id : done) EXPECT_EQ(before->at(id).status, JobStatus::kSucceeded);
  auto finished = cluster_->WaitForTerminal(running, 60s);
  ASSERT_TRUE(finished.ok()) << finished.status().ToString();
  for (const auto& j : *finished) {
    EXPECT_EQ(j.status, JobStatus::kSucceeded) << j.jobId << " " << j.statusReason;
    ASSERT_EQ(j.attempts.size(), 1u) << j.jobId;
    EXPECT_EQ(j.attempts[0].logTail.value_or(""), "finished\n");
  }
  auto jobs = ListAllJobs(cluster_->rpc());
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), all.size());
}

TEST_F(ReplicationTest, FollowerBehindASnapshotCatchesUpAndServes) {
  constexpr int kJobs = 3000;
  HarnessOptions o = ThreeReplicas(0);
  o.snapshot_threshold = 64;
  o.snapshot_trailing = 16;
  ASSERT_NO_FATAL_FAILURE(StartCluster(o));
  auto leader = cluster_->LeaderIndex(5s);
  ASSERT_TRUE(leader.ok());
  const int f = (*leader + 1) % 3;
  cluster_->StopReplica(f, /*kill9=*/true);

  Submitter s(cluster_->endpoints(), "c", kJobs, {"true"});
  s.Start(/*threads=*/8, 60s);
  s.Join();
  ASSERT_EQ(s.acked(), kJobs) << s.first_error();

  // Through f alone: it answers only while it leads, so what it shows is its
  // own state.
  auto check_through_f = [&](const std::vector<std::string>& ids, Submitter& sub, int count) {
    ASSERT_TRUE(cluster_->TransferLeadership(f, 30s).ok());
    auto rpc = client::RpcClient::Create({{cluster_->ReplicaEndpoint(f)}, 5s});
    ASSERT_TRUE(rpc.ok());
    auto described = DescribeAll(**rpc, ids);
    ASSERT_TRUE(described.ok()) << described.status().ToString();
    ExpectOneJobPerSubmission(**rpc, sub, count);
  };
  ASSERT_TRUE(cluster_->StartReplica(f).ok());
  ASSERT_NO_FATAL_FAILURE(check_through_f(s.ids(), s, kJobs));
  EXPECT_NE(cluster_->ReplicaLog(f).find("snapshot restored"), std::string::npos)
      << "replica " << f << " caught up without a snapshot";

  // A clean restart of f while the others take more work.
  cluster_->StopReplica(f, /*kill9=*/false);
  EXPECT_EQ(ExitCode(*cluster_, f), 0);
  Submitter more(cluster_->endpoints(), "c2", 100, {"true"});
  more.Start(/*threads=*/4, 30s);
  more.Join();
  ASSERT_EQ(more.acked(), 100) << more.first_error();
  ASSERT_TRUE(cluster_->StartReplica(f).ok());
  std::vector<std::string> ids = s.ids();
  ids.insert(ids.end(), more.ids().begin(), more.ids().end());
  ASSERT_NO_FATAL_FAILURE(check_through_f(ids, more, 100));
  auto rpc = client::RpcClient::Create({{cluster_->ReplicaEndpoint(f)}, 5s});
  ASSERT_TRUE(rpc.ok());
  ExpectOneJobPerSubmission(**rpc, s, kJobs);
}

TEST_F(ReplicationTest, ReplicaJoinsTakesTheLeadAndAnOldOneLeaves) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(ThreeReplicas(0)));
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    auto id = cluster_->rpc().Call(Job("m-" + std::to_string(i), {"true"}));
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(id->jobId);
  }

  auto added = cluster_->AddReplica();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  const int n = *added;
  ASSERT_EQ(cluster_->ReplicaId(n), 4u);
  auto leader = cluster_->LeaderIndex(5s);
  ASSERT_TRUE(leader.ok());
  ASSERT_TRUE(cluster_->WaitForVoter(*leader, n, 20s).ok());
  ASSERT_TRUE(cluster_->TransferLeadership(n, 20s).ok());

  // Replica 0 (id 1) is a follower now; removing it makes it exit by itself.
  auto removed = cluster_->rpc().Call(protocol::RaftRemovePeerRequest{cluster_->ReplicaId(0)});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  auto code = cluster_->WaitForReplicaExit(0, 20s);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 0);
  cluster_->ForgetReplica(0);

  auto peers = cluster_->ReplicaRpc(n).Call(protocol::RaftListPeersRequest{});
  ASSERT_TRUE(peers.ok());
  std::set<uint64_t> listed;
  for (const auto& p : peers->peers) listed.insert(p.id);
  EXPECT_EQ(listed, (std::set<uint64_t>{2, 3, 4}));

  auto after = cluster_->rpc().Call(Job("after-removal", {"true"}));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ids.push_back(after->jobId);
  auto described = DescribeAll(cluster_->ReplicaRpc(n), ids);
  EXPECT_TRUE(described.ok()) << described.status().ToString();
}

}  // namespace
}  // namespace gantry::testing
