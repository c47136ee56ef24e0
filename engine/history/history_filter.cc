#include "history_filter.h"

#include <date/date.h>

#include <algorithm>
#include <charconv>

namespace turno::history {
namespace {

// "SlotHeld", "slotHeld" and "slot_held" all become "slotheld".
std::string folded(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c != '_') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

// The oneof field name for a type written in any of the accepted spellings.
std::optional<std::string> canonical_type(std::string_view name) {
  const google::protobuf::OneofDescriptor* event =
      v1::Envelope::descriptor()->FindOneofByName("event");
  for (int i = 0; i < event->field_count(); ++i) {
    if (folded(event->field(i)->name()) == folded(name)) return event->field(i)->name();
  }
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

// A fixed-width decimal field of `text` at `at`, or nullopt.
std::optional<int> digits(std::string_view text, std::size_t at, std::size_t width) {
  if (at + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" to Unix ms; nullopt if not that.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) {
  const auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':' || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  const date::year_month_day date{date::year(*year), date::month(unsigned(*month)),
                                  date::day(unsigned(*day))};
  if (!date.ok()) return std::nullopt;
  std::size_t at = 19;
  std::int64_t fraction_ms = 0;
  if (at < text.size() && text[at] == '.') {
    std::int64_t scale = 100;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10) {
      fraction_ms += (text[at] - '0') * scale;
    }
  }
  std::int64_t offset_ms = 0;
  if (at + 1 == text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    offset_ms = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    const auto offset_hour = digits(text, at + 1, 2), offset_minute = digits(text, at + 4, 2);
    if (!offset_hour || !offset_minute) return std::nullopt;
    offset_ms =
        (*offset_hour * kMsPerHour + *offset_minute * kMsPerMinute) * (text[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const std::int64_t days = date::sys_days(date).time_since_epoch().count();
  return days * kMsPerDay + *hour * kMsPerHour + *minute * kMsPerMinute + *second * kMsPerSecond +
         fraction_ms - offset_ms;
}

bool any_of_or_empty(const std::vector<std::string>& values, std::string_view value) {
  return values.empty() || std::find(values.begin(), values.end(), value) != values.end();
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) out += (out.empty() ? "" : ",") + value;
  return out;
}

Status bad(std::string_view name, std::string_view why) {
  return Status::invalid_argument(std::string(name) + ": " + std::string(why));
}

}  // namespace

std::string_view event_type_name(const v1::Envelope& envelope) {
  if (envelope.event_case() == v1::Envelope::EVENT_NOT_SET) return {};
  return v1::Envelope::descriptor()->FindFieldByNumber(envelope.event_case())->name();
}

std::optional<std::int64_t> parse_instant_ms(std::string_view text) {
  if (std::optional<std::uint64_t> ms = parse_u64(text)) {
    if (*ms > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(*ms);
  }
  return parse_rfc3339_ms(text);
}

Status EventFilter::set(std::string_view name, std::string_view value) {
  if (name == "tenant") {
    tenants = split_list(value);
  } else if (name == "site") {
    sites = split_list(value);
  } else if (name == "stream") {
    streams = split_list(value);
  } else if (name == "type") {
    types.clear();
    for (const std::string& item : split_list(value)) {
      std::optional<std::string> type = canonical_type(item);
      if (!type) return bad(name, "no event type is called '" + item + "'");
      types.push_back(*type);
    }
  } else if (name == "from-seq" || name == "to-seq") {
    const std::optional<std::uint64_t> seq = parse_u64(value);
    if (!seq) return bad(name, "a seq is a whole number");
    (name == "from-seq" ? from_seq : to_seq) = Seq{*seq};
  } else if (name == "since" || name == "until") {
    const std::optional<std::int64_t> instant = parse_instant_ms(value);
    if (!instant) return bad(name, "an instant is RFC 3339 with a zone, or Unix milliseconds");
    (name == "since" ? since_ms : until_ms) = *instant;
  } else {
    return bad(name, "no such filter");
  }
  return Status::ok();
}

bool EventFilter::matches(const v1::Envelope& envelope) const {
  const Seq seq{envelope.seq()};
  if (seq < from_seq || seq > to_seq) return false;
  if (since_ms && envelope.recorded_at_ms() < *since_ms) return false;
  if (until_ms && envelope.recorded_at_ms() >= *until_ms) return false;
  return any_of_or_empty(tenants, envelope.tenant_id()) &&
         any_of_or_empty(sites, envelope.site_id()) &&
         any_of_or_empty(streams, envelope.stream()) &&
         any_of_or_empty(types, event_type_name(envelope));
}

bool EventFilter::selects_every_event() const {
  return tenants.empty() && sites.empty() && streams.empty() && types.empty() && !since_ms &&
         !until_ms;
}

std::string EventFilter::describe() const {
  std::string out;
  const auto add = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) out += (out.empty() ? "" : " ") + std::string(name) + "=" + value;
  };
  add("tenant", joined(tenants));
  add("site", joined(sites));
  add("stream", joined(streams));
  add("type", joined(types));
  if (from_seq.value > 1) add("from-seq", std::to_string(from_seq.value));
  if (to_seq.value != UINT64_MAX) add("to-seq", std::to_string(to_seq.value));
  if (since_ms) add("since", std::to_string(*since_ms));
  if (until_ms) add("until", std::to_string(*until_ms));
  return out;
}

std::optional<EventFilter> EventFilter::from_description(std::string_view description) {
  EventFilter filter;
  while (!description.empty()) {
    const std::string_view item = description.substr(0, description.find(' '));
    description.remove_prefix(std::min(description.size(), item.size() + 1));
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos || equals + 1 == item.size()) return std::nullopt;
    if (!filter.set(item.substr(0, equals), item.substr(equals + 1)).is_ok()) return std::nullopt;
  }
  return filter;
}

}  // namespace turno::history
