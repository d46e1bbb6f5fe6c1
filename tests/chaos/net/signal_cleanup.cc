#include "tests/chaos/net/signal_cleanup.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace gantry::chaos::net {
namespace {

struct Registry {
  std::mutex mu;
  std::map<int, std::function<void()>> cleanups;
  int next_token = 1;
  bool installed = false;
};

// Leaked on purpose: the watcher thread may still use it while static
// destructors run at exit.
Registry& R() {
  static Registry* r = new Registry;
  return *r;
}

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

std::vector<std::function<void()>> Snapshot() {
  std::lock_guard<std::mutex> lock(R().mu);
  std::vector<std::function<void()>> fns;
  for (auto& [token, fn] : R().cleanups) fns.push_back(fn);
  return fns;
}

void Watch(sigset_t set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  // Run outside the registry lock: a cleanup (Topology::Destroy) removes
  // itself from the registry.
  for (auto& fn : Snapshot()) fn();
  ::signal(sig, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  ::pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  ::raise(sig);
  // Not reached for the default actions of these signals.
  ::_exit(128 + sig);
}

}  // namespace

Status SignalCleanup::Install() {
  std::lock_guard<std::mutex> lock(R().mu);
  if (R().installed) return Status::Ok();
  sigset_t set = WatchedSignals();
  int rc = ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (rc != 0) return Status::Internal(std::string("pthread_sigmask: ") + std::strerror(rc));
  try {
    std::thread(Watch, set).detach();
  } catch (const std::system_error& e) {
    return Status::Internal(std::string("start signal watcher: ") + e.what());
  }
  R().installed = true;
  return Status::Ok();
}

int SignalCleanup::Add(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(R().mu);
  int token = R().next_token++;
  R().cleanups.emplace(token, std::move(fn));
  return token;
}

void SignalCleanup::Remove(int token) {
  std::lock_guard<std::mutex> lock(R().mu);
  R().cleanups.erase(token);
}

int SignalCleanup::RunAllForTesting() {
  auto fns = Snapshot();
  for (auto& fn : fns) fn();
  return static_cast<int>(fns.size());
}

}  // namespace gantry::chaos::net
