// The attempt log: window bookkeeping, read planning, the writer on real
// files (cap, rotation, offsets) and the pipe on a real libuv loop.
#include "node/attempt_log.h"

#include <gmock/gmock.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>

#include "node/attempt_log_pipe.h"
#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using testutil::ReadFile;

TEST(LogWindow, TracksOffsetsThroughRotations) {
  LogWindow w(10);  // halves of 5
  EXPECT_EQ(w.RoomInCurrent(), 5u);
  w.Wrote(3);
  EXPECT_EQ(w.end(), 3u);
  EXPECT_EQ(w.window_start(), 0u);
  w.Wrote(2);
  EXPECT_EQ(w.RoomInCurrent(), 0u);
  w.Rotated();
  EXPECT_EQ(w.current_base(), 5u);
  EXPECT_EQ(w.window_start(), 0u);  // the rotated half still holds 0..5
  w.Wrote(5);
  w.Rotated();
  w.Wrote(1);
  EXPECT_EQ(w.window_start(), 5u);
  EXPECT_EQ(w.current_base(), 10u);
  EXPECT_EQ(w.end(), 11u);
  EXPECT_EQ(w.bytes_on_disk(), 6u);
}

TEST(PlanLogRead, SpansBothFilesAndClampsToTheWindow) {
  const LogLayout layout{.rotated_size = 8, .current_base = 100, .current_size = 5};  // [92, 105)
  LogReadPlan all = PlanLogRead(layout, 0, 1000);
  EXPECT_EQ(all.start, 92u);  // 0..92 was rotated away
  EXPECT_THAT(all.segments, ElementsAre(LogSegment{true, 0, 8}, LogSegment{false, 0, 5}));

  LogReadPlan mid = PlanLogRead(layout, 98, 4);
  EXPECT_EQ(mid.start, 98u);
  EXPECT_THAT(mid.segments, ElementsAre(LogSegment{true, 6, 2}, LogSegment{false, 0, 2}));

  LogReadPlan current_only = PlanLogRead(layout, 102, 100);
  EXPECT_THAT(current_only.segments, ElementsAre(LogSegment{false, 2, 3}));

  LogReadPlan past_end = PlanLogRead(layout, 500, 100);
  EXPECT_EQ(past_end.start, 105u);
  EXPECT_TRUE(past_end.segments.empty());

  EXPECT_TRUE(PlanLogRead(layout, 92, 0).segments.empty());
}

class AttemptLogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_); }

  // A writer on a fresh output.log, as PrepareSandbox leaves it.
  std::unique_ptr<AttemptLogWriter> Writer(uint64_t cap) {
    int fd = ::open(files_.current.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    EXPECT_GE(fd, 0);
    return std::make_unique<AttemptLogWriter>(dir_, fd, cap);
  }
  uint64_t BytesOnDisk() {
    uint64_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_)) n += e.is_regular_file() ? e.file_size() : 0;
    return n;
  }

  testutil::TempDir tmp_;
  fs::path dir_ = tmp_.path() / "logs" / "job-1" / "1";
  AttemptLogFiles files_ = AttemptLogFiles::In(dir_);
};

TEST_F(AttemptLogWriterTest, KeepsAtMostTheCapWithTheNewestOutput) {
  auto w = Writer(16);  // halves of 8
  const std::string stream = "0123456789abcdefghijklmnopqrst";  // 30 bytes
  ASSERT_TRUE(w->Append(stream.substr(0, 7)).ok());
  ASSERT_TRUE(w->Append(stream.substr(7, 20)).ok());
  ASSERT_TRUE(w->Append(stream.substr(27)).ok());
  w->Close();
  // Rotated at 8, 16 and 24: the newest 14 bytes remain.
  EXPECT_EQ(ReadFile(files_.rotated), "ghijklmn");
  EXPECT_EQ(ReadFile(files_.current), "opqrst");
  EXPECT_EQ(ReadFile(files_.base), "24");
  EXPECT_LE(BytesOnDisk(), 16u + 2u);  // + the base file's digits
  EXPECT_EQ(w->window().window_start(), 16u);
  EXPECT_EQ(w->window().end(), 30u);

  Result<LogLayout> layout = ReadLogLayout(dir_);
  ASSERT_TRUE(layout.ok()) << layout.status().ToString();
  EXPECT_EQ(layout->window_start(), 16u);
  EXPECT_EQ(layout->end(), 30u);

  Result<LogChunk> all = ReadAttemptLog(dir_, 0, 1000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->offset, 16u);
  EXPECT_EQ(all->data, stream.substr(16));
  Result<LogChunk> across = ReadAttemptLog(dir_, 22, 4);
  ASSERT_TRUE(across.ok());
  EXPECT_EQ(across->offset, 22u);
  EXPECT_EQ(across->data, "mnop");
  Result<std::string> tail = ReadAttemptLogTail(dir_, 5);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "pqrst");
}

TEST_F(AttemptLogWriterTest, RotatesAsSoonAsTheCurrentHalfIsFull) {
  auto w = Writer(8);
  ASSERT_TRUE(w->Append("abcd").ok());
  EXPECT_EQ(ReadFile(files_.rotated), "abcd");
  EXPECT_EQ(ReadFile(files_.current), "");
  Result<std::string> tail = ReadAttemptLogTail(dir_, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "abcd");
}

