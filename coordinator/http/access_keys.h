// The access-key file: which AWS-style credentials the HTTP API accepts, and
// whose name each one stands for.
//
// One key per line, fields separated by whitespace:
//
//   # name        access-key-id           secret
//   alice         AKIAGANTRYALICE0001     wJalrXUtnFEMI/K7MDENG+bPxRfiCYALICEKEY
//
// Blank lines and lines whose first non-blank character is '#' are ignored;
// there are no trailing comments, since '#' may appear in a secret. The name
// (1-128 of [A-Za-z0-9_-]) is recorded as a job's submittedBy; the access key
// id is 16-128 of [A-Z0-9] like AWS's; the secret is at least 16 characters.
// Names and ids are unique. Error messages name the source and line but never
// echo a field, so a secret typed into the wrong column does not leak to logs.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"

namespace gantry::coordinator::http {

struct AccessKey {
  std::string name;           // who: becomes submittedBy
  std::string access_key_id;  // public half, sent in every request
  std::string secret;         // never logged
};

// An immutable set of keys. Thread-compatible: concurrent const calls are
// safe, which is how request handlers share one instance.
class AccessKeys {
 public:
  AccessKeys() = default;

  // Parses the file format above. `source_name` prefixes every error
  // ("keys.txt:3: ..."). kInvalidArgument for a malformed line, a duplicate
  // name or access key id (naming both lines), or no keys at all.
  static Result<AccessKeys> Parse(std::string_view text, std::string_view source_name);

  // Reads and parses the file at `path`. Refuses (kInvalidArgument) a file
  // that group or others may access, as ssh does with private keys, and
  // anything but a regular file. kNotFound if it does not exist,
  // kUnavailable for other I/O errors.
  static Result<AccessKeys> Load(const std::string& path);

  // The key with this id, or nullptr. The pointer lives as long as *this.
  const AccessKey* Find(std::string_view access_key_id) const;

  size_t size() const { return by_id_.size(); }

  // Takes `keys` unchecked, so tests can use AWS's published example key
  // "AKIDEXAMPLE", which is shorter than the file format allows.
  static AccessKeys FromKeysForTesting(std::vector<AccessKey> keys);

 private:
  std::map<std::string, AccessKey, std::less<>> by_id_;
};

}  // namespace gantry::coordinator::http
