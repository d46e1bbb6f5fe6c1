// Hostile frames: every truncated prefix, oversized frames, allocation and
// nesting bombs, and seeded random garbage and mutations of valid frames.
// Decoding must return ok or kInvalidArgument, never crash or throw.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "protocol/messages.h"
#include "protocol/test_fixtures.h"
#include "protocol/test_msgpack.h"
#include "protocol/test_samples.h"

namespace gantry::protocol {
namespace {

using namespace fixtures;  // NOLINT(google-build-using-namespace): Make*() factories
using ::testing::HasSubstr;

// Decodes a frame of unknown content as far as it goes. Anything but ok or
// kInvalidArgument fails the test; a frame that is accepted must re-encode to
// bytes that decode and re-encode identically. Returns whether it was accepted.
bool DecodeAnything(std::string_view frame) {
  Result<Envelope> env = DecodeEnvelope(frame);
  if (!env.ok()) {
    EXPECT_EQ(env.status().code(), StatusCode::kInvalidArgument) << env.status().ToString();
    EXPECT_FALSE(env.status().message().empty());
    return false;
  }
  ReencodeFn reencode = ReencoderFor(env->type);
  if (reencode == nullptr) {
    ADD_FAILURE() << "DecodeEnvelope accepted type " << static_cast<int>(env->type);
    return false;
  }
  Result<std::string> again = reencode(*env);
  if (!again.ok()) {
    EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument) << again.status().ToString();
    EXPECT_FALSE(again.status().message().empty());
    return false;
  }
  Result<Envelope> env2 = DecodeEnvelope(*again);
  EXPECT_TRUE(env2.ok()) << env2.status().ToString();
  if (!env2.ok()) return true;
  Result<std::string> third = reencode(*env2);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
  if (third.ok()) {
    EXPECT_EQ(*third, *again);
  }
  return true;
}

// ---- hostile frames ---------------------------------------------------------

TEST(HostileFrames, RejectsEveryTruncatedPrefix) {
  for (const Sample& s : AllSamples()) {
    SCOPED_TRACE(s.name);
    for (size_t n = 0; n < s.frame.size(); ++n) {
      Result<Envelope> env = DecodeEnvelope(std::string_view(s.frame).substr(0, n));
      ASSERT_FALSE(env.ok()) << "prefix of " << n << " bytes";
      ASSERT_EQ(env.status().code(), StatusCode::kInvalidArgument) << "prefix of " << n << " bytes";
    }
  }
}

// A frame of `size` bytes: a KillAttempt envelope padded with unknown keys
// whose values are str32 strings of at most the wire's string limit.
std::string PaddedKillFrame(size_t size) {
  constexpr int kPads = 16;
  std::string head = Raw([](Packer& pk) {
    pk.pack_map(4 + kPads);
    PackStr(pk, "v");
    pk.pack(kProtocolVersion);
    PackStr(pk, "t");
    pk.pack(static_cast<uint16_t>(MessageType::kKillAttempt));
    PackStr(pk, "id");
    pk.pack(1);
    PackStr(pk, "body");
    Pack(pk, MakeKillAttempt());
  });
  const size_t per_pad_overhead = 3 + 5;  // fixstr key "pN" + str32 header
  size_t payload = size - head.size() - kPads * per_pad_overhead;
  std::string frame = head;
  for (int i = 0; i < kPads; ++i) {
    size_t n = payload / kPads + (i < static_cast<int>(payload % kPads) ? 1 : 0);
    EXPECT_LE(n, DecodeLimits::Wire().str);
    frame += '\xa2';
    frame += 'p';
    frame += "0123456789abcdef"[i];
    frame += '\xdb';
    for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>((n >> shift) & 0xff);
    frame.append(n, 'x');
  }
  EXPECT_EQ(frame.size(), size);
  return frame;
}

TEST(HostileFrames, AcceptsFrameOfExactlyMaxBytes) {
  const size_t max = DecodeLimits::Wire().max_bytes;
  ASSERT_EQ(max, static_cast<size_t>(kMaxFrameBytes));
  std::string frame = PaddedKillFrame(max);
  Status s = DecodeAs<KillAttempt>(frame);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(HostileFrames, RejectsOversizedFrameSayingSo) {
  const size_t max = DecodeLimits::Wire().max_bytes;
  Status s = DecodeEnvelope(PaddedKillFrame(max + 1)).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "message of " + std::to_string(max + 1) + " bytes exceeds the limit of " +
                             std::to_string(max));

  KillAttempt huge = MakeKillAttempt();
  huge.reason.assign(max, 'r');
  s = DecodeEnvelope(EncodeMessage(1, huge)).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("exceeds the limit of 16777216"));
}