TEST_F(AttemptLogWriterTest, UnrotatedLogNeedsNoBaseFile) {
  auto w = Writer(1 << 20);
  ASSERT_TRUE(w->Append("hello\n").ok());
  EXPECT_FALSE(fs::exists(files_.rotated));
  EXPECT_FALSE(fs::exists(files_.base));
  Result<LogChunk> chunk = ReadAttemptLog(dir_, 2, 100);
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(chunk->offset, 2u);
  EXPECT_EQ(chunk->data, "llo\n");
}

TEST_F(AttemptLogWriterTest, ForgetsAnEarlierRunsRotatedHalf) {
  testutil::WriteFile(files_.rotated, "stale");
  testutil::WriteFile(files_.base, "99");
  auto w = Writer(100);
  ASSERT_TRUE(w->Append("new").ok());
  Result<LogChunk> chunk = ReadAttemptLog(dir_, 0, 100);
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(chunk->offset, 0u);
  EXPECT_EQ(chunk->data, "new");
}

TEST_F(AttemptLogWriterTest, AFailedRotationDropsLaterOutputOnly) {
  auto w = Writer(8);
  // A directory in the rotated file's place: the rename fails.
  fs::create_directories(files_.rotated / "blocker");
  Status s = w->Append("abcdef");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("rename"));
  EXPECT_TRUE(w->failed());
  EXPECT_TRUE(w->Append("more").ok());  // discarded, not an error again
  EXPECT_EQ(ReadFile(files_.current), "abcd");
}

TEST_F(AttemptLogWriterTest, MissingLogIsNotFoundAndBadBaseIsCorruption) {
  EXPECT_EQ(ReadAttemptLog(tmp_.path() / "nothing", 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadAttemptLogTail(tmp_.path() / "nothing", 10).status().code(), StatusCode::kNotFound);
  testutil::WriteFile(files_.current, "x");
  testutil::WriteFile(files_.base, "12x");
  EXPECT_EQ(ReadLogLayout(dir_).status().code(), StatusCode::kCorruption);
}

TEST_F(AttemptLogWriterTest, TailAfterRotationStartsOnACharacter) {
  auto w = Writer(8);
  ASSERT_TRUE(w->Append("ab\xc3\xa9xyz").ok());  // "abéxyz", 7 bytes: rotated after 4
  Result<std::string> tail = ReadAttemptLogTail(dir_, 4);  // cuts the é in two
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "xyz");
}

// ---- the pipe ------------------------------------------------------------------

class AttemptLogPipeTest : public AttemptLogWriterTest {
 protected:
  void SetUp() override {
    AttemptLogWriterTest::SetUp();
    ASSERT_EQ(uv_loop_init(&loop_), 0);
  }
  void TearDown() override { testutil::CloseLoop(&loop_); }

  std::unique_ptr<AttemptLogPipe> Open(uint64_t cap) {
    Result<std::unique_ptr<AttemptLogPipe>> p =
        AttemptLogPipe::Open(&loop_, testutil::TestLogger("exec"), "a1", Writer(cap));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::move(p).value();
  }

  uv_loop_t loop_{};
};

void WriteFd(int fd, const std::string& data) {
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
}

TEST_F(AttemptLogPipeTest, WritesWhatArrivesAsItArrives) {
  auto pipe = Open(1 << 20);
  int fd = pipe->TakeChildFd();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(pipe->TakeChildFd(), -1);
  WriteFd(fd, "first\n");
  ASSERT_TRUE(testutil::RunLoopUntil(&loop_, [&] { return pipe->window().end() == 6; }));
  EXPECT_EQ(ReadFile(files_.current), "first\n");
  ::close(fd);
  bool done = false;
  pipe->DrainAndClose([&] { done = true; });
  EXPECT_FALSE(pipe->open());
  ASSERT_TRUE(testutil::RunLoopUntil(&loop_, [&] { return done; }));
}

TEST_F(AttemptLogPipeTest, DrainTakesWhatIsBufferedWithoutWaitingForEof) {
  auto pipe = Open(64);
  int fd = pipe->TakeChildFd();
  // The test keeps the write end open, as an escaped process would: no EOF
  // comes, and the drain still ends.
  WriteFd(fd, std::string(100, 'x') + "the end");
  bool done = false;
  pipe->DrainAndClose([&] { done = true; });
  ASSERT_TRUE(testutil::RunLoopUntil(&loop_, [&] { return done; }));
  EXPECT_EQ(pipe->window().end(), 107u);
  Result<std::string> tail = ReadAttemptLogTail(dir_, 7);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "the end");
  EXPECT_LE(BytesOnDisk(), 64u + 3u);
  // The read end is closed: a writer that stays gets EPIPE, not a full pipe.
  auto old = ::signal(SIGPIPE, SIG_IGN);
  const ssize_t n = ::write(fd, "x", 1);
  const int err = errno;
  ::signal(SIGPIPE, old);
  EXPECT_EQ(n, -1);
  EXPECT_EQ(err, EPIPE);
  ::close(fd);
}

}  // namespace
}  // namespace gantry::node
