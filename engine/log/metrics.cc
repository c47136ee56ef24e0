#include "metrics.h"

#include <algorithm>

#include "verify.h"

namespace turno {

Histogram::Histogram(std::span<const std::uint64_t> upper_bounds)
    : bucket_count_(upper_bounds.size()) {
  VERIFY(upper_bounds.size() <= kBucketsMax, "histogram bucket bound");
  VERIFY(std::is_sorted(upper_bounds.begin(), upper_bounds.end()), "ascending bounds");
  std::copy(upper_bounds.begin(), upper_bounds.end(), bounds_.begin());
}

void Histogram::record(std::uint64_t value) {
  const std::uint64_t* begin = bounds_.data();
  const std::uint64_t* end = begin + bucket_count_;
  const std::size_t bucket = static_cast<std::size_t>(std::lower_bound(begin, end, value) - begin);
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::uint64_t Histogram::cumulative_count(std::size_t bucket) const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bucket && i <= bucket_count_; ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
  }
  return total;
}

std::string prometheus_label(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::span<const std::uint64_t> latency_us_buckets() {
  static constexpr std::array<std::uint64_t, 16> kBounds = {
      50,     100,    250,     500,     1'000,   2'000,     5'000,     10'000,
      25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 10'000'000};
  return kBounds;
}

std::span<const std::uint64_t> batch_size_buckets() {
  static constexpr std::array<std::uint64_t, 12> kBounds = {1,  2,   4,   8,   16,   32,
                                                            64, 128, 256, 512, 1024, 4096};
  return kBounds;
}

}  // namespace turno
