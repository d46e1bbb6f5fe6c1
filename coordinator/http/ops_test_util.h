// Test helpers for the operations: a FakeBackend behind an
// OperationContext, operations run by their path name, and ARNs of a fixed
// scheme. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "coordinator/http/fake_backend.h"
#include "coordinator/http/operations.h"

namespace gantry::coordinator::http {

inline protocol::ArnScheme TestArnsForTesting() { return protocol::ArnScheme{"aws", "us-west-2", "123456789012"}; }

// "arn:aws:batch:us-west-2:123456789012:" + `rest`.
inline std::string TestArn(std::string_view rest) {
  return "arn:aws:batch:us-west-2:123456789012:" + std::string(rest);
}

// A request body as the server gets it: parsed from JSON text.
inline nlohmann::json Body(std::string_view text) { return nlohmann::json::parse(text); }

class OpsTest : public ::testing::Test {
 protected:
  // Runs the operation POST /v1/<name> would run.
  Result<nlohmann::json> Run(std::string_view name, const nlohmann::json& body) {
    OperationFn op = FindOperation(name);
    if (op == nullptr) return Status::Internal("no operation " + std::string(name));
    return op(body, ctx);
  }

  // The last request of type Req the backend got (fails the test if none).
  template <class Req>
  const Req& Sent() {
    const auto& last = backend.slot<Req>().last;
    EXPECT_TRUE(last.has_value()) << "no request was sent";
    static const Req kNone{};
    return last ? *last : kNone;
  }
  template <class Req>
  int Calls() {
    return backend.slot<Req>().calls;
  }
  // The canned reply to requests of type Req.
  template <class Req>
  typename client::ReplyOf<Req>::type& ReplyTo() {
    return backend.slot<Req>().reply;
  }

  FakeBackend backend;
  OperationContext ctx{&backend, TestArnsForTesting(), std::string("alice")};
};

// kInvalidArgument whose message contains `text`.
inline void ExpectInvalid(const Result<nlohmann::json>& r, std::string_view text) {
  ASSERT_FALSE(r.ok()) << "expected an error containing: " << text;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().message();
}

}  // namespace gantry::coordinator::http
