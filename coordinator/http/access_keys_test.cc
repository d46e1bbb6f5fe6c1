#include "coordinator/http/access_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace gantry::coordinator::http {
namespace {

constexpr char kSecretA[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYALICEKEY";
constexpr char kSecretB[] = "s3cr3t-b0b-0123456789#+/=";

Status ParseError(const std::string& text) {
  Result<AccessKeys> keys = AccessKeys::Parse(text, "keys.txt");
  EXPECT_FALSE(keys.ok()) << text;
  return keys.status();
}

void ExpectNoSecretIn(const Status& s) {
  EXPECT_EQ(s.message().find("ALICEKEY"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("s3cr3t"), std::string::npos) << s.message();
}

TEST(AccessKeys, ParsesKeysCommentsAndBlankLines) {
  std::string text = std::string("# name access-key-id secret\n\n") + "  alice   AKIAGANTRYALICE0001\t" + kSecretA +
                     "  \r\n" + "   # indented comment\n" + "bob_2-x AKIAGANTRYBOB000002 " + kSecretB;  // no final \n
  Result<AccessKeys> keys = AccessKeys::Parse(text, "keys.txt");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->size(), 2u);
  const AccessKey* alice = keys->Find("AKIAGANTRYALICE0001");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(alice->secret, kSecretA);
  const AccessKey* bob = keys->Find("AKIAGANTRYBOB000002");
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(bob->name, "bob_2-x");
  EXPECT_EQ(bob->secret, kSecretB);  // '#' inside a secret is not a comment
  EXPECT_EQ(keys->Find("AKIAGANTRYCAROL0003"), nullptr);
  EXPECT_EQ(keys->Find("akiagantryalice0001"), nullptr);
}

TEST(AccessKeys, MalformedLinesNameTheLineButNoSecret) {
  const std::string ok_line = std::string("alice AKIAGANTRYALICE0001 ") + kSecretA + "\n";
  const std::pair<std::string, std::string> cases[] = {
      {"# c\n\nalice AKIAGANTRYALICE0001\n", "keys.txt:3: expected 3 fields"},
      {ok_line + "bob AKIAGANTRYBOB000002 " + kSecretB + " extra\n", "keys.txt:2: expected 3 fields"},
      {std::string("al.ice AKIAGANTRYALICE0001 ") + kSecretA, "keys.txt:1: name must be 1-128 of A-Za-z0-9_-"},
      {std::string(129, 'n') + " AKIAGANTRYALICE0001 " + kSecretA, "keys.txt:1: name must be"},
      {std::string("alice AKIAshort ") + kSecretA, "keys.txt:1: access key id must be 16-128 of A-Z0-9"},
      {std::string("alice akiagantryalice0001 ") + kSecretA, "keys.txt:1: access key id must be 16-128 of A-Z0-9"},
      {"alice " + std::string(129, 'A') + " " + kSecretA, "keys.txt:1: access key id must be"},
      {"alice AKIAGANTRYALICE0001 s3cr3t-short", "keys.txt:1: secret must be at least 16 characters"},
      // Columns swapped: the secret lands where the name goes, and is not echoed.
      {std::string(kSecretB) + " AKIAGANTRYBOB000002 bob-is-not-a-secret", "keys.txt:1: name must be"},
  };
  for (const auto& c : cases) {
    Status s = ParseError(c.first);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message().rfind(c.second, 0), 0u) << s.message();
    ExpectNoSecretIn(s);
  }
}

TEST(AccessKeys, BoundaryLengthsAreAccepted) {
  std::string text = std::string(128, 'n') + " " + std::string(128, 'A') + " 0123456789abcdef\n" + "x " +
                     std::string(16, '9') + " 0123456789abcdeF\n";
  Result<AccessKeys> keys = AccessKeys::Parse(text, "keys.txt");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->size(), 2u);
}

TEST(AccessKeys, DuplicatesNameBothLines) {
  std::string dup_id =
      std::string("alice AKIAGANTRYALICE0001 ") + kSecretA + "\n# x\nbob AKIAGANTRYALICE0001 " + kSecretB;
  Status s = ParseError(dup_id);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "keys.txt:3: access key id is already used on line 1");

  std::string dup_name =
      std::string("alice AKIAGANTRYALICE0001 ") + kSecretA + "\nalice AKIAGANTRYBOB000002 " + kSecretB;
  s = ParseError(dup_name);
  EXPECT_EQ(s.message(), "keys.txt:2: name is already used on line 1");
  ExpectNoSecretIn(s);
}

TEST(AccessKeys, NoKeysIsAnError) {
  for (const char* text : {"", "\n\n", "# only a comment\n   \n"}) {
    Status s = ParseError(text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), "keys.txt: no access keys");
  }
}

class AccessKeysFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/gantry-keys-XXXXXX";
    int fd = ::mkstemp(templ.data());
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = templ;
  }
  void TearDown() override { ::unlink(path_.c_str()); }

  void Write(const std::string& text, mode_t mode) {
    std::ofstream(path_, std::ios::trunc) << text;
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
  }

  std::string path_;
};

TEST_F(AccessKeysFile, LoadsAPrivateFile) {
  Write(std::string("alice AKIAGANTRYALICE0001 ") + kSecretA + "\n", 0600);
  Result<AccessKeys> keys = AccessKeys::Load(path_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_NE(keys->Find("AKIAGANTRYALICE0001"), nullptr);
  EXPECT_EQ(keys->Find("AKIAGANTRYALICE0001")->name, "alice");

  Write(std::string("alice AKIAGANTRYALICE0001 ") + kSecretA + "\n", 0400);
  EXPECT_TRUE(AccessKeys::Load(path_).ok());
}

TEST_F(AccessKeysFile, RefusesAFileOthersCanRead) {
  Write(std::string("alice AKIAGANTRYALICE0001 ") + kSecretA + "\n", 0644);
  Status s = AccessKeys::Load(path_).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), path_ + " is readable by group or others (mode 0644); chmod 600 it");

  Write(std::string("alice AKIAGANTRYALICE0001 ") + kSecretA + "\n", 0640);
  EXPECT_NE(AccessKeys::Load(path_).status().message().find("readable by group or others (mode 0640)"),
            std::string::npos);
  Write(std::string("alice AKIAGANTRYALICE0001 ") + kSecretA + "\n", 0620);
  EXPECT_NE(AccessKeys::Load(path_).status().message().find("accessible by group or others (mode 0620)"),
            std::string::npos);
}

TEST_F(AccessKeysFile, ParseErrorsNameThePath) {
  Write("alice AKIAGANTRYALICE0001\n", 0600);
  Status s = AccessKeys::Load(path_).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind(path_ + ":1: expected 3 fields", 0), 0u) << s.message();
}

TEST_F(AccessKeysFile, MissingFileIsNotFoundAndADirectoryIsRefused) {
  EXPECT_EQ(AccessKeys::Load(path_ + ".absent").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(AccessKeys::Load("/").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gantry::coordinator::http