TEST(HostileFrames, RejectsBombsQuickly) {
  const std::string bombs[] = {
      Bytes({0xdd, 0xff, 0xff, 0xff, 0xff}),  // array32 of 4G elements
      Bytes({0xdf, 0xff, 0xff, 0xff, 0xff}),  // map32 of 4G pairs
      Bytes({0xdb, 0xff, 0xff, 0xff, 0xff}),  // str32 of 4 GiB
      Bytes({0xc6, 0xff, 0xff, 0xff, 0xff}),  // bin32 of 4 GiB
      std::string(100, '\x91') + '\xc0',      // 100 nested arrays
      std::string(1 << 20, '\x91'),           // a million nested arrays
  };
  for (const std::string& bomb : bombs) {
    SCOPED_TRACE(::testing::PrintToString(bomb.substr(0, 8)));
    Status s = DecodeEnvelope(bomb).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), ::testing::Not(HasSubstr("too large to decode")));
    // The same bomb as the body of an otherwise valid envelope.
    std::string frame = RawFrame(1, 103, 1, [](Packer& pk) { pk.pack_nil(); });
    frame.pop_back();  // drop the nil body
    s = DecodeEnvelope(frame + bomb).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), ::testing::Not(HasSubstr("too large to decode")));
  }
}

// ---- fuzzing ----------------------------------------------------------------

using Rng = std::mt19937_64;
size_t Below(Rng& rng, size_t n) { return static_cast<size_t>(rng() % n); }

TEST(HostileFrames, SurvivesRandomGarbage) {
  Rng rng(20240601);
  for (int i = 0; i < 10'000 && !HasFailure(); ++i) {
    std::string frame(Below(rng, 64), '\0');
    for (char& c : frame) c = static_cast<char>(rng());
    DecodeAnything(frame);
  }
}

// Garbage behind a valid-looking envelope prefix, so the decoder gets past the
// first byte more often.
TEST(HostileFrames, SurvivesRandomGarbageBody) {
  Rng rng(7);
  std::string prefix = RawFrame(1, 16, 1, [](Packer& pk) { pk.pack_nil(); });
  prefix.pop_back();
  for (int i = 0; i < 10'000 && !HasFailure(); ++i) {
    std::string frame = prefix;
    size_t n = Below(rng, 48);
    for (size_t j = 0; j < n; ++j) frame += static_cast<char>(rng());
    DecodeAnything(frame);
  }
}

std::string Mutate(std::string frame, Rng& rng) {
  size_t edits = 1 + Below(rng, 4);
  for (size_t e = 0; e < edits && !frame.empty(); ++e) {
    size_t at = Below(rng, frame.size());
    switch (Below(rng, 6)) {
      case 0: frame[at] = static_cast<char>(frame[at] ^ (1 << Below(rng, 8))); break;
      case 1: frame[at] = static_cast<char>(rng()); break;
      case 2:
        frame.insert(frame.begin() + static_cast<ptrdiff_t>(at), static_cast<char>(rng()));
        break;
      case 3: frame.erase(at, 1 + Below(rng, 4)); break;
      case 4: frame.resize(at); break;
      case 5: {
        // Interesting msgpack bytes: container headers, nil, limits.
        static constexpr uint8_t kBytes[] = {0xc0, 0xc2, 0xc3, 0x90, 0x80, 0xa0, 0xdc, 0xdd, 0xde,
                                             0xdf, 0xd9, 0xdb, 0xcc, 0xcf, 0xd3, 0xff, 0x7f};
        frame[at] = static_cast<char>(kBytes[Below(rng, std::size(kBytes))]);
        break;
      }
    }
  }
  return frame;
}

