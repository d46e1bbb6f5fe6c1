#include "coordinator/http/rate_limiter.h"

#include <gtest/gtest.h>

namespace gantry::coordinator::http {
namespace {

TEST(RateLimiterTest, AdmitsTheBurstThenRefusesUntilTokensRefill) {
  RateLimiter limiter(/*per_second=*/2, /*burst=*/3);
  EXPECT_TRUE(limiter.Admit("alice", 1000));
  EXPECT_TRUE(limiter.Admit("alice", 1000));
  EXPECT_TRUE(limiter.Admit("alice", 1000));
  EXPECT_FALSE(limiter.Admit("alice", 1000));
  EXPECT_FALSE(limiter.Admit("alice", 1499));  // 0.998 of a token
  EXPECT_TRUE(limiter.Admit("alice", 1500));   // 2/s: one token per 500 ms
  EXPECT_FALSE(limiter.Admit("alice", 1500));
}

TEST(RateLimiterTest, RefillStopsAtTheBurst) {
  RateLimiter limiter(10, 2);
  EXPECT_TRUE(limiter.Admit("a", 0));
  EXPECT_TRUE(limiter.Admit("a", 0));
  // An hour idle refills two tokens, not 36,000.
  EXPECT_TRUE(limiter.Admit("a", 3'600'000));
  EXPECT_TRUE(limiter.Admit("a", 3'600'000));
  EXPECT_FALSE(limiter.Admit("a", 3'600'000));
}

TEST(RateLimiterTest, CallersHaveBucketsOfTheirOwn) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Admit("alice", 0));
  EXPECT_FALSE(limiter.Admit("alice", 0));
  EXPECT_TRUE(limiter.Admit("bob", 0));
  EXPECT_TRUE(limiter.Admit("", 0));  // the anonymous caller
}

TEST(RateLimiterTest, ZeroRateAdmitsEverything) {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Admit("a", 0));
}

TEST(RateLimiterTest, AClockSteppingBackRefillsNothing) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Admit("a", 10'000));
  EXPECT_FALSE(limiter.Admit("a", 5'000));
  EXPECT_FALSE(limiter.Admit("a", 10'500));  // time is measured from 10,000
  EXPECT_TRUE(limiter.Admit("a", 11'000));
}

}  // namespace
}  // namespace gantry::coordinator::http
