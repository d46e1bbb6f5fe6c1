#include "coordinator/http/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace gantry::coordinator::http {
namespace {

// The golden vectors of the research note (section 10): captured from boto3
// 1.43 with its clock pinned to 2026-01-02 03:04:05 UTC.
constexpr char kAk[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kHost[] = "127.0.0.1:8765";
constexpr char kAmzDate[] = "20260102T030405Z";
constexpr int64_t kNow = 1767323045;  // 2026-01-02T03:04:05Z
constexpr char kTagPath[] = "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq1";
constexpr char kSubmitBody[] =
    R"({"jobName": "hello", "jobQueue": "q1", "jobDefinition": "jd1", )"
    R"("containerOverrides": {"command": ["sh", "-c", "echo hello; exit 0"]}})";
constexpr char kSubmitSig[] = "a751bfc3e8b36c34afc82d8d49b91c3c564ed3b0eaf38b37e6ddde8b4ee1f83a";
constexpr char kTagSig[] = "53e915ddb604e80692f462fa9f8afed67c67a567591b036afaf983e2a96651f1";
constexpr char kUntagSig[] = "876a1eb5b1a3269f2036e04785781033eacff1b0ade8cdf07c4cfdb5dff5f303";
constexpr char kListTagsSig[] = "0e61b4a399e7ed274130d05b891462a4bcf32f0e3387b2d968fb2338f74422bf";

// Owns the strings a RequestView points into.
struct TestRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  RequestView View() const {
    RequestView v{method, target, {}, body};
    for (const auto& h : headers) v.headers.push_back({h.first, h.second});
    return v;
  }
  void Set(const std::string& name, const std::string& value) {
    for (auto& h : headers) {
      if (h.first == name) {
        h.second = value;
        return;
      }
    }
    headers.emplace_back(name, value);
  }
  void Remove(const std::string& name) {
    std::erase_if(headers, [&name](const auto& h) { return h.first == name; });
  }
};

std::string AuthHeader(const std::string& signed_headers, const std::string& signature,
                       const std::string& scope = "20260102/us-east-1/batch/aws4_request") {
  return std::string("AWS4-HMAC-SHA256 Credential=") + kAk + "/" + scope + ", SignedHeaders=" + signed_headers +
         ", Signature=" + signature;
}

// A request as botocore sends it, before signing: Host and, with a body,
// Content-Type.
TestRequest Unsigned(std::string method, std::string target, std::string body) {
  TestRequest r{std::move(method), std::move(target), {{"Host", kHost}}, std::move(body)};
  if (r.method == "POST") r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

// The same as received: signed, plus the headers botocore does not sign.
TestRequest Golden(std::string method, std::string target, std::string body, const std::string& signature) {
  TestRequest r = Unsigned(std::move(method), std::move(target), std::move(body));
  bool post = r.method == "POST";
  r.headers.emplace_back("User-Agent", "Boto3/1.43.11 md/Botocore#1.43.11");
  r.headers.emplace_back("X-Amz-Date", kAmzDate);
  r.headers.emplace_back("Authorization",
                         AuthHeader(post ? "content-type;host;x-amz-date" : "host;x-amz-date", signature));
  r.headers.emplace_back("amz-sdk-invocation-id", "0f3c2a4e-0000-4000-8000-000000000000");
  r.headers.emplace_back("amz-sdk-request", "attempt=1");
  return r;
}

std::vector<TestRequest> AllGolden() {
  std::string untag = std::string(kTagPath) + "?tagKeys=team&tagKeys=a%20b";
  return {Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig),
          Golden("POST", kTagPath, R"({"tags": {"team": "hpc"}})", kTagSig), Golden("DELETE", untag, "", kUntagSig),
          Golden("GET", kTagPath, "", kListTagsSig)};
}

AccessKeys ExampleKeys() { return AccessKeys::FromKeysForTesting({{"example", kAk, kSecret}}); }

AuthResult VerifyAt(const TestRequest& r, int64_t now, VerifyOptions options = {}) {
  return Verify(r.View(), ExampleKeys(), now, options);
}

void ExpectRefused(const AuthResult& result, AuthErrorCode code, const std::string& message_part) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(AuthErrorCodeName(result.error().code), std::string(AuthErrorCodeName(code)));
  EXPECT_NE(result.error().message.find(message_part), std::string::npos) << result.error().message;
}

const char kMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method.";

