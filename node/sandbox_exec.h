// `gantry sandbox-exec`: the process the executor spawns for an attempt when
// it has cgroups to join or isolation to set up, which then becomes (or
// starts) the job.
//
//   gantry sandbox-exec [--cgroup-procs FILE]... [--pid-namespace]
//                       [--private-tmp DIR] [--scratch DIR] [--user UID:GID]
//                       -- ARGV...
//
// In order: join each cgroup (write our pid to FILE); with --private-tmp or
// --pid-namespace, a mount namespace of our own, every mount in it a slave
// (rslave: nothing done in it reaches the host; where the host's mounts are
// shared, the host's unmounts reach it); with --scratch, every mount below
// the scratch's parent directory but the scratch itself (the scratch
// filesystems of other attempts) detached from it, since a namespace holding
// a copy of a mount keeps that filesystem and its loop device busy; with
// --private-tmp, DIR (created if missing, mode 1777, owned by the user)
// bind-mounted on /tmp. Without --pid-namespace the process then drops to
// the user and execs ARGV: it is the job.
//
// With --pid-namespace, three processes:
//
//   outer (executor's child, pid P,   init (pid 1 of a new namespace)   job (pid 2)
//   leader of process group P)        mounts a fresh /proc              own process group
//     ── TERM INT HUP QUIT USR1 ─────>  ── kill(-1, sig) ─────────────>  ...and every
//        USR2, as SIGRTMIN + number     reaps every zombie                other process
//     <── job's wait status (pipe) ───  exits when the job's main          of the namespace
//     exits the same way                process exits: the kernel
//     (re-raises the signal)            SIGKILLs what is left
//
// The init stays in group P, so the executor's kill(-P, SIGKILL) reaches it
// (and its death kills the namespace) and, as a subreaper, the executor
// reaps it if the outer dies first; PR_SET_PDEATHSIG kills it when the outer
// dies anyway. The job leaves group P so that a kill(-P, SIGTERM) reaches it
// exactly once, through the forwarding. The init forwards only what the
// outer queues as SIGRTMIN carrying the signal's number; its own copy of a
// group signal it discards (PID 1 without a handler).
//
// The job starts with every signal at its default disposition and none
// blocked (the gantry binary ignores SIGPIPE). Failures before exec print
// "gantry sandbox-exec: cannot ..." on stderr and exit 125; an ARGV that
// cannot be executed exits 127 (not found) or 126 (other errors), as a shell
// would.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"

namespace gantry::node {

inline constexpr int kSandboxExecSetupFailed = 125;
// Under each attempt's scratch: what the job sees as /tmp with --private-tmp.
inline constexpr std::string_view kPrivateTmpDirName = ".tmp";

struct UserIds {
  uint32_t uid = 0;
  uint32_t gid = 0;
  bool operator==(const UserIds&) const = default;
};

// What the executor applies to every attempt (all off: none).
struct IsolationOptions {
  bool pid_namespace = false;
  bool private_tmp = false;     // a mount namespace with <scratch>/.tmp as /tmp
  std::optional<UserIds> user;  // run the job as this user; none: the agent's
  bool any() const { return pid_namespace || private_tmp || user.has_value(); }
};

// One invocation of `gantry sandbox-exec`.
struct SandboxExecSpec {
  std::vector<std::string> cgroup_procs;  // cgroup.procs files to join
  bool pid_namespace = false;
  std::string private_tmp;  // empty: /tmp is the host's
  std::string scratch;      // the attempt's scratch; empty: no mount detached
  std::optional<UserIds> user;
  std::vector<std::string> argv;  // the job; argv[0] looked up in PATH
  bool operator==(const SandboxExecSpec&) const = default;
};

// The argv that runs `spec` through `gantry_binary` (as argv[0]). Pure.
std::vector<std::string> SandboxExecArgv(std::string_view gantry_binary,
                                         const SandboxExecSpec& spec);

// "UID:GID", both decimal. kInvalidArgument otherwise. Pure.
Result<UserIds> ParseUserIds(std::string_view text);
std::string FormatUserIds(const UserIds& ids);

// Carries out `spec` in the calling process. Never returns: it execs the job
// or ends the process with the job's exit status (see the file comment).
// Precondition: single-threaded (it forks and changes namespaces).
[[noreturn]] void RunSandboxExec(const SandboxExecSpec& spec);

}  // namespace gantry::node
