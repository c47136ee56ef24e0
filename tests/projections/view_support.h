// Helpers for view tests: feed a harness's events into a view, Lima instants, round trips.
#pragma once

#include <doctest/doctest.h>

#include "harness.h"
#include "view.h"

namespace turno::testing {

// 2026-03-02 (a Monday) as a day number.
inline constexpr std::int64_t kMondayDay = kMonday2026_03_02 / kMsPerDay;

// The instant of hh:mm in Lima (UTC-5 all year) on Monday 2026-03-02 + `day_offset` days.
inline constexpr std::int64_t lima(std::int64_t day_offset, std::int64_t hour,
                                   std::int64_t minute = 0) {
  return kMonday2026_03_02 + day_offset * kMsPerDay + (hour + 5) * kMsPerHour +
         minute * kMsPerMinute;
}

// Folds every event of `events` the view has not seen yet.
inline void fold_all(projections::View& view, const std::vector<v1::Envelope>& events) {
  for (const auto& event : events) {
    if (event.seq() > view.applied_seq().value) view.apply(event);
  }
}

// Encodes the view, decodes into `fresh`, and checks both encode and digest the same.
inline void check_round_trip(const projections::View& view, projections::View& fresh) {
  const std::string bytes = view.encode();
  REQUIRE(fresh.decode(bytes).is_ok());
  CHECK(fresh.applied_seq() == view.applied_seq());
  CHECK(fresh.encode() == bytes);
  CHECK(fresh.digest() == view.digest());
}

// Holds `booking` for `client` with `staff` at `start_ms`, then pays it in full.
inline void book_and_pay(Harness& h, const std::string& booking, const std::string& client_id,
                         const std::string& staff_id, std::int64_t start_ms,
                         const std::string& service = "consult", std::int64_t price = 10'000) {
  h.ok(hold("t1", "hold-" + booking, client(client_id), "lima", service, staff_id, start_ms,
            booking));
  h.ok(request_payment("t1", "pay-" + booking, client(client_id), booking, "p-" + booking));
  h.ok(payment_succeeded("t1", "ok-" + booking, "p-" + booking, price, "evt-" + booking));
}

}  // namespace turno::testing
