#include "coordinator/http/http_api_service.h"

#include "coordinator/http/sigv4.h"

namespace gantry::coordinator::http {
namespace {

// SigV4 against the configured keys; the key's name becomes the caller.
Authenticator SigV4Authenticator(const AccessKeys* keys, VerifyOptions options) {
  return [keys, options](const ApiRequest& req, int64_t now_ms) {
    RequestView view{req.method, req.target, {}, req.body};
    view.headers.reserve(req.headers.size());
    for (const auto& [name, value] : req.headers) view.headers.push_back({name, value});
    AuthResult result = Verify(view, *keys, now_ms / 1000, options);
    if (result.ok()) return AuthOutcome{result.caller().name, "", ""};
    return AuthOutcome{std::nullopt, AuthErrorCodeName(result.error().code), result.error().message};
  };
}

}  // namespace

Status ValidateHttpApiConfig(const HttpApiConfig& config) {
  GANTRY_RETURN_IF_ERROR(ParseHostPort("--http-listen", config.server.listen).status());
  if (config.no_auth && !config.keys_path.empty()) {
    return Status::InvalidArgument("--http-keys and --http-no-auth exclude each other");
  }
  if (!config.no_auth && config.keys_path.empty()) {
    return Status::InvalidArgument(
        "--http-listen needs --http-keys FILE (access keys for SigV4), or --http-no-auth for a development "
        "cluster");
  }
  if (Status s = ValidateArnScheme(config.arns); !s.ok()) return s.WithContext("--region/--account-id");
  if (config.coordinators.empty()) return Status::InvalidArgument("the HTTP API has no coordinator endpoint");
  return Status::Ok();
}

Result<std::unique_ptr<HttpApiService>> HttpApiService::Start(HttpApiConfig config, Logger log) {
  GANTRY_RETURN_IF_ERROR(ValidateHttpApiConfig(config));
  std::unique_ptr<HttpApiService> self(new HttpApiService());
  ApiOptions options;
  options.arns = config.arns;
  options.rate_per_second = config.rate_per_second;
  options.rate_burst = config.rate_burst;
  if (!config.no_auth) {
    Result<AccessKeys> keys = AccessKeys::Load(config.keys_path);
    if (!keys.ok()) return keys.status().WithContext("--http-keys");
    self->keys_ = std::move(keys).value();
    VerifyOptions verify;
    verify.max_skew_seconds = config.max_clock_skew.count();
    options.authenticate = SigV4Authenticator(&self->keys_, verify);
    log->info("HTTP API authenticates with SigV4 keys={} path={}", self->keys_.size(), config.keys_path);
  } else {
    log->warn("HTTP API without authentication (--http-no-auth): anyone who reaches {} can submit jobs",
              config.server.listen);
  }
  GANTRY_ASSIGN_OR_RETURN(self->backend_, RpcBackend::Create(config.coordinators, config.request_timeout));
  self->api_ = std::make_unique<AwsApi>(std::move(options), self->backend_.get(), [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
  GANTRY_ASSIGN_OR_RETURN(self->server_, HttpServer::Start(config.server, self->api_.get(), std::move(log)));
  return self;
}

HttpApiService::~HttpApiService() { Stop(); }

void HttpApiService::Stop() {
  if (server_) server_->Stop();
}

}  // namespace gantry::coordinator::http
