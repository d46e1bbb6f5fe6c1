// The job-model flag forms (JSON and AWS shorthand) and their errors, and
// submit-job / register-job-definition / list-jobs building requests from them.
#include "client/job_model_flags.h"

#include <gtest/gtest.h>

#include "client/job_definition_json.h"
#include "client/requests.h"

namespace gantry::client {
namespace {

using protocol::ArrayJobDependency;
using protocol::JobDependency;
using protocol::RetryAction;

void ExpectInvalid(const Status& s, const std::string& message) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message(), message);
}

TEST(Shorthand, SplitsPairsAndKeepsCommasInValues) {
  auto p = ParseShorthand("a=1,b=x,y, c=z", "--f");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, (ShorthandPairs{{"a", "1"}, {"b", "x,y"}, {"c", "z"}}));
  ExpectInvalid(ParseShorthand("nokey", "--f").status(), "--f: \"nokey\" is not key=value");
}

TEST(RetryStrategyFlag, ReadsAwsJsonWithCaseInsensitiveAction) {
  auto r = ParseRetryStrategyFlag(
      R"({"attempts":3,"evaluateOnExit":[{"onExitCode":"3","action":"exit"},{"onReason":"OOM*","action":"Retry"}]})",
      "--retry-strategy");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 3u);
  ASSERT_EQ(r->evaluateOnExit.size(), 2u);
  EXPECT_EQ(r->evaluateOnExit[0].onExitCode, "3");
  EXPECT_EQ(r->evaluateOnExit[0].action, RetryAction::kExit);
  EXPECT_EQ(r->evaluateOnExit[1].onReason, "OOM*");
  EXPECT_EQ(r->evaluateOnExit[1].action, RetryAction::kRetry);
}

TEST(RetryStrategyFlag, ShorthandAttempts) {
  auto r = ParseRetryStrategyFlag("attempts=4", "--retry-strategy");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (protocol::RetryStrategy{4, {}}));
}

TEST(RetryStrategyFlag, ErrorsNameTheFlagAndTheMember) {
  const std::string f = "--retry-strategy";
  ExpectInvalid(ParseRetryStrategyFlag("{\"attempts\":3", f).status(),
                "--retry-strategy is not valid JSON: parse error at line 1, column 14: syntax error while parsing object - unexpected end of input; "
                "expected '}'");
  ExpectInvalid(ParseRetryStrategyFlag(R"({"attempts":3,"evaluateOnExit":[{"onExitCode":"3","action":"stop"}]})", f)
                    .status(),
                "--retry-strategy.evaluateOnExit[0].action must be one of RETRY|EXIT, got \"stop\"");
  ExpectInvalid(ParseRetryStrategyFlag(R"({"evaluateOnExit":[{"onExitCode":"3"}]})", f).status(),
                "--retry-strategy.evaluateOnExit[0].action is missing (RETRY or EXIT)");
  ExpectInvalid(ParseRetryStrategyFlag(R"({"attempt":3})", f).status(),
                "--retry-strategy: unknown member \"attempt\" (known: attempts, evaluateOnExit)");
  ExpectInvalid(ParseRetryStrategyFlag(R"({"attempts":"3"})", f).status(),
                "--retry-strategy.attempts must be a number");
  ExpectInvalid(ParseRetryStrategyFlag(R"({"attempts":11})", f).status(),
                "--retry-strategy: retryStrategy.attempts must be between 1 and 10, got 11");
  ExpectInvalid(ParseRetryStrategyFlag(R"({"evaluateOnExit":[{"onExitCode":"x*","action":"EXIT"}]})", f).status(),
                "--retry-strategy: evaluateOnExit.onExitCode \"x*\" may contain only digits and a trailing '*'");
  ExpectInvalid(ParseRetryStrategyFlag("tries=3", f).status(),
                "--retry-strategy: unknown key \"tries\" (expected attempts=N; give evaluateOnExit in the JSON form)");
  ExpectInvalid(ParseRetryStrategyFlag("[1]", f).status(), "--retry-strategy must be a JSON object");
}

