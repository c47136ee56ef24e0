// Strict reading of JSON request bodies (simdjson DOM). A reader checks each field's type and
// range as it is read and remembers the first problem with the field's path ("policy.hold_ttl_s",
// "intervals[2].weekday"); finish() also refuses unknown and repeated members. After the first
// problem every read returns a default, so a handler reads everything, then checks error() once.
//
// Lifetime: the parsed document lives in a per-thread parser. Read a body completely before the
// same thread parses another one (handlers read their body synchronously, so this holds).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace turno::api {

inline constexpr std::size_t kJsonStringBytesMax = 4096;
inline constexpr std::size_t kJsonArrayItemsMax = 256;

struct FieldError {
  std::string field;   // path of the member at fault; empty for the body as a whole
  std::string detail;  // one sentence for a person
};

enum class Presence { kRequired, kOptional };

class JsonObject {
 public:
  // An object that failed to parse or is absent: every read returns defaults.
  JsonObject(std::shared_ptr<std::optional<FieldError>> error, std::string path);
  JsonObject(simdjson::dom::object object, std::shared_ptr<std::optional<FieldError>> error,
             std::string path);

  std::string string(std::string_view name, Presence presence,
                     std::size_t max_bytes = kJsonStringBytesMax);
  std::int64_t integer(std::string_view name, Presence presence, std::int64_t min,
                       std::int64_t max);
  bool boolean(std::string_view name, Presence presence);
  // An RFC 3339 timestamp with offset, as Unix ms.
  std::int64_t instant_ms(std::string_view name, Presence presence);
  JsonObject object(std::string_view name, Presence presence);
  std::vector<JsonObject> objects(std::string_view name, Presence presence,
                                  std::size_t max_items = kJsonArrayItemsMax);
  std::vector<std::string> strings(std::string_view name, Presence presence,
                                   std::size_t max_items = kJsonArrayItemsMax,
                                   std::size_t max_bytes = kJsonStringBytesMax);
  // An array of whole numbers, each in [min, max].
  std::vector<std::int64_t> integers(std::string_view name, Presence presence,
                                     std::size_t max_items, std::int64_t min, std::int64_t max);
  // True when the member is present and not null.
  bool has(std::string_view name) const;
  // Refuses members that no read asked for, and members given twice.
  void finish();

  bool ok() const { return !error_->has_value(); }

 private:
  // The member's value, or nullopt (after recording a missing required member).
  std::optional<simdjson::dom::element> member(std::string_view name, Presence presence);
  void fail(std::string_view name, std::string detail);
  std::string path_of(std::string_view name) const;

  std::optional<simdjson::dom::object> object_;
  std::shared_ptr<std::optional<FieldError>> error_;
  std::string path_;
  std::vector<std::string_view> read_;
};

// A request body parsed as one JSON object.
class JsonBody {
 public:
  // `text` empty counts as {} when `empty_is_object`; anything but an object is an error.
  explicit JsonBody(std::string_view text, bool empty_is_object = false);
  JsonObject& root() { return root_; }
  bool ok() const { return !error_->has_value(); }
  const FieldError& error() const { return **error_; }

 private:
  std::shared_ptr<std::optional<FieldError>> error_;
  JsonObject root_;
};

// The first member name that `object` gives more than once, or nullopt (RFC 8259 leaves
// repeated names to the reader; Turno refuses them, so no two readers can disagree on a value).
std::optional<std::string_view> first_repeated_member(simdjson::dom::object object);

// Parses `text` with this thread's second parser (for JWT headers and claims, webhook
// payloads): same lifetime rule as JsonBody.
simdjson::error_code parse_json_object(std::string_view text, simdjson::dom::object& out);

}  // namespace turno::api
