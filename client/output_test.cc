#include "client/output.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace gantry::client {
namespace {

TEST(Output, TableAlignsColumns) {
  std::string t = FormatTable({"ID", "NAME", "STATUS"}, {{"1", "alpha", "RUNNING"}, {"22", "b"}});
  EXPECT_EQ(t,
            "ID  NAME   STATUS\n"
            "1   alpha  RUNNING\n"
            "22  b\n");
}

TEST(Output, TableCountsCodePointsNotBytes) {
  std::string t = FormatTable({"A", "B"}, {{"\xc3\xa9t\xc3\xa9", "x"}});  // "été"
  EXPECT_EQ(t,
            "A    B\n"
            "\xc3\xa9t\xc3\xa9  x\n");
}

TEST(Output, TableWithNoRowsIsTheHeader) {
  EXPECT_EQ(FormatTable({"NODE", "STATE"}, {}), "NODE  STATE\n");
}

TEST(Output, OneLineReplacesControlCharacters) {
  EXPECT_EQ(OneLine("a\nb\tc\x1b[31m"), "a b c [31m");
  EXPECT_EQ(OneLine("plain \xc3\xa9"), "plain \xc3\xa9");
}

TEST(Output, IsoTimeWithOffset) {
  EXPECT_EQ(FormatIsoTime(0, 0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoTime(1'700'000'000'123, 0), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatIsoTime(1'700'000'000'123, 3600), "2023-11-14T23:13:20.123+01:00");
  EXPECT_EQ(FormatIsoTime(1'700'000'000'123, -(5 * 3600 + 1800)), "2023-11-14T16:43:20.123-05:30");
}

TEST(Output, LocalTimeFollowsTz) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(FormatLocalTime(1'700'000'000'000), "2023-11-14T22:13:20.000Z");
  setenv("TZ", "Asia/Kolkata", 1);  // +05:30, no daylight saving
  tzset();
  std::string kolkata = FormatLocalTime(1'700'000'000'000);
  if (old) setenv("TZ", saved.c_str(), 1); else unsetenv("TZ");
  tzset();
  // Without zoneinfo installed, glibc falls back to UTC.
  EXPECT_TRUE(kolkata == "2023-11-15T03:43:20.000+05:30" || kolkata == "2023-11-14T22:13:20.000Z")
      << kolkata;
}

TEST(Output, Mebibytes) {
  EXPECT_EQ(FormatMib(0), "0M");
  EXPECT_EQ(FormatMib(512), "512M");
  EXPECT_EQ(FormatMib(1024), "1.0G");
  EXPECT_EQ(FormatMib(1536), "1.5G");
  EXPECT_EQ(FormatMib(200 * 1024), "200G");
  EXPECT_EQ(FormatMib(3ull << 20), "3.0T");
}

TEST(Output, Durations) {
  EXPECT_EQ(FormatDuration(-5), "0ms");
  EXPECT_EQ(FormatDuration(350), "350ms");
  EXPECT_EQ(FormatDuration(4200), "4.2s");
  EXPECT_EQ(FormatDuration(185'000), "3m05s");
  EXPECT_EQ(FormatDuration(2 * 3'600'000 + 10 * 60'000), "2h10m");
  EXPECT_EQ(FormatDuration(3 * 86'400'000LL + 4 * 3'600'000), "3d04h");
}

}  // namespace
}  // namespace gantry::client
