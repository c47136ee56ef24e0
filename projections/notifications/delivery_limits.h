// Every bound of delivery in one place: attempts, back-off, batch sizes, windows, and the
// per-tenant token bucket.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "string_map.h"
#include "types.h"

namespace turno::projections::notifications {

struct DeliveryLimits {
  // A delivery that failed this many times goes to dead letter.
  std::uint32_t attempts_max = 8;
  // After failure n (1-based) the next attempt waits backoff_first_ms * 2^(n-1), at most
  // backoff_max_ms: 30 s, 1 min, 2 min ... about 1 h before the 8th attempt.
  std::int64_t backoff_first_ms = 30 * kMsPerSecond;
  std::int64_t backoff_max_ms = 2 * kMsPerHour;
  // A delivery held back by its tenant's rate limit is tried again this much later.
  std::int64_t rate_limited_delay_ms = kMsPerSecond;
  std::size_t deliveries_per_tick_max = 64;  // attempts per dispatcher pass
  std::size_t plan_batch_max = 1024;         // notices, appointments or recalls read per pass
  // Time-driven messages (reminders, recalls) are looked for in (last pass - lag_guard, now]:
  // the overlap covers a view that folded an event late; decided ones are not decided again.
  std::int64_t lag_guard_ms = kMsPerMinute;
  // After downtime, the look back is at most this long; older reminders and recalls are
  // neither sent nor recorded.
  std::int64_t catch_up_window_max_ms = 7 * kMsPerDay;
  // Reminders and recalls are planned only while the view is at most this many events behind
  // the log (0: fully caught up). A little slack keeps planning going under a steady write
  // load; every attempt re-checks the view anyway.
  std::uint64_t view_lag_events_max = 256;
  // The background loop's wait between passes (a poke wakes it sooner).
  std::int64_t idle_wait_ms = kMsPerSecond;
};

// The wait after `failures` failed attempts (>= 1), per the rule above.
std::int64_t backoff_ms(const DeliveryLimits& limits, std::uint32_t failures);

// One token bucket per tenant: `burst` tokens at most, refilled at `rate_per_minute`.
// Integer arithmetic: a token is kUnitsPerToken units and each millisecond adds
// rate_per_minute units, exactly rate_per_minute tokens a minute. Thread-safe.
class TokenBuckets {
 public:
  static constexpr std::int64_t kUnitsPerToken = kMsPerMinute;

  // Takes one token from the tenant's bucket at `now_ms`; false when it is empty.
  bool take(std::string_view tenant_id, std::int32_t rate_per_minute, std::int32_t burst,
            std::int64_t now_ms);

 private:
  struct Bucket {
    std::int64_t units = 0;
    std::int64_t updated_ms = 0;
  };
  std::mutex mutex_;  // guards buckets_
  StringMap<Bucket> buckets_;
};

}  // namespace turno::projections::notifications
