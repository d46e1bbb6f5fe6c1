// AwsApi: one HTTP request of AWS Batch's rest-json protocol in, one
// response out, with no sockets involved (the HTTP server in
// http_server.h feeds it), so routing, auth, throttling and the error
// encoding botocore needs are all tested as plain calls.
//
//   POST   /v1/<operation>            the 21 operations, JSON body
//   POST   /v1/tags/<resourceArn>     TagResource (ARN percent-encoded)
//   GET    /v1/tags/<resourceArn>     ListTagsForResource
//   DELETE /v1/tags/<resourceArn>?tagKeys=a&tagKeys=b   UntagResource
//
// Order of checks: the path (404 UnknownOperationException outside /v1/),
// authentication (403 with AWS's code), throttling (429
// TooManyRequestsException), the body (400 ClientException unless a JSON
// object), then the operation: one this server lacks (a newer SDK's) is a
// 400 ClientException naming it, which every SDK can catch; a known one
// with the wrong method is a 404 UnknownOperationException. Errors from the operation map as:
//   kInvalidArgument, kNotFound, kConflict  400 ClientException
//   kUnavailable (no leader)                503 ServerException, retried by SDKs
//   anything else                           500 ServerException
// Every response carries x-amzn-RequestId; errors carry x-amzn-ErrorType
// and {"__type": type, "message": ...}, which every AWS SDK reads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coordinator/http/backend.h"
#include "coordinator/http/rate_limiter.h"
#include "protocol/arn.h"

namespace gantry::coordinator::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ApiRequest {
  std::string method;  // "POST", "GET", "DELETE", ...
  std::string target;  // the request-target as received: path?query, still percent-encoded
  HeaderList headers;  // names in any case
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string error_type;  // empty on success
  std::string body;        // JSON
  std::string request_id;
};

// Who sent a request, or why they may not.
struct AuthOutcome {
  std::optional<std::string> caller;  // the access key's name; absent: anonymous (auth off)
  std::string error_code;             // e.g. "InvalidSignatureException"; empty: admitted
  std::string message;
  bool ok() const { return error_code.empty(); }
};
// Checks a request's signature; `now_ms` is the server's wall clock.
using Authenticator = std::function<AuthOutcome(const ApiRequest& req, int64_t now_ms)>;

struct ApiOptions {
  protocol::ArnScheme arns;
  Authenticator authenticate;  // empty: no auth (`gantry dev`)
  double rate_per_second = 0;  // per caller; 0: unlimited
  double rate_burst = 100;
};

class AwsApi {
 public:
  // `backend` and `now_ms` outlive the AwsApi. Thread-safe if the backend is.
  AwsApi(ApiOptions options, Backend* backend, std::function<int64_t()> now_ms);

  ApiResponse Handle(const ApiRequest& req);

 private:
  ApiResponse Dispatch(const ApiRequest& req, std::string_view path, std::string_view query,
                       const AuthOutcome& auth);

  ApiOptions options_;
  Backend* backend_;
  std::function<int64_t()> now_ms_;
  RateLimiter limiter_;
};

// "%3A" -> ":"; kInvalidArgument on a bad escape. '+' stays '+' (AWS
// encodes spaces as %20).
Result<std::string> PercentDecode(std::string_view s);

// The values of `key` in a query string, decoded, in order.
Result<std::vector<std::string>> QueryValues(std::string_view query, std::string_view key);

// A fresh request id in UUID form.
std::string NewRequestId();

}  // namespace gantry::coordinator::http