TEST(SigV4, SubmitJobCanonicalRequestIsExact) {
  TestRequest r = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  Result<std::string> canonical = CanonicalRequest(r.View(), {"content-type", "host", "x-amz-date"});
  ASSERT_TRUE(canonical.ok()) << canonical.status().ToString();
  EXPECT_EQ(*canonical,
            "POST\n/v1/submitjob\n\ncontent-type:application/json\nhost:127.0.0.1:8765\n"
            "x-amz-date:20260102T030405Z\n\ncontent-type;host;x-amz-date\n"
            "b7ec7f7fa17cf015f219407dd41bb80d701ff9931a27d8867d8f4ca5e3be3c95");
  std::string sts = StringToSign(kAmzDate, CredentialScope("20260102", "us-east-1", "batch"), *canonical);
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20260102T030405Z\n20260102/us-east-1/batch/aws4_request\n"
            "4ea250fd9ab4b82722f1f50e17ef9e0d83d0f4eeda3180b0b2d959da1e73448e");
  std::string key = SigningKey(kSecret, "20260102", "us-east-1", "batch");
  EXPECT_EQ(HexEncode(key), "f4fd394c4c9bd693de1b1845ed804e612d27eef35c5f8b987ab5c92498098565");
  EXPECT_EQ(Signature(key, sts), kSubmitSig);
}

TEST(SigV4, AllGoldenVectorsVerify) {
  for (const TestRequest& r : AllGolden()) {
    AuthResult result = VerifyAt(r, kNow);
    ASSERT_TRUE(result.ok()) << r.method << " " << r.target << ": " << result.error().message;
    EXPECT_EQ(result.caller().name, "example");
    EXPECT_EQ(result.caller().access_key_id, kAk);
  }
}

TEST(SigV4, SignReproducesAllGoldenVectors) {
  const std::pair<TestRequest, std::string> cases[] = {
      {Unsigned("POST", "/v1/submitjob", kSubmitBody), kSubmitSig},
      {Unsigned("POST", kTagPath, R"({"tags": {"team": "hpc"}})"), kTagSig},
      {Unsigned("DELETE", std::string(kTagPath) + "?tagKeys=team&tagKeys=a%20b", ""), kUntagSig},
      {Unsigned("GET", kTagPath, ""), kListTagsSig},
  };
  for (const auto& c : cases) {
    Result<SignedAuth> signed_auth = Sign(c.first.View(), {kAk, kSecret, "us-east-1", "batch"}, kNow);
    ASSERT_TRUE(signed_auth.ok()) << signed_auth.status().ToString();
    EXPECT_EQ(signed_auth->amz_date, kAmzDate);
    bool post = c.first.method == "POST";
    EXPECT_EQ(signed_auth->authorization,
              AuthHeader(post ? "content-type;host;x-amz-date" : "host;x-amz-date", c.second));
  }
}

TEST(SigV4, DeleteQueryIsSortedAndStrictlyEncoded) {
  EXPECT_EQ(CanonicalQueryString("tagKeys=team&tagKeys=a%20b"), "tagKeys=a%20b&tagKeys=team");
}

TEST(SigV4, AwsGetVanilla) {
  TestRequest r{"GET", "/", {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, ""};
  const char kVanilla[] = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  Result<std::string> canonical = CanonicalRequest(r.View(), {"host", "x-amz-date"});
  ASSERT_TRUE(canonical.ok());
  std::string sts = StringToSign("20150830T123600Z", CredentialScope("20150830", "us-east-1", "service"), *canonical);
  EXPECT_EQ(Signature(SigningKey(kSecret, "20150830", "us-east-1", "service"), sts), kVanilla);

  r.headers.emplace_back("Authorization",
                         AuthHeader("host;x-amz-date", kVanilla, "20150830/us-east-1/service/aws4_request"));
  VerifyOptions options;
  options.service = "service";
  EXPECT_TRUE(VerifyAt(r, 1440938160, options).ok());
}

TEST(SigV4, CanonicalUriEncodesTheReceivedPathAgain) {
  EXPECT_EQ(CanonicalUri(kTagPath),
            "/v1/tags/arn%253Aaws%253Abatch%253Aus-east-1%253A123456789012%253Ajob-queue%252Fq1");

  // A server that encodes once (or signs the raw path) computes another
  // signature than the client: the vector would not verify.
  TestRequest r = Golden("POST", kTagPath, R"({"tags": {"team": "hpc"}})", kTagSig);
  Result<std::string> canonical = CanonicalRequest(r.View(), {"content-type", "host", "x-amz-date"});
  ASSERT_TRUE(canonical.ok());
  std::string once = *canonical;
  std::string twice = CanonicalUri(kTagPath);
  once.replace(once.find(twice), twice.size(), kTagPath);
  std::string key = SigningKey(kSecret, "20260102", "us-east-1", "batch");
  std::string scope = CredentialScope("20260102", "us-east-1", "batch");
  EXPECT_EQ(Signature(key, StringToSign(kAmzDate, scope, *canonical)), kTagSig);
  std::string single_sig = Signature(key, StringToSign(kAmzDate, scope, once));
  EXPECT_NE(single_sig, kTagSig);

  // And a client that signs the single-encoded URI is refused.
  r.Set("Authorization", AuthHeader("content-type;host;x-amz-date", single_sig));
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kInvalidSignature, kMismatch);
}

