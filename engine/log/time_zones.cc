#include "time_zones.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <string>

namespace turno {

const TimeZone* find_time_zone(std::string_view name) {
  if (name.empty() || name.size() > 64) return nullptr;
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    return nullptr;  // unknown zone: the caller reports a validation error
  }
}

LocalTime to_local(const TimeZone& zone, std::int64_t instant_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> instant{milliseconds{instant_ms}};
  const auto local = zone.to_local(instant);
  const auto local_day = date::floor<date::days>(local);
  const date::year_month_day ymd{local_day};
  const date::weekday weekday{local_day};
  LocalTime out;
  out.year = static_cast<std::int32_t>(int(ymd.year()));
  out.month = static_cast<std::int32_t>(unsigned(ymd.month()));
  out.day = static_cast<std::int32_t>(unsigned(ymd.day()));
  out.weekday = static_cast<std::int32_t>(weekday.iso_encoding());
  out.minute_of_day = static_cast<std::int32_t>(duration_cast<minutes>(local - local_day).count());
  out.days_since_epoch = local_day.time_since_epoch().count();
  return out;
}

std::int64_t to_instant(const TimeZone& zone, std::int64_t local_days, std::int32_t minute) {
  using namespace std::chrono;
  const date::local_time<minutes> local{date::days{local_days} + minutes{minute}};
  const date::local_info info = zone.get_info(local);
  date::sys_seconds instant;
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:
      instant = date::sys_seconds{local.time_since_epoch() - info.first.offset};
      break;
    case date::local_info::nonexistent:
      // The clocks jumped over this time: it "happens" at the end of the gap.
      instant = info.second.begin;
      break;
  }
  return duration_cast<milliseconds>(instant.time_since_epoch()).count();
}

}  // namespace turno
