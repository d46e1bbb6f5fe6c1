#include "coordinator/http/aws_api.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <random>
#include <type_traits>

#include "coordinator/http/operations.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/v1/";
constexpr std::string_view kTagsPrefix = "/v1/tags/";

ApiResponse Error(int status, std::string type, std::string_view message) {
  ApiResponse r;
  r.status = status;
  r.body = json{{"__type", type}, {"message", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
  r.error_type = std::move(type);
  return r;
}

ApiResponse FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kConflict:
      return Error(400, "ClientException", s.message());
    case StatusCode::kUnavailable:
      return Error(503, "ServerException", s.message());
    default:
      return Error(500, "ServerException", s.message());
  }
}

ApiResponse Ok(const json& body) {
  ApiResponse r;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

std::string_view HeaderValue(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

// A SubmitJob retried by the SDK (after a 503, a timeout, a dropped
// connection) carries the same amz-sdk-invocation-id header on every
// attempt. Used as the submission's client token it makes the retry return
// the first job instead of creating a second one. The token is a digest of
// the caller and the id, so one caller cannot reach another's submissions.
class IdempotentSubmitBackend final : public Backend {
 public:
  IdempotentSubmitBackend(Backend* inner, std::optional<std::string> token)
      : inner_(inner), token_(std::move(token)) {}

#define GANTRY_HTTP_FORWARD_(Req) \
  BackendReply<protocol::Req> Call(const protocol::Req& req) override { return Forward(req); }
  GANTRY_HTTP_BACKEND_REQUESTS(GANTRY_HTTP_FORWARD_)
#undef GANTRY_HTTP_FORWARD_

 private:
  template <class Req>
  BackendReply<Req> Forward(const Req& req) {
    if constexpr (std::is_same_v<Req, protocol::SubmitJobRequest>) {
      if (token_ && !req.clientToken) {
        protocol::SubmitJobRequest with_token = req;
        with_token.clientToken = token_;
        return inner_->Call(with_token);
      }
    }
    return inner_->Call(req);
  }

  Backend* inner_;
  std::optional<std::string> token_;
};

std::optional<std::string> SubmitToken(const ApiRequest& req, const AuthOutcome& auth) {
  std::string_view invocation = HeaderValue(req.headers, "amz-sdk-invocation-id");
  if (invocation.empty() || invocation.size() > 256) return std::nullopt;
  std::string input = auth.caller.value_or("") + "\n" + std::string(invocation);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token = "sdk-";
  for (unsigned int i = 0; i < 16 && i < len; ++i) {
    token += kHex[md[i] >> 4];
    token += kHex[md[i] & 15];
  }
  return token;
}

Result<json> ParseBody(std::string_view body) {
  if (body.empty()) return json::object();  // GET and DELETE carry none
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("the request body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return j;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

namespace {

// POST tags, GET lists them, DELETE removes the query's tagKeys.
Result<json> RunTagOperation(std::string_view method, std::string_view encoded_arn, std::string_view query,
                             const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(std::string arn, PercentDecode(encoded_arn));
  if (method == "POST") return TagResource(arn, body, ctx);
  if (method == "GET") return ListTagsForResource(arn, ctx);
  GANTRY_ASSIGN_OR_RETURN(std::vector<std::string> keys, QueryValues(query, "tagKeys"));
  return UntagResource(arn, keys, ctx);
}

}  // namespace

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("bad percent-encoding in \"" + std::string(s.substr(0, 200)) + "\"");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<std::vector<std::string>> QueryValues(std::string_view query, std::string_view key) {
  std::vector<std::string> values;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = part.find('=');
    GANTRY_ASSIGN_OR_RETURN(std::string k, PercentDecode(part.substr(0, eq)));
    if (k != key) continue;
    GANTRY_ASSIGN_OR_RETURN(std::string v,
                            PercentDecode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1)));
    values.push_back(std::move(v));
  }
  return values;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
    id += kHex[rng() & 15];
  }
  return id;
}

AwsApi::AwsApi(ApiOptions options, Backend* backend, std::function<int64_t()> now_ms)
    : options_(std::move(options)),
      backend_(backend),
      now_ms_(std::move(now_ms)),
      limiter_(options_.rate_per_second, options_.rate_burst) {}

ApiResponse AwsApi::Handle(const ApiRequest& req) {
  std::string_view target = req.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  ApiResponse response;
  if (path.substr(0, kPrefix.size()) != kPrefix || path.size() == kPrefix.size()) {
    response = Error(404, "UnknownOperationException",
                     "no AWS Batch operation at " + std::string(req.method) + " " + std::string(path.substr(0, 200)));
  } else {
    const int64_t now = now_ms_();
    AuthOutcome auth;
    if (options_.authenticate) auth = options_.authenticate(req, now);
    if (!auth.ok()) {
      response = Error(403, auth.error_code, auth.message);
    } else if (!limiter_.Admit(auth.caller.value_or(""), now)) {
      response = Error(429, "TooManyRequestsException", "Too Many Requests");
    } else {
      response = Dispatch(req, path, query, auth);
    }
  }
  response.request_id = NewRequestId();
  return response;
}

ApiResponse AwsApi::Dispatch(const ApiRequest& req, std::string_view path, std::string_view query,
                             const AuthOutcome& auth) {
  IdempotentSubmitBackend backend(backend_, SubmitToken(req, auth));
  OperationContext ctx{&backend, options_.arns, auth.caller};
  Result<json> body = ParseBody(req.body);
  if (!body.ok()) return FromStatus(body.status());

  if (path.substr(0, kTagsPrefix.size()) == kTagsPrefix) {
    if (req.method != "POST" && req.method != "GET" && req.method != "DELETE") {
      return Error(404, "UnknownOperationException", req.method + " is not a method of /v1/tags/{resourceArn}");
    }
    Result<json> out = RunTagOperation(req.method, path.substr(kTagsPrefix.size()), query, *body, ctx);
    return out.ok() ? Ok(*out) : FromStatus(out.status());
  }

  std::string_view name = path.substr(kPrefix.size());
  OperationFn op = FindOperation(name);
  if (op == nullptr) {
    // A client newer than this server may call operations it does not
    // have (service environments, consumable resources, ...): answer with
    // the error every SDK can catch, naming the operation.
    return Error(400, "ClientException",
                 "gantry does not support the operation " + std::string(name.substr(0, 100)));
  }
  if (req.method != "POST") {
    return Error(404, "UnknownOperationException", std::string(name.substr(0, 100)) + " takes POST, not " + req.method);
  }
  Result<json> out = op(*body, ctx);
  return out.ok() ? Ok(*out) : FromStatus(out.status());
}

}  // namespace gantry::coordinator::http
