#include "node/attempt_log_pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gantry/check.h"

namespace gantry::node {

AttemptLogPipe::AttemptLogPipe(Logger log, std::string attempt_id,
                               std::unique_ptr<AttemptLogWriter> writer)
    : log_(std::move(log)), attempt_id_(std::move(attempt_id)), writer_(std::move(writer)) {}

AttemptLogPipe::~AttemptLogPipe() {
  GANTRY_CHECK_MSG(closed_, "attempt log pipe destroyed while open");
  if (child_fd_ >= 0) ::close(child_fd_);
}

Result<std::unique_ptr<AttemptLogPipe>> AttemptLogPipe::Open(
    uv_loop_t* loop, Logger log, std::string attempt_id, std::unique_ptr<AttemptLogWriter> writer) {
  // Close-on-exec on both ends: only the attempt's own child may keep the
  // write end (uv_spawn dups it onto 1 and 2), never another attempt's.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Unavailable(std::string("pipe: ") + std::strerror(errno));
  }
  std::unique_ptr<AttemptLogPipe> p(
      new AttemptLogPipe(std::move(log), std::move(attempt_id), std::move(writer)));
  p->child_fd_ = fds[1];
  uv_pipe_init(loop, &p->pipe_, 0);
  p->pipe_.data = p.get();
  int rc = uv_pipe_open(&p->pipe_, fds[0]);  // also makes it non-blocking
  if (rc == 0) {
    rc = uv_read_start(
        reinterpret_cast<uv_stream_t*>(&p->pipe_),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* self = static_cast<AttemptLogPipe*>(h->data);
          *buf = uv_buf_init(self->buf_.data(), static_cast<unsigned>(self->buf_.size()));
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
          static_cast<AttemptLogPipe*>(s->data)->OnRead(nread);
        });
  }
  if (rc != 0) {
    // The handle is initialised and must be closed; the object outlives
    // the close through the callback.
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&p->pipe_), nullptr) != 0) ::close(fds[0]);
    Status error = Status::Unavailable(std::string("watch pipe: ") + uv_strerror(rc));
    AttemptLogPipe* raw = p.release();
    raw->DrainAndClose([raw] { delete raw; });
    return error;
  }
  return p;
}

int AttemptLogPipe::TakeChildFd() {
  int fd = child_fd_;
  child_fd_ = -1;
  return fd;
}

void AttemptLogPipe::OnRead(ssize_t nread) {
  if (nread > 0) {
    Append(std::string_view(buf_.data(), static_cast<size_t>(nread)));
    return;
  }
  if (nread == 0) return;  // EAGAIN
  // EOF: every holder of the write end closed it. Anything else is a broken
  // pipe; either way nothing more can be read.
  if (nread != UV_EOF) {
    log_->warn("attempt output unreadable attempt_id={} error={}", attempt_id_,
               uv_strerror(static_cast<int>(nread)));
  }
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&pipe_));
}

void AttemptLogPipe::Append(std::string_view data) {
  Status s = writer_->Append(data);
  if (!s.ok()) {
    log_->warn("attempt log not written, later output dropped attempt_id={} error={}", attempt_id_,
               s.message());
  }
}

void AttemptLogPipe::DrainAndClose(std::function<void()> done) {
  GANTRY_CHECK_MSG(!closing_, "attempt log pipe closed twice");
  closing_ = true;
  done_ = std::move(done);
  if (child_fd_ >= 0) ::close(child_fd_);
  child_fd_ = -1;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&pipe_));
  uv_os_fd_t fd = -1;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&pipe_), &fd) == 0) {
    size_t drained = 0;
    while (drained < kMaxDrainBytes) {
      ssize_t n = ::read(fd, buf_.data(), buf_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // EAGAIN (nothing buffered), EOF or an error
      Append(std::string_view(buf_.data(), static_cast<size_t>(n)));
      drained += static_cast<size_t>(n);
    }
  }
  writer_->Close();
  uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), [](uv_handle_t* h) {
    auto* self = static_cast<AttemptLogPipe*>(h->data);
    self->closed_ = true;
    std::function<void()> done = std::move(self->done_);
    done();  // may destroy self
  });
}

}  // namespace gantry::node
