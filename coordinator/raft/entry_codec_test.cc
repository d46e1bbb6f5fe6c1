#include "coordinator/raft/entry_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gantry::coordinator::raft {
namespace {

std::string Encode(std::string_view payload) {
  std::string out(EncodedEntrySize(payload.size()), '\xff');
  EncodeEntry(payload, out.data());
  return out;
}

TEST(EntryCodec, PadsEveryPayloadToAMultipleOfEightAndRoundTrips) {
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 201, 4095, 100005}) {
    std::string payload(n, 'x');
    for (size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(i * 31);
    std::string entry = Encode(payload);
    EXPECT_EQ(entry.size() % 8, 0u) << n;
    EXPECT_LT(entry.size() - n - kEntryHeaderBytes, 8u) << n;
    Result<std::string_view> back = DecodeEntry(entry);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, payload);
    // Encode -> decode -> encode gives the same bytes.
    EXPECT_EQ(Encode(*back), entry);
  }
}

TEST(EntryCodec, RejectsMisframedEntries) {
  std::string entry = Encode("hello, raft");  // 11 bytes -> 24 with header and padding
  EXPECT_EQ(DecodeEntry(entry.substr(0, 4)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeEntry(entry.substr(0, 16)).status().code(), StatusCode::kCorruption);           // cut short
  EXPECT_EQ(DecodeEntry(entry + std::string(8, '\0')).status().code(), StatusCode::kCorruption);  // too long
  std::string bad_magic = entry;
  bad_magic[0] ^= 1;
  EXPECT_EQ(DecodeEntry(bad_magic).status().code(), StatusCode::kCorruption);
  std::string bad_pad = entry;
  bad_pad.back() = 1;
  EXPECT_EQ(DecodeEntry(bad_pad).status().code(), StatusCode::kCorruption);
  // What an unpadded predecessor would look like to 0.15's decoder: an entry
  // that starts mid-payload of the previous one.
  EXPECT_EQ(DecodeEntry(entry.substr(3, 16)).status().code(), StatusCode::kCorruption);
}

TEST(SnapshotCodec, RoundTripsAndRejectsBadBuffers) {
  std::string data(3987100, 'd');  // length mod 8 = 4: snapshots need no padding
  std::string buf(EncodedSnapshotSize(data.size()), '\0');
  EncodeSnapshot(424242, data, buf.data());
  Result<DecodedSnapshot> back = DecodeSnapshot(buf);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->applied_index, 424242u);
  EXPECT_EQ(back->data, data);

  EXPECT_EQ(DecodeSnapshot(buf.substr(0, 10)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeSnapshot(buf.substr(0, buf.size() - 1)).status().code(), StatusCode::kCorruption);
  std::string bad = buf;
  bad[1] ^= 1;
  EXPECT_EQ(DecodeSnapshot(bad).status().code(), StatusCode::kCorruption);

  std::string empty(EncodedSnapshotSize(0), '\0');
  EncodeSnapshot(0, "", empty.data());
  ASSERT_TRUE(DecodeSnapshot(empty).ok());
  EXPECT_EQ(DecodeSnapshot(empty)->data, "");
}

}  // namespace
}  // namespace gantry::coordinator::raft
