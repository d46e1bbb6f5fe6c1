// What every client verb shares: the global flags (--endpoint,
// --rpc-timeout-seconds, -o/--output), connecting, failing with a one-line
// message, and printing JSON.
//
// A verb's callback reports failure by printing "gantry: <what is wrong>" on
// stderr and throwing CLI::RuntimeError(code); main() turns that into the
// exit status. No other exception leaves a verb (RunVerb converts them).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/output.h"
#include "client/rpc_client.h"
#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::client {

struct CommonFlags {
  std::string endpoint;  // empty: $GANTRY_ENDPOINT, then the default
  double timeout_seconds = 5;
  std::string output = "text";

  OutputFormat format() const { return output == "json" ? OutputFormat::kJson : OutputFormat::kText; }
};

// Adds the global flags to `verb`, bound to `flags` (which must outlive it).
void AddCommonFlags(CLI::App& verb, CommonFlags& flags);

// RpcOptions from the flags and GANTRY_ENDPOINT (`env`, may be null).
Result<RpcOptions> MakeRpcOptions(const CommonFlags& flags, const char* env);

// Adds an optional numeric flag: `target` gets a value only when it is given.
template <class T>
CLI::Option* AddOptionalFlag(CLI::App& verb, const std::string& name, std::optional<T>& target,
                             const std::string& description) {
  return verb.add_option_function<T>(name, [&target](const T& v) { target = v; }, description);
}

// Adds a repeatable flag that takes one or more values each time
// (`--tags a=1 b=2 --tags c=3`), every value kept as typed: CLI11 would
// split a value like '["a","b"]' at its commas, so a JSON list reaches the
// verb's parser whole only with this.
CLI::Option* AddListFlag(CLI::App& verb, const std::string& name, std::vector<std::string>& target,
                         const std::string& description);

// Prints "gantry: <message>" on stderr.
void PrintError(std::string_view message);
// PrintError, then throws CLI::RuntimeError(exit_code).
[[noreturn]] void Fail(std::string_view message, int exit_code = 1);
[[noreturn]] inline void Fail(const Status& s, int exit_code = 1) { Fail(s.message(), exit_code); }

template <class T>
T ValueOrFail(Result<T> r) {
  if (!r.ok()) Fail(r.status());
  return std::move(r).value();
}

// The exit status of bad usage (main() gives CLI11's parse errors the same).
inline constexpr int kUsageExit = 2;

// For what the user typed (a Build* result, a JSON file): fails the verb
// with exit status 2 on error.
template <class T>
T UsageOrFail(Result<T> r) {
  if (!r.ok()) Fail(r.status(), kUsageExit);
  return std::move(r).value();
}

// The text of a flag that takes JSON: "file://PATH" is read (as the aws CLI
// does), anything else is the text itself. Fails the verb on a bad file.
std::string FlagTextOrFail(const std::string& arg, std::string_view flag);

// A client for the flags' endpoints; fails the verb on bad flags.
std::unique_ptr<RpcClient> ConnectOrFail(const CommonFlags& flags);

template <class Req>
typename ReplyOf<Req>::type CallOrFail(RpcClient& client, const Req& req) {
  return ValueOrFail(client.Call(req));
}

// DescribeJobs for any number of ids, in batches the coordinator accepts.
// Unknown ids are left out of the result.
Result<std::vector<protocol::Job>> DescribeJobsBatched(RpcClient& client,
                                                       const std::vector<std::string>& ids);

// Prints the reply of a request that only changes something: its name in
// text, `aws_json` (what AWS answers, often {}) with -o json.
void PrintDone(const CommonFlags& flags, const protocol::DoneReply& rep, const nlohmann::json& aws_json);

// Prints `j` (indented) and a newline on stdout.
void PrintJson(const nlohmann::json& j);

// Runs a verb's body; any exception other than CLI11's becomes an "internal
// error" failure, so none crosses into main() unexplained.
void RunVerb(const std::function<void()>& body);

}  // namespace gantry::client
