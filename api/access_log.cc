#include "access_log.h"

#include <chrono>

#include "json_writer.h"

namespace turno::api {

void write_access_line(std::FILE* out, const AccessLine& line, unsigned status,
                       std::uint64_t duration_us) {
  if (out == nullptr) return;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  JsonWriter json;
  json.begin_object()
      .field("ts", format_rfc3339(now_ms))
      .field("request_id", line.request_id)
      .field("method", line.method)
      .field("path", line.path)
      .field("route", line.route)
      .field("status", std::uint64_t{status})
      .field("duration_us", duration_us);
  if (!line.tenant.empty()) json.field("tenant", line.tenant);
  if (!line.subject.empty()) json.field("sub", line.subject);
  json.end_object();
  std::string text = json.take();
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), out);
}

}  // namespace turno::api
