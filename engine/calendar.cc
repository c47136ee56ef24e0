#include "calendar.h"

#include <iterator>

#include "verify.h"

namespace turno {

bool Calendar::is_free(const Interval& interval, std::string_view ignore) const {
  // Entries are disjoint, so at most the one starting before `interval` and those starting
  // inside it can overlap; walk those few.
  auto it = by_start_.lower_bound(interval.start_ms);
  if (it != by_start_.begin()) --it;
  for (; it != by_start_.end() && it->first < interval.end_ms; ++it) {
    if (it->second.booking_id == ignore) continue;
    if (Interval{it->first, it->second.end_ms}.overlaps(interval)) return false;
  }
  return true;
}

void Calendar::add(const Interval& interval, const std::string& booking_id) {
  VERIFY(interval.start_ms < interval.end_ms, "calendar entries are not empty");
  VERIFY(is_free(interval), "calendar entries never overlap");
  by_start_.emplace(interval.start_ms, Entry{interval.end_ms, booking_id});
}

void Calendar::remove(std::int64_t start_ms, std::string_view booking_id) {
  auto it = by_start_.find(start_ms);
  VERIFY(it != by_start_.end() && it->second.booking_id == booking_id,
         "removing a calendar entry that exists");
  by_start_.erase(it);
}

std::size_t Calendar::count_starting_in(std::int64_t from_ms, std::int64_t to_ms) const {
  return static_cast<std::size_t>(
      std::distance(by_start_.lower_bound(from_ms), by_start_.lower_bound(to_ms)));
}

void IntervalUnion::add(Interval interval) {
  if (interval.start_ms >= interval.end_ms) return;
  auto it = start_to_end_.lower_bound(interval.start_ms);
  if (it != start_to_end_.begin()) {
    auto before = std::prev(it);
    if (before->second >= interval.start_ms) it = before;
  }
  while (it != start_to_end_.end() && it->first <= interval.end_ms) {
    interval.start_ms = std::min(interval.start_ms, it->first);
    interval.end_ms = std::max(interval.end_ms, it->second);
    it = start_to_end_.erase(it);
  }
  start_to_end_.emplace(interval.start_ms, interval.end_ms);
}

bool IntervalUnion::overlaps(const Interval& interval) const {
  auto it = start_to_end_.lower_bound(interval.start_ms);
  if (it != start_to_end_.end() && it->first < interval.end_ms) return true;
  if (it == start_to_end_.begin()) return false;
  return std::prev(it)->second > interval.start_ms;
}

}  // namespace turno
