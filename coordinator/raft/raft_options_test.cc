#include "coordinator/raft/raft_options.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <cstdio>
#include <filesystem>

#include "coordinator/raft/raft_node.h"

namespace gantry::coordinator::raft {
namespace {

RaftOptions Valid() {
  RaftOptions o;
  o.id = 2;
  o.address = "127.0.0.1:9002";
  o.dir = "/tmp/unused";
  o.bootstrap = {{1, "127.0.0.1:9001"}, {2, "127.0.0.1:9002"}, {3, "127.0.0.1:9003"}};
  return o;
}

void ExpectInvalid(const RaftOptions& o, const std::string& fragment) {
  Status s = o.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find(fragment), std::string::npos) << s.message();
}

TEST(RaftOptions, AcceptsAThreeVoterBootstrapAndAJoiningNode) {
  EXPECT_TRUE(Valid().Validate().ok()) << Valid().Validate().ToString();
  RaftOptions joining = Valid();
  joining.bootstrap.clear();
  EXPECT_TRUE(joining.Validate().ok());
}

TEST(RaftOptions, RejectsZeroIdAndEmptyDir) {
  RaftOptions o = Valid();
  o.id = 0;
  ExpectInvalid(o, "id must be > 0");
  o = Valid();
  o.dir.clear();
  ExpectInvalid(o, "dir is empty");
}

TEST(RaftOptions, RejectsAddressesLibraftCannotUse) {
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80x",
                          "localhost:9000", ":9000", "::1:9000", "1.2.3:9000"}) {
    RaftOptions o = Valid();
    o.address = bad;
    o.bootstrap.clear();
    ExpectInvalid(o, "address");
  }
  EXPECT_TRUE(ValidateAddress("10.0.0.7:65535").ok());
}

TEST(RaftOptions, RejectsHeartbeatNotBelowElectionTimeout) {
  RaftOptions o = Valid();
  o.heartbeat_timeout_ms = o.election_timeout_ms;  // libraft 0.15 accepts this silently
  ExpectInvalid(o, "must be below election_timeout_ms");
  o.heartbeat_timeout_ms = 0;
  ExpectInvalid(o, "heartbeat_timeout_ms must be > 0");
}

TEST(RaftOptions, RejectsZeroTunables) {
  RaftOptions o = Valid();
  o.snapshot_threshold = 0;
  ExpectInvalid(o, "snapshot_threshold");
  o = Valid();
  o.install_snapshot_timeout_ms = 0;
  ExpectInvalid(o, "install_snapshot_timeout_ms");
  o = Valid();
  o.connect_retry_delay_ms = 0;
  ExpectInvalid(o, "connect_retry_delay_ms");
}

TEST(RaftOptions, RejectsBootstrapWithoutSelfOrWithADifferentSelfAddress) {
  RaftOptions o = Valid();
  o.bootstrap.erase(o.bootstrap.begin() + 1);
  ExpectInvalid(o, "does not list this node");
  o = Valid();
  o.bootstrap[1].address = "127.0.0.1:9999";
  ExpectInvalid(o, "options say 127.0.0.1:9002");
}

TEST(RaftOptions, RejectsDuplicateIdsAndAddresses) {
  RaftOptions o = Valid();
  o.bootstrap[2].id = 1;
  ExpectInvalid(o, "lists id 1 twice");
  o = Valid();
  o.bootstrap[2].address = "127.0.0.1:9001";
  ExpectInvalid(o, "lists address 127.0.0.1:9001 twice");
  o = Valid();
  o.bootstrap[0].id = 0;
  ExpectInvalid(o, "bootstrap peer id must be > 0");
  o = Valid();
  o.bootstrap[0].address = "nowhere";
  ExpectInvalid(o, "bootstrap peer 1");
}

// Create reports the same errors before touching libraft, and a dir that
// cannot be a directory.
TEST(RaftOptions, CreateRefusesBadOptionsAndAFileAsDir) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  struct NoState : StateMachine {
    uint64_t AppliedIndex() const override { return 0; }
    void Apply(uint64_t, std::string_view) override {}
    std::shared_ptr<void> PinSnapshot() override { return nullptr; }
    std::string SerializeSnapshot(const std::shared_ptr<void>&) override { return ""; }
    void ReleaseSnapshot(std::shared_ptr<void>) override {}
    void Restore(uint64_t, std::string_view) override {}
  } sm;
  RaftOptions o = Valid();
  o.heartbeat_timeout_ms = 1000;
  auto bad = RaftNode::Create(&loop, o, &sm, NullLogger());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);

  std::string file = std::filesystem::temp_directory_path() / ("gantry-raft-file-" + std::to_string(::getpid()));
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  o = Valid();
  o.dir = file;
  auto not_dir = RaftNode::Create(&loop, o, &sm, NullLogger());
  EXPECT_FALSE(not_dir.ok());
  std::filesystem::remove(file);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(ParsePeers, ReadsIdsAndAddresses) {
  auto peers = ParsePeers(" 1@127.0.0.1:7420, 2@127.0.0.1:7421,3@10.0.0.3:9 ");
  ASSERT_TRUE(peers.ok()) << peers.status().ToString();
  EXPECT_EQ(*peers, (std::vector<Peer>{{1, "127.0.0.1:7420"}, {2, "127.0.0.1:7421"}, {3, "10.0.0.3:9"}}));
}

TEST(ParsePeers, NamesTheBadItem) {
  struct Case {
    const char* list;
    const char* message;
  };
  for (const Case& c : {
           Case{"", "peer list is empty"},
           Case{" , ", "peer list is empty"},
           Case{"127.0.0.1:7420", "peer \"127.0.0.1:7420\": want id@ip:port"},
           Case{"0@127.0.0.1:7420", "peer \"0@127.0.0.1:7420\": id must be a positive integer"},
           Case{"x@127.0.0.1:7420", "peer \"x@127.0.0.1:7420\": id must be a positive integer"},
           Case{"1@localhost:7420", "host must be an IPv4 dotted quad"},
           Case{"1@127.0.0.1:7420,1@127.0.0.1:7421", "peer \"1@127.0.0.1:7421\": duplicate id"},
           Case{"1@127.0.0.1:7420,2@127.0.0.1:7420", "peer \"2@127.0.0.1:7420\": duplicate address"},
       }) {
    auto peers = ParsePeers(c.list);
    ASSERT_FALSE(peers.ok()) << c.list;
    EXPECT_EQ(peers.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(peers.status().message().find(c.message), std::string::npos) << peers.status().message();
  }
}

}  // namespace
}  // namespace gantry::coordinator::raft
