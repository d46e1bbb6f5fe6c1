// RateLimiter: a token bucket per caller, so one script in a loop cannot
// starve the others. AWS Batch allows 50 SubmitJob calls a second per
// account and answers more with 429 TooManyRequestsException, which every
// SDK retries with backoff; gantry does the same, with the rate a flag.
//
// Thread-safe. Time is passed in (epoch or monotonic milliseconds, as long
// as it is one clock), so tests need no sleeps.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace gantry::coordinator::http {

class RateLimiter {
 public:
  // `per_second` requests a second on average, up to `burst` at once.
  // per_second == 0 turns limiting off.
  RateLimiter(double per_second, double burst);

  // True if `caller` may make a request at `now_ms`; takes one token.
  bool Admit(std::string_view caller, int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
  };
  const double per_second_;
  const double burst_;
  std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace gantry::coordinator::http