TEST(SigV4, CanonicalUriNormalisesSegments) {
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("/"), "/");
  EXPECT_EQ(CanonicalUri("/a//b/./c/../d"), "/a/b/d");
  EXPECT_EQ(CanonicalUri("/a/b/"), "/a/b/");
  EXPECT_EQ(CanonicalUri("/../.."), "/");
  EXPECT_EQ(CanonicalUri("/a b/~x-_.Y9"), "/a%20b/~x-_.Y9");
  EXPECT_EQ(CanonicalUri("/a:b+c"), "/a%3Ab%2Bc");
}

TEST(SigV4, CanonicalQueryStringDecodesThenEncodesStrictly) {
  EXPECT_EQ(CanonicalQueryString(""), "");
  EXPECT_EQ(CanonicalQueryString("b=2&a=1"), "a=1&b=2");
  EXPECT_EQ(CanonicalQueryString("a=2&a=10&a=1"), "a=1&a=10&a=2");
  EXPECT_EQ(CanonicalQueryString("k"), "k=");
  EXPECT_EQ(CanonicalQueryString("a=x+y z"), "a=x%2By%20z");
  EXPECT_EQ(CanonicalQueryString("a=%7e%2f"), "a=~%2F");
  EXPECT_EQ(CanonicalQueryString("a=%zz%4"), "a=%25zz%254");
  EXPECT_EQ(CanonicalQueryString("a=b=c"), "a=b%3Dc");
  EXPECT_EQ(CanonicalQueryString("%61=1"), "a=1");
}

TEST(SigV4, ParseAuthorizationToleratesWhitespace) {
  Result<Authorization> a = ParseAuthorization(
      "  AWS4-HMAC-SHA256   Credential=AK/20260102/fleet-1/batch/aws4_request ,SignedHeaders=host;x-amz-date,\t"
      "Signature = " +
      std::string(kSubmitSig) + " ");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->access_key_id, "AK");
  EXPECT_EQ(a->date, "20260102");
  EXPECT_EQ(a->region, "fleet-1");
  EXPECT_EQ(a->service, "batch");
  EXPECT_EQ(a->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(a->signature, kSubmitSig);
}

