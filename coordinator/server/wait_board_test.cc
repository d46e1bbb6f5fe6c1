#include "coordinator/server/wait_board.h"

#include <gtest/gtest.h>

namespace gantry::coordinator {
namespace {

TEST(WaitBoard, StoresEachDistinctReasonOnce) {
  WaitBoard board;
  for (uint64_t seq = 1; seq <= 1000; ++seq) board.File(seq, "waiting for capacity", "CAPACITY:X");
  board.File(1001, "compute environment ce is disabled", "CAPACITY:X");
  board.File(1002, "waiting for capacity", "MISCONFIGURATION:Y");  // same text, other code
  board.File(1003, "waiting for capacity", "CAPACITY:X");          // not the last one filed
  EXPECT_EQ(board.jobs(), 1003u);
  EXPECT_EQ(board.distinct_reasons(), 3u);
  ASSERT_NE(board.Find(500), nullptr);
  EXPECT_EQ(board.Find(500)->reason, "waiting for capacity");
  EXPECT_EQ(board.Find(1002)->code, "MISCONFIGURATION:Y");
  EXPECT_EQ(board.Find(1003)->code, "CAPACITY:X");
  EXPECT_EQ(board.Find(9999), nullptr);
}

TEST(WaitBoard, RefilingMovesAJobAndClearForgetsEverything) {
  WaitBoard board;
  board.File(7, "a", "c1");
  board.File(7, "b", "c2");
  EXPECT_EQ(board.Find(7)->reason, "b");
  EXPECT_EQ(board.jobs(), 1u);
  board.Clear();
  EXPECT_EQ(board.Find(7), nullptr);
  EXPECT_EQ(board.distinct_reasons(), 0u);
  board.File(8, "a", "c1");  // the interning starts afresh
  EXPECT_EQ(board.Find(8)->reason, "a");
}

}  // namespace
}  // namespace gantry::coordinator
