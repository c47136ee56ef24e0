#include "delivery_limits.h"

#include <algorithm>

namespace turno::projections::notifications {

std::int64_t backoff_ms(const DeliveryLimits& limits, std::uint32_t failures) {
  std::int64_t wait_ms = limits.backoff_first_ms;
  for (std::uint32_t i = 1; i < failures && wait_ms < limits.backoff_max_ms; ++i) wait_ms *= 2;
  return std::min(wait_ms, limits.backoff_max_ms);
}

bool TokenBuckets::take(std::string_view tenant_id, std::int32_t rate_per_minute,
                        std::int32_t burst, std::int64_t now_ms) {
  const std::int64_t capacity = std::int64_t{burst} * kUnitsPerToken;
  std::lock_guard lock(mutex_);
  auto it = buckets_.try_emplace(std::string(tenant_id), Bucket{capacity, now_ms}).first;
  Bucket& bucket = it->second;
  const std::int64_t elapsed_ms = std::max<std::int64_t>(0, now_ms - bucket.updated_ms);
  // Cap before multiplying: a long idle period fills the bucket, no more.
  const std::int64_t refill_ms = std::min(elapsed_ms, capacity / std::max(1, rate_per_minute) + 1);
  bucket.units = std::min(capacity, bucket.units + refill_ms * rate_per_minute);
  bucket.updated_ms = std::max(bucket.updated_ms, now_ms);
  if (bucket.units < kUnitsPerToken) return false;
  bucket.units -= kUnitsPerToken;
  return true;
}

}  // namespace turno::projections::notifications
