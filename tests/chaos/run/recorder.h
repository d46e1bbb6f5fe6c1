// Recorder: appends history records (history.h) to the run's file as they
// happen, from any thread, each line flushed at once so an interrupted run
// still leaves what it saw. Times are epoch milliseconds.
#pragma once

#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>

#include "tests/chaos/history.h"

namespace gantry::chaos {

int64_t NowMs();

class Recorder {
 public:
  explicit Recorder(const std::string& path) : out_(path, std::ios::trunc) {}
  bool ok() const { return out_.good(); }

  template <class R>
  void Write(const R& record) {
    std::string line = ToJsonLine(record);
    std::lock_guard<std::mutex> lock(mu_);
    out_ << line << '\n';
    out_.flush();
  }

 private:
  std::mutex mu_;
  std::ofstream out_;
};

}  // namespace gantry::chaos
