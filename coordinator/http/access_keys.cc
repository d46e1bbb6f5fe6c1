#include "coordinator/http/access_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

namespace gantry::coordinator::http {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsAccessKeyId(std::string_view s) {
  if (s.size() < 16 || s.size() > 128) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// Checks one key line. The messages deliberately quote no field: a line
// with its columns swapped would otherwise put a secret in the log.
Status CheckFields(const std::vector<std::string_view>& f) {
  if (f.size() != 3) {
    return Status::InvalidArgument("expected 3 fields `<name> <access-key-id> <secret>`, found " +
                                   std::to_string(f.size()));
  }
  if (!IsName(f[0])) return Status::InvalidArgument("name must be 1-128 of A-Za-z0-9_-");
  if (!IsAccessKeyId(f[1])) return Status::InvalidArgument("access key id must be 16-128 of A-Z0-9");
  if (f[2].size() < 16) return Status::InvalidArgument("secret must be at least 16 characters");
  return Status::Ok();
}

}  // namespace

Result<AccessKeys> AccessKeys::Parse(std::string_view text, std::string_view source_name) {
  AccessKeys keys;
  std::map<std::string, size_t, std::less<>> line_of_name;
  std::map<std::string, size_t, std::less<>> line_of_id;
  const std::string src(source_name);
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);

    std::vector<std::string_view> f = Fields(line);
    if (f.empty() || f[0].front() == '#') continue;
    std::string where = src + ":" + std::to_string(line_no) + ": ";
    Status s = CheckFields(f);
    if (!s.ok()) return Status::InvalidArgument(where + s.message());
    if (auto it = line_of_name.find(f[0]); it != line_of_name.end()) {
      return Status::InvalidArgument(where + "name is already used on line " + std::to_string(it->second));
    }
    if (auto it = line_of_id.find(f[1]); it != line_of_id.end()) {
      return Status::InvalidArgument(where + "access key id is already used on line " + std::to_string(it->second));
    }
    line_of_name.emplace(std::string(f[0]), line_no);
    line_of_id.emplace(std::string(f[1]), line_no);
    keys.by_id_.emplace(std::string(f[1]), AccessKey{std::string(f[0]), std::string(f[1]), std::string(f[2])});
  }
  if (keys.by_id_.empty()) return Status::InvalidArgument(src + ": no access keys");
  return keys;
}

Result<AccessKeys> AccessKeys::Load(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = "open " + path + ": " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(msg) : Status::Unavailable(msg);
  }
  // The mode is checked on the open descriptor, so it is the file we read.
  struct stat st {};
  std::string text;
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Status::Unavailable("stat " + path + ": " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    status = Status::InvalidArgument(path + " is not a regular file");
  } else if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    const char* how = (st.st_mode & 044) != 0 ? "readable" : "accessible";
    status = Status::InvalidArgument(path + " is " + how + " by group or others (mode " + mode + "); chmod 600 it");
  } else {
    char buf[8192];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        status = Status::Unavailable("read " + path + ": " + std::strerror(errno));
        break;
      }
      text.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return Parse(text, path);
}

AccessKeys AccessKeys::FromKeysForTesting(std::vector<AccessKey> keys) {
  AccessKeys out;
  for (AccessKey& k : keys) {
    std::string id = k.access_key_id;
    out.by_id_.emplace(std::move(id), std::move(k));
  }
  return out;
}

const AccessKey* AccessKeys::Find(std::string_view access_key_id) const {
  auto it = by_id_.find(access_key_id);
  return it == by_id_.end() ? nullptr : &it->second;
}

}  // namespace gantry::coordinator::http