TEST(TimeoutFlag, JsonAndShorthand) {
  auto t = ParseTimeoutFlag(R"({"attemptDurationSeconds":60})", "--timeout");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->attemptDurationSeconds, 60u);
  t = ParseTimeoutFlag("attemptDurationSeconds=5", "--timeout");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->attemptDurationSeconds, 5u);
  ExpectInvalid(ParseTimeoutFlag("{}", "--timeout").status(), "--timeout needs attemptDurationSeconds");
  ExpectInvalid(ParseTimeoutFlag(R"({"attemptDurationSeconds":-1})", "--timeout").status(),
                "--timeout.attemptDurationSeconds must not be negative");
  ExpectInvalid(ParseTimeoutFlag("attemptDurationSeconds=0", "--timeout").status(),
                "--timeout: timeout.attemptDurationSeconds must be between 1 and 2592000, got 0");
}

TEST(DependsOnFlag, ShorthandJsonAndSequentialAlone) {
  auto d = ParseDependsOnFlags({"jobId=a1", "jobId=b2,type=n_to_n", "type=SEQUENTIAL",
                                R"([{"jobId":"c3","type":"N_TO_N"}])"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, (std::vector<JobDependency>{{"a1", std::nullopt},
                                            {"b2", ArrayJobDependency::kNToN},
                                            {"", ArrayJobDependency::kSequential},
                                            {"c3", ArrayJobDependency::kNToN}}));
}

TEST(DependsOnFlag, Errors) {
  ExpectInvalid(ParseDependsOnFlags({"type=N_TO_N"}).status(),
                "--depends-on \"type=N_TO_N\" names no jobId (only type=SEQUENTIAL stands alone)");
  ExpectInvalid(ParseDependsOnFlags({"jobId=a,type=ALL"}).status(),
                "--depends-on type must be one of N_TO_N|SEQUENTIAL, got \"ALL\"");
  ExpectInvalid(ParseDependsOnFlags({"job=a"}).status(),
                "--depends-on: unknown key \"job\" (expected jobId=ID[,type=N_TO_N|SEQUENTIAL])");
  ExpectInvalid(ParseDependsOnFlags({"jobId=a b"}).status(),
                "--depends-on jobId \"a b\" may contain only letters, digits, '-' and '_'");
  ExpectInvalid(ParseDependsOnFlags({R"([{"type":"N_TO_N"}])"}).status(),
                "--depends-on[0].jobId is missing (only type SEQUENTIAL names no job)");
}

TEST(ArrayPropertiesFlag, Forms) {
  EXPECT_EQ(*ParseArrayPropertiesFlag("size=10"), 10u);
  EXPECT_EQ(*ParseArrayPropertiesFlag(R"({"size": 7})"), 7u);
  ExpectInvalid(ParseArrayPropertiesFlag("size=ten").status(),
                "--array-properties size must be a whole number, got \"ten\"");
  ExpectInvalid(ParseArrayPropertiesFlag("count=3").status(), "--array-properties: unknown key \"count\" (expected size=N)");
}

TEST(ParametersFlag, RepeatedCommaAndJsonFormsLaterWins) {
  auto p = ParseParametersFlags({"a=1", "b=2,c=x,y", R"({"d":"4","a":"9"})"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, (protocol::Parameters{{"a", "9"}, {"b", "2"}, {"c", "x,y"}, {"d", "4"}}));
  ExpectInvalid(ParseParametersFlags({R"({"a":1})"}).status(), "--parameters.a must be a string");
  ExpectInvalid(ParseParametersFlags({"novalue"}).status(), "--parameters: \"novalue\" is not key=value");
}

TEST(FiltersFlag, AwsShorthandAndJson) {
  auto f = ParseFiltersFlags({"name=job_name,values=abc*"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->size(), 1u);
  EXPECT_EQ((*f)[0].name, "JOB_NAME");
  EXPECT_EQ((*f)[0].values, std::vector<std::string>{"abc*"});
  f = ParseFiltersFlags({R"([{"name":"SHARE_IDENTIFIER","values":["team-a"]}])"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)[0].values, std::vector<std::string>{"team-a"});
  ExpectInvalid(ParseFiltersFlags({"name=COLOUR,values=x"}).status(),
                "--filters: filter \"COLOUR\" is not one of JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, "
                "AFTER_CREATED_AT, SHARE_IDENTIFIER");
  ExpectInvalid(ParseFiltersFlags({"name=JOB_NAME,values=a,b"}).status(),
                "--filters: filter JOB_NAME takes exactly one value");
  ExpectInvalid(ParseFiltersFlags({"name=JOB_NAME"}).status(),
                "--filters \"name=JOB_NAME\": expected name=NAME,values=VALUE");
  ExpectInvalid(ParseFiltersFlags({"name=JOB_NAME,values=a", "name=JOB_DEFINITION,values=b"}).status(),
                "--filters: at most one filter, as AWS Batch allows");
}

TEST(FairsharePolicyFlag, ReadsAwsJson) {
  auto p = ParseFairsharePolicyFlag(
      R"({"shareDecaySeconds":3600,"computeReservation":10,"shareDistribution":[{"shareIdentifier":"team*","weightFactor":0.5}]})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->shareDecaySeconds, 3600u);
  EXPECT_EQ(p->computeReservation, 10u);
  EXPECT_EQ(p->shareDistribution, (std::vector<protocol::ShareAttributes>{{"team*", 0.5}}));
  ExpectInvalid(ParseFairsharePolicyFlag(R"({"shareDistribution":[{"weightFactor":"high"}]})").status(),
                "--fairshare-policy.shareDistribution[0].shareIdentifier is missing");
  ExpectInvalid(ParseFairsharePolicyFlag(R"({"shareDistribution":[{"shareIdentifier":"a","weightFactor":"x"}]})")
                    .status(),
                "--fairshare-policy.shareDistribution[0].weightFactor must be a number");
  ExpectInvalid(ParseFairsharePolicyFlag("shareDecaySeconds=1").status(),
                "--fairshare-policy is not valid JSON: parse error at line 1, column 1: syntax error while parsing value - invalid literal; last "
                "read: 's'");
}

TEST(JobStateTimeLimitActionsFlag, ReadsAndValidates) {
  auto a = ParseJobStateTimeLimitActionsFlag(
      R"([{"reason":"CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY","state":"RUNNABLE","maxTimeSeconds":600,"action":"terminate"}])");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].action, protocol::JobStateTimeLimitAction::kTerminate);
  EXPECT_EQ((*a)[0].maxTimeSeconds, 600u);
  ExpectInvalid(ParseJobStateTimeLimitActionsFlag(R"([{"reason":"X","maxTimeSeconds":6,"action":"CANCEL"}])").status(),
                "--job-state-time-limit-actions: jobStateTimeLimitActions.reason \"X\" is not one of "
                "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT, MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE, "
                "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
  ExpectInvalid(ParseJobStateTimeLimitActionsFlag(R"([{"reason":"X","action":"CANCEL"}])").status(),
                "--job-state-time-limit-actions[0].maxTimeSeconds is missing");
  ExpectInvalid(ParseJobStateTimeLimitActionsFlag(
                    R"([{"reason":"X","maxTimeSeconds":6,"action":"KILL"}])").status(),
                "--job-state-time-limit-actions[0].action must be one of CANCEL|TERMINATE, got \"KILL\"");
}

TEST(ComputeResourcesFlag, ShorthandAndJson) {
  auto r = ParseComputeResourcesFlag("minvCpus=2,maxvCpus=64");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->minvCpus, 2u);
  EXPECT_EQ(r->maxvCpus, 64u);
  EXPECT_FALSE(r->desiredvCpus);
  r = ParseComputeResourcesFlag(R"({"desiredvCpus":8})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->desiredvCpus, 8u);
  ExpectInvalid(ParseComputeResourcesFlag("subnets=a").status(),
                "--compute-resources: unknown key \"subnets\" (expected minvCpus=N,maxvCpus=N,desiredvCpus=N)");
}

TEST(PreemptionRetriesFlag, ZeroToAHundred) {
  EXPECT_EQ(*ParsePreemptionRetriesFlag("0", "--preemption-retries"), 0u);
  EXPECT_EQ(*ParsePreemptionRetriesFlag(" 100 ", "--preemption-retries"), 100u);
  EXPECT_EQ(*ParsePreemptionRetriesFlag("010", "--preemption-retries"), 10u);  // not octal
  for (const char* bad : {"", "-1", "1e2", "0x10", "ten", "12345678901"}) {
    ExpectInvalid(ParsePreemptionRetriesFlag(bad, "--preemption-retries").status(),
                  std::string("--preemption-retries must be a whole number from 0 to 100, got \"") + bad + "\"");
  }
  ExpectInvalid(ParsePreemptionRetriesFlag("101", "--preemption-retries").status(),
                "--preemption-retries must be a whole number from 0 to 100, got 101");
}

TEST(BoolFlag, TrueOrFalseInAnyCase) {
  EXPECT_EQ(*ParseBoolFlag("TRUE", "--preemptible"), true);
  EXPECT_EQ(*ParseBoolFlag("false", "--preemptible"), false);
  ExpectInvalid(ParseBoolFlag("1", "--preemptible").status(), "--preemptible must be true or false, got \"1\"");
}

// ---- whole requests ----------------------------------------------------------

SubmitJobFlags Submit() {
  SubmitJobFlags f;
  f.name = "j";
  f.queue = "q";
  return f;
}

TEST(SubmitJobModel, AwsForms) {
  SubmitJobFlags f = Submit();
  f.retry_strategy = R"({"attempts":3,"evaluateOnExit":[{"onExitCode":"3","action":"EXIT"}]})";
  f.timeout = R"({"attemptDurationSeconds":60})";
  f.array_properties = "size=5";
  f.depends_on = {"jobId=abc", "type=SEQUENTIAL"};
  f.parameters = {"k=v,k2=v2"};
  f.share_identifier = "team-a";
  f.scheduling_priority_override = 7;
  auto req = BuildSubmitJob(f, "tok");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  ASSERT_TRUE(req->retryStrategy);
  EXPECT_EQ(req->retryStrategy->attempts, 3u);
  EXPECT_EQ(req->retryStrategy->evaluateOnExit[0].action, RetryAction::kExit);
  EXPECT_EQ(req->timeout, (protocol::JobTimeout{60}));
  EXPECT_EQ(req->arraySize, 5u);
  EXPECT_EQ(req->dependsOn, (std::vector<JobDependency>{{"abc", std::nullopt}, {"", ArrayJobDependency::kSequential}}));
  EXPECT_EQ(req->parameters, (protocol::Parameters{{"k", "v"}, {"k2", "v2"}}));
  EXPECT_EQ(req->shareIdentifier, "team-a");
  EXPECT_EQ(req->schedulingPriorityOverride, 7u);
}

TEST(SubmitJobModel, ShortForms) {
  SubmitJobFlags f = Submit();
  f.retry_attempts = 2;
  f.attempt_duration_seconds = 30;
  f.array_size = 4;
  auto req = BuildSubmitJob(f, "tok");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->retryStrategy, (protocol::RetryStrategy{2, {}}));
  EXPECT_EQ(req->timeout, (protocol::JobTimeout{30}));
  EXPECT_EQ(req->arraySize, 4u);
}

TEST(SubmitJobModel, AbsentFlagsLeaveTheDefinitionsValues) {
  auto req = BuildSubmitJob(Submit(), "tok");
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(req->retryStrategy);
  EXPECT_FALSE(req->timeout);
  EXPECT_FALSE(req->arraySize);
  EXPECT_FALSE(req->shareIdentifier);
  EXPECT_FALSE(req->schedulingPriorityOverride);
  EXPECT_TRUE(req->dependsOn.empty());
  EXPECT_TRUE(req->parameters.empty());
}

TEST(SubmitJobModel, ConflictingFormsNameBoth) {
  SubmitJobFlags f = Submit();
  f.array_size = 3;
  f.array_properties = "size=3";
  ExpectInvalid(BuildSubmitJob(f, "t").status(), "give --array-size or --array-properties, not both");
  f = Submit();
  f.retry_attempts = 3;
  f.retry_strategy = "attempts=3";
  ExpectInvalid(BuildSubmitJob(f, "t").status(), "give --retry-attempts or --retry-strategy, not both");
  f = Submit();
  f.attempt_duration_seconds = 3;
  f.timeout = "attemptDurationSeconds=3";
  ExpectInvalid(BuildSubmitJob(f, "t").status(), "give --attempt-duration-seconds or --timeout, not both");
}

TEST(SubmitJobModel, RangeErrorsNameTheFlag) {
  SubmitJobFlags f = Submit();
  f.array_size = 1;
  ExpectInvalid(BuildSubmitJob(f, "t").status(), "--array-size must be between 2 and 10000, got 1");
  f = Submit();
  f.array_properties = "size=20000";
  ExpectInvalid(BuildSubmitJob(f, "t").status(), "--array-properties size must be between 2 and 10000, got 20000");
  f = Submit();
  f.retry_attempts = 11;
  ExpectInvalid(BuildSubmitJob(f, "t").status(),
                "--retry-attempts: retryStrategy.attempts must be between 1 and 10, got 11");
  f = Submit();
  f.scheduling_priority_override = 10000;
  ExpectInvalid(BuildSubmitJob(f, "t").status(), "--scheduling-priority-override must be between 0 and 9999");
  f = Submit();
  f.share_identifier = "a b";
  ExpectInvalid(BuildSubmitJob(f, "t").status(),
                "--share-identifier \"a b\" may contain only letters, digits, '-' and '_'");
  f = Submit();
  f.depends_on = {"type=SEQUENTIAL"};  // only an array job's children can run in sequence
  ExpectInvalid(BuildSubmitJob(f, "t").status(), "a SEQUENTIAL dependency needs an array job");
}

TEST(RegisterJobDefinitionModel, FlagsOverCliInputJson) {
  JobDefinitionFlags f;
  f.cli_input_json = R"({"jobDefinitionName":"d","type":"container",
      "parameters":{"a":"1","b":"2"},
      "retryStrategy":{"attempts":2,"evaluateOnExit":[{"onStatusReason":"Host*","action":"RETRY"}]},
      "timeout":{"attemptDurationSeconds":100},"schedulingPriority":3,
      "containerProperties":{"command":["echo","Ref::a"]}})";
  auto req = BuildRegisterJobDefinition(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  const protocol::JobDefinition& d = req->jobDefinition;
  EXPECT_EQ(d.parameters, (protocol::Parameters{{"a", "1"}, {"b", "2"}}));
  ASSERT_TRUE(d.retryStrategy);
  EXPECT_EQ(d.retryStrategy->evaluateOnExit[0].onStatusReason, "Host*");
  EXPECT_EQ(d.timeout, (protocol::JobTimeout{100}));
  EXPECT_EQ(d.schedulingPriority, 3u);

  f.parameters = {"b=9"};
  f.retry_strategy = "attempts=5";
  f.timeout = "attemptDurationSeconds=7";
  f.scheduling_priority = 8;
  req = BuildRegisterJobDefinition(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->jobDefinition.parameters, (protocol::Parameters{{"a", "1"}, {"b", "9"}}));
  EXPECT_EQ(req->jobDefinition.retryStrategy, (protocol::RetryStrategy{5, {}}));
  EXPECT_EQ(req->jobDefinition.timeout, (protocol::JobTimeout{7}));
  EXPECT_EQ(req->jobDefinition.schedulingPriority, 8u);
}

TEST(RegisterJobDefinitionModel, Errors) {
  JobDefinitionFlags f;
  f.cli_input_json = R"({"jobDefinitionName":"d","retryStrategy":{"attempts":2,"evaluateOnExit":[{"action":"NOPE"}]}})";
  ExpectInvalid(BuildRegisterJobDefinition(f).status(),
                "--cli-input-json: retryStrategy.evaluateOnExit[0].action must be one of RETRY|EXIT, got \"NOPE\"");
  f.cli_input_json = R"({"jobDefinitionName":"d","schedulingPriority":-1})";
  ExpectInvalid(BuildRegisterJobDefinition(f).status(), "--cli-input-json: schedulingPriority must not be negative");
  f.cli_input_json = R"({"jobDefinitionName":"d","parameters":["a"]})";
  ExpectInvalid(BuildRegisterJobDefinition(f).status(),
                "--cli-input-json: parameters must be a JSON object of strings");
  f.cli_input_json = "";
  f.name = "d";
  f.scheduling_priority = 10000;
  ExpectInvalid(BuildRegisterJobDefinition(f).status(), "schedulingPriority must be between 0 and 9999");
  f.scheduling_priority.reset();
  f.timeout = "{\"attemptDurationSeconds\":1.5}";
  ExpectInvalid(BuildRegisterJobDefinition(f).status(), "--timeout.attemptDurationSeconds must be a whole number");
}

TEST(ListJobsModel, QueueOrArrayAndFilters) {
  ListJobsFlags f;
  f.array_job_id = "abc";
  f.filters = {"name=JOB_NAME,values=abc*"};
  auto req = BuildListJobs(f);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->arrayJobId, "abc");
  EXPECT_EQ(req->jobQueue, "");
  ASSERT_EQ(req->filters.size(), 1u);
  EXPECT_EQ(req->filters[0].name, "JOB_NAME");
  EXPECT_FALSE(req->jobStatus);  // gantry's default: every status
  f.queue = "q";
  ExpectInvalid(BuildListJobs(f).status(), "give --job-queue or --array-job-id, not both");
  ExpectInvalid(BuildListJobs(ListJobsFlags{}).status(), "give --job-queue or --array-job-id");
}

}  // namespace
}  // namespace gantry::client
