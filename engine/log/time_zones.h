// Local wall-clock time in a site's IANA zone, from the system's tz database (tzdata).
// Lookups are pure computation over data loaded once, so decide() may use them.
#pragma once

#include <cstdint>
#include <string_view>

namespace date {
class time_zone;
}

namespace turno {

using TimeZone = date::time_zone;

// The zone named `name` ("America/Lima"), or nullptr when the tz database has no such zone.
const TimeZone* find_time_zone(std::string_view name);

// A moment as the site's clock shows it.
struct LocalTime {
  std::int32_t year = 0;
  std::int32_t month = 0;
  std::int32_t day = 0;
  std::int32_t weekday = 0;  // ISO: 1 = Monday ... 7 = Sunday
  std::int32_t minute_of_day = 0;
  std::int64_t days_since_epoch = 0;  // the local date, as days since 1970-01-01
};

LocalTime to_local(const TimeZone& zone, std::int64_t instant_ms);

// The UTC instant of local midnight starting the given local date (days since 1970-01-01),
// plus `minute` local minutes; when a DST gap makes that local time not exist, the instant
// just after the gap, and when it exists twice, the earlier one.
std::int64_t to_instant(const TimeZone& zone, std::int64_t local_days, std::int32_t minute);

}  // namespace turno
