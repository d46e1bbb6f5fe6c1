// The cluster invariants of the chaos checker (clean nodes, capacity,
// crashes, replica digests) and the printed verdict.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/chaos/checker.h"
#include "tests/chaos/checker_test_util.h"

namespace gantry::chaos {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): the history factories
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ChaosChecker, EmptyNodeProbesHold) {
  History h;
  h.probes = {{.node = "n1"}, {.node = "n2"}};
  const InvariantResult r = Get(Check(h), "node-clean");
  EXPECT_TRUE(r.held());
  EXPECT_EQ(r.checked, 2u);
}

TEST(ChaosChecker, LeftoversOnANodeAreViolations) {
  History h;
  h.probes = {{.node = "n1"},
              {.node = "n2",
               .scratch_entries = {"/var/lib/gantry/jobs/j-1"},
               .mounts = {"/var/lib/gantry/jobs/j-1/scratch"},
               .loop_devices = {"/dev/loop4"},
               .cgroups = {"memory/gantry/j-1"}}};
  const InvariantResult r = Get(Check(h), "node-clean");
  EXPECT_THAT(r.examples,
              ElementsAre("node n2: scratch entry \"/var/lib/gantry/jobs/j-1\" left",
                          "node n2: mount \"/var/lib/gantry/jobs/j-1/scratch\" left",
                          "node n2: loop device \"/dev/loop4\" left", "node n2: cgroup \"memory/gantry/j-1\" left"));
}

TEST(ChaosChecker, ReservationsWithinAdvertisedCapacityHold) {
  History h;
  h.capacity = {{.t_ms = 1, .node = "n1", .advertised = {4, 4096, 1000}, .reserved = {4, 4096, 1000}},
                {.t_ms = 2, .node = "n1", .advertised = {4, 4096, 1000}, .reserved = {0, 0, 0}}};
  const InvariantResult r = Get(Check(h), "capacity");
  EXPECT_TRUE(r.held());
  EXPECT_EQ(r.checked, 2u);
}

TEST(ChaosChecker, OverbookedCapacityIsAViolation) {
  History h;
  h.capacity = {{.t_ms = 7, .node = "n3", .advertised = {4, 4096, 1000}, .reserved = {5, 4096, 1001}},
                {.t_ms = 8, .node = "n3", .advertised = {4, 4096, 1000}, .reserved = {1, 4097, 0}}};
  const InvariantResult r = Get(Check(h), "capacity");
  EXPECT_THAT(r.examples, ElementsAre("node n3 at t=7: reserved exceeds advertised: vcpus 5 > 4, diskMib 1001 > 1000",
                                      "node n3 at t=8: reserved exceeds advertised: memoryMib 4097 > 4096"));
}

TEST(ChaosChecker, OnlyUnexpectedCrashesAreViolations) {
  History h;
  h.crashes = {{.process = "coord-1", .exit_status = -9, .expected = true}};
  InvariantResult r = Get(Check(h), "no-crashes");
  EXPECT_TRUE(r.held());
  EXPECT_EQ(r.counts.at("killed by the nemesis"), 1u);
  h.crashes.push_back({.process = "agent-4", .exit_status = 134, .expected = false});
  r = Get(Check(h), "no-crashes");
  EXPECT_THAT(r.examples, ElementsAre("process agent-4 exited with status 134, and the nemesis did not kill it"));
  EXPECT_EQ(r.checked, 2u);
}

TEST(ChaosChecker, EqualDigestsAtTheSameIndexHold) {
  History h;
  h.digests = {{"coord-1", 90, "aa"},
               {"coord-2", 90, "aa"},
               {"coord-1", 120, "bb"},
               {"coord-2", 120, "bb"},
               {"coord-3", 120, "bb"}};
  const InvariantResult r = Get(Check(h), "replicas-agree");
  EXPECT_TRUE(r.held()) << ::testing::PrintToString(r.examples);
  EXPECT_EQ(r.checked, 5u);
}

TEST(ChaosChecker, DivergentOrLaggingReplicasAreViolations) {
  History h;
  h.digests = {{"coord-1", 120, "bb"}, {"coord-2", 120, "cc"}, {"coord-3", 110, "aa"}};
  const InvariantResult r = Get(Check(h), "replicas-agree");
  EXPECT_THAT(r.examples, ElementsAre("applied index 120: digests differ: bb (coord-1) vs cc (coord-2)",
                                      "replica coord-3 lagged: reached applied index 110 of 120"));
}

// ---- the verdict -------------------------------------------------------------

TEST(ChaosChecker, EveryInvariantIsReportedInOrder) {
  const CheckResult result = Check(History{});
  std::vector<std::string> names;
  for (const auto& r : result.invariants) names.push_back(r.name);
  EXPECT_THAT(names, ElementsAre("submissions", "attempt-exclusivity", "runs-known", "terminal-stable",
                                 "expected-outcome", "node-clean", "capacity", "no-crashes", "replicas-agree"));
  EXPECT_TRUE(Ok(result));                                 // nothing to check is no violation...
  EXPECT_THAT(FormatTable(result), HasSubstr("no data"));  // ...but the table says so
}

TEST(ChaosChecker, TableShowsCountsVerdictsAndExamples) {
  History h;
  Submit(h, "c1", 10, "a", OpKind::kOk, "j-a");
  h.final_jobs = {MakeFinal("a", "j-a", protocol::JobStatus::kSucceeded)};
  h.crashes = {{.process = "coord-1", .exit_status = -9, .expected = true}};
  std::string table = FormatTable(Check(h));
  EXPECT_TRUE(Ok(Check(h)));
  EXPECT_THAT(table, HasSubstr("submissions                 1           0  held\n"));
  EXPECT_THAT(table, HasSubstr("no-crashes                  1           0  held      killed by the nemesis=1\n"));
  EXPECT_THAT(table, Not(HasSubstr("examples:")));
  EXPECT_THAT(table, HasSubstr("verdict: every invariant held"));

  h.probes = {{.node = "n1", .mounts = {"/m1", "/m2"}}};
  const CheckResult bad = Check(h, CheckOptions{.max_examples = 1});
  EXPECT_FALSE(Ok(bad));
  table = FormatTable(bad);
  EXPECT_THAT(table, HasSubstr("node-clean                  1           2  VIOLATED\n"));
  EXPECT_THAT(table, HasSubstr("examples:\n  node-clean: node n1: mount \"/m1\" left\n  node-clean: ... and 1 more\n"));
  EXPECT_THAT(table, HasSubstr("verdict: VIOLATED"));
}

}  // namespace
}  // namespace gantry::chaos
