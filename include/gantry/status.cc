#include "gantry/status.h"

namespace gantry {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kInternal: return "internal";
  }
  return "internal";
}

StatusCode StatusCodeFromInt(int64_t code) {
  if (code < 0 || code > static_cast<int64_t>(StatusCode::kInternal)) return StatusCode::kInternal;
  return static_cast<StatusCode>(code);
}

Status Status::Corruption(std::string_view context, std::string_view detail) {
  std::string m(context);
  m += ": ";
  m += detail;
  return Status(StatusCode::kCorruption, std::move(m));
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return Status(code_, std::move(m));
}

}  // namespace gantry
