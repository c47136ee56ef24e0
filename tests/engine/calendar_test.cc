// A staff member's blocked time: disjoint entries, the overlap check with its neighbours, the
// booking that ignores itself, removal and counts by start.
#include "calendar.h"

#include <doctest/doctest.h>

namespace turno {
namespace {

TEST_CASE("calendar: a slot is free unless an entry overlaps it, whichever side") {
  Calendar calendar;
  calendar.add({100, 200}, "a");
  calendar.add({300, 400}, "b");
  calendar.add({0, 50}, "c");  // added out of order: kept sorted by start
  CHECK(calendar.size() == 3);
  CHECK(calendar.is_free({200, 300}));  // half-open: touching is not overlapping
  CHECK(calendar.is_free({50, 100}));
  CHECK_FALSE(calendar.is_free({150, 160}));  // inside a
  CHECK_FALSE(calendar.is_free({90, 110}));   // across a's start
  CHECK_FALSE(calendar.is_free({199, 301}));  // across a's end and b's start
  CHECK_FALSE(calendar.is_free({-10, 500}));  // over everything
  CHECK(calendar.is_free({400, 1000}));
  // A booking being moved does not collide with itself, but still with the others.
  CHECK(calendar.is_free({120, 180}, "a"));
  CHECK_FALSE(calendar.is_free({150, 350}, "a"));
}

TEST_CASE("calendar: counts by start and removes the entry of its booking") {
  Calendar calendar;
  calendar.add({100, 200}, "a");
  calendar.add({300, 400}, "b");
  calendar.add({500, 600}, "c");
  CHECK(calendar.count_starting_in(100, 500) == 2);
  CHECK(calendar.count_starting_in(101, 501) == 2);
  CHECK(calendar.count_starting_in(0, 100) == 0);
  calendar.remove(300, "b");
  CHECK(calendar.size() == 2);
  CHECK(calendar.is_free({250, 450}));
  CHECK(calendar.count_starting_in(0, 1000) == 2);
}

}  // namespace
}  // namespace turno
