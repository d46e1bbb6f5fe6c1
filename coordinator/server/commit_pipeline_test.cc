#include "coordinator/server/commit_pipeline.h"

#include <gtest/gtest.h>

#include <chrono>

#include "coordinator/state/mem_state_store.h"

namespace gantry::coordinator {
namespace {

// Counts commits, so a callback can check its command is already durable.
class CountingStore final : public StateStore {
 public:
  Result<std::string> Get(std::string_view key) const override { return inner_.Get(key); }
  Status Scan(std::string_view p, const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    return inner_.Scan(p, fn);
  }
  Status Commit(const WriteBatch& batch) override {
    Status s = inner_.Commit(batch);
    if (s.ok()) ++commits;
    return s;
  }
  MemStateStore inner_;
  std::atomic<int> commits{0};
};

Command Ce(const std::string& name) {
  Command c{CommandType::kCreateComputeEnvironment};
  protocol::ComputeEnvironment ce;
  ce.computeEnvironmentName = name;
  c.computeEnvironment = ce;
  return c;
}

class CommitPipelineTest : public ::testing::Test {
 protected:
  CommitPipelineTest() : fsm_(&state_) { uv_loop_init(&loop_); }
  ~CommitPipelineTest() override {
    pipeline_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  void Make() { pipeline_ = std::make_unique<CommitPipeline>(&loop_, &fsm_, &store_, NullLogger()); }
  // Runs the loop until `n` callbacks have run.
  void RunUntil(const int& counter, int n) {
    while (counter < n) uv_run(&loop_, UV_RUN_ONCE);
  }

  uv_loop_t loop_;
  CountingStore store_;
  ClusterState state_;
  Fsm fsm_;
  std::unique_ptr<CommitPipeline> pipeline_;
};

TEST_F(CommitPipelineTest, CommandsProposedTogetherShareOneDurableBatch) {
  Make();
  int done = 0;
  std::vector<int> commits_seen;
  for (const char* name : {"a", "b", "c"}) {
    pipeline_->Propose(Ce(name), [&](Result<ApplyResult>& r) {
      EXPECT_TRUE(r.ok());
      commits_seen.push_back(store_.commits.load());
      ++done;
    });
  }
  RunUntil(done, 3);
  EXPECT_EQ(store_.commits.load(), 1);
  EXPECT_EQ(commits_seen, (std::vector<int>{1, 1, 1}));  // every reply after the commit
  EXPECT_EQ(pipeline_->batches_committed(), 1u);
  EXPECT_EQ(*store_.Get("m/applied"), "3");
  EXPECT_TRUE(store_.Get("ce/b").ok());
}

TEST_F(CommitPipelineTest, CommandsArrivingDuringAWriteGoIntoTheNextBatch) {
  Make();
  int done = 0;
  pipeline_->Propose(Ce("a"), [&](Result<ApplyResult>&) {
    ++done;
    // Proposed while nothing is in flight any more: starts batch two.
    pipeline_->Propose(Ce("c"), [&](Result<ApplyResult>&) { ++done; });
  });
  uv_run(&loop_, UV_RUN_NOWAIT);  // batch one is now being written
  pipeline_->Propose(Ce("b"), [&](Result<ApplyResult>&) { ++done; });
  RunUntil(done, 3);
  EXPECT_EQ(store_.commits.load(), 2);
  EXPECT_NE(state_.FindComputeEnvironment("c"), nullptr);
}

TEST_F(CommitPipelineTest, CommandProposedFromATimerDoesNotWaitForAnotherWakeup) {
  Make();
  struct Ctx {
    CommitPipeline* pipeline;
    bool done = false;
  } ctx{pipeline_.get()};
  uv_timer_t propose, watchdog;
  uv_timer_init(&loop_, &propose);
  uv_timer_init(&loop_, &watchdog);
  propose.data = &ctx;
  uv_timer_start(&propose, [](uv_timer_t* t) {
    auto* c = static_cast<Ctx*>(t->data);
    c->pipeline->Propose(Ce("a"), [c](Result<ApplyResult>&) { c->done = true; });
  }, 1, 0);
  // Nothing else would wake the loop before this fires: if the proposal
  // waited in a blocking poll, it would only be written after 10 s.
  uv_timer_start(&watchdog, [](uv_timer_t*) {}, 10'000, 0);
  auto start = std::chrono::steady_clock::now();
  while (!ctx.done) uv_run(&loop_, UV_RUN_ONCE);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  uv_close(reinterpret_cast<uv_handle_t*>(&propose), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);  // finish closing while the handles still exist
}

TEST_F(CommitPipelineTest, RejectedCommandIsAnsweredWithItsError) {
  Make();
  int done = 0;
  Status second;
  pipeline_->Propose(Ce("a"), [&](Result<ApplyResult>&) { ++done; });
  pipeline_->Propose(Ce("a"), [&](Result<ApplyResult>& r) {
    second = r.status();
    ++done;
  });
  RunUntil(done, 2);
  EXPECT_EQ(second.code(), StatusCode::kConflict);
}

TEST_F(CommitPipelineTest, BatchEffectsCollectNewRunnableJobs) {
  Make();
  std::vector<std::string> seen;
  pipeline_->SetOnBatchCommitted([&](CommitPipeline::BatchEffects& e) {
    seen.insert(seen.end(), e.new_runnable.begin(), e.new_runnable.end());
  });
  int done = 0;
  Command q{CommandType::kCreateJobQueue};
  q.jobQueue = protocol::JobQueue{"q", protocol::ResourceState::kEnabled, 1, {{1, "a"}}, 0};
  Command d{CommandType::kRegisterJobDefinition};
  protocol::JobDefinition def;
  def.jobDefinitionName = "d";
  def.command = {"true"};
  d.jobDefinition = def;
  Command s{CommandType::kSubmitJob};
  s.submitJob = SubmitJobCommand{};
  s.submitJob->jobId = "j1";
  s.submitJob->request.jobName = "n";
  s.submitJob->request.jobQueue = "q";
  s.submitJob->request.jobDefinition = "d";
  pipeline_->Propose(Ce("a"), [&](Result<ApplyResult>&) { ++done; });
  for (Command* c : {&q, &d, &s}) {
    pipeline_->Propose(*c, [&](Result<ApplyResult>& r) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      ++done;
    });
  }
  RunUntil(done, 4);
  EXPECT_EQ(seen, std::vector<std::string>{"j1"});
}

TEST_F(CommitPipelineTest, CloseAnswersQueuedCommandsUnavailable) {
  Make();
  Status got;
  pipeline_->Propose(Ce("a"), [&](Result<ApplyResult>& r) { got = r.status(); });
  pipeline_->Close();
  EXPECT_EQ(got.code(), StatusCode::kUnavailable);
}

TEST(CommitPipelineDeathTest, FailedWriteStopsTheProcess) {
  // Memory would describe a state the disk does not hold: never continue.
  EXPECT_DEATH(
      {
        uv_loop_t loop;
        uv_loop_init(&loop);
        MemStateStore store;
        store.FailCommitForTesting(1);
        ClusterState state;
        Fsm fsm(&state);
        CommitPipeline pipeline(&loop, &fsm, &store, NullLogger());
        pipeline.Propose(Ce("a"), [](Result<ApplyResult>&) {});
        uv_run(&loop, UV_RUN_DEFAULT);
      },
      "");
}

}  // namespace
}  // namespace gantry::coordinator
