// Clock: where gantry code gets the time, so tests can run on a fake one.
//
// Wall time (epoch milliseconds) is only for timestamps shown to users; every
// timeout and TTL runs on the monotonic clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gantry {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() const = 0;        // epoch milliseconds
  virtual int64_t MonotonicMillis() const = 0;  // arbitrary origin
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t MonotonicMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// Starts at `start` and moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start = 1'700'000'000'000) : now_(start) {}
  int64_t NowMillis() const override { return now_.load(); }
  int64_t MonotonicMillis() const override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace gantry
