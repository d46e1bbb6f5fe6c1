// gantry-chaos-check as the harness runs it: a history file in, the table
// out, and the exit status as the verdict.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/chaos/checker_test_util.h"

namespace gantry::chaos {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): the history factories
using ::testing::HasSubstr;

struct Outcome {
  int exit_code = -1;
  std::string out;
};

// Runs the CLI on a file holding `text`; stdout and stderr together.
Outcome RunCheck(const std::string& text) {
  char path[] = "/tmp/chaos-history-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  const std::string command = std::string(GANTRY_CHAOS_CHECK_BINARY) + " " + path + " 2>&1";
  Outcome o;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  char buf[4096];
  size_t n = 0;
  while (pipe && (n = fread(buf, 1, sizeof buf, pipe)) > 0) o.out.append(buf, n);
  const int status = pipe ? pclose(pipe) : -1;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  unlink(path);
  return o;
}

History Acked(protocol::JobStatus final_status) {
  History h;
  Submit(h, "c1", 10, "a", OpKind::kOk, "j-a", Expect::kSucceed);
  h.final_jobs = {MakeFinal("a", "j-a", final_status)};
  return h;
}

TEST(ChaosCheckCli, ExitsZeroWhenEveryInvariantHeld) {
  const Outcome o = RunCheck(FormatHistory(Acked(protocol::JobStatus::kSucceeded)));
  EXPECT_EQ(o.exit_code, 0) << o.out;
  EXPECT_THAT(o.out, HasSubstr("verdict: every invariant held"));
}

TEST(ChaosCheckCli, ExitsOneOnAViolation) {
  const Outcome o = RunCheck(FormatHistory(Acked(protocol::JobStatus::kFailed)));
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_THAT(o.out, HasSubstr("expected-outcome: job j-a (token a, expect succeed) ended FAILED"));
}

TEST(ChaosCheckCli, ExitsTwoOnAMalformedHistory) {
  const Outcome o = RunCheck(FormatHistory(Acked(protocol::JobStatus::kSucceeded)) + "{\"type\":\"run\"}\n");
  EXPECT_EQ(o.exit_code, 2) << o.out;
  EXPECT_THAT(o.out, HasSubstr(": line 4: run: missing member \"t_ms\""));
}

}  // namespace
}  // namespace gantry::chaos