TEST(SigV4, ParseAuthorizationNamesWhatIsMalformed) {
  const std::string sig = std::string("Signature=") + kSubmitSig;
  const std::string cred = "Credential=AK/20260102/us-east-1/batch/aws4_request";
  const std::pair<std::string, std::string> cases[] = {
      {"", "unsupported algorithm"},
      {"AWS4-HMAC-SHA512 " + cred + ", SignedHeaders=host, " + sig, "unsupported algorithm 'AWS4-HMAC-SHA512'"},
      {"AWS4-HMAC-SHA256", "requires 'Credential'"},
      {"AWS4-HMAC-SHA256 " + cred + ", " + sig, "requires 'SignedHeaders'"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host", "requires 'Signature'"},
      {"AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host, " + sig, "repeats Credential"},
      {"AWS4-HMAC-SHA256 " + cred + ", Foo=1, SignedHeaders=host, " + sig, "unknown Authorization component 'Foo'"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders, " + sig, "is not Name=Value"},
      {"AWS4-HMAC-SHA256 Credential=AK/20260102/us-east-1/aws4_request, SignedHeaders=host, " + sig,
       "Credential must be"},
      {"AWS4-HMAC-SHA256 Credential=AK/2026-1-2/us-east-1/batch/aws4_request, SignedHeaders=host, " + sig,
       "Credential date must be yyyymmdd"},
      {"AWS4-HMAC-SHA256 Credential=AK/20260102/us-east-1/batch/aws5_request, SignedHeaders=host, " + sig,
       "must end in /aws4_request"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig, "SignedHeaders must be"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host, " + sig, "SignedHeaders must be"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=abc", "64 lower-case hex"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=" + std::string(64, 'A'), "64 lower-case hex"},
  };
  for (const auto& c : cases) {
    Result<Authorization> a = ParseAuthorization(c.first);
    ASSERT_FALSE(a.ok()) << c.first;
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(a.status().message().find(c.second), std::string::npos) << c.first << " -> " << a.status().message();
  }
}

TEST(SigV4, MissingAuthorizationIsMissingAuthenticationToken) {
  TestRequest r = Golden("GET", kTagPath, "", kListTagsSig);
  r.Remove("Authorization");
  AuthResult result = VerifyAt(r, kNow);
  ExpectRefused(result, AuthErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");
  EXPECT_STREQ(AuthErrorCodeName(result.error().code), "MissingAuthenticationTokenException");
}

TEST(SigV4, MalformedOrIncompleteHeaderIsIncompleteSignature) {
  TestRequest r = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  r.Set("Authorization", "Bearer abc");
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kIncompleteSignature, "unsupported algorithm 'Bearer'");
  r.Set("Authorization", AuthHeader("content-type;host;x-amz-date", "abc"));
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kIncompleteSignature, "64 lower-case hex");
  r.Set("Authorization", AuthHeader("content-type;x-amz-date", kSubmitSig));
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kIncompleteSignature, "'Host' must be a signed header");
  r.Set("Authorization", AuthHeader("content-type;host;x-amz-date;x-amz-security-token", kSubmitSig));
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kIncompleteSignature, "'x-amz-security-token' is not in the request");
  EXPECT_STREQ(AuthErrorCodeName(AuthErrorCode::kIncompleteSignature), "IncompleteSignatureException");
}

TEST(SigV4, UnknownAccessKeyIsUnrecognizedClient) {
  TestRequest r = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  AuthResult result = Verify(r.View(), AccessKeys::FromKeysForTesting({{"other", "AKIDOTHER", kSecret}}), kNow, {});
  ExpectRefused(result, AuthErrorCode::kUnrecognizedClient, "The security token included in the request is invalid.");
  EXPECT_STREQ(AuthErrorCodeName(result.error().code), "UnrecognizedClientException");
}

TEST(SigV4, BadDateIsInvalidSignature) {
  TestRequest r = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  r.Remove("X-Amz-Date");
  r.Set("Authorization", AuthHeader("content-type;host", kSubmitSig));
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kInvalidSignature, "'X-Amz-Date'");
  r.Set("X-Amz-Date", "2026-01-02T03:04:05Z");
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kInvalidSignature, "is not yyyymmddThhmmssZ");
  r.Set("X-Amz-Date", "20260103T030405Z");
  ExpectRefused(VerifyAt(r, kNow + 86400), AuthErrorCode::kInvalidSignature,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                "'20260102' != '20260103'");
  EXPECT_STREQ(AuthErrorCodeName(AuthErrorCode::kInvalidSignature), "InvalidSignatureException");
}

TEST(SigV4, WrongServiceOrRegionIsInvalidSignature) {
  SignOptions other_service{kAk, kSecret, "us-east-1", "s3"};
  TestRequest r = Unsigned("POST", "/v1/submitjob", kSubmitBody);
  Result<SignedAuth> s = Sign(r.View(), other_service, kNow);
  ASSERT_TRUE(s.ok());
  r.Set("X-Amz-Date", s->amz_date);
  r.Set("Authorization", s->authorization);
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kInvalidSignature,
                "Credential should be scoped to correct service: 'batch'.");

  TestRequest golden = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  VerifyOptions fleet;
  fleet.region = "fleet-1";
  ExpectRefused(VerifyAt(golden, kNow, fleet), AuthErrorCode::kInvalidSignature,
                "Credential should be scoped to a valid region, not 'us-east-1'; this is 'fleet-1'.");
  VerifyOptions us_east;
  us_east.region = "us-east-1";
  EXPECT_TRUE(VerifyAt(golden, kNow, us_east).ok());
}

