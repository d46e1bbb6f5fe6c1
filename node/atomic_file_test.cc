#include "node/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;

TEST(AtomicFile, ReplacesTheContentWholeAndLeavesNoTemporary) {
  testutil::TempDir dir;
  const fs::path file = dir.path() / "deadline";
  ASSERT_TRUE(WriteFileAtomically(file, "first, and longer\n").ok());
  ASSERT_TRUE(WriteFileAtomically(file, "second\n").ok());
  EXPECT_EQ(testutil::ReadFile(file), "second\n");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u) << "the temporary was left behind";
}

TEST(AtomicFile, AMissingDirectoryIsAnErrorNamingTheFile) {
  testutil::TempDir dir;
  const fs::path file = dir.path() / "no-such-dir" / "node-id";
  Status s = WriteFileAtomically(file, "x");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("no-such-dir"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace gantry::node
