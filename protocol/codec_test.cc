// Tests of the generic codec on a test-only record (Probe) that uses every kind
// of value codec.h supports, and of UnpackObject's limits on hostile input.
#include "protocol/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/test_fixtures.h"
#include "protocol/test_msgpack.h"
#include "protocol/types.h"

namespace gantry::protocol {
namespace {
enum class Color : uint8_t { kRed, kGreen, kBlue };
}  // namespace

template <>
struct EnumNames<Color> {
  static constexpr const char* kNames[] = {"RED", "GREEN", "BLUE"};
};

namespace {

using fixtures::Bytes;
using fixtures::MsgpackTree;
using fixtures::PackStr;
using fixtures::Raw;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct Inner {
  int32_t x = 0;
  std::vector<std::string> tags;

  Status Validate() const {
    if (x == 13) return Status::InvalidArgument("x must not be 13");
    return Status::Ok();
  }
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("x", s.x);
    v("tags", s.tags);
  }
  friend bool operator==(const Inner&, const Inner&) = default;
};

struct Probe {
  bool flag = false;
  double ratio = 0;
  uint8_t u8 = 0;
  uint16_t u16 = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  int8_t i8 = 0;
  int32_t i32 = 0;
  int64_t i64 = 0;
  Color color = Color::kRed;
  std::optional<std::string> note;
  std::optional<Color> maybeColor;
  Inner inner;
  std::vector<Inner> inners;
  std::map<std::string, int64_t> counts;
  std::map<std::string, std::vector<uint16_t>> lists;

  Status Validate() const {
    if (flag && u8 == 255) return Status::InvalidArgument("flag forbids u8 255");
    return Status::Ok();
  }
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("flag", s.flag);
    v("ratio", s.ratio);
    v("u8", s.u8);
    v("u16", s.u16);
    v("u32", s.u32);
    v("u64", s.u64);
    v("i8", s.i8);
    v("i32", s.i32);
    v("i64", s.i64);
    v("color", s.color);
    v("note", s.note);
    v("maybeColor", s.maybeColor);
    v("inner", s.inner);
    v("inners", s.inners);
    v("counts", s.counts);
    v("lists", s.lists);
  }
  friend bool operator==(const Probe&, const Probe&) = default;
};

Probe MakeProbe() {
  Probe p;
  p.flag = true;
  p.ratio = -0.25;
  p.u8 = 200;
  p.u16 = 65'535;
  p.u32 = 4'294'967'295;
  p.u64 = std::numeric_limits<uint64_t>::max();
  p.i8 = -128;
  p.i32 = -2'147'483'648;
  p.i64 = std::numeric_limits<int64_t>::min();
  p.color = Color::kBlue;
  p.note = "n\xc3\xb8te";
  p.maybeColor = Color::kGreen;
  p.inner = Inner{.x = -33, .tags = {"a", "", "c"}};
  p.inners = {Inner{.x = 127, .tags = {}}, Inner{.x = 128, .tags = {"z"}}};
  p.counts = {{"", 0}, {"neg", -129}, {"pos", 1ll << 40}};
  p.lists = {{"empty", {}}, {"some", {0, 1, 256}}};
  return p;
}

Result<Probe> DecodeProbe(std::string_view bytes) { return Decode<Probe>(bytes, "Probe"); }

// Keys of the msgpack map `bytes`, in encoding order.
std::vector<std::string> MapKeys(std::string_view bytes) {
  msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  std::vector<std::string> keys;
  EXPECT_EQ(h.get().type, msgpack::type::MAP);
  for (uint32_t i = 0; i < h.get().via.map.size; ++i) {
    keys.push_back(h.get().via.map.ptr[i].key.as<std::string>());
  }
  return keys;
}

// ---- round trips ------------------------------------------------------------

