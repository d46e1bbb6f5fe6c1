#include "client/verb_common.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "client/json_format.h"
#include "client/requests.h"
#include "gantry/ports.h"
#include "protocol/messages.h"

namespace gantry::client {

void AddCommonFlags(CLI::App& verb, CommonFlags& flags) {
  verb.add_option("--endpoint", flags.endpoint,
                  std::string("Coordinator endpoint(s), comma-separated, tried in order (default: $") +
                      kEndpointEnv + ", else tcp://127.0.0.1:7400 to 7402, the replicas of gantry dev)")
      ->group("Global options");
  verb.add_option("--rpc-timeout-seconds", flags.timeout_seconds,
                  "How long each request may take, riding out a coordinator failover")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group("Global options");
  verb.add_option("-o,--output", flags.output, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str()
      ->group("Global options");
}

Result<RpcOptions> MakeRpcOptions(const CommonFlags& flags, const char* env) {
  RpcOptions options;
  GANTRY_ASSIGN_OR_RETURN(options.endpoints, ResolveEndpoints(flags.endpoint, env));
  if (!(flags.timeout_seconds > 0) || flags.timeout_seconds > 86400) {
    return Status::InvalidArgument("--rpc-timeout-seconds must be between 0 and 86400");
  }
  options.timeout = std::chrono::milliseconds(
      std::max<int64_t>(1, std::llround(flags.timeout_seconds * 1000)));
  return options;
}

CLI::Option* AddListFlag(CLI::App& verb, const std::string& name, std::vector<std::string>& target,
                         const std::string& description) {
  // A finite maximum without allow_extra_args: up to that many values per
  // use, and no "[...]" splitting (CLI11 does that only for extra args).
  constexpr int kMaxValuesPerUse = 1000;
  return verb.add_option(name, target, description)->expected(1, kMaxValuesPerUse)->allow_extra_args(false);
}

void PrintError(std::string_view message) {
  std::cout.flush();
  std::cerr << "gantry: " << message << std::endl;
}

void Fail(std::string_view message, int exit_code) {
  PrintError(message);
  throw CLI::RuntimeError(exit_code);
}

std::string FlagTextOrFail(const std::string& arg, std::string_view flag) {
  if (arg.rfind("file://", 0) != 0) return arg;
  return UsageOrFail(ReadJsonArgument(arg, flag));
}

std::unique_ptr<RpcClient> ConnectOrFail(const CommonFlags& flags) {
  RpcOptions options = ValueOrFail(MakeRpcOptions(flags, std::getenv(kEndpointEnv)));
  return ValueOrFail(RpcClient::Create(std::move(options)));
}

Result<std::vector<protocol::Job>> DescribeJobsBatched(RpcClient& client,
                                                       const std::vector<std::string>& ids) {
  std::vector<protocol::Job> out;
  for (size_t start = 0; start < ids.size(); start += protocol::kMaxDescribeJobs) {
    protocol::DescribeJobsRequest req;
    size_t end = std::min(ids.size(), start + protocol::kMaxDescribeJobs);
    req.jobs.assign(ids.begin() + static_cast<std::ptrdiff_t>(start),
                    ids.begin() + static_cast<std::ptrdiff_t>(end));
    GANTRY_ASSIGN_OR_RETURN(protocol::DescribeJobsReply rep, client.Call(req));
    for (auto& job : rep.jobs) out.push_back(std::move(job));
  }
  return out;
}

void PrintDone(const CommonFlags& flags, const protocol::DoneReply& rep, const nlohmann::json& aws_json) {
  if (flags.format() == OutputFormat::kJson) {
    PrintJson(aws_json);
  } else {
    std::cout << rep.name << "\n" << std::flush;
  }
}

void PrintJson(const nlohmann::json& j) { std::cout << DumpJson(j) << "\n" << std::flush; }

void RunVerb(const std::function<void()>& body) {
  try {
    body();
  } catch (const CLI::Error&) {
    throw;
  } catch (const std::exception& e) {
    Fail(std::string("internal error: ") + e.what());
  }
}

}  // namespace gantry::client
