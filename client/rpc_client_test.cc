#include "client/rpc_client.h"

#include <gtest/gtest.h>

#include <thread>

#include <atomic>
#include <chrono>

#include "client/fake_coordinator_test_util.h"
#include "gantry/ports.h"

namespace gantry::client {
namespace {

using protocol::DescribeJobsReply;
using protocol::DescribeJobsRequest;
using protocol::Envelope;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kNoLeader = "not the leader; no leader is known";

std::unique_ptr<RpcClient> MakeClient(std::vector<std::string> endpoints, milliseconds timeout) {
  auto client = RpcClient::Create({std::move(endpoints), timeout});
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

std::unique_ptr<RpcClient> MakeClient(std::vector<std::string> endpoints, milliseconds timeout,
                                      milliseconds try_timeout) {
  auto client = RpcClient::Create({std::move(endpoints), timeout, try_timeout});
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

// Answers DescribeJobs with one job per id asked for.
std::vector<std::string> EchoJobs(const Envelope& env) {
  auto req = protocol::DecodeBody<DescribeJobsRequest>(env);
  DescribeJobsReply rep;
  for (const auto& id : req->jobs) {
    protocol::Job job;
    job.jobId = id;
    job.jobName = "job-" + id;
    rep.jobs.push_back(job);
  }
  return Reply(env, rep);
}

// A follower: refuses every request as a replica does that is not the leader.
std::vector<std::string> Refuse(const Envelope& env, const char* message = kNoLeader) {
  return {FakeCoordinator::Error(env.requestId, StatusCode::kUnavailable, message)};
}

FakeCoordinator::Handler Hung() {
  return [](const Envelope&) { return std::vector<std::string>{}; };
}

milliseconds MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// An endpoint where nothing listens: bind an ephemeral port, then close it.
std::string ClosedEndpoint() {
  zmq::context_t ctx;
  zmq::socket_t s(ctx, zmq::socket_type::router);
  s.set(zmq::sockopt::linger, 0);
  s.bind("tcp://127.0.0.1:*");
  return s.get(zmq::sockopt::last_endpoint);
}

DescribeJobsRequest Ask(std::string id) {
  DescribeJobsRequest req;
  req.jobs.push_back(std::move(id));
  return req;
}

TEST(RpcClient, ReturnsTheReply) {
  FakeCoordinator coord(EchoJobs);
  auto client = MakeClient({coord.endpoint()}, milliseconds(5000));
  Result<DescribeJobsReply> rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  ASSERT_EQ(rep->jobs.size(), 1u);
  EXPECT_EQ(rep->jobs[0].jobName, "job-j1");
}

TEST(RpcClient, RequestIdsCountUp) {
  FakeCoordinator coord(EchoJobs);
  auto client = MakeClient({coord.endpoint()}, milliseconds(5000));
  ASSERT_TRUE(client->Call(Ask("a")).ok());
  ASSERT_TRUE(client->Call(Ask("b")).ok());
  auto ids = coord.request_ids();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[1], ids[0] + 1);
}

TEST(RpcClient, ErrorReplyBecomesItsStatus) {
  FakeCoordinator coord([](const Envelope& env) {
    return std::vector<std::string>{
        FakeCoordinator::Error(env.requestId, StatusCode::kNotFound, "job queue nope not found")};
  });
  auto client = MakeClient({coord.endpoint()}, milliseconds(5000));
  Result<protocol::SubmitJobReply> rep = client->Call(protocol::SubmitJobRequest{});
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rep.status().message(), "job queue nope not found");
}

TEST(RpcClient, ConflictErrorIsNotRetriedElsewhere) {
  FakeCoordinator first([](const Envelope& env) {
    return std::vector<std::string>{FakeCoordinator::Error(env.requestId, StatusCode::kConflict, "exists")};
  });
  FakeCoordinator second(EchoJobs);
  auto client = MakeClient({first.endpoint(), second.endpoint()}, milliseconds(5000));
  auto rep = client->Call(Ask("x"));
  EXPECT_EQ(rep.status().code(), StatusCode::kConflict);
  EXPECT_EQ(second.requests(), 0);
}

TEST(RpcClient, WrongReplyTypeIsInternal) {
  FakeCoordinator coord([](const Envelope& env) { return Reply(env, protocol::DescribeNodesReply{}); });
  auto client = MakeClient({coord.endpoint()}, milliseconds(5000));
  auto rep = client->Call(Ask("x"));
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().code(), StatusCode::kInternal);
  EXPECT_NE(rep.status().message().find("DescribeNodesReply"), std::string::npos);
}

TEST(RpcClient, IgnoresRepliesToOtherRequests) {
  FakeCoordinator coord([](const Envelope& env) {
    DescribeJobsReply stale;
    stale.jobs.resize(3);
    std::vector<std::string> frames = {protocol::EncodeMessage(env.requestId + 1000, stale)};
    for (auto& f : EchoJobs(env)) frames.push_back(f);
    return frames;
  });
  auto client = MakeClient({coord.endpoint()}, milliseconds(5000));
  auto rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->jobs.size(), 1u);
}

