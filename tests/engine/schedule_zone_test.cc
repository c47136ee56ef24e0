// Weekly schedules are local wall-clock times in the site's zone, across DST changes.
#include <doctest/doctest.h>

#include "harness.h"
#include "time_zones.h"

using namespace turno;
using namespace turno::testing;

namespace {

// UTC instant of a local date-time in a zone, through the engine's own conversion.
std::int64_t local(const char* zone_name, std::int64_t days, int hour, int minute = 0) {
  const TimeZone* zone = find_time_zone(zone_name);
  REQUIRE(zone != nullptr);
  return to_instant(*zone, days, hour * 60 + minute);
}

constexpr std::int64_t day_number(std::int64_t utc_midnight_ms) {
  return utc_midnight_ms / kMsPerDay;
}

// Mondays of 2026 (UTC midnights): before and after Chile's April change, and after September's.
constexpr std::int64_t kMar30 = 1'774'828'800'000;
constexpr std::int64_t kApr06 = 1'775'433'600'000;
constexpr std::int64_t kSep07 = 1'788'739'200'000;

}  // namespace

TEST_CASE("local conversion knows each zone's offset on each date") {
  // Santiago: -03 in March (summer), -04 in April after the change, -03 again in September.
  CHECK(local("America/Santiago", day_number(kMar30), 9) == kMar30 + 12 * kMsPerHour);
  CHECK(local("America/Santiago", day_number(kApr06), 9) == kApr06 + 13 * kMsPerHour);
  CHECK(local("America/Santiago", day_number(kSep07), 9) == kSep07 + 12 * kMsPerHour);
  // Lima: -05 all year.
  CHECK(local("America/Lima", day_number(kMar30), 9) == kMar30 + 14 * kMsPerHour);
  CHECK(local("America/Lima", day_number(kSep07), 9) ==
        kMar30 + 14 * kMsPerHour + (kSep07 - kMar30));
  const LocalTime monday = to_local(*find_time_zone("America/Santiago"), kApr06 + 13 * kMsPerHour);
  CHECK(monday.weekday == 1);
  CHECK(monday.minute_of_day == 9 * 60);
}

TEST_CASE("09:00 opening stays 09:00 local across Santiago's DST changes") {
  Harness h(kMar30 - 7 * kMsPerDay);
  h.standard_clinic("t1", "America/Santiago");
  for (std::int64_t monday : {kMar30, kApr06, kSep07}) {
    const std::int64_t days = day_number(monday);
    INFO("monday ", monday);
    h.ok(hold("t1", "open-" + std::to_string(monday), client("c1"), "lima", "consult", "ana",
              local("America/Santiago", days, 9)));
    Decision early = h.run(hold("t1", "early-" + std::to_string(monday), client("c1"), "lima",
                                "consult", "ben", local("America/Santiago", days, 8, 30)));
    REQUIRE_FALSE(early.accepted());
    CHECK(early.rejection->code == RejectionCode::kOutsideWorkingHours);
    // The last slot ends exactly at 17:00 local.
    h.ok(hold("t1", "late-" + std::to_string(monday), client("c1"), "lima", "consult", "ben",
              local("America/Santiago", days, 16, 30)));
    Decision past = h.run(hold("t1", "past-" + std::to_string(monday), client("c1"), "lima",
                               "consult", "ana", local("America/Santiago", days, 16, 45)));
    CHECK_FALSE(past.accepted());
    h.set_now(monday + 7 * kMsPerDay - 7 * kMsPerDay / 2);
  }
}

TEST_CASE("Lima's schedule maps to the same UTC hours all year") {
  Harness h(kMar30 - 7 * kMsPerDay);
  h.standard_clinic("t1", "America/Lima");
  h.ok(hold("t1", "a", client("c"), "lima", "consult", "ana", kMar30 + 14 * kMsPerHour));
  h.set_now(kSep07 - kMsPerDay);
  h.ok(hold("t1", "b", client("c"), "lima", "consult", "ana", kSep07 + 14 * kMsPerHour));
  Decision early =
      h.run(hold("t1", "c", client("c"), "lima", "consult", "ana", kSep07 + 13 * kMsPerHour));
  CHECK_FALSE(early.accepted());
}

TEST_CASE("a local time skipped by a DST gap resolves to the end of the gap") {
  // Chile springs forward at 24:00 on Saturday 2026-09-05: local 00:00-00:59 on the 6th
  // does not exist; 00:30 maps to 01:00 -03 = 04:00Z.
  const std::int64_t sunday = kSep07 - kMsPerDay;
  CHECK(local("America/Santiago", day_number(sunday), 0, 30) == sunday + 4 * kMsPerHour);
}
