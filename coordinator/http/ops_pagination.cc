#include "coordinator/http/ops_pagination.h"

namespace gantry::coordinator::http::ops {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

Result<uint32_t> ReadMaxResults(const Members& body) {
  uint32_t max_results = kMaxPageResults;
  GANTRY_RETURN_IF_ERROR(body.Get("maxResults", max_results));
  if (max_results < 1 || max_results > kMaxPageResults) {
    return Status::InvalidArgument(body.Path("maxResults") + " must be between 1 and " +
                                   std::to_string(kMaxPageResults) + ", got " + std::to_string(max_results));
  }
  return max_results;
}

Result<PageRequest> ReadPageRequest(const Members& body) {
  PageRequest page;
  GANTRY_ASSIGN_OR_RETURN(page.max_results, ReadMaxResults(body));
  std::optional<std::string> token;
  GANTRY_RETURN_IF_ERROR(body.Get("nextToken", token));
  if (token) {
    GANTRY_ASSIGN_OR_RETURN(page.after, DecodePageToken(*token));
  }
  return page;
}

std::string EncodePageToken(std::string_view key) {
  std::string token;
  token.reserve(key.size() * 2);
  for (unsigned char c : key) {
    token += kHexDigits[c >> 4];
    token += kHexDigits[c & 15];
  }
  return token;
}

Result<std::string> DecodePageToken(std::string_view token) {
  Status invalid = Status::InvalidArgument("nextToken is not valid");
  if (token.empty() || token.size() % 2 != 0) return invalid;
  std::string key;
  for (size_t i = 0; i < token.size(); i += 2) {
    const int hi = HexValue(token[i]);
    const int lo = HexValue(token[i + 1]);
    if (hi < 0 || lo < 0) return invalid;
    key += static_cast<char>(hi * 16 + lo);
  }
  return key;
}

}  // namespace gantry::coordinator::http::ops