TEST(RpcClient, TimeoutIsUnavailableAndNamesTheEndpoint) {
  std::string closed = ClosedEndpoint();
  auto client = MakeClient({closed}, milliseconds(100));
  auto rep = client->Call(Ask("x"));
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(rep.status().message(),
            "cannot reach the coordinator at " + closed + " (no reply within 0.1s)");
}

TEST(RpcClient, FailsOverToTheNextEndpointOnTimeout) {
  std::string closed = ClosedEndpoint();
  FakeCoordinator good(EchoJobs);
  auto client = MakeClient({closed, good.endpoint()}, milliseconds(200));
  auto rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->jobs[0].jobId, "j1");
  EXPECT_EQ(client->current_endpoint(), good.endpoint());
  // The next call goes straight to the endpoint that answered.
  ASSERT_TRUE(client->Call(Ask("j2")).ok());
  EXPECT_EQ(good.requests(), 2);
}

TEST(RpcClient, FailsOverFromACoordinatorThatDoesNotAnswer) {
  FakeCoordinator hung(Hung());
  FakeCoordinator good(EchoJobs);
  auto client = MakeClient({hung.endpoint(), good.endpoint()}, milliseconds(200));
  auto rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(hung.requests(), 1);
  EXPECT_EQ(good.requests(), 1);
}

TEST(RpcClient, UnavailableErrorReplyMovesToTheNextEndpoint) {
  FakeCoordinator no_leader([](const Envelope& env) {
    return std::vector<std::string>{
        FakeCoordinator::Error(env.requestId, StatusCode::kUnavailable, "no leader")};
  });
  FakeCoordinator good(EchoJobs);
  auto client = MakeClient({no_leader.endpoint(), good.endpoint()}, milliseconds(5000));
  auto rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
}

TEST(RpcClient, RidesOutAnElection) {
  // Both replicas refuse the first 5 requests between them (an election),
  // then `second` has won and `first` points at it.
  constexpr int kElectionRequests = 5;
  std::atomic<int> seen{0};
  FakeCoordinator first([&](const Envelope& env) {
    ++seen;
    return Refuse(env, "not the leader; the leader is replica 2 at 127.0.0.1:7421");
  });
  FakeCoordinator second([&](const Envelope& env) {
    return ++seen > kElectionRequests ? EchoJobs(env) : Refuse(env);
  });
  auto client = MakeClient({first.endpoint(), second.endpoint()}, milliseconds(5000));
  auto rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->jobs[0].jobId, "j1");
  EXPECT_GT(seen.load(), kElectionRequests);
  EXPECT_EQ(client->current_endpoint(), second.endpoint());
  // Every copy was the same request.
  auto ids = first.request_ids();
  for (uint64_t id : second.request_ids()) ids.push_back(id);
  for (uint64_t id : ids) EXPECT_EQ(id, ids.front());
  // The next call goes straight to the leader.
  int first_before = first.requests();
  ASSERT_TRUE(client->Call(Ask("j2")).ok());
  EXPECT_EQ(first.requests(), first_before);
}

TEST(RpcClient, ElectionOnTheOnlyEndpointIsRiddenOut) {
  std::atomic<int> seen{0};
  FakeCoordinator coord([&](const Envelope& env) { return ++seen > 3 ? EchoJobs(env) : Refuse(env); });
  auto client = MakeClient({coord.endpoint()}, milliseconds(5000));
  auto rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(coord.requests(), 4);
}

TEST(RpcClient, NoLeaderUntilTheDeadlineNamesTheEndpoints) {
  FakeCoordinator a([](const Envelope& env) { return Refuse(env); });
  FakeCoordinator b([](const Envelope& env) { return Refuse(env); });
  auto client = MakeClient({a.endpoint(), b.endpoint()}, milliseconds(300));
  auto start = Clock::now();
  auto rep = client->Call(Ask("x"));
  milliseconds took = MillisSince(start);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().code(), StatusCode::kUnavailable);
  const std::string m = rep.status().message();
  std::string prefix = "no leader answered within 0.3s at " + a.endpoint() + " or " + b.endpoint() +
                       "; last answer, from ";
  EXPECT_EQ(m.rfind(prefix, 0), 0u) << m;
  EXPECT_TRUE(m == prefix + a.endpoint() + ": " + kNoLeader || m == prefix + b.endpoint() + ": " + kNoLeader) << m;
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, milliseconds(2000));
  // Rounds are spaced by pauses (at least 20 ms), not spun.
  EXPECT_GE(a.requests(), 2);
  EXPECT_LE(a.requests(), 16);
}

TEST(RpcClient, SilentEndpointCostsOnlyItsSlice) {
  FakeCoordinator hung(Hung());
  FakeCoordinator good(EchoJobs);
  auto client = MakeClient({hung.endpoint(), good.endpoint()}, milliseconds(5000), milliseconds(100));
  auto start = Clock::now();
  auto rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_LT(MillisSince(start), milliseconds(1000));
  EXPECT_EQ(hung.requests(), 1);
  EXPECT_EQ(client->current_endpoint(), good.endpoint());
}

