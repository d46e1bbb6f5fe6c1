#include "node/agent_command.h"

#include <gtest/gtest.h>

#include <vector>

#include "node/test_util.h"

namespace gantry {
namespace {

// Parses `args` (without the program name) as `gantry ...`.
void Parse(CLI::App& app, std::vector<std::string> args) {
  args.insert(args.begin(), "gantry");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

TEST(AgentCommand, RequiresCoordinatorAndDataDir) {
  CLI::App app;
  AddAgentCommand(app);
  EXPECT_THROW(Parse(app, {"agent", "--data-dir", "/tmp/x"}), CLI::RequiredError);
  CLI::App app2;
  AddAgentCommand(app2);
  EXPECT_THROW(Parse(app2, {"agent", "--coordinator", "tcp://127.0.0.1:1"}), CLI::RequiredError);
}

TEST(AgentCommand, RejectsOutOfRangeCapacity) {
  CLI::App app;
  AddAgentCommand(app);
  EXPECT_THROW(Parse(app, {"agent", "--coordinator", "tcp://127.0.0.1:1", "--data-dir", "/tmp/x",
                           "--vcpus", "0"}),
               CLI::ValidationError);
}

TEST(AgentCommand, CapacityTypeIsSpotOrOnDemand) {
  CLI::App app;
  AddAgentCommand(app);
  try {
    Parse(app, {"agent", "--coordinator", "tcp://127.0.0.1:1", "--data-dir", "/tmp/x", "--capacity-type",
                "preemptible"});
    ADD_FAILURE() << "expected CLI::ValidationError";
  } catch (const CLI::ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("--capacity-type"), std::string::npos) << e.what();
  }
}

TEST(AgentCommand, ACapacityTypeTheLabelsContradictExitsWithCode2) {
  node::testutil::TempDir tmp;
  CLI::App app;
  AddAgentCommand(app);
  try {
    Parse(app, {"agent", "--coordinator", "tcp://127.0.0.1:1", "--data-dir", tmp.path().string(),
                "--node-id", "n1", "--job-disk-quota", "none", "--capacity-type", "spot", "--label",
                "capacity-type=on-demand"});
    ADD_FAILURE() << "expected CLI::RuntimeError";
  } catch (const CLI::RuntimeError& e) {
    EXPECT_EQ(e.get_exit_code(), 2);
  }
}

TEST(AgentCommand, BadConfigurationExitsWithCode2) {
  node::testutil::TempDir tmp;
  CLI::App app;
  AddAgentCommand(app);
  try {
    Parse(app, {"agent", "--coordinator", "localhost:7401", "--data-dir", tmp.path().string()});
    ADD_FAILURE() << "expected CLI::RuntimeError";
  } catch (const CLI::RuntimeError& e) {
    EXPECT_EQ(e.get_exit_code(), 2);
  }
}

}  // namespace
}  // namespace gantry
