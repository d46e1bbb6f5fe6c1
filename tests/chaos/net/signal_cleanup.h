// Cleanup on SIGINT/SIGTERM/SIGHUP for the chaos harness: a Ctrl-C or a CI
// timeout must not leave namespaces, veths or nft tables behind.
//
// A signal handler may not fork, exec or take locks, and removing a
// topology needs all three. So the signals are not handled asynchronously:
// Install() blocks them and starts a watcher thread that waits for them with
// sigwait(). On a signal the watcher runs every registered cleanup (each
// Topology registers its own Destroy for as long as it exists), then
// restores the default action and re-raises the signal, so the process still
// dies "killed by SIGTERM" as its parent expects.
//
//   main() ──Install()──> signals blocked in main (and in every thread
//                         started later, which inherits the mask)
//   watcher: sigwait ──signal──> run cleanups ──> SIG_DFL, unblock, raise
//
// Rules for the harness:
//  - Call Install() first thing in main(), before any thread starts; a
//    thread started earlier keeps the signals unblocked and may take them,
//    which kills the process without cleanup.
//  - Children must not inherit the blocked mask: reset it between fork and
//    exec (RunCommand and the dev ChildProcesses already do).
//  - SIGKILL, or a crash, runs nothing: call Topology::SweepLeftovers() at
//    the start of every run.
#pragma once

#include <functional>

#include "gantry/status.h"

namespace gantry::chaos::net {

class SignalCleanup {
 public:
  // Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and starts the
  // watcher. Idempotent. kInternal if the thread cannot be started.
  static Status Install();

  // Registers `fn` to run on a signal; returns a token for Remove. `fn` runs
  // on the watcher thread, concurrently with the rest of the program, so it
  // must be thread-safe against the owner's own calls. Thread-safe.
  static int Add(std::function<void()> fn);
  // Unregisters; a no-op for unknown tokens. A cleanup already copied out by
  // the watcher may still run once after Remove returns. Thread-safe.
  static void Remove(int token);

  // Runs (and keeps) every registered cleanup on the calling thread, as the
  // watcher would. Returns how many ran.
  static int RunAllForTesting();
};

}  // namespace gantry::chaos::net
