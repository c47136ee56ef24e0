// Sets of disjoint time intervals: a staff member's blocked time (active bookings with their
// buffers) and time off (merged). Lookups are O(log n): since intervals never overlap, only
// the neighbours of a position can intersect a new interval.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace turno {

// [start_ms, end_ms): half-open, Unix ms UTC.
struct Interval {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  bool overlaps(const Interval& other) const {
    return start_ms < other.end_ms && other.start_ms < end_ms;
  }
};

// The blocked intervals of one staff member, each owned by a booking.
class Calendar {
 public:
  // True when `interval` overlaps no entry, ignoring the entry of booking `ignore` (a
  // booking being moved does not collide with itself).
  bool is_free(const Interval& interval, std::string_view ignore = {}) const;
  // Adds an entry; the caller has checked is_free().
  void add(const Interval& interval, const std::string& booking_id);
  // Removes the entry that starts at `start_ms` and belongs to `booking_id`.
  void remove(std::int64_t start_ms, std::string_view booking_id);
  // Entries starting in [from_ms, to_ms).
  std::size_t count_starting_in(std::int64_t from_ms, std::int64_t to_ms) const;
  std::size_t size() const { return by_start_.size(); }

  struct Entry {
    std::int64_t end_ms;
    std::string booking_id;
  };
  const std::map<std::int64_t, Entry>& entries() const { return by_start_; }

 private:
  std::map<std::int64_t, Entry> by_start_;
};

// A union of intervals: adding merges with whatever it touches.
class IntervalUnion {
 public:
  void add(Interval interval);
  bool overlaps(const Interval& interval) const;
  const std::map<std::int64_t, std::int64_t>& entries() const { return start_to_end_; }

 private:
  std::map<std::int64_t, std::int64_t> start_to_end_;
};

}  // namespace turno
