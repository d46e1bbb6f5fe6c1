#include "node/log_tail.h"

#include <gtest/gtest.h>

#include "node/test_util.h"
#include "protocol/types.h"

namespace gantry::node {
namespace {

using testutil::TempDir;

TEST(ReadLogTail, ReturnsAllOfASmallFile) {
  TempDir tmp;
  testutil::WriteFile(tmp.path() / "out.log", "hello\nworld\n");
  auto tail = ReadLogTail(tmp.path() / "out.log", protocol::kMaxLogTailBytes);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_EQ(*tail, "hello\nworld\n");
}

TEST(ReadLogTail, ReturnsEmptyForAnEmptyFile) {
  TempDir tmp;
  testutil::WriteFile(tmp.path() / "out.log", "");
  auto tail = ReadLogTail(tmp.path() / "out.log", protocol::kMaxLogTailBytes);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "");
}

TEST(ReadLogTail, ReturnsTheLastBytesOfABigFile) {
  TempDir tmp;
  std::string head(100'000, 'h');
  std::string end(protocol::kMaxLogTailBytes - 4, 't');
  testutil::WriteFile(tmp.path() / "out.log", head + "LAST" + end);
  auto tail = ReadLogTail(tmp.path() / "out.log", protocol::kMaxLogTailBytes);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->size(), protocol::kMaxLogTailBytes);
  EXPECT_EQ(*tail, "LAST" + end);
}

TEST(ReadLogTail, ReturnsAFileOfExactlyTheCapWhole) {
  TempDir tmp;
  std::string all(protocol::kMaxLogTailBytes, 'x');
  testutil::WriteFile(tmp.path() / "out.log", all);
  auto tail = ReadLogTail(tmp.path() / "out.log", protocol::kMaxLogTailBytes);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, all);
}

TEST(ReadLogTail, StartsOnACharacterBoundary) {
  TempDir tmp;
  // "é" is 0xC3 0xA9; a 3-byte cap cuts it after its first byte.
  testutil::WriteFile(tmp.path() / "out.log", "a\xC3\xA9zz");
  auto tail = ReadLogTail(tmp.path() / "out.log", 3);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "zz");
}

TEST(ReadLogTail, MissingFileIsNotFound) {
  TempDir tmp;
  EXPECT_EQ(ReadLogTail(tmp.path() / "none", 10).status().code(), StatusCode::kNotFound);
}

TEST(TrimCutCharacter, DropsAtMostThreeContinuationBytes) {
  EXPECT_EQ(TrimCutCharacter("\x80\x80xyz"), "xyz");
  EXPECT_EQ(TrimCutCharacter("\x80\x80\x80\x80z"), "\x80z");
  EXPECT_EQ(TrimCutCharacter("plain"), "plain");
  EXPECT_EQ(TrimCutCharacter(""), "");
}

}  // namespace
}  // namespace gantry::node
