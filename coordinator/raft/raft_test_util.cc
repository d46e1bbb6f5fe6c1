#include "coordinator/raft/raft_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace gantry::coordinator::raft {
namespace {
void Put64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
uint64_t Get64(std::string_view& in) {
  uint64_t v = 0;
  if (in.size() < sizeof v) {
    ADD_FAILURE() << "test snapshot truncated";
    return 0;
  }
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
  return v;
}


Logger TestLogger(uint64_t id) {
  if (std::getenv("GANTRY_RAFT_TEST_LOG") != nullptr) return MakeLogger("raft" + std::to_string(id));
  return NullLogger("raft");
}

}  // namespace

// Ports below the ephemeral range, so that no outgoing connection of
// another node can be holding one when a node restarts on it.
uint16_t FreePort() {
  static uint16_t next = static_cast<uint16_t>(20000 + (::getpid() * 131) % 9000);
  for (int tries = 0; tries < 2000; ++tries) {
    uint16_t port = next++;
    if (next >= 30000) next = 20000;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return port;
  }
  ADD_FAILURE() << "no free port";
  return 0;
}

TestStateMachine::State& TestStateMachine::Mutable() {
  // A pinned snapshot shares the state: copy before the first change.
  if (state_.use_count() > 1) state_ = std::make_shared<State>(*state_);
  return *state_;
}

void TestStateMachine::Apply(uint64_t index, std::string_view payload) {
  if (index <= state_->applied) {
    ADD_FAILURE() << "Apply(" << index << ") at or below AppliedIndex " << state_->applied;
  }
  State& s = Mutable();
  s.applied = index;
  s.entries.emplace_back(payload);
  s.indexes.push_back(index);
  ++applies_;
  if (on_apply) on_apply(index);
}

std::shared_ptr<void> TestStateMachine::PinSnapshot() {
  ++pins_;
  return state_;
}

std::string TestStateMachine::SerializeSnapshot(const std::shared_ptr<void>& pinned) {
  const auto* s = static_cast<const State*>(pinned.get());
  std::string out;
  Put64(out, s->applied);
  Put64(out, s->entries.size());
  for (size_t i = 0; i < s->entries.size(); ++i) {
    Put64(out, s->indexes[i]);
    Put64(out, s->entries[i].size());
    out += s->entries[i];
  }
  ++serialized_;
  return out;
}

void TestStateMachine::ReleaseSnapshot(std::shared_ptr<void> pinned) {
  ++releases_;
  pinned.reset();
}

void TestStateMachine::Restore(uint64_t snapshot_index, std::string_view data) {
  if (snapshot_index <= state_->applied) ADD_FAILURE() << "Restore(" << snapshot_index << ") not newer";
  auto s = std::make_shared<State>();
  s->applied = Get64(data);
  uint64_t n = Get64(data);
  for (uint64_t i = 0; i < n; ++i) {
    s->indexes.push_back(Get64(data));
    uint64_t len = Get64(data);
    s->entries.emplace_back(data.substr(0, len));
    data.remove_prefix(std::min<size_t>(len, data.size()));
  }
  EXPECT_EQ(s->applied, snapshot_index);
  state_ = std::move(s);
  ++restores_;
}

std::string MakePayload(size_t seq, size_t size) {
  std::string p = "p" + std::to_string(seq) + ".";
  while (p.size() < size) p += static_cast<char>('a' + (seq + p.size()) % 26);
  p.resize(size);
  return p;
}

RaftClusterTest::RaftClusterTest() {
  uv_loop_init(&loop_);
  std::string tmpl = (std::filesystem::temp_directory_path() / "gantry-raft-XXXXXX").string();
  root_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  EXPECT_FALSE(root_.empty());
  base_.election_timeout_ms = 300;
  base_.heartbeat_timeout_ms = 30;
  base_.connect_retry_delay_ms = 100;
}

RaftClusterTest::~RaftClusterTest() {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].node) {
      EXPECT_TRUE(StopNode(static_cast<int>(i)));
    }
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop_), 0) << "a libuv handle was left open";
  std::error_code ec;
  if (!root_.empty()) std::filesystem::remove_all(root_, ec);
}

void RaftClusterTest::AddSlots(int n) {
  for (int k = 0; k < n; ++k) {
    Slot s;
    s.id = slots_.size() + 1;
    s.address = "127.0.0.1:" + std::to_string(FreePort());
    s.dir = root_ + "/node" + std::to_string(s.id);
    slots_.push_back(std::move(s));
  }
  if (bootstrap_voters_ == 0) bootstrap_voters_ = static_cast<int>(slots_.size());
}

