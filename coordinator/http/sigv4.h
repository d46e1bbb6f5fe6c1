// AWS Signature Version 4 (AWS4-HMAC-SHA256) for the AWS Batch-compatible
// HTTP API: Verify() authenticates a request as received from boto3 or the
// aws CLI against the access-key file; Sign() is the client side, for tests
// and the load generator. Pure: no I/O, the caller passes the time in.
//
// The pieces (CanonicalUri ... Signature) are exposed so tests can pin each
// against AWS's and botocore's vectors. Two rules decide whether real clients
// verify, both easy to get wrong:
//   * the canonical URI is the path *as received* (still percent-encoded),
//     normalised, then percent-encoded a second time: "%3A" -> "%253A";
//   * the signed headers are the ones the client lists, never a fixed set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "coordinator/http/access_keys.h"
#include "gantry/status.h"

namespace gantry::coordinator::http {

struct HttpHeader {
  std::string_view name;  // any case
  std::string_view value;
};

// One HTTP request as it came off the wire. A view: every string must
// outlive the call it is passed to.
struct RequestView {
  std::string_view method;  // "POST"
  // The raw request target, path plus optional "?query", still
  // percent-encoded: "/v1/tags/arn%3Aaws%3A...?tagKeys=a%20b".
  std::string_view target;
  std::vector<HttpHeader> headers;  // in received order; repeats allowed
  std::string_view body;
};

// The values of every header called `name` (ASCII case-insensitive), joined
// with ',' in received order; nullopt if there is none.
std::optional<std::string> HeaderValue(const RequestView& request, std::string_view name);

// ---- The Authorization header ---------------------------------------------

// "AWS4-HMAC-SHA256 Credential=AK/20260102/us-east-1/batch/aws4_request,
//  SignedHeaders=content-type;host;x-amz-date, Signature=<64 hex>"
struct Authorization {
  std::string access_key_id;
  std::string date;  // yyyymmdd, the credential scope's
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lower-case, in the order sent
  std::string signature;                    // 64 lower-case hex digits
};

// kInvalidArgument naming what is malformed: another algorithm, a missing,
// repeated or unknown component, a Credential that is not
// AK/yyyymmdd/region/service/aws4_request, a SignedHeaders name that is empty
// or not lower-case, a Signature that is not 64 lower-case hex digits.
// Whitespace around ',' and '=' is tolerated.
Result<Authorization> ParseAuthorization(std::string_view value);

// ---- The algorithm, step by step --------------------------------------------

// The path of a raw target, without the query: "." and empty segments
// dropped, ".." removing the segment before it (as botocore does), a trailing
// '/' kept, then every byte but A-Za-z0-9-_.~/ percent-encoded again.
// "" -> "/".
std::string CanonicalUri(std::string_view raw_path);

// The query of a raw target (the text after '?'): split on '&' and each part
// on its first '=', key and value percent-decoded then strictly re-encoded
// (space -> %20, '+' -> %2B), sorted by key then value, joined with '&'.
// An invalid escape is taken literally, so it re-encodes as %25.
std::string CanonicalQueryString(std::string_view raw_query);

// Method, CanonicalUri, CanonicalQueryString, one "name:value" line per
// signed header (value trimmed, inner whitespace runs collapsed, repeats
// joined with ','), a blank line, the signed header list, and hex SHA-256 of
// the body, joined with '\n'. kInvalidArgument naming the first signed
// header the request lacks.
Result<std::string> CanonicalRequest(const RequestView& request, const std::vector<std::string>& signed_headers);

// "20260102/us-east-1/batch/aws4_request"
std::string CredentialScope(std::string_view date, std::string_view region, std::string_view service);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex SHA-256 of canonical_request>"
std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);

// HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request".
// 32 raw bytes; HexEncode() them to print.
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);

// Lower-case hex HMAC-SHA256(signing_key, string_to_sign).
std::string Signature(std::string_view signing_key, std::string_view string_to_sign);

std::string Sha256Hex(std::string_view data);
std::string HexEncode(std::string_view bytes);  // lower-case

// "20260102T030405Z" <-> epoch seconds (UTC). kInvalidArgument unless the
// text is exactly yyyymmddThhmmssZ naming a real instant (no leap second).
Result<int64_t> ParseAmzDate(std::string_view amz_date);
std::string FormatAmzDate(int64_t epoch_seconds);

// ---- Server side ------------------------------------------------------------

// The AWS error codes of a refused request; all are sent with HTTP 403.
enum class AuthErrorCode : uint8_t {
  kMissingAuthenticationToken,  // no Authorization header
  kIncompleteSignature,         // malformed header, unsigned host, missing signed header
  kUnrecognizedClient,          // unknown access key id
  kInvalidSignature,            // bad date, skew, scope or signature
};

// "MissingAuthenticationTokenException", ...: the x-amzn-ErrorType / __type.
const char* AuthErrorCodeName(AuthErrorCode code);

struct AuthError {
  AuthErrorCode code;
  std::string message;  // AWS's wording where AWS has one; never a secret
};

struct AuthenticatedCaller {
  std::string name;  // the key's name: a job's submittedBy
  std::string access_key_id;
};

// Either the caller a request was signed by, or why it is refused.
class AuthResult {
 public:
  AuthResult(AuthenticatedCaller caller) : v_(std::move(caller)) {}  // NOLINT(google-explicit-constructor)
  AuthResult(AuthError error) : v_(std::move(error)) {}              // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<AuthenticatedCaller>(v_); }
  const AuthenticatedCaller& caller() const { return std::get<AuthenticatedCaller>(v_); }  // ok() only
  const AuthError& error() const { return std::get<AuthError>(v_); }                       // !ok() only

 private:
  std::variant<AuthenticatedCaller, AuthError> v_;
};

struct VerifyOptions {
  std::string service = "batch";
  std::optional<std::string> region;  // nullopt: any region is accepted
  int64_t max_skew_seconds = 300;     // |now - X-Amz-Date| allowed, inclusive
};

// Authenticates `request` as of `now_epoch_seconds` (UTC). The body hash is
// computed here from request.body (botocore sends no x-amz-content-sha256),
// so the body must be complete. The signature is compared in constant time.
// Thread-safe (reads `keys` only).
AuthResult Verify(const RequestView& request, const AccessKeys& keys, int64_t now_epoch_seconds,
                  const VerifyOptions& options);

// ---- Client side ------------------------------------------------------------

struct SignOptions {
  std::string access_key_id;
  std::string secret;
  std::string region = "us-east-1";
  std::string service = "batch";
};

// Headers to add to the request before sending it.
struct SignedAuth {
  std::string amz_date;       // X-Amz-Date
  std::string authorization;  // Authorization
};

// Signs every header of `request` (a Host header is required; add
// X-Amz-Security-Token first to sign a session token) plus the X-Amz-Date it
// returns, except user-agent, expect and x-amzn-trace-id, which proxies may
// change, as botocore does. kInvalidArgument if there is no Host header or
// the request already carries Authorization or X-Amz-Date.
Result<SignedAuth> Sign(const RequestView& request, const SignOptions& options, int64_t now_epoch_seconds);

}  // namespace gantry::coordinator::http
