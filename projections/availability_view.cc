// The availability view's state and index upkeep (the queries are in availability_query.cc).
#include "availability_view.h"

#include <algorithm>

namespace turno::projections {
namespace {

// Bounds the index whatever the policy says: about two years of days per staff member.
constexpr std::int64_t kIndexDaysMax = 800;

std::int64_t utc_day_of(std::int64_t instant_ms) {
  return instant_ms >= 0 ? instant_ms / kMsPerDay : -((-instant_ms + kMsPerDay - 1) / kMsPerDay);
}

}  // namespace

void bookable_pieces(const WeekSchedule& week, const IntervalSet& time_off, const TimeZone& zone,
                     const DayFrame& frame, std::vector<Interval>& out) {
  for (const WorkingWindow& window : week[static_cast<std::size_t>(frame.weekday)]) {
    const Interval working{instant_at(zone, frame, window.start_min),
                           instant_at(zone, frame, window.end_min)};
    if (working.end_ms > working.start_ms) time_off.subtract_from(working, out);
  }
}

void AvailabilityView::on_catalog(const v1::Envelope& event) {
  const TenantInfo* tenant = catalog().find_tenant(event.tenant_id());
  if (tenant == nullptr) return;
  auto refresh_staff = [&](const std::string& staff_id) {
    if (const StaffInfo* staff = tenant->find_staff(staff_id)) {
      refresh_window(*tenant, *staff, /*recompute_all=*/true);
    }
  };
  switch (event.event_case()) {
    case v1::Envelope::kStaffJoined:
      refresh_staff(event.staff_joined().staff_id());
      break;
    case v1::Envelope::kScheduleSet:
      refresh_staff(event.schedule_set().staff_id());
      break;
    case v1::Envelope::kTimeOffAdded:
      refresh_staff(event.time_off_added().staff_id());
      break;
    case v1::Envelope::kPolicySet:
      refresh_tenant(*tenant, /*recompute_all=*/false);
      break;
    default:
      break;
  }
}

void AvailabilityView::on_booking(const BookingChange& change, const v1::Envelope&) {
  const BookingRecord& booking = *change.booking;
  if (change.created) return block(booking);
  if (change.kind == v1::Envelope::kBookingRescheduled) {
    if (!holds_time(booking.state)) return;
    unblock(booking.tenant_id, change.previous_staff_id,
            change.previous_start_ms - booking.buffer_before_min * kMsPerMinute, booking.id);
    return block(booking);
  }
  const bool was_active = holds_time(change.previous_state);
  const bool now_active = holds_time(booking.state);
  if (was_active && !now_active) {
    unblock(booking.tenant_id, booking.staff_id, booking.blocked().start_ms, booking.id);
  } else if (!was_active && now_active) {
    block(booking);  // a late payment took an expired hold's slot back
  }
}

void AvailabilityView::block(const BookingRecord& booking) {
  const Interval blocked = booking.blocked();
  auto& entries = staff_index_[tenant_key(booking.tenant_id, booking.staff_id)].blocked;
  auto at = std::lower_bound(
      entries.begin(), entries.end(), blocked.start_ms,
      [](const Blocked& entry, std::int64_t start) { return entry.start_ms < start; });
  entries.insert(at, Blocked{blocked.start_ms, blocked.end_ms, booking.id});
}

void AvailabilityView::unblock(std::string_view tenant_id, std::string_view staff_id,
                               std::int64_t start_ms, const std::string& booking_id) {
  StaffIndex* index = find_in(staff_index_, tenant_key(tenant_id, staff_id));
  if (index == nullptr) return;
  auto& entries = index->blocked;
  auto it = std::lower_bound(
      entries.begin(), entries.end(), start_ms,
      [](const Blocked& entry, std::int64_t start) { return entry.start_ms < start; });
  for (; it != entries.end() && it->start_ms == start_ms; ++it) {
    if (it->booking_id == booking_id) {
      entries.erase(it);
      return;
    }
  }
}

void AvailabilityView::advance_window(std::int64_t recorded_at_ms) {
  const std::int64_t day = utc_day_of(recorded_at_ms);
  if (day <= anchor_day_) return;
  anchor_day_ = day;
  for (const auto& [tenant_id, tenant] : catalog().tenants()) refresh_tenant(tenant, false);
}

void AvailabilityView::refresh_tenant(const TenantInfo& tenant, bool recompute_all) {
  for (const auto& [staff_id, staff] : tenant.staff) refresh_window(tenant, staff, recompute_all);
}

void AvailabilityView::refresh_window(const TenantInfo& tenant, const StaffInfo& staff,
                                      bool recompute_all) {
  StaffIndex& index = staff_index_[tenant_key(tenant.id, staff.id)];
  const SiteInfo* site = tenant.find_site(staff.site_id);
  const WeekSchedule* week = staff.current_schedule();
  if (site == nullptr || site->zone == nullptr || week == nullptr) {
    index.pieces.clear();
    index.first_day = index.end_day = 0;
    return;
  }
  const std::int64_t horizon_days =
      std::clamp<std::int64_t>(tenant.policy.horizon_days, 0, kIndexDaysMax);
  const std::int64_t first = anchor_day_ - kIndexMarginDays;
  const std::int64_t end = anchor_day_ + horizon_days + kIndexMarginDays + 1;
  if (recompute_all) {
    index.pieces.clear();
    index.first_day = index.end_day = 0;
  }
  for (std::int64_t day = index.first_day; day < index.end_day; ++day) {
    if (day < first || day >= end) index.pieces.erase(day);
  }
  std::vector<Interval> pieces;
  auto& frames = frames_[site->zone];
  for (std::int64_t day = first; day < end; ++day) {
    if (day >= index.first_day && day < index.end_day) continue;  // still current
    auto frame = frames.find(day);
    if (frame == frames.end()) frame = frames.emplace(day, day_frame(*site->zone, day)).first;
    pieces.clear();
    bookable_pieces(*week, staff.time_off_union, *site->zone, frame->second, pieces);
    index.pieces[day] = pieces;
  }
  std::erase_if(frames, [&](const auto& entry) { return entry.first < first; });
  index.first_day = first;
  index.end_day = end;
}

void AvailabilityView::rebuild_indexes() {
  staff_index_.clear();
  frames_.clear();
  anchor_day_ = utc_day_of(applied_recorded_at_ms());
  for (const auto& [tenant_id, tenant] : catalog().tenants()) refresh_tenant(tenant, true);
  for (const auto& [tenant_id, of_tenant] : bookings().tenants()) {
    for (const BookingRecord& booking : of_tenant) {
      if (holds_time(booking.state)) block(booking);
    }
  }
}

const AvailabilityView::StaffIndex* AvailabilityView::index_of(std::string_view tenant_id,
                                                               std::string_view staff_id) const {
  return find_in(staff_index_, tenant_key(tenant_id, staff_id));
}

const std::vector<Interval>& AvailabilityView::pieces_of(const StaffInfo& staff,
                                                         const StaffIndex* index,
                                                         const TimeZone& zone,
                                                         const DayFrame& frame,
                                                         std::vector<Interval>& scratch) const {
  if (index != nullptr && frame.local_day >= index->first_day && frame.local_day < index->end_day) {
    auto it = index->pieces.find(frame.local_day);
    if (it != index->pieces.end()) return it->second;
  }
  scratch.clear();
  if (const WeekSchedule* week = staff.current_schedule()) {
    bookable_pieces(*week, staff.time_off_union, zone, frame, scratch);
  }
  return scratch;
}

DayFrame AvailabilityView::frame_of(const TimeZone& zone, std::int64_t day) const {
  if (auto by_zone = frames_.find(&zone); by_zone != frames_.end()) {
    if (auto frame = by_zone->second.find(day); frame != by_zone->second.end()) {
      return frame->second;
    }
  }
  return day_frame(zone, day);
}

void AvailabilityView::clear_own() {
  frames_.clear();
  staff_index_.clear();
  anchor_day_ = 0;
}

}  // namespace turno::projections