TEST(SigV4, AnyRegionIsAcceptedUnlessOneIsRequired) {
  TestRequest r = Unsigned("POST", "/v1/listjobs", "{}");
  Result<SignedAuth> s = Sign(r.View(), {kAk, kSecret, "fleet-1", "batch"}, kNow);
  ASSERT_TRUE(s.ok());
  EXPECT_NE(s->authorization.find("/20260102/fleet-1/batch/aws4_request"), std::string::npos);
  r.Set("X-Amz-Date", s->amz_date);
  r.Set("Authorization", s->authorization);
  EXPECT_TRUE(VerifyAt(r, kNow).ok());
}

TEST(SigV4, SignatureMismatchIsInvalidSignature) {
  TestRequest r = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  AuthResult wrong_secret =
      Verify(r.View(), AccessKeys::FromKeysForTesting({{"example", kAk, "not-the-secret-at-all"}}), kNow, {});
  ExpectRefused(wrong_secret, AuthErrorCode::kInvalidSignature, kMismatch);
  EXPECT_EQ(wrong_secret.error().message, kMismatch);
}

TEST(SigV4, TamperedBodyOrSignedHeaderIsRefused) {
  TestRequest body = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  body.body[body.body.find("hello")] = 'j';
  ExpectRefused(VerifyAt(body, kNow), AuthErrorCode::kInvalidSignature, kMismatch);

  TestRequest header = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  header.Set("Content-Type", "application/x-amz-json-1.1");
  ExpectRefused(VerifyAt(header, kNow), AuthErrorCode::kInvalidSignature, kMismatch);

  TestRequest host = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  host.Set("Host", "127.0.0.1:8766");
  ExpectRefused(VerifyAt(host, kNow), AuthErrorCode::kInvalidSignature, kMismatch);

  TestRequest path = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  path.target = "/v1/canceljob";
  ExpectRefused(VerifyAt(path, kNow), AuthErrorCode::kInvalidSignature, kMismatch);

  // Headers outside SignedHeaders may change on the way (retries do).
  TestRequest unsigned_header = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  unsigned_header.Set("amz-sdk-request", "attempt=2");
  unsigned_header.Set("User-Agent", "something else");
  EXPECT_TRUE(VerifyAt(unsigned_header, kNow).ok());
}

TEST(SigV4, SkewBoundaryIsInclusiveBothWays) {
  TestRequest r = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  EXPECT_TRUE(VerifyAt(r, kNow + 300).ok());
  EXPECT_TRUE(VerifyAt(r, kNow - 300).ok());
  AuthResult late = VerifyAt(r, kNow + 301);
  ExpectRefused(late, AuthErrorCode::kInvalidSignature, "");
  EXPECT_EQ(late.error().message,
            "Signature expired: 20260102T030405Z is now earlier than 20260102T030406Z (20260102T030906Z - 5 min.)");
  AuthResult early = VerifyAt(r, kNow - 301);
  ExpectRefused(early, AuthErrorCode::kInvalidSignature, "");
  EXPECT_EQ(early.error().message,
            "Signature not yet current: 20260102T030405Z is still later than 20260102T030404Z "
            "(20260102T025904Z + 5 min.)");

  VerifyOptions wide;
  wide.max_skew_seconds = 900;
  EXPECT_TRUE(VerifyAt(r, kNow + 900, wide).ok());
  ExpectRefused(VerifyAt(r, kNow + 901, wide), AuthErrorCode::kInvalidSignature, "(20260102T031906Z - 15 min.)");
}

TEST(SigV4, HeaderNamesAreCaseInsensitive) {
  TestRequest r = Golden("POST", "/v1/submitjob", kSubmitBody, kSubmitSig);
  for (auto& h : r.headers) {
    if (h.first == "Host") h.first = "HOST";
    if (h.first == "Content-Type") h.first = "content-TYPE";
    if (h.first == "X-Amz-Date") h.first = "x-amz-DATE";
    if (h.first == "Authorization") h.first = "authorization";
  }
  EXPECT_TRUE(VerifyAt(r, kNow).ok());
  EXPECT_EQ(HeaderValue(r.View(), "Content-Type"), "application/json");
  EXPECT_EQ(HeaderValue(r.View(), "x-missing"), std::nullopt);
}

