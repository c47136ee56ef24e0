#include "local_time.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdio>

namespace turno::projections {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

struct Civil {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  std::int64_t ms_of_day = 0;
};

Civil civil_of(std::int64_t local_ms) {
  const auto day = date::floor<date::days>(date::sys_time<milliseconds>{milliseconds{local_ms}});
  const date::year_month_day ymd{day};
  Civil out;
  out.year = int(ymd.year());
  out.month = unsigned(ymd.month());
  out.day = unsigned(ymd.day());
  out.ms_of_day = local_ms - day.time_since_epoch().count() * kMsPerDay;
  return out;
}

std::int64_t offset_ms(const TimeZone& zone, std::int64_t instant_ms) {
  const date::sys_time<milliseconds> instant{milliseconds{instant_ms}};
  return std::chrono::duration_cast<milliseconds>(zone.get_info(instant).offset).count();
}

std::string format_civil(const Civil& civil, char date_separator, char time_separator,
                         bool with_dashes) {
  char buffer[40];
  const auto second_of_day = civil.ms_of_day / 1000;
  const int hours = static_cast<int>(second_of_day / 3600);
  const int mins = static_cast<int>(second_of_day / 60 % 60);
  const int secs = static_cast<int>(second_of_day % 60);
  if (with_dashes) {
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u%c%02d%c%02d%c%02d", civil.year,
                  civil.month, civil.day, date_separator, hours, time_separator, mins,
                  time_separator, secs);
  } else {
    std::snprintf(buffer, sizeof buffer, "%04d%02u%02u%c%02d%02d%02d", civil.year, civil.month,
                  civil.day, date_separator, hours, mins, secs);
  }
  std::string out(buffer);
  if (with_dashes && civil.ms_of_day % 1000 != 0) {
    std::snprintf(buffer, sizeof buffer, ".%03d", static_cast<int>(civil.ms_of_day % 1000));
    out += buffer;
  }
  return out;
}

}  // namespace

DayFrame day_frame(const TimeZone& zone, std::int64_t local_day) {
  DayFrame frame;
  frame.local_day = local_day;
  frame.start_ms = to_instant(zone, local_day, 0);
  frame.end_ms = to_instant(zone, local_day + 1, 0);
  frame.uniform = frame.end_ms - frame.start_ms == kMsPerDay &&
                  offset_ms(zone, frame.start_ms) == offset_ms(zone, frame.end_ms - 1);
  frame.weekday = weekday_of(local_day);
  return frame;
}

std::int64_t instant_at(const TimeZone& zone, const DayFrame& frame, std::int32_t minute) {
  if (frame.uniform) return frame.start_ms + minute * kMsPerMinute;
  return to_instant(zone, frame.local_day, minute);
}

std::int32_t weekday_of(std::int64_t day) {
  return static_cast<std::int32_t>(date::weekday{date::sys_days{date::days{day}}}.iso_encoding());
}

std::string format_local(const TimeZone& zone, std::int64_t instant_ms) {
  const std::int64_t offset = offset_ms(zone, instant_ms);
  std::string out = format_civil(civil_of(instant_ms + offset), 'T', ':', true);
  if (offset == 0) return out + "Z";
  const std::int64_t offset_min = (offset < 0 ? -offset : offset) / kMsPerMinute;
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", offset < 0 ? '-' : '+',
                static_cast<int>(offset_min / 60), static_cast<int>(offset_min % 60));
  return out + buffer;
}

std::string format_utc(std::int64_t instant_ms) {
  return format_civil(civil_of(instant_ms), 'T', ':', true) + "Z";
}

std::string format_date(std::int64_t day) {
  return format_civil(civil_of(day * kMsPerDay), 'T', ':', true).substr(0, 10);
}

std::string format_ical_local(const TimeZone& zone, std::int64_t instant_ms) {
  return format_civil(civil_of(instant_ms + offset_ms(zone, instant_ms)), 'T', ':', false);
}

std::string format_ical_utc(std::int64_t instant_ms) {
  return format_civil(civil_of(instant_ms), 'T', ':', false) + "Z";
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t from, std::size_t count) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const auto year = number(0, 4);
  const auto month = number(5, 2);
  const auto day = number(8, 2);
  if (!year || !month || !day) return std::nullopt;
  const date::year_month_day ymd{date::year{*year}, date::month{static_cast<unsigned>(*month)},
                                 date::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days{ymd}.time_since_epoch().count();
}

}  // namespace turno::projections
