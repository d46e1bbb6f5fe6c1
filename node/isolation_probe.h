// Which process isolation the agent gives its attempts, settled once at
// start: a pid namespace (killing an attempt kills every descendant), a
// mount namespace with a private /tmp, and running as a configured user.
//
// The namespaces are probed by doing what `gantry sandbox-exec` does in a
// throwaway child; with --isolation auto the agent uses what worked and
// says why not the rest. A configured user is not optional: if the agent
// cannot switch to it, it must not start (jobs would run with its own
// privileges instead).
//
// Parse* and Describe* are pure; Probe* and ResolveRunAsUser fork or read
// the user database and run once at start-up. Thread-compatible; the probes
// fork, so call them before starting threads.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "node/sandbox_exec.h"

namespace gantry::node {

enum class IsolationMode : uint8_t { kAuto, kNone };

// "auto" or "none"; kInvalidArgument naming --isolation otherwise.
Result<IsolationMode> ParseIsolationMode(std::string_view text);

struct RunAsUser {
  UserIds ids;
  std::string name;  // the user name, or "UID:GID" as given
};

// "NAME" (its uid and primary gid, from getpwnam_r) or "UID:GID". uid 0 is
// accepted: it changes nothing for an agent running as root. kInvalidArgument
// naming --run-as-user for an unknown name or a malformed spec.
Result<RunAsUser> ResolveRunAsUser(std::string_view spec);

struct IsolationChoice {
  IsolationOptions use;
  std::string user_name;  // with use.user
  // One entry per isolation not used, "pid-namespace: <why>".
  std::vector<std::string> not_used;
};

// For the agent's start line: "pid-namespace,private-tmp" or "none".
std::string DescribeIsolationUsed(const IsolationChoice& choice);

// The namespaces `mode` allows on this kernel: kNone uses none; kAuto forks a
// child that tries unshare(CLONE_NEWNS), making / private, a bind mount on
// /tmp, unshare(CLONE_NEWPID) and mounting /proc there, and uses what
// worked. A private /tmp is also refused when `data_dir` (absolute) lies
// under /tmp, because it would hide the job's own scratch. Never fails:
// whatever cannot be used is in not_used. use.user stays empty.
IsolationChoice ProbeIsolation(IsolationMode mode, const std::filesystem::path& data_dir);

// What the agent spawns attempts through: its own running image, whatever
// has happened to the file since it started.
inline constexpr std::string_view kSelfExecutable = "/proc/self/exe";

// readlink(kSelfExecutable). kUnavailable when it cannot be read (no /proc).
Result<std::string> ResolveSelfExecutable();

// Forks a child that drops to `user` (setgroups, setgid, setuid) as
// sandbox-exec would. kInvalidArgument naming --run-as-user and the error
// (an agent not running as root gets EPERM) when it cannot.
Status ProbeRunAsUser(const RunAsUser& user);

}  // namespace gantry::node
