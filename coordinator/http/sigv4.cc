#include "coordinator/http/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>

#include "gantry/check.h"

namespace gantry::coordinator::http {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) return out;
    s.remove_prefix(i + 1);
  }
}

// Error messages quote client input; a bound keeps a hostile header from
// bloating every log line it lands in.
std::string Quote(std::string_view s) { return "'" + std::string(s.substr(0, 64)) + (s.size() > 64 ? "...'" : "'"); }

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(static_cast<char>(c)) || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

void AppendEncoded(std::string& out, std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// '+' stays '+': SigV4 query encoding is RFC 3986, not form encoding.
std::string Decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Trimmed, each run of whitespace inside collapsed to one space.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  bool gap = false;
  for (char c : Trim(v)) {
    if (IsSpace(c)) {
      gap = true;
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += c;
  }
  return out;
}

const unsigned char* Bytes(std::string_view s) {
  static const unsigned char kEmpty = 0;  // OpenSSL wants non-null even for 0 bytes
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const unsigned char* r =
      HMAC(EVP_sha256(), Bytes(key), static_cast<int>(key.size()), Bytes(data), data.size(), out, &len);
  GANTRY_CHECK(r != nullptr && len == 32);
  return std::string(reinterpret_cast<const char*>(out), len);
}

// Howard Hinnant's days_from_civil / civil_from_days: the proleptic
// Gregorian calendar without timegm(), which depends on the process TZ.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0); }

Status ParseCredential(std::string_view v, Authorization& out) {
  std::vector<std::string_view> parts = Split(v, '/');
  if (parts.size() != 5 || parts[0].empty() || parts[2].empty() || parts[3].empty()) {
    return Status::InvalidArgument("Credential must be <access-key-id>/<yyyymmdd>/<region>/<service>/aws4_request");
  }
  bool date_ok = parts[1].size() == 8 && std::all_of(parts[1].begin(), parts[1].end(), IsDigit);
  if (!date_ok) return Status::InvalidArgument("Credential date must be yyyymmdd, not " + Quote(parts[1]));
  if (parts[4] != kTerminator) {
    return Status::InvalidArgument("Credential must end in /aws4_request, not /" + std::string(parts[4].substr(0, 64)));
  }
  out.access_key_id = parts[0];
  out.date = parts[1];
  out.region = parts[2];
  out.service = parts[3];
  return Status::Ok();
}

Status ParseSignedHeaders(std::string_view v, Authorization& out) {
  for (std::string_view name : Split(v, ';')) {
    bool ok = !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
      return IsSpace(c) || (c >= 'A' && c <= 'Z') || c == ':' || c == ',';
    });
    if (!ok) return Status::InvalidArgument("SignedHeaders must be ';'-separated lower-case header names");
    out.signed_headers.emplace_back(name);
  }
  return Status::Ok();
}

AuthError Incomplete(std::string m) { return {AuthErrorCode::kIncompleteSignature, std::move(m)}; }
AuthError Invalid(std::string m) { return {AuthErrorCode::kInvalidSignature, std::move(m)}; }

std::string SkewText(int64_t seconds) {
  return seconds % 60 == 0 ? std::to_string(seconds / 60) + " min." : std::to_string(seconds) + " s.";
}

// AWS's wording, so the message reads the same as from real AWS.
std::optional<AuthError> CheckDate(std::string_view amz_date, int64_t t, int64_t now, int64_t skew) {
  if (t < now - skew) {
    return Invalid("Signature expired: " + std::string(amz_date) + " is now earlier than " + FormatAmzDate(now - skew) +
                   " (" + FormatAmzDate(now) + " - " + SkewText(skew) + ")");
  }
  if (t > now + skew) {
    return Invalid("Signature not yet current: " + std::string(amz_date) + " is still later than " +
                   FormatAmzDate(now + skew) + " (" + FormatAmzDate(now) + " + " + SkewText(skew) + ")");
  }
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

std::optional<std::string> HeaderValue(const RequestView& request, std::string_view name) {
  std::optional<std::string> out;
  for (const HttpHeader& h : request.headers) {
    if (!EqualsIgnoreCase(h.name, name)) continue;
    if (out) {
      *out += ',';
      *out += h.value;
    } else {
      out.emplace(h.value);
    }
  }
  return out;
}

Result<Authorization> ParseAuthorization(std::string_view value) {
  value = Trim(value);
  size_t sp = 0;
  while (sp < value.size() && !IsSpace(value[sp])) ++sp;
  std::string_view algorithm = value.substr(0, sp);
  if (algorithm != kAlgorithm) {
    return Status::InvalidArgument("unsupported algorithm " + Quote(algorithm) + "; expected " +
                                   std::string(kAlgorithm));
  }
  Authorization auth;
  bool seen_credential = false, seen_signed = false, seen_signature = false;
  for (std::string_view part : Split(Trim(value.substr(sp)), ',')) {
    part = Trim(part);
    if (part.empty()) continue;  // "a, , b": the missing-component check below says what is absent
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("Authorization component " + Quote(part) + " is not Name=Value");
    }
    std::string_view key = Trim(part.substr(0, eq));
    std::string_view v = Trim(part.substr(eq + 1));
    bool* seen = key == "Credential"      ? &seen_credential
                 : key == "SignedHeaders" ? &seen_signed
                 : key == "Signature"     ? &seen_signature
                                          : nullptr;
    if (seen == nullptr) return Status::InvalidArgument("unknown Authorization component " + Quote(key));
    if (*seen) return Status::InvalidArgument("Authorization repeats " + std::string(key));
    *seen = true;
    if (key == "Credential") {
      GANTRY_RETURN_IF_ERROR(ParseCredential(v, auth));
    } else if (key == "SignedHeaders") {
      GANTRY_RETURN_IF_ERROR(ParseSignedHeaders(v, auth));
    } else {
      if (v.size() != 64 || !std::all_of(v.begin(), v.end(), IsLowerHex)) {
        return Status::InvalidArgument("Signature must be 64 lower-case hex digits");
      }
      auth.signature = v;
    }
  }
  for (auto [seen, name] : {std::pair{seen_credential, "Credential"}, std::pair{seen_signed, "SignedHeaders"},
                            std::pair{seen_signature, "Signature"}}) {
    if (!seen) return Status::InvalidArgument(std::string("Authorization header requires '") + name + "' parameter");
  }
  return auth;
}

