#include "interval_set.h"

#include <algorithm>

namespace turno::projections {

void IntervalSet::add(Interval interval) {
  if (interval.end_ms <= interval.start_ms) return;
  auto it = start_to_end_.upper_bound(interval.start_ms);
  if (it != start_to_end_.begin() && std::prev(it)->second >= interval.start_ms) --it;
  while (it != start_to_end_.end() && it->first <= interval.end_ms) {
    interval.start_ms = std::min(interval.start_ms, it->first);
    interval.end_ms = std::max(interval.end_ms, it->second);
    it = start_to_end_.erase(it);
  }
  start_to_end_.emplace(interval.start_ms, interval.end_ms);
}

std::map<std::int64_t, std::int64_t>::const_iterator IntervalSet::first_candidate(
    std::int64_t start_ms) const {
  auto it = start_to_end_.upper_bound(start_ms);
  if (it != start_to_end_.begin()) --it;
  return it;
}

bool IntervalSet::overlaps(const Interval& interval) const {
  for (auto it = first_candidate(interval.start_ms);
       it != start_to_end_.end() && it->first < interval.end_ms; ++it) {
    if (interval.overlaps({it->first, it->second})) return true;
  }
  return false;
}

std::int64_t IntervalSet::covered_ms(const Interval& interval) const {
  std::int64_t covered = 0;
  for (auto it = first_candidate(interval.start_ms);
       it != start_to_end_.end() && it->first < interval.end_ms; ++it) {
    const std::int64_t start = std::max(interval.start_ms, it->first);
    const std::int64_t end = std::min(interval.end_ms, it->second);
    if (end > start) covered += end - start;
  }
  return covered;
}

void IntervalSet::subtract_from(const Interval& interval, std::vector<Interval>& out) const {
  std::int64_t cursor = interval.start_ms;
  for (auto it = first_candidate(interval.start_ms);
       it != start_to_end_.end() && it->first < interval.end_ms; ++it) {
    if (it->second <= cursor) continue;
    if (it->first > cursor) out.push_back({cursor, it->first});
    cursor = std::max(cursor, it->second);
  }
  if (cursor < interval.end_ms) out.push_back({cursor, interval.end_ms});
}

}  // namespace turno::projections
