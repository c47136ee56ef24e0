// Writes JSON with fmt into one growing buffer: objects, arrays, strings (escaped), integers
// and booleans. Commas and colons are placed for the caller; nesting is the caller's to match.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace turno::api {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next value is the member `name` of the enclosing object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::int32_t number) { return value(std::int64_t{number}); }
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  // An instant (Unix ms) as an RFC 3339 UTC timestamp.
  JsonWriter& instant(std::int64_t unix_ms);

  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    return key(name).value(v);
  }
  JsonWriter& instant_field(std::string_view name, std::int64_t unix_ms) {
    return key(name).instant(unix_ms);
  }

  // The text written so far; the writer is empty afterwards.
  std::string take();

 private:
  void separate();
  fmt::memory_buffer out_;
  bool first_in_container_ = true;
  bool after_key_ = false;
};

// `text` as a quoted, escaped JSON string appended to `out`.
void append_json_string(fmt::memory_buffer& out, std::string_view text);

}  // namespace turno::api
