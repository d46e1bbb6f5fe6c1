// How the client prints for people: aligned tables, times, sizes. Pure
// string functions (FormatLocalTime reads the process's time zone), so they
// are tested without a terminal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gantry::client {

enum class OutputFormat { kText, kJson };

// A table with a header row; columns are separated by two spaces and padded
// to the widest cell (counted in UTF-8 code points), the last column is not
// padded. Rows shorter than the header get empty cells. Every line ends in
// '\n'. Cells should come through OneLine first.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// `text` with control characters (newlines, tabs, escapes) replaced by
// spaces, so a hostile status reason cannot break a table or the terminal.
std::string OneLine(std::string_view text);

// ISO-8601 with milliseconds and the given UTC offset:
// FormatIsoTime(0, 3600) == "1970-01-01T01:00:00.000+01:00". Offset 0 gives
// a trailing "Z".
std::string FormatIsoTime(int64_t epoch_ms, int utc_offset_seconds);
// FormatIsoTime in the local time zone (TZ), at `epoch_ms`.
std::string FormatLocalTime(int64_t epoch_ms);

// Sizes in MiB for people: "512M", "1.5G", "2.0T" (binary units).
std::string FormatMib(uint64_t mib);

// A duration for people: "350ms", "4.2s", "3m05s", "2h10m", "3d04h".
std::string FormatDuration(int64_t ms);

// "x/y" of two numbers already formatted.
inline std::string FreeOfTotal(std::string_view free, std::string_view total) {
  return std::string(free) + "/" + std::string(total);
}

}  // namespace gantry::client