RaftOptions RaftClusterTest::OptionsFor(int i, bool bootstrap) const {
  RaftOptions o = base_;
  o.id = slots_[i].id;
  o.address = slots_[i].address;
  o.dir = slots_[i].dir;
  o.bootstrap.clear();
  if (bootstrap) {
    for (int k = 0; k < bootstrap_voters_; ++k) o.bootstrap.push_back({slots_[k].id, slots_[k].address});
  }
  return o;
}

::testing::AssertionResult RaftClusterTest::StartNode(int i, bool bootstrap) {
  Slot& s = slots_[i];
  auto created = RaftNode::Create(&loop_, OptionsFor(i, bootstrap), s.sm.get(), TestLogger(s.id));
  if (!created.ok()) return ::testing::AssertionFailure() << "create " << s.id << ": " << created.status().ToString();
  s.node = std::move(created).value();
  Status st = s.node->Start();
  if (!st.ok()) return ::testing::AssertionFailure() << "start " << s.id << ": " << st.ToString();
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult RaftClusterTest::StartAll() {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (auto r = StartNode(static_cast<int>(i)); !r) return r;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult RaftClusterTest::StopNode(int i) {
  Slot& s = slots_[i];
  bool closed = false;
  s.node->Close([&closed] { closed = true; });
  if (!RunUntil([&] { return closed; }, 10000)) {
    // Leaking beats destroying a node libuv still points into.
    (void)s.node.release();
    return ::testing::AssertionFailure() << "node " << s.id << " did not close";
  }
  s.node.reset();
  return ::testing::AssertionSuccess();
}

bool RaftClusterTest::RunUntil(const std::function<bool()>& pred, int timeout_ms) {
  struct Watchdog {
    uv_timer_t timer;
    bool fired = false;
  };
  auto* w = new Watchdog;
  uv_timer_init(&loop_, &w->timer);
  w->timer.data = w;
  uv_timer_start(
      &w->timer, [](uv_timer_t* t) { static_cast<Watchdog*>(t->data)->fired = true; },
      static_cast<uint64_t>(timeout_ms), 0);
  bool ok = pred();
  while (!ok && !w->fired) {
    uv_run(&loop_, UV_RUN_ONCE);
    ok = pred();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&w->timer), [](uv_handle_t* h) { delete static_cast<Watchdog*>(h->data); });
  return ok;
}

int RaftClusterTest::ReadyLeader() const {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].node && slots_[i].node->IsReadyLeader()) return static_cast<int>(i);
  }
  return -1;
}

int RaftClusterTest::WaitForReadyLeader(int timeout_ms) {
  int leader = -1;
  RunUntil([&] { return (leader = ReadyLeader()) >= 0; }, timeout_ms);
  return leader;
}

Status RaftClusterTest::ProposeAndWait(int i, std::vector<std::string> payloads) {
  bool done = false;
  Status result = Status::Internal("propose callback did not run");
  node(i).Propose(std::move(payloads), [&](Status s) {
    result = std::move(s);
    done = true;
  });
  RunUntil([&] { return done; });
  return result;
}

::testing::AssertionResult RaftClusterTest::WaitForEntries(const std::vector<int>& nodes, size_t count,
                                                           int timeout_ms) {
  auto all = [&] {
    for (int i : nodes) {
      if (slots_[i].sm->entries().size() < count) return false;
    }
    return true;
  };
  if (RunUntil(all, timeout_ms)) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << "wanted " << count << " entries;";
  for (int i : nodes) failure << " node " << slots_[i].id << " has " << slots_[i].sm->entries().size();
  return failure;
}

::testing::AssertionResult RaftClusterTest::SameEntries(const std::vector<int>& nodes,
                                                        const std::vector<std::string>& expected) {
  for (int i : nodes) {
    const std::vector<std::string>& got = slots_[i].sm->entries();
    if (got.size() != expected.size()) {
      return ::testing::AssertionFailure()
             << "node " << slots_[i].id << " has " << got.size() << " entries, want " << expected.size();
    }
    for (size_t k = 0; k < got.size(); ++k) {
      if (got[k] != expected[k]) {
        return ::testing::AssertionFailure()
               << "node " << slots_[i].id << " entry " << k << " differs: " << got[k].substr(0, 40) << " vs "
               << expected[k].substr(0, 40);
      }
    }
    if (slots_[i].sm->indexes() != slots_[nodes[0]].sm->indexes()) {
      return ::testing::AssertionFailure()
             << "node " << slots_[i].id << " applied entries at other log indexes than node " << slots_[nodes[0]].id;
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<int> RaftClusterTest::RunningNodes() const {
  std::vector<int> out;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].node) out.push_back(static_cast<int>(i));
  }
  return out;
}

}  // namespace gantry::coordinator::raft
