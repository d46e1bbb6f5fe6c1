#include "node/sandbox_exec_command.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace gantry {
namespace {

struct SandboxExecFlags {
  node::SandboxExecSpec spec;
  std::string user;
};

CLI::App* AddFlags(CLI::App& app, SandboxExecFlags& flags) {
  CLI::App* cmd = app.add_subcommand(
      "sandbox-exec",
      "Internal, spawned by the agent for each attempt: join cgroups, isolate, exec the job");
  cmd->add_option("--cgroup-procs", flags.spec.cgroup_procs,
                  "Write this process's pid to FILE first (repeatable)")
      ->allow_extra_args(false);  // one FILE each: a following "--" must still end the flags
  cmd->add_flag("--pid-namespace", flags.spec.pid_namespace,
                "Run the job in a new pid namespace under a minimal init");
  cmd->add_option("--private-tmp", flags.spec.private_tmp,
                  "Bind-mount DIR (created if missing) on /tmp in a new mount namespace");
  cmd->add_option("--scratch", flags.spec.scratch,
                  "The attempt's scratch: in the mount namespace, detach every other mount "
                  "below its parent directory");
  cmd->add_option("--user", flags.user, "Run the job as UID:GID");
  cmd->add_option("command", flags.spec.argv, "The job's argv, after --")->required();
  return cmd;
}

Result<node::SandboxExecSpec> Finish(SandboxExecFlags& flags) {
  if (!flags.user.empty()) {
    Result<node::UserIds> ids = node::ParseUserIds(flags.user);
    if (!ids.ok()) return ids.status().WithContext("--user");
    flags.spec.user = *ids;
  }
  return std::move(flags.spec);
}

}  // namespace

void AddSandboxExecCommand(CLI::App& app) {
  auto flags = std::make_shared<SandboxExecFlags>();
  CLI::App* cmd = AddFlags(app, *flags);
  cmd->group("");  // internal: not listed in gantry --help
  cmd->callback([flags] {
    Result<node::SandboxExecSpec> spec = Finish(*flags);
    if (!spec.ok()) {
      std::fprintf(stderr, "gantry sandbox-exec: %s\n", spec.status().message().c_str());
      throw CLI::RuntimeError(node::kSandboxExecSetupFailed);
    }
    node::RunSandboxExec(*spec);
  });
}

Result<node::SandboxExecSpec> ParseSandboxExecArgs(std::vector<std::string> args) {
  CLI::App app;
  SandboxExecFlags flags;
  AddFlags(app, flags);
  args.insert(args.begin(), "sandbox-exec");
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return Status::InvalidArgument(e.what());
  }
  return Finish(flags);
}

}  // namespace gantry
