// A deterministic booking history written through the real writer: the data of the history
// benchmark (bench/history_bench.cc) and of the history and snapshot tests.
//
// Catalog first (tenants, sites in America/Lima, a service, staff with Mon-Fri 09:00-17:00),
// then bookings in waves: every booking is held, its payment requested; most are paid and so
// confirmed, some payments fail, some bookings stay pending; some confirmed ones are
// cancelled by their client and refunded. About five events per booking. The clock stands
// still at `now_ms`, so no timer ever fires and the same options give the same log.
#pragma once

#include <cstdint>
#include <string>

#include "clock.h"
#include "status.h"
#include "writer.h"

namespace turno::bench {

inline constexpr std::int64_t kWorkloadMonday = 1'772'409'600'000;  // 2026-03-02 00:00 UTC
inline constexpr std::int64_t kWorkloadNowMs = kWorkloadMonday - 7 * kMsPerDay;

struct WorkloadOptions {
  std::uint64_t events_min = 1000;  // stop after the wave that reaches this many events
  int tenants = 3;
  int sites_per_tenant = 2;
  std::size_t wave_bookings = 2048;  // bookings submitted together (one group commit each)
};

// Tenant ids "t0".."t<n-1>", sites "s0".., staff "st<k>", clients "c<k>", bookings "b<k>".
// Writes the history through `writer` (started, on a log that is empty) whose clock reads
// kWorkloadNowMs. Returns an error naming the first command that was refused.
Status write_workload(Writer& writer, const WorkloadOptions& options);

}  // namespace turno::bench