std::string CanonicalUri(std::string_view raw_path) {
  std::vector<std::string_view> kept;
  for (std::string_view seg : Split(raw_path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(seg);
  }
  std::string path = "/";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) path += '/';
    path += kept[i];
  }
  if (!kept.empty() && raw_path.back() == '/') path += '/';
  // The second encoding: '%' itself becomes %25. botocore signs the
  // already-encoded path this way for every service but S3.
  std::string out;
  AppendEncoded(out, path, /*keep_slash=*/true);
  return out;
}

std::string CanonicalQueryString(std::string_view raw_query) {
  if (raw_query.empty()) return "";
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::string_view part : Split(raw_query, '&')) {
    size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::pair<std::string, std::string> p;
    AppendEncoded(p.first, Decode(key), /*keep_slash=*/false);
    AppendEncoded(p.second, Decode(value), /*keep_slash=*/false);
    pairs.push_back(std::move(p));
  }
  // Sorted after encoding: the order is that of the bytes that are signed.
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& p : pairs) {
    if (!out.empty()) out += '&';
    out += p.first + "=" + p.second;
  }
  return out;
}

Result<std::string> CanonicalRequest(const RequestView& request, const std::vector<std::string>& signed_headers) {
  size_t q = request.target.find('?');
  std::string_view path = request.target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : request.target.substr(q + 1);
  std::string out;
  out += request.method;
  out += '\n' + CanonicalUri(path) + '\n' + CanonicalQueryString(query) + '\n';
  for (const std::string& name : signed_headers) {
    std::optional<std::string> joined;
    for (const HttpHeader& h : request.headers) {
      if (!EqualsIgnoreCase(h.name, name)) continue;
      joined = joined ? *joined + "," + CanonicalHeaderValue(h.value) : CanonicalHeaderValue(h.value);
    }
    if (!joined) return Status::InvalidArgument("signed header " + Quote(name) + " is not in the request");
    out += ToLower(name) + ":" + *joined + "\n";
  }
  out += '\n' + Join(signed_headers, ';') + '\n' + Sha256Hex(request.body);
  return out;
}

std::string CredentialScope(std::string_view date, std::string_view region, std::string_view service) {
  return std::string(date) + "/" + std::string(region) + "/" + std::string(service) + "/" + std::string(kTerminator);
}

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
  return std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         Sha256Hex(canonical_request);
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, kTerminator);
}

