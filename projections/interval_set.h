// Half-open intervals of Unix ms [start_ms, end_ms), and a merged union of them (time off).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace turno::projections {

struct Interval {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  bool overlaps(const Interval& other) const {
    return start_ms < other.end_ms && other.start_ms < end_ms;
  }
  std::int64_t length_ms() const { return end_ms - start_ms; }
  auto operator<=>(const Interval&) const = default;
};

class IntervalSet {
 public:
  // Adds `interval`, merging it with every interval it overlaps or touches.
  void add(Interval interval);
  bool overlaps(const Interval& interval) const;
  // Milliseconds of `interval` covered by the set.
  std::int64_t covered_ms(const Interval& interval) const;
  // `interval` minus the set, as disjoint pieces in order, appended to `out`.
  void subtract_from(const Interval& interval, std::vector<Interval>& out) const;
  const std::map<std::int64_t, std::int64_t>& entries() const { return start_to_end_; }
  void clear() { start_to_end_.clear(); }

 private:
  // The first entry that may overlap [start_ms, ...): the one before start_ms, if any.
  std::map<std::int64_t, std::int64_t>::const_iterator first_candidate(std::int64_t start_ms) const;
  std::map<std::int64_t, std::int64_t> start_to_end_;
};

}  // namespace turno::projections
