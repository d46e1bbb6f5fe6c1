#include "coordinator/fsm/job_parameters.h"

#include <string_view>

namespace gantry::coordinator {
namespace {

constexpr std::string_view kRefPrefix = "Ref::";

bool IsParameterNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Appends `arg` to `out` with its references expanded; false once `budget`
// bytes (shared by the whole command) are used up.
bool Expand(std::string_view arg, const protocol::Parameters& parameters, size_t& budget,
            std::string& out) {
  auto append = [&](std::string_view piece) {
    if (piece.size() > budget) return false;
    budget -= piece.size();
    out.append(piece);
    return true;
  };
  size_t pos = 0;
  while (pos < arg.size()) {
    const size_t ref = arg.find(kRefPrefix, pos);
    if (ref == std::string_view::npos) return append(arg.substr(pos));
    size_t end = ref + kRefPrefix.size();
    while (end < arg.size() && IsParameterNameChar(arg[end])) ++end;
    const std::string name(arg.substr(ref + kRefPrefix.size(), end - ref - kRefPrefix.size()));
    auto it = name.empty() ? parameters.end() : parameters.find(name);
    if (!append(arg.substr(pos, ref - pos))) return false;
    if (!append(it == parameters.end() ? arg.substr(ref, end - ref) : std::string_view(it->second))) {
      return false;
    }
    pos = end;
  }
  return true;
}

}  // namespace

protocol::Parameters MergeParameters(const protocol::Parameters& defaults,
                                     const protocol::Parameters& overrides) {
  protocol::Parameters merged = defaults;
  for (const auto& [name, value] : overrides) merged[name] = value;
  return merged;
}

Result<std::vector<std::string>> SubstituteParameters(const std::vector<std::string>& command,
                                                      const protocol::Parameters& parameters) {
  std::vector<std::string> out;
  out.reserve(command.size());
  size_t budget = protocol::kMaxCommandBytes;
  for (const std::string& arg : command) {
    std::string expanded;
    if (!Expand(arg, parameters, budget, expanded)) {
      return Status::InvalidArgument("command is longer than " + std::to_string(protocol::kMaxCommandBytes) +
                                     " bytes once parameters are substituted");
    }
    out.push_back(std::move(expanded));
  }
  return out;
}

}  // namespace gantry::coordinator
