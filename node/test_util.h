// Helpers shared by the agent's tests: temporary directories and running a
// libuv loop until something happens (no sleeps; a watchdog fails the test).
#pragma once

#include <uv.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "common/logging.h"

namespace gantry::node::testutil {

// MakeLogger(name) when GANTRY_TEST_LOG is set, else a logger that drops all.
Logger TestLogger(const std::string& name);

// A fresh directory under TMPDIR (or /tmp), deleted with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs `loop` until `done()` holds. False (and an ADD_FAILURE) if it does not
// within timeout_ms. `poll_ms` > 0 also wakes the loop that often, for
// conditions no loop event announces (a file appearing).
bool RunLoopUntil(uv_loop_t* loop, const std::function<bool()>& done, uint64_t timeout_ms = 30'000,
                  uint64_t poll_ms = 0);

// Like RunLoopUntil on a private loop that only polls `done` every poll_ms:
// for conditions met by another thread or process.
bool WaitUntil(const std::function<bool()>& done, uint64_t timeout_ms = 30'000,
               uint64_t poll_ms = 5);

// Closes every handle still open on `loop`, runs it dry and closes it.
void CloseLoop(uv_loop_t* loop);

std::string ReadFile(const std::filesystem::path& file);
void WriteFile(const std::filesystem::path& file, const std::string& content);

}  // namespace gantry::node::testutil
