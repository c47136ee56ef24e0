#include "rfc3339.h"

#include <fmt/format.h>

namespace turno::api {
namespace {

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kSecondsPerDay = 86'400;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + static_cast<std::int64_t>(day_of_era) - 719'468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t days) {
  days += 719'468;
  const std::int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146'097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2), month, day};
}

bool leap(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

// Reads exactly `count` digits at `at`, advancing it.
std::optional<unsigned> digits(std::string_view text, std::size_t& at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  at += count;
  return value;
}

bool expect(std::string_view text, std::size_t& at, char wanted) {
  if (at >= text.size() || text[at] != wanted) return false;
  ++at;
  return true;
}

// Milliseconds of an optional ".fraction" at `at`; 0 when there is none.
std::optional<std::int64_t> fraction_ms(std::string_view text, std::size_t& at) {
  if (at >= text.size() || text[at] != '.') return 0;
  ++at;
  std::int64_t ms = 0;
  std::size_t count = 0;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
    if (count < 3) ms = ms * 10 + (text[at] - '0');
    ++count;
    ++at;
  }
  if (count == 0 || count > 9) return std::nullopt;
  for (std::size_t i = count; i < 3; ++i) ms *= 10;
  return ms;
}

// The offset east of UTC in seconds, from "Z" or "+HH:MM"/"-HH:MM" ending the text.
std::optional<std::int64_t> offset_s(std::string_view text, std::size_t& at) {
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
    return 0;
  }
  if (at >= text.size() || (text[at] != '+' && text[at] != '-')) return std::nullopt;
  const std::int64_t sign = text[at] == '-' ? -1 : 1;
  ++at;
  const auto hours = digits(text, at, 2);
  if (!hours || !expect(text, at, ':')) return std::nullopt;
  const auto minutes = digits(text, at, 2);
  if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return sign * (*hours * 3600 + *minutes * 60);
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  std::size_t at = 0;
  const auto year = digits(text, at, 4);
  if (!year || !expect(text, at, '-')) return std::nullopt;
  const auto month = digits(text, at, 2);
  if (!month || !expect(text, at, '-')) return std::nullopt;
  const auto day = digits(text, at, 2);
  if (!day || at >= text.size() || (text[at] != 'T' && text[at] != 't')) return std::nullopt;
  ++at;
  const auto hour = digits(text, at, 2);
  if (!hour || !expect(text, at, ':')) return std::nullopt;
  const auto minute = digits(text, at, 2);
  if (!minute || !expect(text, at, ':')) return std::nullopt;
  const auto second = digits(text, at, 2);
  if (!second) return std::nullopt;
  const auto ms = fraction_ms(text, at);
  const auto offset = ms ? offset_s(text, at) : std::nullopt;
  if (!offset || at != text.size()) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(*year, *month, *day);
  const std::int64_t seconds = days * kSecondsPerDay + *hour * 3600 + *minute * 60 + *second;
  return (seconds - *offset) * kMsPerSecond + *ms;
}

std::string format_rfc3339(std::int64_t unix_ms) {
  std::int64_t seconds = unix_ms / kMsPerSecond;
  std::int64_t ms = unix_ms % kMsPerSecond;
  if (ms < 0) {
    ms += kMsPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  const Civil date = civil_from_days(days);
  const auto hour = second_of_day / 3600;
  const auto minute = second_of_day / 60 % 60;
  const auto second = second_of_day % 60;
  if (ms == 0) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", date.year, date.month, date.day,
                       hour, minute, second);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", date.year, date.month, date.day,
                     hour, minute, second, ms);
}

}  // namespace turno::api
