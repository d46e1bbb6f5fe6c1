#include "gantry/status.h"

#include <gtest/gtest.h>

namespace gantry {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  GANTRY_ASSIGN_OR_RETURN(int h, Half(x));
  GANTRY_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, ContextIsPrefixed) {
  Status s = Status::NotFound("job x").WithContext("describe");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "describe: job x");
}

TEST(Result, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd: 3");
}

TEST(Result, OkStatusIsNotAValue) {
  Result<int> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(StatusCode, UnknownWireCodeIsInternal) {
  EXPECT_EQ(StatusCodeFromInt(1), StatusCode::kNotFound);
  EXPECT_EQ(StatusCodeFromInt(99), StatusCode::kInternal);
  EXPECT_EQ(StatusCodeFromInt(-1), StatusCode::kInternal);
}

}  // namespace
}  // namespace gantry