TEST(SigV4, RepeatedHeadersAreJoinedInOrder) {
  TestRequest r = Unsigned("POST", "/v1/submitjob", kSubmitBody);
  r.headers.emplace_back("X-Custom", "a");
  r.headers.emplace_back("x-custom", "  b \t  c ");
  Result<std::string> canonical = CanonicalRequest(r.View(), {"host", "x-custom"});
  ASSERT_TRUE(canonical.ok());
  EXPECT_NE(canonical->find("\nx-custom:a,b c\n"), std::string::npos) << *canonical;
  EXPECT_EQ(HeaderValue(r.View(), "X-CUSTOM"), "a,  b \t  c ");

  Result<SignedAuth> s = Sign(r.View(), {kAk, kSecret, "us-east-1", "batch"}, kNow);
  ASSERT_TRUE(s.ok());
  EXPECT_NE(s->authorization.find("SignedHeaders=content-type;host;x-amz-date;x-custom,"), std::string::npos);
  r.Set("X-Amz-Date", s->amz_date);
  r.Set("Authorization", s->authorization);
  EXPECT_TRUE(VerifyAt(r, kNow).ok());

  std::swap(r.headers[2].second, r.headers[3].second);  // the two X-Custom values
  ExpectRefused(VerifyAt(r, kNow), AuthErrorCode::kInvalidSignature, kMismatch);
}

TEST(SigV4, SessionTokenIsSignedAndChecked) {
  TestRequest r = Unsigned("POST", "/v1/describejobs", R"({"jobs": ["a"]})");
  r.headers.emplace_back("X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLETOKEN");
  r.headers.emplace_back("User-Agent", "gantry-loadgen");
  Result<SignedAuth> s = Sign(r.View(), {kAk, kSecret, "us-east-1", "batch"}, kNow);
  ASSERT_TRUE(s.ok());
  EXPECT_NE(s->authorization.find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"),
            std::string::npos)
      << s->authorization;
  r.Set("X-Amz-Date", s->amz_date);
  r.Set("Authorization", s->authorization);
  AuthResult ok = VerifyAt(r, kNow + 10);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok.caller().name, "example");

  TestRequest tampered = r;
  tampered.Set("X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLETOKEM");
  ExpectRefused(VerifyAt(tampered, kNow), AuthErrorCode::kInvalidSignature, kMismatch);
  TestRequest dropped = r;
  dropped.Remove("X-Amz-Security-Token");
  ExpectRefused(VerifyAt(dropped, kNow), AuthErrorCode::kIncompleteSignature, "x-amz-security-token");
}

TEST(SigV4, SignRefusesBadInput) {
  SignOptions options{kAk, kSecret, "us-east-1", "batch"};
  TestRequest no_host{"GET", "/", {}, ""};
  EXPECT_EQ(Sign(no_host.View(), options, kNow).status().code(), StatusCode::kInvalidArgument);
  TestRequest dated = Unsigned("GET", "/", "");
  dated.Set("X-Amz-Date", kAmzDate);
  EXPECT_EQ(Sign(dated.View(), options, kNow).status().code(), StatusCode::kInvalidArgument);
  options.region = "a/b";
  EXPECT_EQ(Sign(Unsigned("GET", "/", "").View(), options, kNow).status().code(), StatusCode::kInvalidArgument);
}

TEST(SigV4, AmzDateParsesAndFormats) {
  EXPECT_EQ(FormatAmzDate(0), "19700101T000000Z");
  EXPECT_EQ(FormatAmzDate(kNow), kAmzDate);
  EXPECT_EQ(FormatAmzDate(951782400), "20000229T000000Z");
  EXPECT_EQ(FormatAmzDate(-1), "19691231T235959Z");
  Result<int64_t> t = ParseAmzDate(kAmzDate);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, kNow);
  EXPECT_EQ(*ParseAmzDate("20000229T000000Z"), 951782400);
  for (int64_t s : {int64_t{0}, int64_t{86399}, kNow, int64_t{4102444799}}) {
    EXPECT_EQ(*ParseAmzDate(FormatAmzDate(s)), s);
  }
  for (const char* bad : {"", "20260102T030405", "20260102T030405z", "2026010T2030405Z", "20261301T000000Z",
                          "20260230T000000Z", "20250229T000000Z", "20260100T000000Z", "20260102T240000Z",
                          "20260102T036000Z", "20260102T030460Z", "2026-102T030405Z", "20260102 030405Z"}) {
    EXPECT_FALSE(ParseAmzDate(bad).ok()) << bad;
  }
}

TEST(SigV4, EmptyBodyHashIsTheWellKnownOne) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace gantry::coordinator::http
