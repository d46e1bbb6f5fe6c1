// libFuzzer target: an HTTP request to the AWS Batch API, through
// coordinator::http::AwsApi::Handle() over a FakeBackend (no auth, rate
// limit off, a fixed clock) whose canned replies are the protocol fixtures:
// jobs with attempts, queues, compute environment views, definitions, a
// scheduling policy, tags.
//
// Input: byte 0 picks the method (bits 0-1: POST, GET, DELETE, PUT) and
// whether an amz-sdk-invocation-id header is sent (bit 2); byte 1 the
// backend (value % 8 in 1-6: every call fails with that StatusCode, bit 3:
// with a message that is not UTF-8; else it answers); byte 2 the route
// (value % 24: 0-20 "/v1/<operation>" in OperationNames() order, 21
// "/v1/tags/", 22 "/v1/", 23 nothing). The text up to the first '\n' is
// appended to the route, the rest is the body.
//
// Invariants (each broken one aborts, see fuzz_check.h):
//   - status is 200, 400, 403, 404, 429, 500 or 503; with no authenticator
//     and no rate limit never 403 or 429;
//   - request_id is a 36-character UUID;
//   - a 200 has no error_type and a body that is a JSON object;
//   - any other has an error_type and a body that is a JSON object with
//     "__type" equal to it and a non-empty string "message";
//   - a 404 reaches no backend; a 500 or 503 only comes from a failing
//     backend; an error of a backend that was called comes back as the
//     header of aws_api.h maps it, with its message unchanged.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/http/aws_api.h"
#include "coordinator/http/fake_backend.h"
#include "coordinator/http/operations.h"
#include "protocol/test_fixtures.h"
#include "tests/fuzz/fuzz_check.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
namespace fx = protocol::fixtures;

constexpr int64_t kNowMs = 1'767'322'000'000;
constexpr const char* kMethods[] = {"POST", "GET", "DELETE", "PUT"};

ApiOptions Options() {
  ApiOptions o;  // the default ARN scheme
  o.authenticate = nullptr;
  o.rate_per_second = 0;
  return o;
}

struct Harness {
  FakeBackend backend;
  AwsApi api{Options(), &backend, [] { return kNowMs; }};
  std::vector<std::string> operations = OperationNames();

  Harness() {
    using namespace protocol;  // NOLINT(google-build-using-namespace)
    backend.slot<CreateComputeEnvironmentRequest>().reply = fx::MakeCreateComputeEnvironmentReply();
    backend.slot<CreateJobQueueRequest>().reply = fx::MakeCreateJobQueueReply();
    backend.slot<RegisterJobDefinitionRequest>().reply = fx::MakeRegisterJobDefinitionReply();
    backend.slot<SubmitJobRequest>().reply = fx::MakeSubmitJobReply();
    backend.slot<DescribeJobsRequest>().reply = fx::MakeDescribeJobsReply();
    backend.slot<ListJobsRequest>().reply = fx::MakeListJobsReply();
    backend.slot<DescribeJobQueuesRequest>().reply = fx::MakeDescribeJobQueuesReply();
    backend.slot<DescribeComputeEnvironmentsRequest>().reply = fx::MakeDescribeComputeEnvironmentsReply();
    backend.slot<DescribeJobDefinitionsRequest>().reply = fx::MakeDescribeJobDefinitionsReply();
    backend.slot<DescribeSchedulingPoliciesRequest>().reply = fx::MakeDescribeSchedulingPoliciesReply();
    backend.slot<ListTagsForResourceRequest>().reply = fx::MakeListTagsForResourceReply();
  }

  // Backend calls since the last TakeCalls() (the counters restart, so a long run
  // cannot overflow them).
  int TakeCalls() {
    int calls = 0;
#define GANTRY_FUZZ_TAKE_CALLS_(Req)                     \
  calls += backend.slot<protocol::Req>().calls;          \
  backend.slot<protocol::Req>().calls = 0;
    GANTRY_HTTP_BACKEND_REQUESTS(GANTRY_FUZZ_TAKE_CALLS_)
#undef GANTRY_FUZZ_TAKE_CALLS_
    return calls;
  }
};