std::string Signature(std::string_view signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  int ok = EVP_Digest(Bytes(data), data.size(), md, &len, EVP_sha256(), nullptr);
  GANTRY_CHECK(ok == 1 && len == 32);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<int64_t> ParseAmzDate(std::string_view s) {
  auto bad = [&] { return Status::InvalidArgument("X-Amz-Date " + Quote(s) + " is not yyyymmddThhmmssZ"); };
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return bad();
  auto num = [&](size_t pos, size_t len) {
    int64_t v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = IsDigit(s[i]) ? v * 10 + (s[i] - '0') : -1'000'000;
    return v;
  };
  int64_t y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(9, 2), mi = num(11, 2), sec = num(13, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) {
    return bad();
  }
  // A day past the month's end would roll into the next month.
  int64_t days = DaysFromCivil(y, mo, d);
  int64_t cy = 0, cm = 0, cd = 0;
  CivilFromDays(days, cy, cm, cd);
  if (cm != mo || cd != d) return bad();
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

std::string FormatAmzDate(int64_t epoch_seconds) {
  int64_t days = FloorDiv(epoch_seconds, 86400);
  int64_t rem = epoch_seconds - days * 86400;
  int64_t y = 0, m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  char buf[96];  // fits any int64 year; only 0000-9999 are meaningful
  std::snprintf(buf, sizeof buf, "%04lld%02lld%02lldT%02lld%02lld%02lldZ", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

const char* AuthErrorCodeName(AuthErrorCode code) {
  switch (code) {
    case AuthErrorCode::kMissingAuthenticationToken:
      return "MissingAuthenticationTokenException";
    case AuthErrorCode::kIncompleteSignature:
      return "IncompleteSignatureException";
    case AuthErrorCode::kUnrecognizedClient:
      return "UnrecognizedClientException";
    case AuthErrorCode::kInvalidSignature:
      return "InvalidSignatureException";
  }
  return "InvalidSignatureException";
}

// Checks run cheapest and least revealing first: the header's shape, then
// the key, then the scope and clock, and the HMAC last.
AuthResult Verify(const RequestView& request, const AccessKeys& keys, int64_t now_epoch_seconds,
                  const VerifyOptions& options) {
  std::optional<std::string> header = HeaderValue(request, "authorization");
  if (!header) return AuthError{AuthErrorCode::kMissingAuthenticationToken, "Missing Authentication Token"};
  Result<Authorization> auth = ParseAuthorization(*header);
  if (!auth.ok()) return Incomplete(auth.status().message());
  const std::vector<std::string>& signed_headers = auth->signed_headers;
  if (std::find(signed_headers.begin(), signed_headers.end(), "host") == signed_headers.end()) {
    return Incomplete("'Host' must be a signed header");
  }
  for (const std::string& name : signed_headers) {
    if (!HeaderValue(request, name)) return Incomplete("signed header " + Quote(name) + " is not in the request");
  }
  const AccessKey* key = keys.Find(auth->access_key_id);
  if (key == nullptr) {
    return AuthError{AuthErrorCode::kUnrecognizedClient, "The security token included in the request is invalid."};
  }
  if (auth->service != options.service) {
    return Invalid("Credential should be scoped to correct service: '" + options.service + "'.");
  }
  if (options.region && auth->region != *options.region) {
    return Invalid("Credential should be scoped to a valid region, not " + Quote(auth->region) + "; this is '" +
                   *options.region + "'.");
  }
  std::optional<std::string> amz_date = HeaderValue(request, "x-amz-date");
  if (!amz_date) return Invalid("Authorization header requires an 'X-Amz-Date' header.");
  Result<int64_t> t = ParseAmzDate(*amz_date);
  if (!t.ok()) return Invalid(t.status().message());
  if (amz_date->compare(0, 8, auth->date) != 0) {
    return Invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                   auth->date + "' != '" + amz_date->substr(0, 8) + "', from '" + *amz_date + "'.");
  }
  if (auto e = CheckDate(*amz_date, *t, now_epoch_seconds, options.max_skew_seconds)) return *std::move(e);

  Result<std::string> canonical = CanonicalRequest(request, signed_headers);
  if (!canonical.ok()) return Incomplete(canonical.status().message());
  std::string scope = CredentialScope(auth->date, auth->region, auth->service);
  std::string expected = Signature(SigningKey(key->secret, auth->date, auth->region, auth->service),
                                   StringToSign(*amz_date, scope, *canonical));
  // Both are 64 hex digits (ParseAuthorization checked the client's).
  if (CRYPTO_memcmp(expected.data(), auth->signature.data(), expected.size()) != 0) {
    return Invalid(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
        "Access Key and signing method.");
  }
  return AuthenticatedCaller{key->name, key->access_key_id};
}

Result<SignedAuth> Sign(const RequestView& request, const SignOptions& options, int64_t now_epoch_seconds) {
  if (!HeaderValue(request, "host")) return Status::InvalidArgument("sign: the request has no Host header");
  if (HeaderValue(request, "authorization") || HeaderValue(request, "x-amz-date")) {
    return Status::InvalidArgument("sign: the request is already signed (Authorization or X-Amz-Date)");
  }
  for (std::string_view part :
       {std::string_view(options.access_key_id), std::string_view(options.region), std::string_view(options.service)}) {
    if (part.empty() || part.find_first_of("/, \t") != std::string_view::npos) {
      return Status::InvalidArgument("sign: access key id, region and service must be non-empty, without '/'");
    }
  }
  SignedAuth out;
  out.amz_date = FormatAmzDate(now_epoch_seconds);
  RequestView dated = request;
  dated.headers.push_back({"x-amz-date", out.amz_date});
  std::vector<std::string> names;
  for (const HttpHeader& h : dated.headers) {
    std::string name = ToLower(h.name);
    if (name != "user-agent" && name != "expect" && name != "x-amzn-trace-id") names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  GANTRY_ASSIGN_OR_RETURN(std::string canonical, CanonicalRequest(dated, names));
  std::string date = out.amz_date.substr(0, 8);
  std::string scope = CredentialScope(date, options.region, options.service);
  std::string signature = Signature(SigningKey(options.secret, date, options.region, options.service),
                                    StringToSign(out.amz_date, scope, canonical));
  out.authorization = std::string(kAlgorithm) + " Credential=" + options.access_key_id + "/" + scope +
                      ", SignedHeaders=" + Join(names, ';') + ", Signature=" + signature;
  return out;
}

}  // namespace gantry::coordinator::http
