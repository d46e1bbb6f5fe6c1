// Small text helpers the client's flag parsers share.
#pragma once

#include <string>
#include <string_view>

namespace gantry::client {

// `s` without leading and trailing blanks (spaces and tabs).
inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "\"text\"", at most 64 bytes of it: how an error quotes what was typed.
inline std::string Quote(std::string_view s) { return "\"" + std::string(s.substr(0, 64)) + "\""; }

}  // namespace gantry::client