TEST(HostileFrames, SurvivesRandomMutationsOfValidFrames) {
  Rng rng(42);
  const auto& samples = AllSamples();
  int accepted = 0;
  for (int i = 0; i < 10'000 && !HasFailure(); ++i) {
    const Sample& s = samples[Below(rng, samples.size())];
    std::string frame = Mutate(s.frame, rng);
    if (DecodeAnything(frame)) ++accepted;
    // Also decode it as the type it started out as, whatever the envelope says.
    Result<Envelope> env = DecodeEnvelope(frame);
    if (env.ok()) {
      Status st = s.reencode(*env).status();
      EXPECT_TRUE(st.ok() || st.code() == StatusCode::kInvalidArgument) << st.ToString();
    }
  }
  // Some mutations (e.g. a flipped bit in a string) leave a valid frame.
  EXPECT_GT(accepted, 0);
}

// Writes a random msgpack value, biased towards values the decoder might accept.
void PackRandom(Packer& pk, Rng& rng, int depth) {
  static const char* const kStrings[] = {"",      "RUNNING", "SPOT",   "ENABLED",
                                         "READY", "MANAGED", "ACTIVE", "AWS_BATCH_X",
                                         "a=b",   "node-a",  "job-1-2"};
  switch (Below(rng, depth > 3 ? 8 : 11)) {
    case 0: pk.pack_nil(); break;
    case 1:
      if (Below(rng, 2))
        pk.pack_true();
      else
        pk.pack_false();
      break;
    case 2: pk.pack(static_cast<uint64_t>(rng() >> Below(rng, 64))); break;
    case 3: pk.pack(-static_cast<int64_t>(rng() >> (1 + Below(rng, 63)))); break;
    case 4: pk.pack(static_cast<int64_t>(Below(rng, 5000))); break;
    case 5: pk.pack_double(static_cast<double>(rng() % 1000) / 7.0); break;
    case 6: PackStr(pk, kStrings[Below(rng, std::size(kStrings))]); break;
    case 7:
      PackStr(pk, std::string(Below(rng, 300), static_cast<char>('a' + Below(rng, 26))));
      break;
    case 8: {
      size_t n = Below(rng, 5);
      pk.pack_array(static_cast<uint32_t>(n));
      for (size_t i = 0; i < n; ++i) PackRandom(pk, rng, depth + 1);
      break;
    }
    case 9: {
      size_t n = Below(rng, 5);
      pk.pack_map(static_cast<uint32_t>(n));
      for (size_t i = 0; i < n; ++i) {
        PackStr(pk, kStrings[Below(rng, std::size(kStrings))]);
        PackRandom(pk, rng, depth + 1);
      }
      break;
    }
    case 10: pk.pack_bin(0); break;
  }
}

void CollectValues(msgpack::object& o, std::vector<msgpack::object*>& out) {
  out.push_back(&o);
  if (o.type == msgpack::type::ARRAY) {
    for (uint32_t i = 0; i < o.via.array.size; ++i) CollectValues(o.via.array.ptr[i], out);
  } else if (o.type == msgpack::type::MAP) {
    for (uint32_t i = 0; i < o.via.map.size; ++i) {
      out.push_back(&o.via.map.ptr[i].key);
      CollectValues(o.via.map.ptr[i].val, out);
    }
  }
}

// Replaces one value (or map key) anywhere in a valid frame by a random value:
// reaches the type, range, enum and Validate() checks deep inside bodies.
TEST(HostileFrames, SurvivesRandomValueReplacement) {
  Rng rng(1234);
  const auto& samples = AllSamples();
  int accepted = 0;
  int rejected = 0;
  for (int i = 0; i < 5'000 && !HasFailure(); ++i) {
    const Sample& s = samples[Below(rng, samples.size())];
    msgpack::object_handle h = msgpack::unpack(s.frame.data(), s.frame.size());
    msgpack::object root = h.get();
    std::vector<msgpack::object*> values;
    CollectValues(root, values);
    msgpack::object* target = values[Below(rng, values.size())];
    std::string replacement = Raw([&](Packer& pk) { PackRandom(pk, rng, 0); });
    msgpack::object_handle r = msgpack::unpack(replacement.data(), replacement.size());
    *target = r.get();  // shallow: `r` outlives the re-encoding below
    std::string frame = Raw([&](Packer& pk) { pk.pack(root); });
    if (DecodeAnything(frame))
      ++accepted;
    else
      ++rejected;
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace gantry::protocol
