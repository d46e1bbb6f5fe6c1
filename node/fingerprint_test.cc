#include "node/fingerprint.h"

#include <gtest/gtest.h>

#include "node/test_util.h"

namespace gantry::node {
namespace {

TEST(ParseMemTotalMib, ReadsMemTotalInMib) {
  constexpr std::string_view kMeminfo =
      "MemFree:         1234567 kB\n"
      "MemTotal:       16318480 kB\n"
      "Buffers:          102400 kB\n";
  auto mib = ParseMemTotalMib(kMeminfo);
  ASSERT_TRUE(mib.ok()) << mib.status().ToString();
  EXPECT_EQ(*mib, 16318480u / 1024);
}

TEST(ParseMemTotalMib, AcceptsALastLineWithoutNewline) {
  auto mib = ParseMemTotalMib("MemTotal: 2048 kB");
  ASSERT_TRUE(mib.ok());
  EXPECT_EQ(*mib, 2u);
}

TEST(ParseMemTotalMib, RejectsMissingOrMalformedLines) {
  EXPECT_EQ(ParseMemTotalMib("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMemTotalMib("MemFree: 1 kB\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMemTotalMib("MemTotal: lots kB\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMemTotalMib("MemTotal: 12 MB\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMemTotalMib("MemTotalX 12 kB\n").status().code(), StatusCode::kInvalidArgument);
}

TEST(Fingerprint, ReadsThisMachine) {
  EXPECT_GE(FingerprintVcpus(), 1u);
  auto mem = FingerprintMemoryMib();
  ASSERT_TRUE(mem.ok()) << mem.status().ToString();
  EXPECT_GT(*mem, 0u);
  testutil::TempDir tmp;
  EXPECT_TRUE(FingerprintDiskMib(tmp.path()).ok());
  EXPECT_EQ(FingerprintDiskMib(tmp.path() / "missing").status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace gantry::node
