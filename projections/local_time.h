// Local calendars for the views: days in a site's zone, RFC 3339 with the site's offset, and
// the frame of one local day (its UTC bounds), so per-minute conversions avoid the tz database
// except on the days a clock change happens.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "time_zones.h"
#include "types.h"

namespace turno::projections {

// One local day of a zone: [start_ms, end_ms) in UTC. `uniform` when the UTC offset is the
// same all day, so local minute m is start_ms + m minutes.
struct DayFrame {
  std::int64_t local_day = 0;  // days since 1970-01-01, local
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  bool uniform = true;
  std::int32_t weekday = 0;  // ISO 1..7
};

DayFrame day_frame(const TimeZone& zone, std::int64_t local_day);
// The instant of local minute `minute` (0..1440) of the frame's day; DST gaps resolve as
// to_instant() does (the end of the gap).
std::int64_t instant_at(const TimeZone& zone, const DayFrame& frame, std::int32_t minute);

// ISO weekday (1 = Monday) of a day number.
std::int32_t weekday_of(std::int64_t day);

// "2026-03-02T09:00:00-05:00": the instant as the zone's clock shows it, with its offset;
// seconds always, milliseconds only when not zero.
std::string format_local(const TimeZone& zone, std::int64_t instant_ms);
// "2026-03-02T14:00:00Z".
std::string format_utc(std::int64_t instant_ms);
// "2026-03-02".
std::string format_date(std::int64_t day);
// "20260302T090000": iCalendar local DATE-TIME (no zone suffix).
std::string format_ical_local(const TimeZone& zone, std::int64_t instant_ms);
// "20260302T140000Z".
std::string format_ical_utc(std::int64_t instant_ms);

// "YYYY-MM-DD" as a day number; nullopt when malformed or not a real date.
std::optional<std::int64_t> parse_date(std::string_view text);

}  // namespace turno::projections
