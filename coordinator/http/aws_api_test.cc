#include "coordinator/http/aws_api.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "coordinator/http/fake_backend.h"

namespace gantry::coordinator::http {
namespace {

using nlohmann::json;
namespace p = protocol;

constexpr const char* kSubmitBody = R"({"jobName": "j", "jobQueue": "q", "jobDefinition": "d"})";
constexpr const char* kQueueArnPath = "/v1/tags/arn%3Aaws%3Abatch%3Alocal%3A000000000000%3Ajob-queue%2Fq1";

class AwsApiTest : public ::testing::Test {
 protected:
  AwsApi& Api() {
    if (!api_) api_ = std::make_unique<AwsApi>(options_, &backend_, [this] { return now_ms_; });
    return *api_;
  }
  ApiResponse Post(const std::string& target, const std::string& body, HeaderList headers = {}) {
    return Api().Handle({"POST", target, std::move(headers), body});
  }
  static json Body(const ApiResponse& r) { return json::parse(r.body); }

  ApiOptions options_;
  FakeBackend backend_;
  int64_t now_ms_ = 1'767'322'000'000;
  std::unique_ptr<AwsApi> api_;
};

TEST_F(AwsApiTest, AnOperationAnswers200WithJsonAndARequestId) {
  ApiResponse r = Post("/v1/canceljob", R"({"jobId": "j-1", "reason": "r"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.error_type.empty());
  EXPECT_EQ(Body(r), json::object());
  EXPECT_EQ(r.request_id.size(), 36u);
  ASSERT_TRUE(backend_.slot<p::CancelJobRequest>().last);
  EXPECT_EQ(backend_.slot<p::CancelJobRequest>().last->jobId, "j-1");
  EXPECT_NE(Post("/v1/canceljob", R"({"jobId": "j-1", "reason": "r"})").request_id, r.request_id);
}

TEST_F(AwsApiTest, APathOutsideTheApiIsAnUnknownOperation) {
  for (const char* target : {"/", "/v1/", "/v2/submitjob", "/favicon.ico"}) {
    ApiResponse r = Post(target, "{}");
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.error_type, "UnknownOperationException") << target;
    EXPECT_EQ(Body(r)["__type"], "UnknownOperationException");
  }
}

TEST_F(AwsApiTest, AnOperationThisServerLacksIsAClientExceptionNamingIt) {
  ApiResponse r = Post("/v1/createconsumableresource", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "ClientException");
  EXPECT_NE(Body(r)["message"].get<std::string>().find("createconsumableresource"), std::string::npos);
}

TEST_F(AwsApiTest, AnOperationTakesOnlyPost) {
  ApiResponse r = Api().Handle({"GET", "/v1/canceljob", {}, ""});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_type, "UnknownOperationException");
  EXPECT_FALSE(backend_.slot<p::CancelJobRequest>().last);
}

TEST_F(AwsApiTest, ABodyThatIsNotAJsonObjectIsAClientException) {
  for (const char* body : {"{", "[1, 2]", "\"text\"", "nul"}) {
    ApiResponse r = Post("/v1/canceljob", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(r.error_type, "ClientException") << body;
    EXPECT_EQ(Body(r)["__type"], "ClientException");
  }
  EXPECT_EQ(backend_.slot<p::CancelJobRequest>().calls, 0);
}

TEST_F(AwsApiTest, BackendErrorsMapToAwsErrors) {
  struct Case {
    Status status;
    int http;
    const char* type;
  };
  for (const Case& c : {Case{Status::NotFound("job queue q not found"), 400, "ClientException"},
                        Case{Status::InvalidArgument("jobName must not be empty"), 400, "ClientException"},
                        Case{Status::Conflict("job queue q already exists"), 400, "ClientException"},
                        Case{Status::Unavailable("no leader answered"), 503, "ServerException"},
                        Case{Status::Internal("undecodable reply"), 500, "ServerException"}}) {
    backend_.fail = c.status;
    ApiResponse r = Post("/v1/submitjob", kSubmitBody);
    EXPECT_EQ(r.status, c.http) << c.status.ToString();
    EXPECT_EQ(r.error_type, c.type);
    EXPECT_EQ(Body(r)["__type"], c.type);
    EXPECT_EQ(Body(r)["message"], c.status.message());
  }
}

TEST_F(AwsApiTest, RefusedAuthenticationIs403WithAwsCodeAndReachesNoBackend) {
  options_.authenticate = [](const ApiRequest&, int64_t) {
    return AuthOutcome{std::nullopt, "InvalidSignatureException", "The request signature we calculated does not match"};
  };
  ApiResponse r = Post("/v1/submitjob", kSubmitBody);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.error_type, "InvalidSignatureException");
  EXPECT_EQ(Body(r)["message"], "The request signature we calculated does not match");
  EXPECT_EQ(backend_.slot<p::SubmitJobRequest>().calls, 0);
}

TEST_F(AwsApiTest, TheAuthenticatedCallerIsRecordedAsTheSubmitter) {
  int64_t seen_now = 0;
  std::string seen_target;
  options_.authenticate = [&](const ApiRequest& req, int64_t now) {
    seen_now = now;
    seen_target = req.target;
    return AuthOutcome{"ci-pipeline", "", ""};
  };
  ASSERT_EQ(Post("/v1/submitjob", kSubmitBody).status, 200);
  EXPECT_EQ(seen_now, now_ms_);
  EXPECT_EQ(seen_target, "/v1/submitjob");
  EXPECT_EQ(backend_.slot<p::SubmitJobRequest>().last->submittedBy, "ci-pipeline");
}

TEST_F(AwsApiTest, WithoutAuthThereIsNoSubmitter) {
  ASSERT_EQ(Post("/v1/submitjob", kSubmitBody).status, 200);
  EXPECT_FALSE(backend_.slot<p::SubmitJobRequest>().last->submittedBy);
}

TEST_F(AwsApiTest, ThrottlingIs429PerCallerAndRecoversWithTime) {
  options_.rate_per_second = 1;
  options_.rate_burst = 2;
  std::string caller = "alice";
  options_.authenticate = [&caller](const ApiRequest&, int64_t) { return AuthOutcome{caller, "", ""}; };
  EXPECT_EQ(Post("/v1/canceljob", R"({"jobId": "a", "reason": "r"})").status, 200);
  EXPECT_EQ(Post("/v1/canceljob", R"({"jobId": "a", "reason": "r"})").status, 200);
  ApiResponse r = Post("/v1/canceljob", R"({"jobId": "a", "reason": "r"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.error_type, "TooManyRequestsException");
  caller = "bob";
  EXPECT_EQ(Post("/v1/canceljob", R"({"jobId": "a", "reason": "r"})").status, 200);
  caller = "alice";
  now_ms_ += 1000;
  EXPECT_EQ(Post("/v1/canceljob", R"({"jobId": "a", "reason": "r"})").status, 200);
  EXPECT_EQ(backend_.slot<p::CancelJobRequest>().calls, 4);
}

TEST_F(AwsApiTest, AnSdkRetryOfSubmitJobCarriesTheSameClientToken) {
  std::string caller = "alice";
  options_.authenticate = [&caller](const ApiRequest&, int64_t) { return AuthOutcome{caller, "", ""}; };
  HeaderList attempt1 = {{"amz-sdk-invocation-id", "7d1e1c53-1c6e-4d0e-9bd7-3c2b1a6c0f11"},
                         {"amz-sdk-request", "attempt=1"}};
  HeaderList attempt2 = {{"Amz-Sdk-Invocation-Id", "7d1e1c53-1c6e-4d0e-9bd7-3c2b1a6c0f11"},
                         {"amz-sdk-request", "attempt=2"}};
  ASSERT_EQ(Post("/v1/submitjob", kSubmitBody, attempt1).status, 200);
  std::optional<std::string> first = backend_.slot<p::SubmitJobRequest>().last->clientToken;
  ASSERT_TRUE(first);
  EXPECT_LE(first->size(), 64u);
  ASSERT_EQ(Post("/v1/submitjob", kSubmitBody, attempt2).status, 200);
  EXPECT_EQ(backend_.slot<p::SubmitJobRequest>().last->clientToken, first);

  // Another call, or the same invocation id from another caller: another token.
  ASSERT_EQ(Post("/v1/submitjob", kSubmitBody, {{"amz-sdk-invocation-id", "other"}}).status, 200);
  EXPECT_NE(backend_.slot<p::SubmitJobRequest>().last->clientToken, first);
  caller = "bob";
  ASSERT_EQ(Post("/v1/submitjob", kSubmitBody, attempt1).status, 200);
  EXPECT_NE(backend_.slot<p::SubmitJobRequest>().last->clientToken, first);

  // A client that sends no invocation id gets no token.
  ASSERT_EQ(Post("/v1/submitjob", kSubmitBody).status, 200);
  EXPECT_FALSE(backend_.slot<p::SubmitJobRequest>().last->clientToken);
}

TEST_F(AwsApiTest, TagRoutesDecodeTheArnAndTheQuery) {
  ASSERT_EQ(Post(kQueueArnPath, R"({"tags": {"team": "hpc"}})").status, 200);
  const auto& tag = backend_.slot<p::TagResourceRequest>().last;
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->resource, (p::ResourceRef{p::ResourceKind::kJobQueue, "q1"}));
  EXPECT_EQ(tag->tags, (p::Tags{{"team", "hpc"}}));

  ApiResponse untag = Api().Handle({"DELETE", std::string(kQueueArnPath) + "?tagKeys=team&tagKeys=a%20b", {}, ""});
  ASSERT_EQ(untag.status, 200) << untag.body;
  EXPECT_EQ(backend_.slot<p::UntagResourceRequest>().last->tagKeys, (std::vector<std::string>{"team", "a b"}));

  backend_.slot<p::ListTagsForResourceRequest>().reply.tags = {{"team", "hpc"}};
  ApiResponse list = Api().Handle({"GET", kQueueArnPath, {}, ""});
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Body(list), (json{{"tags", {{"team", "hpc"}}}}));

  EXPECT_EQ(Api().Handle({"PUT", kQueueArnPath, {}, ""}).status, 404);
  ApiResponse bad = Post("/v1/tags/arn%3Zaws", R"({"tags": {"a": "b"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_type, "ClientException");
}

TEST(PercentDecodeTest, DecodesEscapesAndRefusesBrokenOnes) {
  EXPECT_EQ(*PercentDecode("arn%3Aaws%2Fq%20x+y"), "arn:aws/q x+y");
  EXPECT_EQ(*PercentDecode("%c3%BC"), "\xc3\xbc");
  for (const char* bad : {"%", "%4", "%zz", "a%g1"}) {
    EXPECT_EQ(PercentDecode(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(QueryValuesTest, CollectsRepeatedKeysInOrder) {
  EXPECT_EQ(*QueryValues("tagKeys=b&x=1&tagKeys=a%3Db&tagKeys=", "tagKeys"),
            (std::vector<std::string>{"b", "a=b", ""}));
  EXPECT_TRUE(QueryValues("", "tagKeys")->empty());
  EXPECT_FALSE(QueryValues("tagKeys=%", "tagKeys").ok());
}

}  // namespace
}  // namespace gantry::coordinator::http
