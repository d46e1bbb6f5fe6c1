// AttemptLogPipe: the pipe an attempt's stdout and stderr write into, read
// on the agent's libuv loop and appended to the attempt's log
// (AttemptLogWriter: cap, rotation, stream offsets).
//
// Both of the child's descriptors are the one write end, so the two streams
// interleave in write order, as with 2>&1. The end of an attempt does not
// wait for EOF: a process that escaped the kill may hold the write end
// forever. Once the attempt's processes are gone the executor calls
// DrainAndClose, which takes what is readable now and closes the pipe.
//
//   Open ──> reading (each chunk appended as it arrives; EOF stops reading)
//        ──DrainAndClose──> read what is buffered, close the file and the pipe
//        ──handle closed──> done()
//
// Not thread-safe: every call, and every callback, is on the loop thread.
#pragma once

#include <uv.h>

#include <array>
#include <functional>
#include <memory>
#include <string>

#include "common/logging.h"
#include "gantry/status.h"
#include "node/attempt_log.h"

namespace gantry::node {

class AttemptLogPipe {
 public:
  // Creates the pipe and starts reading it into `writer`. `loop` must
  // outlive the pipe; `log` gets a warning when the log cannot be written.
  // kUnavailable if the pipe cannot be made or watched.
  static Result<std::unique_ptr<AttemptLogPipe>> Open(uv_loop_t* loop, Logger log,
                                                      std::string attempt_id,
                                                      std::unique_ptr<AttemptLogWriter> writer);
  // Precondition: DrainAndClose's `done` has run.
  ~AttemptLogPipe();
  AttemptLogPipe(const AttemptLogPipe&) = delete;
  AttemptLogPipe& operator=(const AttemptLogPipe&) = delete;

  // The write end, for the child's stdout and stderr (close-on-exec; spawning
  // dups it). The caller owns it and closes it once the child has it. -1
  // after the first call.
  int TakeChildFd();

  // Appends what is readable now (at most kMaxDrainBytes, so a writer that
  // never stops cannot hold us), closes the log file and the pipe, then runs
  // `done` on the loop thread. Call once.
  void DrainAndClose(std::function<void()> done);

  // True until DrainAndClose: more output may still arrive.
  bool open() const { return !closing_; }
  const LogWindow& window() const { return writer_->window(); }

  static constexpr size_t kMaxDrainBytes = 4 << 20;

 private:
  AttemptLogPipe(Logger log, std::string attempt_id, std::unique_ptr<AttemptLogWriter> writer);
  void OnRead(ssize_t nread);
  void Append(std::string_view data);

  Logger log_;
  std::string attempt_id_;
  std::unique_ptr<AttemptLogWriter> writer_;
  uv_pipe_t pipe_{};
  int child_fd_ = -1;
  bool closing_ = false;
  bool closed_ = false;
  std::function<void()> done_;
  std::array<char, 64 * 1024> buf_{};
};

}  // namespace gantry::node
