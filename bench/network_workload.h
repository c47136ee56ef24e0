// "A year of a clinic network": a steady booking workload with time passing, written through
// the real writer (bench/memory_bench.cc, and `turno-bench history --network`).
//
// Tenants with sites in America/Lima, a 30-minute service, staff working Mon-Sat 09:00-17:00.
// Each working day at 07:00 local: the day's confirmed appointments are checked in and
// completed (1 in 20 is left for the no-show timer); then every slot `lead_days` ahead is
// booked: held, its payment requested and paid (1 in 20 payments fails and the client
// cancels the hold; 1 in 25 paid bookings is cancelled by its client and refunded). So the
// live bookings stay at about lead_days days of slots while history grows by ~6 events per
// booking. The clock (a ManualClock the caller owns) moves day by day; the same options give
// the same log, apart from when the writer's timers fire.
#pragma once

#include <cstdint>
#include <functional>

#include "clock.h"
#include "status.h"
#include "writer.h"

namespace turno::bench {

inline constexpr std::int64_t kNetworkStartMs = 1'772'409'600'000;  // Mon 2026-03-02 00:00 UTC

struct NetworkOptions {
  int tenants = 10;
  int sites_per_tenant = 10;
  int staff_per_site = 4;
  int lead_days = 7;             // bookings are made this many days ahead
  std::uint64_t events_min = 0;  // stop after the day that reaches this many events
  int days_max = 365;            // or after this many calendar days
};

struct NetworkDay {
  int day = 0;                          // calendar days since the start
  std::uint64_t bookings_made = 0;      // so far
  std::uint64_t bookings_finished = 0;  // completed, cancelled or left to the no-show timer
  Seq last_seq;
};

// Writes the network's catalog, then its days, through `writer` (started, on an empty log,
// reading `clock`). Calls `after_day` after each working day; a non-ok status stops the run.
Status write_network(Writer& writer, ManualClock& clock, const NetworkOptions& options,
                     const std::function<Status(const NetworkDay&)>& after_day = {});

}  // namespace turno::bench
