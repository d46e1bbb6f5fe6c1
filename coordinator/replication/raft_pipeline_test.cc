// RaftPipeline against a real single-replica RaftNode on 127.0.0.1 with its
// log on disk: per-command results, packing, and refusal when not leader.
#include "coordinator/replication/raft_pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "coordinator/raft/raft_test_util.h"
#include "coordinator/replication/test_commands.h"
#include "coordinator/state/mem_state_store.h"

namespace gantry::coordinator {
namespace {

using test_commands::Ce;

class RaftPipelineTest : public ::testing::Test {
 protected:
  RaftPipelineTest() {
    uv_loop_init(&loop_);
    dir_ = std::filesystem::temp_directory_path() /
           ("gantry-pipeline-test-" + std::to_string(::getpid()) + "-" + std::to_string(raft::FreePort()));
    raft::RaftOptions o;
    o.id = 1;
    o.address = "127.0.0.1:" + std::to_string(raft::FreePort());
    o.dir = dir_.string();
    o.bootstrap = {{o.id, o.address}};
    o.election_timeout_ms = 100;
    o.heartbeat_timeout_ms = 10;
    raft_ = raft::RaftNode::Create(&loop_, o, &fsm_, NullLogger("raft")).value();
    pipeline_ = std::make_unique<RaftPipeline>(&loop_, raft_.get(), &fsm_, NullLogger("fsm"));
  }
  ~RaftPipelineTest() override {
    pipeline_->Close();
    bool closed = false;
    raft_->Close([&] { closed = true; });
    RunUntil([&] { return closed; });
    pipeline_.reset();
    raft_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    std::filesystem::remove_all(dir_);
  }

  // Runs the loop until pred() holds; false after 10 s.
  bool RunUntil(const std::function<bool()>& pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      uv_run(&loop_, UV_RUN_ONCE);
    }
    return true;
  }

  uv_loop_t loop_{};
  std::filesystem::path dir_;
  MemStateStore store_;
  ClusterState state_ = ClusterState::Load(store_).value();
  ReplicatedFsm fsm_{&state_, &store_, NullLogger("fsm")};
  std::unique_ptr<raft::RaftNode> raft_;
  std::unique_ptr<RaftPipeline> pipeline_;
};

TEST_F(RaftPipelineTest, RefusesAtOnceWhileNotTheLeader) {
  ASSERT_TRUE(raft_->Start().ok());
  ASSERT_FALSE(raft_->IsReadyLeader());
  std::optional<Status> got;
  pipeline_->Propose(Ce("ce"), [&](Result<ApplyResult>& r) { got = r.status(); });
  ASSERT_TRUE(RunUntil([&] { return got.has_value(); }));
  EXPECT_EQ(got->code(), StatusCode::kUnavailable);
  EXPECT_EQ(got->message(), "not the leader");
  EXPECT_EQ(state_.compute_environments().size(), 0u);
}

TEST_F(RaftPipelineTest, EveryCallerGetsItsOwnCommandsResultAndCommandsShareEntries) {
  ASSERT_TRUE(raft_->Start().ok());
  ASSERT_TRUE(RunUntil([&] { return raft_->IsReadyLeader(); }));
  constexpr int kCommands = 300;
  std::vector<std::optional<Result<ApplyResult>>> results(kCommands);
  int batches = 0;
  pipeline_->SetOnBatchCommitted([&](RaftPipeline::BatchEffects&) { ++batches; });
  // Every 10th command repeats a name, so it alone must fail.
  for (int i = 0; i < kCommands; ++i) {
    std::string name = i % 10 == 9 ? "ce-" + std::to_string(i - 1) : "ce-" + std::to_string(i);
    pipeline_->Propose(Ce(name), [&results, i](Result<ApplyResult>& r) { results[i] = r; });
  }
  ASSERT_TRUE(RunUntil([&] { return results.back().has_value(); }));
  for (int i = 0; i < kCommands; ++i) {
    ASSERT_TRUE(results[i].has_value()) << i;
    if (i % 10 == 9) {
      EXPECT_EQ(results[i]->status().code(), StatusCode::kConflict) << i;
    } else {
      ASSERT_TRUE(results[i]->ok()) << i << results[i]->status().ToString();
      EXPECT_EQ((*results[i])->name, "ce-" + std::to_string(i));
    }
  }
  EXPECT_EQ(state_.compute_environments().size(), 270u);
  // Proposed in one loop turn, they went out in entries of many commands.
  EXPECT_LE(pipeline_->entries_committed(), RaftPipeline::kMaxEntriesInFlight);
  EXPECT_EQ(static_cast<uint64_t>(batches), pipeline_->entries_committed());
  EXPECT_EQ(pipeline_->entries_in_flight(), 0u);
}

TEST_F(RaftPipelineTest, QueuedCommandsFailWhenClosed) {
  ASSERT_TRUE(raft_->Start().ok());
  std::optional<Status> got;
  pipeline_->Propose(Ce("ce"), [&](Result<ApplyResult>& r) { got = r.status(); });
  pipeline_->Close();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace gantry::coordinator
