#include "coordinator/http/rate_limiter.h"

#include <algorithm>

namespace gantry::coordinator::http {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(1.0, burst)) {}

bool RateLimiter::Admit(std::string_view caller, int64_t now_ms) {
  if (per_second_ <= 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(caller);
  if (it == buckets_.end()) {
    // Callers are access keys from the configuration (or the one anonymous
    // caller without auth), so this map stays small.
    it = buckets_.emplace(std::string(caller), Bucket{burst_, now_ms}).first;
  }
  Bucket& b = it->second;
  // A clock that steps back refills nothing rather than draining.
  const int64_t elapsed = std::max<int64_t>(0, now_ms - b.updated_ms);
  b.tokens = std::min(burst_, b.tokens + static_cast<double>(elapsed) * per_second_ / 1000.0);
  b.updated_ms = std::max(b.updated_ms, now_ms);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace gantry::coordinator::http
