#include "coordinator/http/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "coordinator/http/fake_backend.h"

namespace gantry::coordinator::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() : api_(ApiOptions{}, &backend_, [] { return int64_t{1'767'322'000'000}; }) {}

  std::unique_ptr<HttpServer> StartOrDie(HttpServerOptions options) {
    auto server = HttpServer::Start(options, &api_, NullLogger());
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return server.ok() ? std::move(server).value() : nullptr;
  }

  FakeBackend backend_;
  AwsApi api_;
};

HttpServerOptions OnAnyPort() {
  HttpServerOptions o;
  o.listen = "127.0.0.1:0";
  o.threads = 2;
  return o;
}

TEST_F(HttpServerTest, ServesTheApiOverKeepAliveConnections) {
  auto server = StartOrDie(OnAnyPort());
  ASSERT_TRUE(server);
  httplib::Client client("127.0.0.1", server->port());
  client.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto res = client.Post("/v1/canceljob", R"({"jobId": "j", "reason": "r"})", "application/json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(res->get_header_value("x-amzn-RequestId").size(), 36u);
    EXPECT_FALSE(res->has_header("x-amzn-ErrorType"));
  }
  EXPECT_EQ(backend_.slot<protocol::CancelJobRequest>().calls, 3);

  auto bad = client.Post("/v1/canceljob", "{", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->get_header_value("x-amzn-ErrorType"), "ClientException");
  EXPECT_EQ(json::parse(bad->body)["__type"], "ClientException");
}

TEST_F(HttpServerTest, WhatTheLibraryRefusesItselfStillGetsAnAwsError) {
  HttpServerOptions o = OnAnyPort();
  o.max_body_bytes = 64;
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client client("127.0.0.1", server->port());
  auto res = client.Post("/v1/canceljob", std::string(1000, ' '), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->get_header_value("x-amzn-ErrorType"), "ClientException");
  EXPECT_EQ(json::parse(res->body)["__type"], "ClientException");
  EXPECT_EQ(backend_.slot<protocol::CancelJobRequest>().calls, 0);
}

TEST_F(HttpServerTest, BadOrTakenAddressesAreClearErrors) {
  HttpServerOptions o = OnAnyPort();
  for (const char* bad : {"7480", "127.0.0.1:", "127.0.0.1:99999", ":7480", "127.0.0.1:x"}) {
    o.listen = bad;
    auto r = HttpServer::Start(o, &api_, NullLogger());
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("--http-listen"), std::string::npos) << r.status().message();
  }
  auto first = StartOrDie(OnAnyPort());
  ASSERT_TRUE(first);
  o.listen = "127.0.0.1:" + std::to_string(first->port());
  auto taken = HttpServer::Start(o, &api_, NullLogger());
  EXPECT_EQ(taken.status().code(), StatusCode::kUnavailable);
}

TEST_F(HttpServerTest, TlsFilesMustComeInPairsAndLoad) {
  HttpServerOptions o = OnAnyPort();
  o.tls_cert = "/nonexistent/cert.pem";
  auto half = HttpServer::Start(o, &api_, NullLogger());
  EXPECT_EQ(half.status().code(), StatusCode::kInvalidArgument);
  o.tls_key = "/nonexistent/key.pem";
  auto missing = HttpServer::Start(o, &api_, NullLogger());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("/nonexistent/cert.pem"), std::string::npos);
}

// A self-signed certificate for 127.0.0.1, made with the openssl tool.
class TlsTest : public HttpServerTest {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gantry-tls-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                            "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                            (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() +
                            " > /dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "needs the openssl tool (deploy/install-deps)";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TlsTest, ServesHttpsOnlyWithTheGivenCertificate) {
  HttpServerOptions o = OnAnyPort();
  o.tls_cert = (dir_ / "cert.pem").string();
  o.tls_key = (dir_ / "key.pem").string();
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);

  httplib::SSLClient tls("127.0.0.1", server->port());
  tls.set_ca_cert_path(o.tls_cert.c_str());
  tls.enable_server_certificate_verification(true);
  auto res = tls.Post("/v1/canceljob", R"({"jobId": "j", "reason": "r"})", "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(backend_.slot<protocol::CancelJobRequest>().calls, 1);

  httplib::Client plain("127.0.0.1", server->port());
  plain.set_read_timeout(2, 0);
  auto refused = plain.Post("/v1/canceljob", R"({"jobId": "j", "reason": "r"})", "application/json");
  EXPECT_TRUE(!refused || refused->status != 200);
  EXPECT_EQ(backend_.slot<protocol::CancelJobRequest>().calls, 1);

  // A key that is not the certificate's.
  const std::string other_key = (dir_ / "other.pem").string();
  ASSERT_EQ(std::system(("openssl genrsa -out " + other_key + " 2048 > /dev/null 2>&1").c_str()), 0);
  o.tls_key = other_key;
  auto mismatched = HttpServer::Start(o, &api_, NullLogger());
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gantry::coordinator::http
