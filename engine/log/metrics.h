// Lock-free counters and fixed-bucket histograms for /metrics. Any thread records; any thread
// reads a consistent-enough view (each counter is atomic; a reader may see a sum a moment
// older than a count, which Prometheus tolerates).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace turno {

class Histogram {
 public:
  static constexpr std::size_t kBucketsMax = 24;

  // `upper_bounds` ascending; an implicit +Inf bucket follows.
  explicit Histogram(std::span<const std::uint64_t> upper_bounds);

  void record(std::uint64_t value);

  std::size_t bucket_count() const { return bucket_count_; }
  std::uint64_t upper_bound(std::size_t bucket) const { return bounds_[bucket]; }
  // Observations <= upper_bound(bucket), cumulative as Prometheus wants them.
  std::uint64_t cumulative_count(std::size_t bucket) const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  std::uint64_t sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::array<std::uint64_t, kBucketsMax> bounds_{};
  std::size_t bucket_count_ = 0;
  std::array<std::atomic<std::uint64_t>, kBucketsMax + 1> counts_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
};

// A label value as the Prometheus text format wants it: backslash, quote and newline escaped.
std::string prometheus_label(std::string_view text);

// Bucket bounds used across Turno: microseconds from 50 us to 10 s, and batch sizes.
std::span<const std::uint64_t> latency_us_buckets();
std::span<const std::uint64_t> batch_size_buckets();

}  // namespace turno
