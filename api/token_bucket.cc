#include "token_bucket.h"

#include <algorithm>

#include "verify.h"

namespace turno::api {

TokenBucket::TokenBucket(const RateLimit& limit, std::int64_t now_ms)
    : units_(limit.burst * kTokenUnits), updated_ms_(now_ms), full_at_ms_(now_ms) {}

namespace {

// Milliseconds for `units` to accrue at `limit`'s rate, rounded up.
std::int64_t ms_for(std::int64_t units, const RateLimit& limit) {
  return (units + limit.rate_milli_per_s - 1) / limit.rate_milli_per_s;
}

}  // namespace

void TokenBucket::refill(const RateLimit& limit, std::int64_t now_ms) {
  if (now_ms <= updated_ms_) return;
  const std::int64_t capacity = limit.burst * kTokenUnits;
  const std::int64_t elapsed_ms = now_ms - updated_ms_;
  // Compared before multiplying, so a long quiet spell cannot overflow.
  units_ = elapsed_ms >= ms_for(capacity - units_, limit)
               ? capacity
               : units_ + elapsed_ms * limit.rate_milli_per_s;
  updated_ms_ = now_ms;
}

void TokenBucket::update_full_at(const RateLimit& limit) {
  full_at_ms_ = updated_ms_ + ms_for(limit.burst * kTokenUnits - units_, limit);
}

bool TokenBucket::take(const RateLimit& limit, std::int64_t now_ms) {
  refill(limit, now_ms);
  if (units_ < kTokenUnits) return false;
  units_ -= kTokenUnits;
  update_full_at(limit);
  return true;
}

void TokenBucket::give_back(const RateLimit& limit) {
  units_ = std::min(limit.burst * kTokenUnits, units_ + kTokenUnits);
  update_full_at(limit);
}

std::int64_t TokenBucket::wait_ms(const RateLimit& limit) const {
  if (units_ >= kTokenUnits) return 0;
  return ms_for(kTokenUnits - units_, limit);
}

TokenBucket& BucketTable::at(std::string_view key, const RateLimit& limit, std::int64_t now_ms) {
  VERIFY(buckets_max_ > 0, "a bucket table holds at least one bucket");
  if (const auto found = index_.find(key); found != index_.end()) {
    recency_.splice(recency_.begin(), recency_, found->second);
    return found->second->bucket;
  }
  drop_idle(now_ms);
  if (index_.size() >= buckets_max_) drop_oldest();
  recency_.push_front(Entry{std::string(key), TokenBucket(limit, now_ms)});
  index_.emplace(recency_.front().key, recency_.begin());
  return recency_.front().bucket;
}

void BucketTable::drop_idle(std::int64_t now_ms) {
  for (std::size_t i = 0; i < kIdleSweepPerCallMax && !recency_.empty(); ++i) {
    if (recency_.back().bucket.full_at_ms() > now_ms) return;
    index_.erase(recency_.back().key);
    recency_.pop_back();
  }
}

void BucketTable::drop_oldest() {
  index_.erase(recency_.back().key);
  recency_.pop_back();
  ++evicted_busy_;
}

}  // namespace turno::api
