#include "node/end_reason.h"

#include <gtest/gtest.h>

#include <csignal>

namespace gantry::node {
namespace {

TEST(EndReason, NormalExitIsEssentialContainerExited) {
  Outcome o{.exit_code = 3};
  EXPECT_EQ(EndReason(o, "sh", ""), "Essential container in task exited");
}

TEST(EndReason, SignalNamesTheSignal) {
  Outcome o{.signal = SIGKILL};
  EXPECT_EQ(EndReason(o, "sh", ""), "Killed by signal 9 (SIGKILL)");
  o.signal = SIGTERM;
  EXPECT_EQ(EndReason(o, "sh", ""), "Killed by signal 15 (SIGTERM)");
}

TEST(EndReason, UnnamedSignalHasOnlyItsNumber) {
  Outcome o{.signal = SIGRTMIN + 3};
  EXPECT_EQ(EndReason(o, "sh", ""), "Killed by signal " + std::to_string(SIGRTMIN + 3));
}

TEST(EndReason, StopOnRequestReportsTheKillReason) {
  Outcome o{.signal = SIGTERM, .stopped = true};
  EXPECT_EQ(EndReason(o, "sh", "Terminated: user asked"), "Terminated: user asked");
}

TEST(EndReason, KillReasonIgnoredWhenTheProcessEndedOnItsOwn) {
  Outcome o{.exit_code = 0, .stopped = false};
  EXPECT_EQ(EndReason(o, "sh", "Terminated: too late"), "Essential container in task exited");
}

TEST(EndReason, OomKillIsOutOfMemoryEvenWhenStopped) {
  Outcome o{.signal = 9, .oom_killed = true};
  EXPECT_EQ(EndReason(o, "x", ""), "OutOfMemoryError: Container killed due to memory usage");
  o.stopped = true;
  EXPECT_EQ(EndReason(o, "x", "Terminated: by user"), kReasonOutOfMemory);
  o.oom_killed = false;
  EXPECT_EQ(EndReason(o, "x", "Terminated: by user"), "Terminated: by user");
}

TEST(EndReason, SpawnFailureNamesTheCommand) {
  Outcome o{.start_failure = StartFailure::kSpawn, .start_error = "no such file or directory"};
  EXPECT_EQ(EndReason(o, "/no/such", ""),
            "CannotStartContainerError: /no/such: no such file or directory");
}

TEST(EndReason, SandboxFailureIsCannotCreateContainer) {
  Outcome o{.start_failure = StartFailure::kSandbox, .start_error = "create /x: denied"};
  EXPECT_EQ(EndReason(o, "sh", ""), "CannotCreateContainerError: create /x: denied");
}

TEST(EndReason, LongPartsAreCutUnderTheReportLimit) {
  Outcome o{.start_failure = StartFailure::kSpawn, .start_error = std::string(10000, 'e')};
  EXPECT_LT(EndReason(o, std::string(10000, 'a'), "").size(), 4096u);
  EXPECT_LT(TerminatedReason(std::string(10000, 'r')).size(), 4096u);
}

TEST(TerminatedReason, PrefixesTheReason) {
  EXPECT_EQ(TerminatedReason("spot reclaim"), "Terminated: spot reclaim");
  EXPECT_EQ(TerminatedReason(""), "Terminated: no reason given");
}

TEST(EndStatusReason, TimeoutThatStoppedTheProcessIsReported) {
  Outcome o{.signal = SIGTERM, .stopped = true};
  EXPECT_EQ(EndStatusReason(o, /*timed_out=*/true),
            std::optional<std::string>("Job attempt duration exceeded timeout"));
  // With no kill reason recorded, the reason is the signal's, as for any kill.
  EXPECT_EQ(EndReason(o, "sh", ""), "Killed by signal 15 (SIGTERM)");
}

TEST(EndStatusReason, ProcessThatExitedBeforeTheStopIsNotTimedOut) {
  // The deadline passed while the exited process was being cleaned up.
  Outcome o{.exit_code = 0};
  EXPECT_EQ(EndStatusReason(o, /*timed_out=*/true), std::nullopt);
}

TEST(EndStatusReason, NoneWithoutTimeout) {
  Outcome o{.signal = SIGTERM, .stopped = true};
  EXPECT_EQ(EndStatusReason(o, /*timed_out=*/false), std::nullopt);
}

TEST(EndStatusReason, AgentStopThatReachedTheProcessIsReported) {
  Outcome o;
  o.signal = 15;
  o.stopped = true;
  EXPECT_EQ(EndStatusReason(o, std::string_view("Job scratch disk exceeded its request")),
            std::optional<std::string>("Job scratch disk exceeded its request"));
  EXPECT_EQ(EndStatusReason(o, std::string_view()), std::nullopt);
  o.stopped = false;  // it had exited on its own
  EXPECT_EQ(EndStatusReason(o, std::string_view("Job scratch disk exceeded its request")), std::nullopt);
}

}  // namespace
}  // namespace gantry::node