Harness& TheHarness() {
  static Harness h;
  return h;
}

// How aws_api.h says a backend error reaches the client.
std::pair<int, std::string> Expected(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kConflict: return {400, "ClientException"};
    case StatusCode::kUnavailable: return {503, "ServerException"};
    default: return {500, "ServerException"};
  }
}

void CheckRequestId(const std::string& id) {
  fuzz::Check(id.size() == 36, "request_id is not 36 characters");
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = id[i];
    fuzz::Check(dash ? c == '-' : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')), "request_id is not a UUID");
  }
}

void Run(const uint8_t* data, size_t size) {
  if (size < 3) return;
  Harness& h = TheHarness();
  const uint8_t flags = data[0];
  const uint8_t backend_byte = data[1];
  const uint8_t route = data[2];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
  const size_t nl = rest.find('\n');

  ApiRequest req;
  req.method = kMethods[flags & 3];
  if (flags & 4) req.headers = {{"amz-sdk-invocation-id", "7d1e1c53-1c6e-4d0e-9bd7-3c2b1a6c0f11"}};
  const size_t n_ops = h.operations.size();
  const size_t r = route % (n_ops + 3);
  if (r < n_ops) {
    req.target = "/v1/" + h.operations[r];
  } else if (r == n_ops) {
    req.target = "/v1/tags/";
  } else if (r == n_ops + 1) {
    req.target = "/v1/";
  }
  req.target += rest.substr(0, nl);
  if (nl != std::string_view::npos) req.body = std::string(rest.substr(nl + 1));

  const uint8_t code_byte = backend_byte % 8;
  const bool fails = code_byte >= 1 && code_byte <= static_cast<uint8_t>(StatusCode::kInternal);
  const auto code = static_cast<StatusCode>(code_byte);
  const bool utf8_message = (backend_byte & 8) == 0;
  h.backend.fail.reset();
  if (fails) h.backend.fail = Status(code, utf8_message ? "job queue h\xc3\xa9l\xc3\xa8ne not found" : "bad \xff\xfe name");
  h.TakeCalls();

  const ApiResponse resp = h.api.Handle(req);
  const int calls = h.TakeCalls();

  const int s = resp.status;
  fuzz::Check(s == 200 || s == 400 || s == 403 || s == 404 || s == 429 || s == 500 || s == 503,
              "status is not one AwsApi answers");
  fuzz::Check(s != 403, "403 without an authenticator");
  fuzz::Check(s != 429, "429 with the rate limit off");
  CheckRequestId(resp.request_id);

  const json body = json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  fuzz::Check(!body.is_discarded(), "the response body is not valid JSON");
  fuzz::Check(body.is_object(), "the response body is not a JSON object");
  if (s == 200) {
    fuzz::Check(resp.error_type.empty(), "a 200 has an error_type");
    return;
  }
  fuzz::Check(!resp.error_type.empty(), "an error has no error_type");
  const auto type = body.find("__type");
  fuzz::Check(type != body.end() && type->is_string() && type->get<std::string>() == resp.error_type,
              "__type is not the error_type");
  const auto message = body.find("message");
  fuzz::Check(message != body.end() && message->is_string(), "an error has no string message");
  fuzz::Check(!message->get<std::string>().empty(), "an error has an empty message");

  if (s == 404) fuzz::Check(calls == 0, "a 404 reached the backend");
  if (s == 500 || s == 503) fuzz::Check(fails && calls > 0, "a 500 or 503 without a backend failure");
  if (fails && calls > 0) {
    const auto [want_status, want_type] = Expected(code);
    fuzz::Check(s == want_status && resp.error_type == want_type, "a backend error maps to another status",
                *h.backend.fail);
    if (utf8_message) {
      fuzz::Check(message->get<std::string>() == h.backend.fail->message(), "a backend error's message changed");
    }
  }
}

}  // namespace
}  // namespace gantry::coordinator::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gantry::coordinator::http::Run(data, size);
  return 0;
}
