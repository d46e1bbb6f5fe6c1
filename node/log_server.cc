#include "node/log_server.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "node/attempt_log.h"
#include "node/sandbox.h"

namespace gantry::node {

std::string AdvertisedLogAddress(std::string_view last_endpoint, std::string_view hostname) {
  const size_t scheme = last_endpoint.find("://");
  const size_t colon = last_endpoint.rfind(':');
  if (scheme == std::string_view::npos || colon == std::string_view::npos || colon <= scheme + 3 ||
      hostname.empty()) {
    return std::string(last_endpoint);
  }
  const std::string_view host = last_endpoint.substr(scheme + 3, colon - scheme - 3);
  if (host != "0.0.0.0" && host != "[::]" && host != "*") return std::string(last_endpoint);
  return std::string(last_endpoint.substr(0, scheme + 3)) + std::string(hostname) +
         std::string(last_endpoint.substr(colon));
}

LogServer::LogServer(Logger log, std::filesystem::path data_dir, LogOpenFn log_open)
    : log_(std::move(log)), data_dir_(std::move(data_dir)), log_open_(std::move(log_open)) {}

LogServer::~LogServer() { Close(); }

Result<std::string> LogServer::Start(uv_loop_t* loop, zmq::context_t& context,
                                     const std::string& endpoint) {
  std::string bound;
  try {
    zmq::socket_t router(context, zmq::socket_type::router);
    ApplyRouterOptions(router);
    try {
      router.bind(endpoint);
    } catch (const zmq::error_t& e) {
      return Status::InvalidArgument("--log-listen " + endpoint + ": " + e.what());
    }
    bound = router.get(zmq::sockopt::last_endpoint);
    GANTRY_ASSIGN_OR_RETURN(
        socket_, LoopSocket::Create(loop, std::move(router),
                                    [this](LoopSocket::Frames& f) { OnFrames(f); }));
  } catch (const zmq::error_t& e) {
    return Status::Internal(std::string("log server socket: ") + e.what());
  }
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return AdvertisedLogAddress(bound, host);
}

void LogServer::Close() {
  if (socket_) socket_->Close();
}

void LogServer::OnFrames(LoopSocket::Frames& frames) {
  // [routing id, (empty delimiter from a REQ), request]: the reply goes back
  // with the same envelope frames.
  if (frames.size() < 2) return;
  const zmq::message_t& last = frames.back();
  const std::string reply = Answer(std::string_view(static_cast<const char*>(last.data()), last.size()));
  std::vector<std::string_view> out;
  for (size_t i = 0; i + 1 < frames.size(); ++i) {
    out.emplace_back(static_cast<const char*>(frames[i].data()), frames[i].size());
  }
  out.push_back(reply);
  Status s = socket_->Send(out);
  if (!s.ok()) log_->debug("log reply dropped error={}", s.message());
}

std::string LogServer::Answer(std::string_view frame) const {
  auto error = [](uint64_t id, const Status& s) {
    return protocol::EncodeMessage(
        id, protocol::ErrorReply{static_cast<uint8_t>(s.code()), s.message()});
  };
  Result<protocol::Envelope> env = protocol::DecodeEnvelope(frame);
  if (!env.ok()) return error(0, env.status());
  if (env->type != protocol::MessageType::kReadLog) {
    return error(env->requestId,
                 Status::InvalidArgument(std::string("the log server does not accept ") +
                                         protocol::MessageTypeName(env->type)));
  }
  Result<protocol::ReadLogRequest> req = protocol::DecodeBody<protocol::ReadLogRequest>(*env);
  if (!req.ok()) return error(env->requestId, req.status());
  Result<protocol::ReadLogReply> rep = Read(*req);
  if (!rep.ok()) {
    if (rep.status().code() != StatusCode::kNotFound && rep.status().code() != StatusCode::kInvalidArgument) {
      log_->warn("attempt log unreadable job_id={} attempt={} error={}", req->jobId, req->attemptNumber,
                 rep.status().message());
    }
    return error(env->requestId, rep.status());
  }
  log_->debug("attempt log read job_id={} attempt={} offset={} bytes={} ended={}", req->jobId,
              req->attemptNumber, rep->offset, rep->data.size(), rep->ended);
  return protocol::EncodeMessage(env->requestId, *rep);
}

Result<protocol::ReadLogReply> LogServer::Read(const protocol::ReadLogRequest& req) const {
  // The decoder checked the id already; this is the check that keeps any
  // path this server opens inside DATA/logs, whatever the protocol allows.
  const std::string number = std::to_string(req.attemptNumber);
  GANTRY_RETURN_IF_ERROR(ValidatePathComponent("jobId", req.jobId));
  GANTRY_RETURN_IF_ERROR(ValidatePathComponent("attemptNumber", number));
  const std::filesystem::path dir = LogRoot(data_dir_) / req.jobId / number;
  const bool ended = !log_open_(dir);
  Result<LogChunk> chunk =
      ReadAttemptLog(dir, req.offset, std::min(req.maxBytes, protocol::kMaxReadLogBytes));
  if (!chunk.ok()) {
    if (chunk.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no log of job " + req.jobId + " attempt " + number + " on this node");
    }
    return chunk.status();
  }
  protocol::ReadLogReply rep;
  rep.offset = chunk->offset;
  rep.nextOffset = chunk->offset + chunk->data.size();
  rep.data = std::move(chunk->data);
  rep.ended = ended;
  return rep;
}

}  // namespace gantry::node
