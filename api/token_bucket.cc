#include "token_bucket.h"

#include <algorithm>
#include <cmath>

#include "verify.h"

namespace turno::api {

TokenBucket::TokenBucket(const RateLimit& limit, std::int64_t now_ms)
    : tokens_(static_cast<double>(limit.burst)), updated_ms_(now_ms), full_at_ms_(now_ms) {}

void TokenBucket::refill(const RateLimit& limit, std::int64_t now_ms) {
  if (now_ms <= updated_ms_) return;
  const double earned = static_cast<double>(now_ms - updated_ms_) * limit.rate_per_s / 1000.0;
  tokens_ = std::min(static_cast<double>(limit.burst), tokens_ + earned);
  updated_ms_ = now_ms;
}

void TokenBucket::update_full_at(const RateLimit& limit) {
  const double missing = static_cast<double>(limit.burst) - tokens_;
  full_at_ms_ =
      updated_ms_ + static_cast<std::int64_t>(std::ceil(missing * 1000.0 / limit.rate_per_s));
}

bool TokenBucket::take(const RateLimit& limit, std::int64_t now_ms) {
  refill(limit, now_ms);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  update_full_at(limit);
  return true;
}

void TokenBucket::give_back(const RateLimit& limit) {
  tokens_ = std::min(static_cast<double>(limit.burst), tokens_ + 1.0);
  update_full_at(limit);
}

std::int64_t TokenBucket::wait_ms(const RateLimit& limit) const {
  if (tokens_ >= 1.0) return 0;
  return static_cast<std::int64_t>(std::ceil((1.0 - tokens_) * 1000.0 / limit.rate_per_s));
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
