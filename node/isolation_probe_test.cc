#include "node/isolation_probe.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace gantry::node {
namespace {

TEST(ParseIsolationMode, TakesAutoAndNone) {
  EXPECT_EQ(ParseIsolationMode("auto").value(), IsolationMode::kAuto);
  EXPECT_EQ(ParseIsolationMode("none").value(), IsolationMode::kNone);
  Result<IsolationMode> bad = ParseIsolationMode("full");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--isolation"), std::string::npos);
}

TEST(ResolveRunAsUser, TakesANameOrUidColonGid) {
  Result<RunAsUser> root = ResolveRunAsUser("root");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->ids, (UserIds{0, 0}));
  EXPECT_EQ(root->name, "root");
  Result<RunAsUser> ids = ResolveRunAsUser("1234:5678");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->ids, (UserIds{1234, 5678}));  // need not exist in /etc/passwd
  for (const char* bad : {"no-such-user-gantry", "", "12:ab", "12:"}) {
    Result<RunAsUser> r = ResolveRunAsUser(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("--run-as-user"), std::string::npos) << bad;
  }
}

TEST(ProbeIsolation, NoneUsesNothingAndSaysSo) {
  IsolationChoice choice = ProbeIsolation(IsolationMode::kNone, "/var/lib/gantry");
  EXPECT_FALSE(choice.use.any());
  EXPECT_EQ(DescribeIsolationUsed(choice), "none");
  EXPECT_EQ(choice.not_used, (std::vector<std::string>{"pid-namespace: off by --isolation none",
                                                       "private-tmp: off by --isolation none"}));
}

TEST(ProbeIsolation, AutoUsesWhatTheKernelAllowsAndExplainsTheRest) {
  IsolationChoice choice = ProbeIsolation(IsolationMode::kAuto, "/var/lib/gantry");
  EXPECT_FALSE(choice.use.user.has_value());
  // Each namespace is either used or explained, never both.
  EXPECT_EQ(choice.not_used.size(),
            size_t{!choice.use.pid_namespace} + size_t{!choice.use.private_tmp});
  for (const auto& why : choice.not_used) {
    EXPECT_TRUE(why.starts_with("pid-namespace: ") || why.starts_with("private-tmp: ")) << why;
  }
  if (::geteuid() == 0 && choice.use.pid_namespace) {
    EXPECT_EQ(DescribeIsolationUsed(choice), "pid-namespace,private-tmp");
  }
}

TEST(ProbeIsolation, NoPrivateTmpForADataDirUnderTmp) {
  IsolationChoice choice = ProbeIsolation(IsolationMode::kAuto, "/tmp/gantry-data");
  EXPECT_FALSE(choice.use.private_tmp);
  bool explained = false;
  for (const auto& why : choice.not_used) explained |= why.starts_with("private-tmp: ");
  EXPECT_TRUE(explained);
  // "/tmpfoo" is not under /tmp.
  IsolationChoice beside = ProbeIsolation(IsolationMode::kAuto, "/tmpfoo/data");
  IsolationChoice elsewhere = ProbeIsolation(IsolationMode::kAuto, "/var/lib/gantry");
  EXPECT_EQ(beside.use.private_tmp, elsewhere.use.private_tmp);
}

TEST(ProbeRunAsUser, SucceedsAsRootAndFailsOtherwise) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  RunAsUser nobody{UserIds{65534, 65534}, "nobody"};
  EXPECT_TRUE(ProbeRunAsUser(nobody).ok());
  // An unprivileged agent cannot switch: probe from a child that is one.
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setuid(65534) != 0) ::_exit(2);
    Status s = ProbeRunAsUser(RunAsUser{UserIds{1, 1}, "daemon"});
    bool ok = s.code() == StatusCode::kInvalidArgument &&
              s.message().find("--run-as-user: cannot switch to daemon (1:1)") == 0;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(ResolveSelfExecutable, NamesThisBinary) {
  Result<std::string> self = ResolveSelfExecutable();
  ASSERT_TRUE(self.ok()) << self.status().ToString();
  EXPECT_TRUE(self->ends_with("/sandbox_exec_test")) << *self;
}

}  // namespace
}  // namespace gantry::node
