// Which events an export, a replay or GET /v1/events is about. One filter type for all three,
// set field by field from the same names the CLI flags and the query parameters use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events.pb.h"
#include "status.h"
#include "types.h"

namespace turno::history {

// The event's type: the name of the Envelope's `event` oneof field ("slot_held"), or "" for
// an envelope without an event (an export summary).
std::string_view event_type_name(const v1::Envelope& envelope);

// An instant from text: RFC 3339 with a zone ("2026-03-02T09:00:00-05:00", "...Z", optional
// fraction of a second) or whole Unix milliseconds ("1772461200000"). nullopt if neither.
std::optional<std::int64_t> parse_instant_ms(std::string_view text);

struct EventFilter {
  // Each list matches any of its values; an empty list matches everything.
  std::vector<std::string> tenants;
  std::vector<std::string> sites;
  std::vector<std::string> streams;
  std::vector<std::string> types;        // event_type_name() values
  Seq from_seq{1};                       // inclusive
  Seq to_seq{UINT64_MAX};                // inclusive (capped at the log's tail by readers)
  std::optional<std::int64_t> since_ms;  // recorded_at_ms >= since_ms
  std::optional<std::int64_t> until_ms;  // recorded_at_ms < until_ms

  // Sets one criterion from text, by its flag / query parameter name: tenant, site, stream,
  // type (comma-separated lists; a type may be written slot_held, SlotHeld or slotHeld),
  // from-seq, to-seq (whole numbers), since, until (parse_instant_ms). kInvalidArgument
  // naming the parameter for an unknown name or a malformed value.
  Status set(std::string_view name, std::string_view value);

  bool matches(const v1::Envelope& envelope) const;
  // Only the seq range: the filter of a full export, checkable as one chain.
  bool selects_every_event() const;
  // The criteria that are set, as "tenant=t1 type=slot_held from-seq=10"; "" when none.
  std::string describe() const;
  // The filter a describe() text stands for (an export summary's `filter`); nullopt when the
  // text does not read back as one (e.g. a value with a space in it).
  static std::optional<EventFilter> from_description(std::string_view description);
};

// The names set() accepts, in the order describe() writes them.
inline constexpr std::string_view kFilterNames[] = {"tenant",   "site",   "stream", "type",
                                                    "from-seq", "to-seq", "since",  "until"};

}  // namespace turno::history
