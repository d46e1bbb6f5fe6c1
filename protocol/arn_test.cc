#include "protocol/arn.h"

#include <gtest/gtest.h>

namespace gantry::protocol {
namespace {

ArnScheme Scheme() { return ArnScheme{"aws", "us-west-2", "123456789012"}; }

TEST(ArnScheme, BuildsEveryKind) {
  const ArnScheme s = Scheme();
  EXPECT_EQ(s.JobArn("abc:3"), "arn:aws:batch:us-west-2:123456789012:job/abc:3");
  EXPECT_EQ(s.JobQueueArn("q"), "arn:aws:batch:us-west-2:123456789012:job-queue/q");
  EXPECT_EQ(s.ComputeEnvironmentArn("ce"), "arn:aws:batch:us-west-2:123456789012:compute-environment/ce");
  EXPECT_EQ(s.JobDefinitionArn("d", 7), "arn:aws:batch:us-west-2:123456789012:job-definition/d:7");
  EXPECT_EQ(s.SchedulingPolicyArn("p"), "arn:aws:batch:us-west-2:123456789012:scheduling-policy/p");
  EXPECT_EQ(s.Arn(ResourceKind::kJobDefinition, "d:2"), "arn:aws:batch:us-west-2:123456789012:job-definition/d:2");
}

TEST(ArnScheme, DefaultsAreValid) {
  EXPECT_TRUE(ValidateArnScheme(ArnScheme{}).ok());
  EXPECT_EQ(ArnScheme{}.JobQueueArn("q"), "arn:aws:batch:local:000000000000:job-queue/q");
  EXPECT_TRUE(ValidateArnScheme(ArnScheme{"aws-us-gov", "us-gov-west-1", "000000000001"}).ok());
}

TEST(ArnScheme, RefusesBadParts) {
  const ArnScheme bad[] = {
      {"aws", "US-EAST-1", "123456789012"},
      {"aws", "", "123456789012"},
      {"aws", std::string(65, 'a'), "123456789012"},
      {"aws", "a:b", "123456789012"},
      {"aws", "local", "12345678901"},
      {"aws", "local", "12345678901x"},
      {"", "local", "123456789012"},
      {"aws/x", "local", "123456789012"},
  };
  for (const ArnScheme& s : bad) {
    Status status = ValidateArnScheme(s);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << s.partition << " " << s.region << " " << s.account;
  }
  EXPECT_NE(ValidateArnScheme(bad[4]).message().find("12 digits"), std::string::npos);
}

TEST(ParseResourceArn, ReadsEveryKind) {
  const ArnScheme s = Scheme();
  const ResourceRef refs[] = {{ResourceKind::kComputeEnvironment, "ce-1"},
                              {ResourceKind::kJobQueue, "q_1"},
                              {ResourceKind::kJobDefinition, "def:12"},
                              {ResourceKind::kJob, "3f6b2c1e-aaaa-bbbb-cccc-0123456789ab"},
                              {ResourceKind::kJob, "3f6b2c1e-aaaa-bbbb-cccc-0123456789ab:17"},
                              {ResourceKind::kSchedulingPolicy, "fair"}};
  for (const ResourceRef& ref : refs) {
    Result<ResourceRef> parsed = ParseResourceArn(s.Arn(ref.kind, ref.id));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, ref);
  }
}

TEST(ParseResourceArn, AcceptsAnyPartitionRegionAndAccount) {
  Result<ResourceRef> r = ParseResourceArn("arn:aws-cn:batch:cn-north-1:999999999999:job-queue/q");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (ResourceRef{ResourceKind::kJobQueue, "q"}));
}

TEST(ParseResourceArn, RefusesWhatIsNotABatchArn) {
  const char* bad[] = {
      "q",
      "arn:aws:s3:us-west-2:123456789012:job-queue/q",
      "arn:aws:batch:us-west-2:123456789012:queue/q",
      "arn:aws:batch:us-west-2:123456789012:job-queue/",
      "arn:aws:batch:us-west-2:123456789012:job-queue",
      "arn:aws:batch:us-west-2:123456789012:job-definition/d",
      "arn:aws:batch:us-west-2:123456789012:job-definition/d:x",
      "arn:aws:batch:us-west-2:123456789012:job-queue/a/b",
      "arn::batch:us-west-2:123456789012:job-queue/q",
      "arn:aws:batch:us-west-2",
      "",
  };
  for (const char* arn : bad) {
    Result<ResourceRef> r = ParseResourceArn(arn);
    ASSERT_FALSE(r.ok()) << arn;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("resourceArn \"", 0), 0u) << r.status().message();
    EXPECT_NE(r.status().message().find("is not a valid AWS Batch ARN"), std::string::npos) << arn;
  }
}

TEST(ParseResourceArn, NamesTheGivenMember) {
  Result<ResourceRef> r = ParseResourceArn("arn:aws:batch:us-west-2:123456789012:queue/q", "--resource-arn");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("--resource-arn \"arn:aws:batch:", 0), 0u) << r.status().message();
}

TEST(ResourceName, PassesNamesThrough) {
  Result<std::string> r = ResourceName("jobQueue", "q1", ResourceKind::kJobQueue);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "q1");
}

TEST(ResourceName, TakesTheNameOutOfAnArnOfAnyRegion) {
  Result<std::string> q =
      ResourceName("jobQueue", "arn:aws:batch:eu-west-1:111111111111:job-queue/q1", ResourceKind::kJobQueue);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, "q1");
  Result<std::string> d =
      ResourceName("jobDefinition", Scheme().JobDefinitionArn("d", 4), ResourceKind::kJobDefinition);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "d:4");
}

TEST(ResourceName, RefusesAnArnOfAnotherKind) {
  Result<std::string> r = ResourceName("jobQueue", Scheme().ComputeEnvironmentArn("ce"), ResourceKind::kJobQueue);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "jobQueue \"arn:aws:batch:us-west-2:123456789012:compute-environment/ce\" is not a job-queue ARN");
}

TEST(ResourceName, NamesTheMemberOfAMalformedArn) {
  Result<std::string> r = ResourceName("computeEnvironmentOrder[0].computeEnvironment", "arn:aws:ec2:x:y:z",
                                       ResourceKind::kComputeEnvironment);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("computeEnvironmentOrder[0].computeEnvironment \"arn:aws:ec2", 0), 0u)
      << r.status().message();
}

}  // namespace
}  // namespace gantry::protocol
