// Token buckets for the API's rate limits (rate_limit.h), and a bounded table of them keyed by
// client or tenant. Times are milliseconds of a monotonic clock. Not thread-safe: the limiter
// holds a lock around every use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace turno::api {

// Whole numbers only: a rate is kept in thousandths of a token per second ("0.5" is 500), and
// a bucket counts millionths of a token, so one millisecond at a rate adds exactly
// `rate_milli_per_s` of them — nothing is lost to rounding, however often the bucket is asked.
inline constexpr std::int64_t kTokenUnits = 1'000'000;  // bucket units in one token

struct RateLimit {
  std::int64_t rate_milli_per_s = 0;  // thousandths of a token added per second
  std::int64_t burst = 0;  // the bucket's size: requests allowed at once after a quiet spell
  bool enabled() const { return rate_milli_per_s > 0 && burst > 0; }
};

class TokenBucket {
 public:
  // A full bucket at `now_ms`.
  TokenBucket(const RateLimit& limit, std::int64_t now_ms);

  // Adds the tokens earned since the last call (never beyond the burst; a clock that went
  // back adds none), then takes one if there is one. True when one was taken.
  bool take(const RateLimit& limit, std::int64_t now_ms);
  // Milliseconds until a token will be there (0 when one is); after take() refused.
  std::int64_t wait_ms(const RateLimit& limit) const;
  // When the bucket is full again if nothing takes from it: until then it must be kept.
  std::int64_t full_at_ms() const { return full_at_ms_; }
  // Puts back a token take() took (the other bucket of the request refused it).
  void give_back(const RateLimit& limit);

 private:
  void refill(const RateLimit& limit, std::int64_t now_ms);
  void update_full_at(const RateLimit& limit);

  std::int64_t units_;  // millionths of a token, at most burst * kTokenUnits
  std::int64_t updated_ms_;
  std::int64_t full_at_ms_;
};

// Buckets by key, at most `buckets_max` of them. A bucket that is full again is the same as
// none, so it is dropped (checked from the least recently used end, a few per call); when the
// table is still at its bound, the least recently used bucket is dropped even if not full —
// that client starts over with a full bucket, so keep the bound above the number of clients
// active within one refill time.
class BucketTable {
 public:
  explicit BucketTable(std::size_t buckets_max) : buckets_max_(buckets_max) {}
  BucketTable(const BucketTable&) = delete;
  BucketTable& operator=(const BucketTable&) = delete;

  // The bucket of `key`, made full when new or forgotten. Valid until the next call.
  TokenBucket& at(std::string_view key, const RateLimit& limit, std::int64_t now_ms);

  std::size_t size() const { return index_.size(); }
  std::size_t buckets_max() const { return buckets_max_; }
  // Buckets dropped before they were full again, because the table was at its bound.
  std::uint64_t evicted_busy() const { return evicted_busy_; }

 private:
  static constexpr std::size_t kIdleSweepPerCallMax = 8;
  struct Entry {
    std::string key;
    TokenBucket bucket;
  };
  void drop_idle(std::int64_t now_ms);
  void drop_oldest();

  std::size_t buckets_max_;
  std::list<Entry> recency_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // keys in recency_
  std::uint64_t evicted_busy_ = 0;
};

}  // namespace turno::api
