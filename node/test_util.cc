#include "node/test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "node/sandbox_fs.h"

namespace gantry::node::testutil {

Logger TestLogger(const std::string& name) {
  return std::getenv("GANTRY_TEST_LOG") != nullptr ? MakeLogger(name) : NullLogger(name);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/gantry-agent-test-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() { RemoveTree(path_).IgnoreError(); }

bool RunLoopUntil(uv_loop_t* loop, const std::function<bool()>& done, uint64_t timeout_ms,
                  uint64_t poll_ms) {
  bool timed_out = false;
  uv_timer_t watchdog;
  uv_timer_init(loop, &watchdog);
  watchdog.data = &timed_out;
  uv_timer_start(
      &watchdog, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, timeout_ms, 0);
  uv_timer_t poll;
  uv_timer_init(loop, &poll);
  if (poll_ms > 0)
    uv_timer_start(
        &poll, [](uv_timer_t*) {}, poll_ms, poll_ms);
  while (!done() && !timed_out) uv_run(loop, UV_RUN_ONCE);
  bool ok = done();
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll), nullptr);
  uv_run(loop, UV_RUN_NOWAIT);  // runs the close callbacks
  if (!ok) ADD_FAILURE() << "event did not arrive within " << timeout_ms << " ms";
  return ok;
}

bool WaitUntil(const std::function<bool()>& done, uint64_t timeout_ms, uint64_t poll_ms) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  bool ok = RunLoopUntil(&loop, done, timeout_ms, poll_ms);
  CloseLoop(&loop);
  return ok;
}

void CloseLoop(uv_loop_t* loop) {
  uv_walk(
      loop,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(loop), 0);
}

std::string ReadFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFile(const std::filesystem::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::trunc);
  out << content;
}

}  // namespace gantry::node::testutil
