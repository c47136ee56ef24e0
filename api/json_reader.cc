#include "json_reader.h"

#include <algorithm>

#include "rfc3339.h"

namespace turno::api {
namespace {

simdjson::dom::parser& body_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

simdjson::dom::parser& small_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

std::string_view type_name(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a number with a fraction";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "something else";
}

}  // namespace

simdjson::error_code parse_json_object(std::string_view text, simdjson::dom::object& out) {
  simdjson::dom::element element;
  if (auto error = small_parser().parse(text.data(), text.size(), true).get(element)) {
    return error;
  }
  return element.get_object().get(out);
}

JsonObject::JsonObject(std::shared_ptr<std::optional<FieldError>> error, std::string path)
    : error_(std::move(error)), path_(std::move(path)) {}

JsonObject::JsonObject(simdjson::dom::object object,
                       std::shared_ptr<std::optional<FieldError>> error, std::string path)
    : object_(object), error_(std::move(error)), path_(std::move(path)) {}

std::string JsonObject::path_of(std::string_view name) const {
  if (path_.empty()) return std::string(name);
  return path_ + "." + std::string(name);
}

void JsonObject::fail(std::string_view name, std::string detail) {
  if (error_->has_value()) return;
  *error_ = FieldError{path_of(name), std::move(detail)};
}

bool JsonObject::has(std::string_view name) const {
  if (!object_) return false;
  simdjson::dom::element element;
  if (object_->at_key(name).get(element)) return false;
  return !element.is_null();
}

std::optional<simdjson::dom::element> JsonObject::member(std::string_view name, Presence presence) {
  read_.push_back(name);
  if (!ok() || !object_) return std::nullopt;
  simdjson::dom::element element;
  if (object_->at_key(name).get(element) || element.is_null()) {
    if (presence == Presence::kRequired) fail(name, path_of(name) + " is required");
    return std::nullopt;
  }
  return element;
}

std::string JsonObject::string(std::string_view name, Presence presence, std::size_t max_bytes) {
  const auto element = member(name, presence);
  if (!element) return {};
  std::string_view text;
  if (element->get_string().get(text)) {
    fail(name, path_of(name) + " must be a string, not " + std::string(type_name(element->type())));
    return {};
  }
  if (text.size() > max_bytes) {
    fail(name, path_of(name) + " is longer than " + std::to_string(max_bytes) + " bytes");
    return {};
  }
  return std::string(text);
}

std::int64_t JsonObject::integer(std::string_view name, Presence presence, std::int64_t min,
                                 std::int64_t max) {
  const auto element = member(name, presence);
  if (!element) return 0;
  const auto type = element->type();
  std::int64_t value = 0;
  if ((type != simdjson::dom::element_type::INT64 && type != simdjson::dom::element_type::UINT64) ||
      element->get_int64().get(value)) {
    fail(name, type == simdjson::dom::element_type::UINT64
                   ? path_of(name) + " is out of range"
                   : path_of(name) + " must be an integer, not " + std::string(type_name(type)));
    return 0;
  }
  if (value < min || value > max) {
    fail(name,
         path_of(name) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return 0;
  }
  return value;
}

bool JsonObject::boolean(std::string_view name, Presence presence) {
  const auto element = member(name, presence);
  if (!element) return false;
  bool value = false;
  if (element->get_bool().get(value)) {
    fail(name,
         path_of(name) + " must be true or false, not " + std::string(type_name(element->type())));
  }
  return value;
}

std::int64_t JsonObject::instant_ms(std::string_view name, Presence presence) {
  const std::string text = string(name, presence, 64);
  if (text.empty() || !ok()) {
    if (ok() && has(name)) fail(name, path_of(name) + " must be an RFC 3339 timestamp");
    return 0;
  }
  const auto ms = parse_rfc3339(text);
  if (!ms) {
    fail(name, path_of(name) +
                   " must be an RFC 3339 timestamp with offset, such as "
                   "2026-03-02T09:00:00-05:00");
    return 0;
  }
  return *ms;
}

JsonObject JsonObject::object(std::string_view name, Presence presence) {
  const auto element = member(name, presence);
  if (!element) return JsonObject(error_, path_of(name));
  simdjson::dom::object inner;
  if (element->get_object().get(inner)) {
    fail(name,
         path_of(name) + " must be an object, not " + std::string(type_name(element->type())));
    return JsonObject(error_, path_of(name));
  }
  return JsonObject(inner, error_, path_of(name));
}

std::vector<JsonObject> JsonObject::objects(std::string_view name, Presence presence,
                                            std::size_t max_items) {
  std::vector<JsonObject> out;
  const auto element = member(name, presence);
  if (!element) return out;
  simdjson::dom::array array;
  if (element->get_array().get(array)) {
    fail(name, path_of(name) + " must be an array, not " + std::string(type_name(element->type())));
    return out;
  }
  if (array.size() > max_items) {
    fail(name, path_of(name) + " has more than " + std::to_string(max_items) + " items");
    return out;
  }
  for (simdjson::dom::element item : array) {
    const std::string item_path = path_of(name) + "[" + std::to_string(out.size()) + "]";
    simdjson::dom::object inner;
    if (item.get_object().get(inner)) {
      if (!error_->has_value()) {
        *error_ = FieldError{item_path, item_path + " must be an object"};
      }
      return {};
    }
    out.emplace_back(inner, error_, item_path);
  }
  return out;
}

std::vector<std::string> JsonObject::strings(std::string_view name, Presence presence,
                                             std::size_t max_items, std::size_t max_bytes) {
  std::vector<std::string> out;
  const auto element = member(name, presence);
  if (!element) return out;
  simdjson::dom::array array;
  if (element->get_array().get(array) || array.size() > max_items) {
    fail(name,
         path_of(name) + " must be an array of at most " + std::to_string(max_items) + " strings");
    return out;
  }
  for (simdjson::dom::element item : array) {
    std::string_view text;
    if (item.get_string().get(text) || text.size() > max_bytes) {
      fail(name,
           path_of(name) + " must hold strings of at most " + std::to_string(max_bytes) + " bytes");
      return {};
    }
    out.emplace_back(text);
  }
  return out;
}

std::vector<std::int64_t> JsonObject::integers(std::string_view name, Presence presence,
                                               std::size_t max_items, std::int64_t min,
                                               std::int64_t max) {
  std::vector<std::int64_t> out;
  const auto element = member(name, presence);
  if (!element) return out;
  simdjson::dom::array array;
  if (element->get_array().get(array) || array.size() > max_items) {
    fail(name,
         path_of(name) + " must be an array of at most " + std::to_string(max_items) + " integers");
    return out;
  }
  for (simdjson::dom::element item : array) {
    std::int64_t value = 0;
    if (item.type() != simdjson::dom::element_type::INT64 || item.get_int64().get(value) ||
        value < min || value > max) {
      fail(name, path_of(name) + " must hold integers between " + std::to_string(min) + " and " +
                     std::to_string(max));
      return {};
    }
    out.push_back(value);
  }
  return out;
}

std::optional<std::string_view> first_repeated_member(simdjson::dom::object object) {
  std::vector<std::string_view> seen;
  for (simdjson::dom::key_value_pair field : object) {
    if (std::find(seen.begin(), seen.end(), field.key) != seen.end()) return field.key;
    seen.push_back(field.key);
  }
  return std::nullopt;
}

void JsonObject::finish() {
  if (!ok() || !object_) return;
  for (simdjson::dom::key_value_pair field : *object_) {
    if (std::find(read_.begin(), read_.end(), field.key) == read_.end()) {
      fail(field.key, "unknown field " + path_of(field.key));
      return;
    }
  }
  if (const auto repeated = first_repeated_member(*object_)) {
    fail(*repeated, path_of(*repeated) + " is given twice");
  }
}

JsonBody::JsonBody(std::string_view text, bool empty_is_object)
    : error_(std::make_shared<std::optional<FieldError>>()), root_(error_, "") {
  if (text.empty() && empty_is_object) text = "{}";
  simdjson::dom::element element;
  if (auto error = body_parser().parse(text.data(), text.size(), true).get(element)) {
    *error_ = FieldError{
        "", std::string("the body is not valid JSON: ") + simdjson::error_message(error)};
    return;
  }
  simdjson::dom::object object;
  if (element.get_object().get(object)) {
    *error_ = FieldError{"", "the body must be a JSON object"};
    return;
  }
  root_ = JsonObject(object, error_, "");
}

}  // namespace turno::api
