#include "node/agent_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using testutil::TempDir;

TEST(ParseEndpoints, SplitsACommaSeparatedList) {
  auto one = ParseEndpoints("tcp://127.0.0.1:7401");
  ASSERT_TRUE(one.ok());
  EXPECT_THAT(*one, ElementsAre("tcp://127.0.0.1:7401"));
  auto three = ParseEndpoints("tcp://a:1, tcp://b:2,,tcp://c:3");
  ASSERT_TRUE(three.ok());
  EXPECT_THAT(*three, ElementsAre("tcp://a:1", "tcp://b:2", "tcp://c:3"));
}

TEST(ParseEndpoints, RejectsEmptyAndNonTcp) {
  EXPECT_EQ(ParseEndpoints("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseEndpoints(" , ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseEndpoints("127.0.0.1:7401").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseEndpoints("tcp://nohostport").status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseEndpoints, RejectsAnEndpointGivenTwice) {
  EXPECT_EQ(ParseEndpoints("tcp://a:1,tcp://b:2, tcp://a:1").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ParseLabels, ParsesKeyValuePairs) {
  auto labels = ParseLabels({"rack=r1", "capacity=spot", "empty="});
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(*labels, (protocol::Labels{{"capacity", "spot"}, {"empty", ""}, {"rack", "r1"}}));
}

TEST(ParseLabels, RejectsMalformedAndDuplicateKeys) {
  EXPECT_EQ(ParseLabels({"novalue"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseLabels({"=v"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseLabels({"a=1", "a=2"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(ApplyCapacityType, DefaultsToOnDemandAndTakesTheFlag) {
  protocol::Labels labels{{"rack", "r1"}};
  ASSERT_TRUE(ApplyCapacityType(std::nullopt, labels).ok());
  EXPECT_EQ(labels, (protocol::Labels{{"rack", "r1"}, {"capacity-type", "on-demand"}}));
  protocol::Labels spot;
  ASSERT_TRUE(ApplyCapacityType("spot", spot).ok());
  EXPECT_EQ(spot, (protocol::Labels{{"capacity-type", "spot"}}));
  EXPECT_TRUE(protocol::IsSpotNode(spot));
}

TEST(ApplyCapacityType, ALabelThatAgreesOrStandsAloneIsKept) {
  protocol::Labels agrees{{"capacity-type", "spot"}};
  ASSERT_TRUE(ApplyCapacityType("spot", agrees).ok());
  EXPECT_EQ(agrees, (protocol::Labels{{"capacity-type", "spot"}}));
  protocol::Labels alone{{"capacity-type", "spot"}};
  ASSERT_TRUE(ApplyCapacityType(std::nullopt, alone).ok());
  EXPECT_EQ(alone, (protocol::Labels{{"capacity-type", "spot"}}));
}

TEST(ApplyCapacityType, RejectsContradictionsAndOtherValuesNamingTheFlag) {
  protocol::Labels contradicts{{"capacity-type", "spot"}};
  Status s = ApplyCapacityType("on-demand", contradicts);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("--capacity-type on-demand contradicts --label capacity-type=spot"));
  protocol::Labels none;
  s = ApplyCapacityType("preemptible", none);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("--capacity-type"));
  EXPECT_TRUE(none.empty());
  protocol::Labels bad_label{{"capacity-type", "Spot"}};
  s = ApplyCapacityType(std::nullopt, bad_label);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("--capacity-type"));
}

TEST(ApplyCapacityType, TheAddedLabelCountsAgainstTheLimit) {
  protocol::Labels full;
  for (size_t i = 0; i < protocol::kMaxLabels; ++i) full.emplace("k" + std::to_string(i), "v");
  EXPECT_EQ(ApplyCapacityType("spot", full).code(), StatusCode::kInvalidArgument);
}

TEST(NodeIdFromHostname, MakesAValidName) {
  EXPECT_EQ(NodeIdFromHostname("worker7.example.com", "a1b2c3"), "worker7-example-com-a1b2c3");
  EXPECT_EQ(NodeIdFromHostname("", "a1b2c3"), "node-a1b2c3");
  std::string id = NodeIdFromHostname(std::string(300, 'h'), "a1b2c3");
  EXPECT_EQ(id.size(), protocol::kMaxNameLength);
  EXPECT_TRUE(protocol::ValidateName("id", id).ok());
}

TEST(RandomHex, HasTwoDigitsPerByte) {
  std::string hex = RandomHex(16);
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(hex, RandomHex(16));
}

TEST(LoadOrCreateNodeId, PersistsTheFirstId) {
  TempDir tmp;
  auto first = LoadOrCreateNodeId(tmp.path());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(protocol::ValidateName("id", *first).ok());
  auto second = LoadOrCreateNodeId(tmp.path());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
}

TEST(LoadOrCreateNodeId, RejectsACorruptFile) {
  TempDir tmp;
  testutil::WriteFile(tmp.path() / "node_id", "not a valid/name\n");
  EXPECT_EQ(LoadOrCreateNodeId(tmp.path()).status().code(), StatusCode::kInvalidArgument);
}

TEST(ResolveAgentConfig, UsesFlagsAndCreatesTheDataDir) {
  TempDir tmp;
  AgentFlags flags;
  flags.coordinators = "tcp://127.0.0.1:7401";
  flags.data_dir = (tmp.path() / "data").string();
  flags.node_id = "n1";
  flags.vcpus = 3;
  flags.memory_mib = 1024;
  flags.disk_mib = 2048;
  flags.labels = {"rack=r1"};
  flags.heartbeat_ms = 250;
  flags.kill_grace_seconds = 4;
  auto config = ResolveAgentConfig(flags);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(fs::is_directory(tmp.path() / "data"));
  EXPECT_TRUE(config->data_dir.is_absolute());
  EXPECT_EQ(config->node_id, "n1");
  EXPECT_EQ(config->capacity, (protocol::NodeCapacity{3, 1024, 2048}));
  EXPECT_EQ(config->labels, (protocol::Labels{{"rack", "r1"}, {"capacity-type", "on-demand"}}));
  EXPECT_EQ(config->heartbeat_ms, 250);
  EXPECT_EQ(config->kill_grace_ms, 4000);
  EXPECT_FALSE(fs::exists(tmp.path() / "data/node_id"));  // a given id is not persisted
}

TEST(ResolveAgentConfig, FingerprintsAndPersistsByDefault) {
  TempDir tmp;
  AgentFlags flags;
  flags.coordinators = "tcp://127.0.0.1:7401";
  flags.data_dir = tmp.path().string();
  auto config = ResolveAgentConfig(flags);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_GE(config->capacity.vcpus, 1u);
  EXPECT_GT(config->capacity.memoryMib, 0u);
  EXPECT_EQ(config->node_id + "\n", testutil::ReadFile(tmp.path() / "node_id"));
}

TEST(ResolveAgentConfig, CgroupsAreOnUnlessTurnedOffAndOtherValuesAreRefused) {
  TempDir tmp;
  AgentFlags flags;
  flags.coordinators = "tcp://127.0.0.1:7401";
  flags.data_dir = tmp.path().string();
  flags.node_id = "n1";
  flags.job_disk_quota = "none";
  auto on = ResolveAgentConfig(flags);
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_TRUE(on->cgroups);
  flags.cgroups = "none";
  auto off = ResolveAgentConfig(flags);
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(off->cgroups);
  flags.cgroups = "v1";
  auto bad = ResolveAgentConfig(flags);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("--cgroups"));
}

TEST(ResolveAgentConfig, TakesDiskFlagsAndSettlesAQuotaMethod) {
  TempDir tmp;
  AgentFlags flags;
  flags.coordinators = "tcp://127.0.0.1:7401";
  flags.data_dir = tmp.path().string();
  flags.node_id = "n1";
  flags.job_disk_quota = "none";
  flags.default_job_disk_mib = 256;
  flags.min_free_disk_mib = 2048;
  auto config = ResolveAgentConfig(flags);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->default_job_disk_mib, 256u);
  EXPECT_EQ(config->min_free_disk_mib, 2048u);
  EXPECT_EQ(config->disk_quota.method, DiskQuotaMethod::kNone);
  EXPECT_THAT(config->disk_quota.reason, ::testing::HasSubstr("--job-disk-quota=none"));

  flags.job_disk_quota = "auto";
  auto automatic = ResolveAgentConfig(flags);
  ASSERT_TRUE(automatic.ok()) << automatic.status().ToString();
  EXPECT_FALSE(automatic->disk_quota.reason.empty());  // which method depends on the machine
}

TEST(ResolveAgentConfig, RejectsBadDiskFlags) {
  TempDir tmp;
  AgentFlags flags;
  flags.coordinators = "tcp://127.0.0.1:7401";
  flags.data_dir = tmp.path().string();
  flags.node_id = "n1";
  flags.job_disk_quota = "zfs";
  EXPECT_EQ(ResolveAgentConfig(flags).status().code(), StatusCode::kInvalidArgument);
  flags.job_disk_quota = "none";
  flags.default_job_disk_mib = 0;
  Result<AgentConfig> zero = ResolveAgentConfig(flags);
  EXPECT_EQ(zero.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.status().message(), ::testing::HasSubstr("--default-job-disk-mib"));
}

TEST(ResolveAgentConfig, CapacityTypeBecomesALabel) {
  TempDir tmp;
  AgentFlags flags;
  flags.coordinators = "tcp://127.0.0.1:7401";
  flags.data_dir = tmp.path().string();
  flags.node_id = "n1";
  flags.job_disk_quota = "none";
  flags.capacity_type = "spot";
  flags.labels = {"zone=z"};
  auto config = ResolveAgentConfig(flags);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->labels, (protocol::Labels{{"zone", "z"}, {"capacity-type", "spot"}}));
  flags.labels = {"capacity-type=on-demand"};
  auto contradiction = ResolveAgentConfig(flags);
  EXPECT_EQ(contradiction.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(contradiction.status().message(), ::testing::HasSubstr("--capacity-type"));
}

TEST(ResolveAgentConfig, ReclaimNoticeFileDefaultsIntoTheDataDir) {
  TempDir tmp;
  AgentFlags flags;
  flags.coordinators = "tcp://127.0.0.1:7401";
  flags.data_dir = tmp.path().string();
  flags.node_id = "n1";
  flags.job_disk_quota = "none";
  auto config = ResolveAgentConfig(flags);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->reclaim_notice_file, config->data_dir / "reclaim-notice");
  flags.reclaim_notice_file = "relative/notice";
  auto given = ResolveAgentConfig(flags);
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(given->reclaim_notice_file, fs::current_path() / "relative/notice");
}

TEST(ResolveAgentConfig, RejectsAnInvalidNodeId) {
  TempDir tmp;
  AgentFlags flags;
  flags.coordinators = "tcp://127.0.0.1:7401";
  flags.data_dir = tmp.path().string();
  flags.node_id = "bad id";
  EXPECT_EQ(ResolveAgentConfig(flags).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gantry::node
