// A small streaming JSON writer for the views' renderers: commas and string escaping handled,
// integers only (money in minor units, instants as RFC 3339 strings) — no floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace turno::projections {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next value belongs to `name` (inside an object).
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::int32_t number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  template <typename T>
  JsonWriter& field(std::string_view name, const T& field_value) {
    return key(name).value(field_value);
  }
  // `name`: `text`, or null when `text` is empty (a page token on the last page).
  JsonWriter& field_or_null(std::string_view name, std::string_view text) {
    key(name);
    return text.empty() ? null() : value(text);
  }
  // The document; the writer is empty afterwards.
  std::string take() { return std::move(out_); }

 private:
  void separate();
  std::string out_;
  std::vector<bool> has_items_;  // per open container: an item was written
  bool after_key_ = false;
};

// `text` as a JSON string literal, quotes included, valid JSON for any bytes: control characters
// are escaped and each byte that does not belong to well-formed UTF-8 becomes \ufffd (U+FFFD).
void append_json_string(std::string& out, std::string_view text);

}  // namespace turno::projections
