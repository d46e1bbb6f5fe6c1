#include "coordinator/http/ops_pagination.h"

#include <gtest/gtest.h>

namespace gantry::coordinator::http::ops {
namespace {

using nlohmann::json;

Result<PageRequest> PageOf(const json& body) {
  Result<Members> m = Members::Of(body);
  if (!m.ok()) return m.status();
  return ReadPageRequest(*m);
}

std::string Identity(const std::string& s) { return s; }

// Every page of `items` from the first, `per_page` at a time; `between`
// runs on the items before each later page is taken.
template <class Between>
std::vector<std::vector<std::string>> AllPages(std::vector<std::string> items, uint32_t per_page, Between between) {
  std::vector<std::vector<std::string>> pages;
  PageRequest request{per_page, std::nullopt};
  for (int guard = 0; guard < 100; ++guard) {
    Page<std::string> page = TakePage(items, Identity, request);
    pages.push_back(page.items);
    if (!page.next_token) break;
    Result<std::string> after = DecodePageToken(*page.next_token);
    EXPECT_TRUE(after.ok());
    request.after = *after;
    between(items);
  }
  return pages;
}

TEST(PageToken, RoundTrips) {
  for (const std::string& key : std::vector<std::string>{"a", "queue-1", "d 0000000003", std::string("\x00\xff", 2)}) {
    Result<std::string> back = DecodePageToken(EncodePageToken(key));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, key);
  }
}

TEST(PageToken, MalformedTokensAreRefused) {
  for (const char* token : {"", "abc", "zz", "6g", "71 1", "QUJD"}) {
    Result<std::string> r = DecodePageToken(token);
    ASSERT_FALSE(r.ok()) << token;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "nextToken is not valid");
  }
  EXPECT_EQ(PageOf({{"nextToken", "not a token"}}).status().message(), "nextToken is not valid");
  EXPECT_EQ(PageOf({{"nextToken", 5}}).status().message(), "nextToken must be a string");
}

TEST(ReadPageRequest, MaxResultsIsOneToAHundredDefaultAHundred) {
  Result<PageRequest> none = PageOf(json::object());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->max_results, 100u);
  EXPECT_FALSE(none->after.has_value());
  EXPECT_EQ(PageOf({{"maxResults", 1}})->max_results, 1u);
  EXPECT_EQ(PageOf({{"maxResults", 100}})->max_results, 100u);
  for (int bad : {0, 101}) {
    Result<PageRequest> r = PageOf({{"maxResults", bad}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "maxResults must be between 1 and 100, got " + std::to_string(bad));
  }
}

TEST(TakePage, OrdersByKeyAndAdvancesToTheEnd) {
  auto pages = AllPages({"c", "a", "e", "b", "d"}, 2, [](std::vector<std::string>&) {});
  EXPECT_EQ(pages, (std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "d"}, {"e"}}));
}

TEST(TakePage, TheLastFullPageHasNoToken) {
  Page<std::string> page = TakePage(std::vector<std::string>{"a", "b"}, Identity, PageRequest{2, std::nullopt});
  EXPECT_EQ(page.items.size(), 2u);
  EXPECT_FALSE(page.next_token.has_value());
}

TEST(TakePage, AdvancesWhenTheLastItemReturnedIsDeleted) {
  int taken = 0;
  auto pages = AllPages({"a", "b", "c", "d", "e"}, 2, [&](std::vector<std::string>& items) {
    std::erase(items, ++taken == 1 ? "b" : "d");  // the last item of the page just taken
  });
  EXPECT_EQ(pages, (std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "d"}, {"e"}}));
}

TEST(TakePage, ItemsCreatedBeforeTheTokenAreNotRepeated) {
  bool added = false;
  auto pages = AllPages({"b", "d", "f"}, 1, [&](std::vector<std::string>& items) {
    if (!added) items.insert(items.end(), {"a", "c"});  // "a" sorts before the token, "c" after
    added = true;
  });
  EXPECT_EQ(pages, (std::vector<std::vector<std::string>>{{"b"}, {"c"}, {"d"}, {"f"}}));
}

TEST(KeepNamed, LeavesOutNamesThatMatchNothing) {
  std::vector<std::string> items = {"a", "b", "c"};
  EXPECT_EQ(KeepNamed(items, {"c", "zzz", "a"}, Identity), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(KeepNamed(items, {}, Identity), items);
}

TEST(PutPage, WritesTheItemsAndTheToken) {
  json out = json::object();
  PutPage(out, "things", Page<std::string>{{"a"}, "61"}, [](const std::string& s) { return json{{"name", s}}; });
  EXPECT_EQ(out, (json{{"things", json::array({json{{"name", "a"}}})}, {"nextToken", "61"}}));
  json last = json::object();
  PutPage(last, "things", Page<std::string>{}, [](const std::string& s) { return json(s); });
  EXPECT_EQ(last, (json{{"things", json::array()}}));
}

}  // namespace
}  // namespace gantry::coordinator::http::ops
