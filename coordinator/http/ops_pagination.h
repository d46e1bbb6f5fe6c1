// Paging the describe/list operations whose backend call returns every
// resource (DescribeComputeEnvironments, DescribeJobQueues,
// DescribeJobDefinitions, ListSchedulingPolicies).
//
// A page is taken from the full list ordered by a key (the name; a job
// definition's name then revision). nextToken is an opaque (hex) encoding
// of the last key a page returned, and the next page starts strictly after
// that key, so a token always advances, even when resources are created or
// deleted between pages (botocore refuses a token it has seen before). The
// last page has no nextToken. Pure.
#pragma once

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/http/ops_json.h"
#include "gantry/status.h"

namespace gantry::coordinator::http::ops {

// AWS's maxResults: 1-100, default 100.
inline constexpr uint32_t kMaxPageResults = 100;

struct PageRequest {
  uint32_t max_results = kMaxPageResults;
  std::optional<std::string> after;  // the previous page's last key
};

// maxResults alone. kInvalidArgument "maxResults must be between 1 and 100".
Result<uint32_t> ReadMaxResults(const Members& body);
// maxResults and nextToken. kInvalidArgument "nextToken is not valid" for a
// token this layer did not make.
Result<PageRequest> ReadPageRequest(const Members& body);

std::string EncodePageToken(std::string_view key);
Result<std::string> DecodePageToken(std::string_view token);

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_token;
};

// The page of `items` that `page` asks for, in key order. `key(item)`
// returns a std::string; keys are unique.
template <class T, class KeyFn>
Page<T> TakePage(std::vector<T> items, KeyFn key, const PageRequest& page) {
  std::sort(items.begin(), items.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  auto first = items.begin();
  if (page.after) {
    first = std::upper_bound(items.begin(), items.end(), *page.after,
                             [&](const std::string& k, const T& item) { return k < key(item); });
  }
  const size_t left = static_cast<size_t>(items.end() - first);
  auto last = first + static_cast<std::ptrdiff_t>(std::min<size_t>(left, page.max_results));
  Page<T> out;
  out.items.assign(std::make_move_iterator(first), std::make_move_iterator(last));
  if (last != items.end() && !out.items.empty()) out.next_token = EncodePageToken(key(out.items.back()));
  return out;
}

// The items whose name(item) is in `names`; all of them when `names` is
// empty. Names that match nothing are left out, as AWS's describe calls do.
template <class T, class NameFn>
std::vector<T> KeepNamed(std::vector<T> items, const std::vector<std::string>& names, NameFn name) {
  if (names.empty()) return items;
  const std::set<std::string, std::less<>> wanted(names.begin(), names.end());
  std::erase_if(items, [&](const T& item) { return !wanted.contains(name(item)); });
  return items;
}

// Sets out[member] to the rendered items and out["nextToken"] when the page
// has one.
template <class T, class RenderFn>
void PutPage(nlohmann::json& out, const char* member, const Page<T>& page, RenderFn render) {
  nlohmann::json list = nlohmann::json::array();
  for (const T& item : page.items) list.push_back(render(item));
  out[member] = std::move(list);
  if (page.next_token) out["nextToken"] = *page.next_token;
}

}  // namespace gantry::coordinator::http::ops
