// Structured access logs: one JSON object per request, one line each.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace turno::api {

struct AccessLine {
  std::string request_id;
  std::string method;
  std::string path;
  std::string route;   // the matched pattern, or "unmatched"
  std::string tenant;  // from the token; empty on public routes
  std::string subject;
};

// Writes `line` with its outcome to `out` as one JSON line, in one write; nothing when `out` is
// null.
void write_access_line(std::FILE* out, const AccessLine& line, unsigned status,
                       std::uint64_t duration_us);

}  // namespace turno::api