TEST(Codec, RoundTripsEveryValueKind) {
  Probe p = MakeProbe();
  std::string bytes = Encode(p);
  Result<Probe> back = DecodeProbe(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  EXPECT_EQ(Encode(*back), bytes);
}

TEST(Codec, RoundTripsDefaultsAndUnsetOptionals) {
  Probe p;
  std::string bytes = Encode(p);
  Result<Probe> back = DecodeProbe(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  EXPECT_FALSE(back->note.has_value());
  EXPECT_FALSE(back->maybeColor.has_value());
  EXPECT_EQ(Encode(*back), bytes);
}

TEST(Codec, RoundTripsLongStringsAndContainers) {
  Probe p = MakeProbe();
  p.note = std::string(70'000, 'x');                                    // str32
  p.inner.tags.assign(70'000, "t");                                     // array32
  for (int i = 0; i < 300; ++i) p.counts["k" + std::to_string(i)] = i;  // map16
  std::string bytes = Encode(p);
  Result<Probe> back = DecodeProbe(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
  EXPECT_EQ(Encode(*back), bytes);
}

TEST(Codec, EncodesRecordAsMapOfFieldNamesSkippingUnsetOptionals) {
  Probe p = MakeProbe();
  EXPECT_THAT(
      MapKeys(Encode(p)),
      ::testing::ElementsAre("flag", "ratio", "u8", "u16", "u32", "u64", "i8", "i32", "i64",
                             "color", "note", "maybeColor", "inner", "inners", "counts", "lists"));
  p.note.reset();
  p.maybeColor.reset();
  EXPECT_THAT(MapKeys(Encode(p)), Not(::testing::Contains("note")));
  EXPECT_THAT(MapKeys(Encode(p)), Not(::testing::Contains("maybeColor")));
}

TEST(Codec, EncodesEnumsByName) {
  EXPECT_EQ(Encode(Color::kGreen), Raw([](Packer& pk) { PackStr(pk, "GREEN"); }));
  EXPECT_STREQ(EnumName(Color::kBlue), "BLUE");
  EXPECT_STREQ(EnumName(static_cast<Color>(7)), "?");
  EXPECT_EQ(EnumFromName<Color>("RED"), Color::kRed);
  EXPECT_FALSE(EnumFromName<Color>("red").has_value());
  EXPECT_FALSE(EnumFromName<Color>("").has_value());
}

TEST(Codec, DecodesIntegersIntoDoubleFields) {
  std::string bytes =
      MsgpackTree(Encode(MakeProbe())).Set({"ratio"}, [](Packer& pk) { pk.pack(-3); }).Bytes();
  Result<Probe> back = DecodeProbe(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ratio, -3.0);
}

TEST(Codec, IgnoresUnknownKeysAndTreatsNilOptionalAsUnset) {
  std::string bytes = MsgpackTree(Encode(MakeProbe()))
                          .Set({"futureField"}, [](Packer& pk) { pk.pack_array(0); })
                          .Set({"note"}, [](Packer& pk) { pk.pack_nil(); })
                          .Bytes();
  Result<Probe> back = DecodeProbe(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->note.has_value());
  EXPECT_EQ(back->u64, MakeProbe().u64);
}

// ---- strictness -------------------------------------------------------------

Status DecodeEdited(std::initializer_list<std::string_view> path, const fixtures::Writer& write) {
  return DecodeProbe(MsgpackTree(Encode(MakeProbe())).Set(path, write).Bytes()).status();
}

TEST(Codec, RejectsWrongTypeNamingTheField) {
  Status s = DecodeEdited({"u32"}, [](Packer& pk) { PackStr(pk, "12"); });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Probe.u32: expected integer, got str");

  s = DecodeEdited({"flag"}, [](Packer& pk) { pk.pack(1); });
  EXPECT_EQ(s.message(), "Probe.flag: expected bool, got integer");
  s = DecodeEdited({"ratio"}, [](Packer& pk) { PackStr(pk, "0.5"); });
  EXPECT_EQ(s.message(), "Probe.ratio: expected number, got str");
  s = DecodeEdited({"inner"}, [](Packer& pk) { pk.pack_array(0); });
  EXPECT_EQ(s.message(), "Probe.inner: expected map, got array");
  s = DecodeEdited({"inners"}, [](Packer& pk) { pk.pack_map(0); });
  EXPECT_EQ(s.message(), "Probe.inners: expected array, got map");
  s = DecodeEdited({"counts"}, [](Packer& pk) { pk.pack_nil(); });
  EXPECT_EQ(s.message(), "Probe.counts: expected map, got nil");
  s = DecodeEdited({"note"}, [](Packer& pk) { pk.pack_bin(0); });
  EXPECT_EQ(s.message(), "Probe.note: expected str, got bin");
  // Not 1.0: msgpack-c packs a double with an integral value as an integer.
  s = DecodeEdited({"u8"}, [](Packer& pk) { pk.pack_double(1.5); });
  EXPECT_EQ(s.message(), "Probe.u8: expected integer, got float");
}

TEST(Codec, ErrorPathNamesIndexesAndMapKeys) {
  Status s = DecodeEdited({"inners", "1", "tags", "0"}, [](Packer& pk) { pk.pack(5); });
  EXPECT_EQ(s.message(), "Probe.inners[1].tags[0]: expected str, got integer");
  s = DecodeEdited({"lists", "some", "2"}, [](Packer& pk) { pk.pack(-1); });
  EXPECT_EQ(s.message(), "Probe.lists.some[2]: integer out of range: -1");
  s = DecodeEdited({"counts", "pos"}, [](Packer& pk) { PackStr(pk, "1"); });
  EXPECT_EQ(s.message(), "Probe.counts.pos: expected integer, got str");
}

TEST(Codec, RejectsNonStringMapKey) {
  std::string bytes = MsgpackTree(Encode(MakeProbe()))
                          .Set({"counts"},
                               [](Packer& pk) {
                                 pk.pack_map(1);
                                 pk.pack(1);
                                 pk.pack(2);
                               })
                          .Bytes();
  Status s = DecodeProbe(bytes).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Probe.counts.<key>: expected str, got integer");
}

// An empty map key is legal msgpack; naming it in an error must not read past
// the empty path part (it did: DecodePath called front() on it).
TEST(Codec, NamesEmptyMapKeyInErrorPath) {
  Status s = DecodeEdited({"counts", ""}, [](Packer& pk) { pk.pack_true(); });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Probe.counts.: expected integer, got bool");
}

TEST(Codec, RejectsMissingRequiredFieldByName) {
  for (std::string_view field : {"flag", "u64", "color", "inner", "inners", "counts"}) {
    std::string bytes = MsgpackTree(Encode(MakeProbe())).Erase({field}).Bytes();
    Status s = DecodeProbe(bytes).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(s.message(), "Probe." + std::string(field) + ": missing field");
  }
  std::string bytes = MsgpackTree(Encode(MakeProbe())).Erase({"inners", "0", "x"}).Bytes();
  EXPECT_EQ(DecodeProbe(bytes).status().message(), "Probe.inners[0].x: missing field");
}

TEST(Codec, AcceptsIntegersAtTheirRangeLimits) {
  Probe p = MakeProbe();
  p.u8 = 255;
  p.flag = false;
  p.i8 = 127;
  p.i32 = std::numeric_limits<int32_t>::max();
  p.i64 = std::numeric_limits<int64_t>::max();
  p.u64 = 0;
  Result<Probe> back = DecodeProbe(Encode(p));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);
}

struct OutOfRange {
  const char* field;
  fixtures::Writer write;
  const char* value;
};

TEST(Codec, RejectsIntegersOutOfTheFieldsRange) {
  const OutOfRange cases[] = {
      {"u8", [](Packer& pk) { pk.pack(256); }, "256"},
      {"u16", [](Packer& pk) { pk.pack(65'536); }, "65536"},
      {"u32", [](Packer& pk) { pk.pack(uint64_t{1} << 40); }, "1099511627776"},
      {"u32", [](Packer& pk) { pk.pack(uint64_t{1} << 32); }, "4294967296"},
      {"u64", [](Packer& pk) { pk.pack(-1); }, "-1"},
      {"u32", [](Packer& pk) { pk.pack(std::numeric_limits<int64_t>::min()); },
       "-9223372036854775808"},
      {"i8", [](Packer& pk) { pk.pack(128); }, "128"},
      {"i8", [](Packer& pk) { pk.pack(-129); }, "-129"},
      {"i32", [](Packer& pk) { pk.pack(int64_t{2'147'483'648}); }, "2147483648"},
      {"i32", [](Packer& pk) { pk.pack(int64_t{-2'147'483'649}); }, "-2147483649"},
      {"i64", [](Packer& pk) { pk.pack(uint64_t{1} << 63); }, "9223372036854775808"},
  };
  for (const auto& c : cases) {
    Status s = DecodeEdited({c.field}, c.write);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.field << " " << c.value;
    EXPECT_EQ(s.message(), "Probe." + std::string(c.field) + ": integer out of range: " + c.value);
  }
}

TEST(Codec, RejectsUnknownEnumName) {
  Status s = DecodeEdited({"color"}, [](Packer& pk) { PackStr(pk, "PURPLE"); });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Probe.color: unknown value \"PURPLE\"");
  s = DecodeEdited({"maybeColor"}, [](Packer& pk) { PackStr(pk, "red"); });
  EXPECT_EQ(s.message(), "Probe.maybeColor: unknown value \"red\"");
  s = DecodeEdited({"color"}, [](Packer& pk) { pk.pack(1); });
  EXPECT_EQ(s.message(), "Probe.color: expected str, got integer");
}

TEST(Codec, QuotesOnlyThePrefixOfAHugeUnknownEnumName) {
  Status s = DecodeEdited({"color"}, [](Packer& pk) { PackStr(pk, std::string(100'000, 'Q')); });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_LT(s.message().size(), 200u);
}

TEST(Codec, RunsValidateAfterDecodingAndNamesTheRecord) {
  Probe p = MakeProbe();
  p.u8 = 255;
  Status s = DecodeProbe(Encode(p)).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Probe: flag forbids u8 255");

  p = MakeProbe();
  p.inners[1].x = 13;
  s = DecodeProbe(Encode(p)).status();
  EXPECT_EQ(s.message(), "Probe.inners[1]: x must not be 13");
}

TEST(Codec, RejectsNonMapTopLevelRecord) {
  Status s = DecodeProbe(Raw([](Packer& pk) { pk.pack_array(0); })).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Probe: expected map, got array");
}

// ---- framing ----------------------------------------------------------------

TEST(Codec, RejectsTruncatedFrame) {
  std::string bytes = Encode(MakeProbe());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Status s = DecodeProbe(std::string_view(bytes).substr(0, n)).status();
    ASSERT_EQ(s.code(), StatusCode::kInvalidArgument) << "prefix of " << n << " bytes";
    ASSERT_THAT(s.message(), n == 0 ? HasSubstr("empty message") : HasSubstr("truncated")) << n;
  }
}

TEST(Codec, RejectsEveryTruncatedPrefixOfAJob) {
  std::string bytes = Encode(fixtures::MakeJob());
  ASSERT_TRUE(Decode<Job>(bytes, "Job").ok());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<Job> r = Decode<Job>(std::string_view(bytes).substr(0, n), "Job");
    ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "prefix of " << n << " bytes";
  }
}

TEST(Codec, RejectsTrailingBytes) {
  std::string bytes = Encode(MakeProbe()) + "\x01\x02";
  Status s = DecodeProbe(bytes).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "2 trailing bytes after the message");
  // A second complete object is trailing bytes too.
  s = DecodeProbe(Encode(MakeProbe()) + Encode(MakeProbe())).status();
  EXPECT_THAT(s.message(), HasSubstr("trailing bytes"));
}

TEST(Codec, AllowsTrailingZerosOnlyWhenAsked) {
  std::string padded = Encode(MakeProbe()) + std::string(5, '\0');
  EXPECT_EQ(UnpackObject(padded, DecodeLimits::Internal()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(UnpackObject(padded, DecodeLimits::Internal(), /*allow_trailing_zeros=*/true).ok());
  std::string dirty = padded + "\x01";
  Status s = UnpackObject(dirty, DecodeLimits::Internal(), /*allow_trailing_zeros=*/true).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "6 trailing bytes after the message");
}

TEST(Codec, RejectsEmptyInput) {
  Status s = UnpackObject("", DecodeLimits::Wire()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "empty message");
}

TEST(Codec, RejectsReservedByte) {
  Status s = UnpackObject(Bytes({0xc1}), DecodeLimits::Wire()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("malformed msgpack"));
}

// ---- limits -----------------------------------------------------------------

TEST(Codec, RejectsInputOverMaxBytes) {
  DecodeLimits limits = DecodeLimits::Wire();
  std::string bytes = Encode(MakeProbe());
  limits.max_bytes = bytes.size();
  EXPECT_TRUE(Decode<Probe>(bytes, "Probe", limits).ok());
  limits.max_bytes = bytes.size() - 1;
  Status s = Decode<Probe>(bytes, "Probe", limits).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "message of " + std::to_string(bytes.size()) +
                             " bytes exceeds the limit of " + std::to_string(bytes.size() - 1));
}

// Refused by msgpack's explicit limit before anything is allocated, not by a
// failed allocation ("message too large to decode").
void ExpectRefusedByLimits(const std::string& bytes,
                           const DecodeLimits& limits = DecodeLimits::Wire()) {
  Status s = UnpackObject(bytes, limits).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("exceeds decoder limits"), Not(HasSubstr("too large"))));
}

TEST(Codec, RejectsArray32BombWithoutAllocating) {
  ExpectRefusedByLimits(Bytes({0xdd, 0xff, 0xff, 0xff, 0xff}));
  ExpectRefusedByLimits(Bytes({0xdd, 0xff, 0xff, 0xff, 0xff}), DecodeLimits::Internal());
  ExpectRefusedByLimits(Bytes({0x91, 0x91, 0xdd, 0xff, 0xff, 0xff, 0xff}));
}

TEST(Codec, RejectsMap32BombWithoutAllocating) {
  ExpectRefusedByLimits(Bytes({0xdf, 0xff, 0xff, 0xff, 0xff}));
  ExpectRefusedByLimits(Bytes({0xdf, 0xff, 0xff, 0xff, 0xff}), DecodeLimits::Internal());
  ExpectRefusedByLimits(Bytes({0x81, 0xa1, 'k', 0xdf, 0xff, 0xff, 0xff, 0xff}));
}

// A str32/bin32 header claiming 4 GiB in a 5-byte frame: msgpack waits for
// the bytes instead of allocating, so it is reported as truncated.
TEST(Codec, RejectsStr32AndBin32ClaimingFourGiB) {
  for (uint8_t header : {0xdb, 0xc6}) {
    for (const DecodeLimits& limits : {DecodeLimits::Wire(), DecodeLimits::Internal()}) {
      Status s = UnpackObject(Bytes({header, 0xff, 0xff, 0xff, 0xff}), limits).status();
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << int{header};
      EXPECT_THAT(s.message(), HasSubstr("truncated")) << int{header};
    }
  }
}

// Runs UnpackObject(bytes, limits) in a child process that may map at most
// `headroom` more bytes than it has now; the child's exit code is 0 if the
// decoder refused the input as truncated, 1 for any other answer. A decoder
// that allocates past the headroom fails (bad_alloc: "too large to decode",
// or a sanitizer's out-of-memory abort).
int RefusesAsTruncatedWithin(const std::string& bytes, const DecodeLimits& limits, size_t headroom) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::ifstream statm("/proc/self/statm");
    size_t pages = 0;
    statm >> pages;
    const rlim_t now = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE));
    rlimit limit{now + headroom, now + headroom};
    ::setrlimit(RLIMIT_AS, &limit);
    Status s = UnpackObject(bytes, limits).status();
    ::_exit(s.code() == StatusCode::kInvalidArgument && s.message().find("truncated") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Found by tests/fuzz/command_fuzz (corpus oom-command-array-count): 8 bytes,
// a map whose first key declares an array of 35,782,656 elements, within the
// Internal() limit of 50 million. msgpack-c allocated 24 bytes per declared
// element (1 GiB) before finding the input short.
TEST(Codec, CountsTheInputCannotHoldAllocateNothing) {
  const std::string array = Bytes({0x83, 0xdd, 0x02, 0x23, 0x00, 0x00, 0x00, 0x10});
  EXPECT_EQ(RefusesAsTruncatedWithin(array, DecodeLimits::Internal(), 64u << 20), 0);
  const std::string map = Bytes({0x81, 0xa1, 'k', 0xdf, 0x00, 0x0f, 0x42, 0x40});  // 1M entries: 48 MB
  EXPECT_EQ(RefusesAsTruncatedWithin(map, DecodeLimits::Internal(), 16u << 20), 0);
  // A count the input can hold is still decoded.
  const std::string small = Raw([](Packer& pk) {
    pk.pack_array(3);
    for (int i = 0; i < 3; ++i) pk.pack(i);
  });
  EXPECT_TRUE(UnpackObject(small, DecodeLimits::Internal()).ok());
}

TEST(Codec, EnforcesArrayAndMapCountLimitsExactly) {
  DecodeLimits wire = DecodeLimits::Wire();
  ASSERT_EQ(wire.array, 100'000u);
  ASSERT_EQ(wire.map, 4096u);
  // At the limit the header is accepted and the input is merely truncated.
  EXPECT_THAT(UnpackObject(Bytes({0xdd, 0x00, 0x01, 0x86, 0xa0}), wire).status().message(),
              HasSubstr("truncated"));
  ExpectRefusedByLimits(Bytes({0xdd, 0x00, 0x01, 0x86, 0xa1}));
  EXPECT_THAT(UnpackObject(Bytes({0xde, 0x10, 0x00}), wire).status().message(),
              HasSubstr("truncated"));
  ExpectRefusedByLimits(Bytes({0xde, 0x10, 0x01}));
}

TEST(Codec, EnforcesStringAndBinarySizeLimits) {
  DecodeLimits wire = DecodeLimits::Wire();
  std::string at = Raw([&](Packer& pk) { PackStr(pk, std::string(wire.str, 's')); });
  EXPECT_TRUE(UnpackObject(at, wire).ok());
  ExpectRefusedByLimits(Raw([&](Packer& pk) { PackStr(pk, std::string(wire.str + 1, 's')); }));

  std::string blob(wire.bin + 1, 'b');
  auto bin = [&](size_t n) {
    return Raw([&](Packer& pk) {
      pk.pack_bin(static_cast<uint32_t>(n));
      pk.pack_bin_body(blob.data(), static_cast<uint32_t>(n));
    });
  };
  EXPECT_TRUE(UnpackObject(bin(wire.bin), wire).ok());
  ExpectRefusedByLimits(bin(wire.bin + 1));
}

TEST(Codec, RejectsExtTypes) {
  ExpectRefusedByLimits(Bytes({0xd4, 0x01, 0x00}));  // fixext1
  ExpectRefusedByLimits(Bytes({0xc7, 0x00, 0x05}));  // ext8, empty payload
  ExpectRefusedByLimits(Bytes({0xc9, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00}),
                        DecodeLimits::Internal());
}

TEST(Codec, InternalLimitsAcceptWhatWireRefuses) {
  std::string big = Raw([&](Packer& pk) { PackStr(pk, std::string(2u << 20, 's')); });
  ExpectRefusedByLimits(big, DecodeLimits::Wire());
  EXPECT_TRUE(UnpackObject(big, DecodeLimits::Internal()).ok());
}

std::string NestedArrays(size_t depth) { return std::string(depth, '\x91') + '\xc0'; }

TEST(Codec, RejectsDeepNesting) {
  for (size_t depth : {13, 17, 100, 1'000'000}) {
    Status s = UnpackObject(NestedArrays(depth), DecodeLimits::Wire()).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << depth;
    EXPECT_THAT(s.message(), HasSubstr("nested too deeply")) << depth;
  }
  std::string maps;
  for (int i = 0; i < 100; ++i) maps += "\x81\xa1k";
  Status s = UnpackObject(maps + '\xc0', DecodeLimits::Wire()).status();
  EXPECT_THAT(s.message(), HasSubstr("nested too deeply"));
  s = UnpackObject(NestedArrays(100), DecodeLimits::Internal()).status();
  EXPECT_THAT(s.message(), HasSubstr("nested too deeply"));
}

TEST(Codec, AcceptsNestingUpToTheDepthLimit) {
  EXPECT_TRUE(UnpackObject(NestedArrays(DecodeLimits::Wire().depth), DecodeLimits::Wire()).ok());
  EXPECT_FALSE(
      UnpackObject(NestedArrays(DecodeLimits::Wire().depth + 1), DecodeLimits::Wire()).ok());
}

// ---- helpers ----------------------------------------------------------------

TEST(Codec, DecodePathJoinsFieldsAndIndexes) {
  DecodePath path;
  EXPECT_EQ(path.Error("bad").message(), "bad");
  path.Push("Job");
  path.Push("attempts");
  path.PushIndex(2);
  path.Push("exitCode");
  EXPECT_EQ(path.ToString(), "Job.attempts[2].exitCode");
  Status s = path.Error("expected integer, got str");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Job.attempts[2].exitCode: expected integer, got str");
  path.Pop();
  path.Pop();
  path.Pop();
  EXPECT_EQ(path.ToString(), "Job");
}

TEST(Codec, NamesMsgpackTypes) {
  EXPECT_STREQ(MsgpackTypeName(msgpack::type::NIL), "nil");
  EXPECT_STREQ(MsgpackTypeName(msgpack::type::POSITIVE_INTEGER), "integer");
  EXPECT_STREQ(MsgpackTypeName(msgpack::type::NEGATIVE_INTEGER), "integer");
  EXPECT_STREQ(MsgpackTypeName(msgpack::type::FLOAT32), "float");
  EXPECT_STREQ(MsgpackTypeName(msgpack::type::STR), "str");
  EXPECT_STREQ(MsgpackTypeName(msgpack::type::EXT), "ext");
}

}  // namespace
}  // namespace gantry::protocol
