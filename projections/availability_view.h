// The availability view: free slots for (site, service or skill, local date range, optional
// staff member), and reassignment alternatives for a booking.
//
// A slot is free for a staff member when the appointment lies inside one of their working
// windows of that local day (weekly schedule in the site's zone) and outside their time off,
// and the appointment with the service's buffers overlaps no active booking's blocked time
// (held, pending payment, confirmed, checked in — buffers included): the writer's own rules.
// Slots start on the policy's grid (multiples of slot_step_min from local midnight), no sooner
// than now + min_notice_min and no later than now + horizon_days.
//
// Speed: per staff member and local day the view keeps the bookable pieces (working windows
// minus time off, as UTC intervals) for every day from the last event's day to the booking
// horizon, and the blocked intervals in a sorted vector; a query walks the slot grid against
// both, with no tz database lookups except one frame per day. Days outside that window are
// computed on the fly (same answer, slower).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "booking_fold_view.h"
#include "local_time.h"

namespace turno::projections {

inline constexpr std::int32_t kAvailabilityDaysMax = 62;
inline constexpr std::int32_t kAlternativesMax = 50;
// Extra days indexed on each side of [last event day, + horizon], for zones far from UTC.
inline constexpr std::int64_t kIndexMarginDays = 2;

struct AvailabilityRequest {
  std::string tenant_id;
  std::string site_id;
  std::string service_id;  // either a service (duration, buffers, skill) ...
  std::string skill;       // ... or a skill, with duration_min (default: the slot step)
  std::int32_t duration_min = 0;
  std::string staff_id;                  // optional: only this staff member
  std::optional<std::int64_t> from_day;  // local date in the site's zone; none: today there
  std::int32_t days = 1;                 // 1..kAvailabilityDaysMax
  std::int64_t now_ms = 0;               // for minimum notice and horizon
};

struct Slot {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::uint32_t first_staff = 0;  // into Availability::slot_staff
  std::uint32_t staff_count = 0;
};

struct Availability {
  std::string tenant_id;
  std::string site_id;
  std::string time_zone;
  const TimeZone* zone = nullptr;
  std::string service_id;
  std::string skill;
  std::int32_t duration_min = 0;
  std::int32_t step_min = 0;
  std::int64_t from_day = 0;
  std::int32_t days = 0;
  std::vector<std::string> staff_ids;     // the candidates, sorted
  std::vector<Slot> slots;                // by start
  std::vector<std::uint16_t> slot_staff;  // indexes into staff_ids, per slot a run
};

struct AlternativesRequest {
  std::string tenant_id;
  std::string booking_id;
  std::int64_t now_ms = 0;
  std::int32_t limit = 10;  // 1..kAlternativesMax
};

struct Alternative {
  std::string staff_id;
  std::string staff_name;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  bool same_time = false;
  std::int64_t distance_min = 0;  // |start - the booking's start|
};

struct Alternatives {
  std::string tenant_id;
  std::string booking_id;
  std::string site_id;
  std::string service_id;
  std::string staff_id;  // the booking's staff member (never among the options)
  std::string client_id;
  std::string time_zone;
  const TimeZone* zone = nullptr;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  BookingStatus state = BookingStatus::kHeld;
  std::vector<Alternative> options;  // same time first, then nearest; ties by staff id
};

// The time an appointment needs: its length and the buffers around it.
struct SlotShape {
  std::int64_t duration_ms = 0;
  std::int64_t before_ms = 0;
  std::int64_t after_ms = 0;
};

class AvailabilityView final : public BookingFoldView {
 public:
  std::string_view name() const override { return "availability"; }

  // Free slots; not_found for an unknown tenant, site, service or staff member,
  // invalid_argument for a bad range or neither service nor skill.
  Result<Availability> query(const AvailabilityRequest& request) const;
  // Other staff members of the booking's site with the skill, free at the booking's time or
  // at the nearest times of that local day (one before, one after). not_found when unknown.
  Result<Alternatives> alternatives(const AlternativesRequest& request) const;

 protected:
  void on_event(const v1::Envelope& event) override { advance_window(event.recorded_at_ms()); }
  void on_catalog(const v1::Envelope& event) override;
  void on_booking(const BookingChange& change, const v1::Envelope& event) override;
  void rebuild_indexes() override;
  void clear_own() override;

 private:
  struct Blocked {
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::string booking_id;
  };
  struct StaffIndex {
    // Active bookings' blocked time, by start. They never overlap (the writer's invariant), so
    // sorted by start they are sorted by end too: a query walks them forward once per piece.
    std::vector<Blocked> blocked;
    std::unordered_map<std::int64_t, std::vector<Interval>> pieces;  // local day -> bookable
    std::int64_t first_day = 0;  // pieces cover [first_day, end_day)
    std::int64_t end_day = 0;
  };

  void block(const BookingRecord& booking);
  void unblock(std::string_view tenant_id, std::string_view staff_id, std::int64_t start_ms,
               const std::string& booking_id);
  void advance_window(std::int64_t recorded_at_ms);
  void refresh_window(const TenantInfo& tenant, const StaffInfo& staff, bool recompute_all);
  void refresh_tenant(const TenantInfo& tenant, bool recompute_all);
  // The bookable pieces of a day: from the index when there, else computed into `scratch`.
  const std::vector<Interval>& pieces_of(const StaffInfo& staff, const StaffIndex* index,
                                         const TimeZone& zone, const DayFrame& frame,
                                         std::vector<Interval>& scratch) const;
  const StaffIndex* index_of(std::string_view tenant_id, std::string_view staff_id) const;
  // Sets bit `bit` of row i (a row is `words` 64-bit words) for each starts[i] the staff
  // member can take.
  void free_starts(const StaffInfo& staff, const StaffIndex* index, const TimeZone& zone,
                   const DayFrame& frame, const SlotShape& shape,
                   const std::vector<std::int64_t>& starts, std::uint64_t* rows, std::size_t words,
                   std::size_t bit, std::vector<Interval>& scratch) const;
  // The frame of a local day: from the index's cache when there, else computed.
  DayFrame frame_of(const TimeZone& zone, std::int64_t day) const;

  StringMap<StaffIndex> staff_index_;  // derived: tenant_key(tenant, staff)
  // Derived: the frames of the indexed days, per zone (tz lookups kept out of queries).
  std::unordered_map<const TimeZone*, std::unordered_map<std::int64_t, DayFrame>> frames_;
  std::int64_t anchor_day_ = 0;  // derived: UTC day of the newest event folded
};

// {"site_id", "time_zone", "service_id", "skill", "duration_min", "step_min", "from", "days",
//  "slots": [{"start", "end", "staff": ["ana", ...]}]}
std::string availability_json(const Availability& availability);
// {"booking_id", "site_id", "staff_id", "start", "end", "status",
//  "alternatives": [{"staff_id", "staff_name", "start", "end", "same_time", "distance_min"}]}
std::string alternatives_json(const Alternatives& alternatives);

// Bookable pieces of one local day: each working window minus time off, in UTC, in order.
void bookable_pieces(const WeekSchedule& week, const IntervalSet& time_off, const TimeZone& zone,
                     const DayFrame& frame, std::vector<Interval>& out);

}  // namespace turno::projections