TEST(RpcClient, ADeadReplicasClosedPortCostsNoSlice) {
  // A replica that died leaves its port closed: the refused connection, not
  // the slice, decides when to move on.
  std::string closed;
  {
    FakeCoordinator gone(EchoJobs);
    closed = gone.endpoint();
  }
  FakeCoordinator good(EchoJobs);
  auto client = MakeClient({closed, good.endpoint()}, milliseconds(20000), milliseconds(10000));
  auto start = Clock::now();
  auto rep = client->Call(Ask("j1"));
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_LT(MillisSince(start), milliseconds(2000));
  EXPECT_EQ(client->current_endpoint(), good.endpoint());
}

TEST(RpcClient, ALeaderThatDiesMidRequestIsLeftAtOnce) {
  auto hung = std::make_unique<FakeCoordinator>(Hung());
  FakeCoordinator good(EchoJobs);
  auto client = MakeClient({hung->endpoint(), good.endpoint()}, milliseconds(20000), milliseconds(10000));
  std::thread killer([&] {
    while (hung->requests() == 0) std::this_thread::sleep_for(milliseconds(5));
    hung.reset();  // closes its socket: the connection drops
  });
  auto start = Clock::now();
  auto rep = client->Call(Ask("j1"));
  killer.join();
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_LT(MillisSince(start), milliseconds(3000));
}

TEST(RpcClient, LongTryTimeoutMovesOnOnlyWhenRefused) {
  FakeCoordinator hung(Hung());
  FakeCoordinator good(EchoJobs);
  auto client = MakeClient({hung.endpoint(), good.endpoint()}, milliseconds(200), milliseconds(200));
  auto rep = client->Call(Ask("j1"));
  EXPECT_EQ(rep.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(good.requests(), 0);
}

TEST(RpcClient, ConflictAfterAResendSaysTheRequestWasSentTwice) {
  FakeCoordinator hung(Hung());
  FakeCoordinator leader([](const Envelope& env) {
    return std::vector<std::string>{FakeCoordinator::Error(env.requestId, StatusCode::kConflict, "exists")};
  });
  auto client = MakeClient({hung.endpoint(), leader.endpoint()}, milliseconds(5000), milliseconds(50));
  auto rep = client->Call(protocol::CreateJobQueueRequest{});
  EXPECT_EQ(rep.status().code(), StatusCode::kConflict);
  EXPECT_EQ(rep.status().message().rfind("exists (the request was sent more than once", 0), 0u)
      << rep.status().message();
}

TEST(RpcClient, AllEndpointsSilentNamesThemAll) {
  std::string a = ClosedEndpoint();
  std::string b = ClosedEndpoint();
  auto client = MakeClient({a, b}, milliseconds(100));
  auto rep = client->Call(Ask("x"));
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(rep.status().message(),
            "cannot reach the coordinator at " + a + " or " + b + " (no reply within 0.1s from any)");
}

TEST(RpcClient, CreateRejectsBadOptions) {
  EXPECT_EQ(RpcClient::Create({{}, milliseconds(100)}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RpcClient::Create({{"tcp://127.0.0.1:1"}, milliseconds(0)}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RpcClient::Create({{"tcp://127.0.0.1:1"}, milliseconds(100), milliseconds(0)}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RpcClient, BadEndpointIsInvalidArgument) {
  auto client = MakeClient({"nonsense://x"}, milliseconds(100));
  auto rep = client->Call(Ask("x"));
  EXPECT_EQ(rep.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(rep.status().message().find("nonsense://x"), std::string::npos);
}

TEST(Endpoints, ParsesACommaSeparatedList) {
  auto list = ParseEndpointList(" tcp://10.0.0.1:7400, 10.0.0.2:7400 ,,");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<std::string>{"tcp://10.0.0.1:7400", "tcp://10.0.0.2:7400"}));
  EXPECT_EQ(ParseEndpointList(" , ").status().code(), StatusCode::kInvalidArgument);
}

TEST(Endpoints, FlagBeatsEnvironmentBeatsDefault) {
  EXPECT_EQ(*ResolveEndpoints("tcp://a:1", "tcp://b:2"), std::vector<std::string>{"tcp://a:1"});
  EXPECT_EQ(*ResolveEndpoints("", "tcp://b:2,tcp://c:3"),
            (std::vector<std::string>{"tcp://b:2", "tcp://c:3"}));
  EXPECT_EQ(*ResolveEndpoints("", nullptr), DefaultEndpoints());
  EXPECT_EQ(*ResolveEndpoints("", ""), DefaultEndpoints());
  auto bad = ResolveEndpoints("", ",");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("GANTRY_ENDPOINT"), std::string::npos);
}

TEST(Endpoints, FormatsTimeouts) {
  EXPECT_EQ(FormatTimeout(milliseconds(5000)), "5s");
  EXPECT_EQ(FormatTimeout(milliseconds(250)), "0.25s");
  EXPECT_EQ(FormatTimeout(milliseconds(1500)), "1.5s");
}

}  // namespace
}  // namespace gantry::client
