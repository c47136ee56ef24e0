// The write model: everything the writer needs in memory to decide commands. It is a fold of
// the log (evolve.h) and nothing else; the writer owns it, no other thread touches it.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "booking_state.h"
#include "calendar.h"
#include "event_kinds.h"
#include "lifecycle.h"
#include "policy.h"
#include "string_map.h"
#include "time_zones.h"
#include "types.h"

namespace turno {

struct Site {
  std::string id;
  std::string name;
  std::string time_zone_name;
  std::string address;
  const TimeZone* zone = nullptr;  // resolved from time_zone_name when the site opens
  bool retired = false;            // takes no new bookings
  std::uint64_t stream_version = 0;
};

struct Service {
  std::string id;
  std::string name;
  std::int32_t duration_min = 0;
  std::int64_t price_minor = 0;
  std::string required_skill;
  std::int32_t buffer_before_min = 0;
  std::int32_t buffer_after_min = 0;
  std::int32_t follow_up_days = 0;
  bool retired = false;  // takes no new bookings
  std::uint64_t stream_version = 0;
};

// One working interval of a weekday, local minutes [start_min, end_min).
struct WorkingWindow {
  std::int32_t start_min = 0;
  std::int32_t end_min = 0;
};

struct TimeOff {
  std::string id;
  Interval interval;
  std::string reason;
};

struct Staff {
  std::string id;
  std::string site_id;
  std::string name;
  std::vector<std::string> skills;                 // sorted, unique
  std::array<std::vector<WorkingWindow>, 8> week;  // index: ISO weekday 1..7; 0 unused
  std::vector<TimeOff> time_off;                   // as recorded
  IntervalUnion time_off_union;                    // merged, for the overlap check
  Calendar calendar;                               // blocked time of active bookings
  bool departed = false;                           // takes no new bookings
  std::uint64_t stream_version = 0;

  bool has_skill(std::string_view skill) const;
};

// A booking in the model: what its events say (BookingState, folded by booking_state.h's
// apply(), the same fold the API renders), plus what only the writer needs.
struct Booking : BookingState {
  std::int32_t buffer_before_min = 0;
  std::int32_t buffer_after_min = 0;
  std::int64_t held_at_ms = 0;
  std::int64_t no_show_due_ms = 0;   // set while confirmed
  std::int64_t last_event_ms = 0;    // recorded_at of its last event: when it may be forgotten
  std::uint64_t last_event_seq = 0;  // not in snapshots (they hold committed events only)

  Interval appointment() const { return {start_ms, end_ms}; }
  // The staff member's blocked time: the appointment plus its buffers.
  Interval blocked() const {
    return {start_ms - buffer_before_min * kMsPerMinute, end_ms + buffer_after_min * kMsPerMinute};
  }
};

// Where a payment is: its booking, whose BookingState::payments hold what its events say, and
// the provider event keys applied to it (also in Tenant::provider_events), which forgetting
// the booking forgets with it.
struct PaymentEntry {
  std::string booking_id;
  std::vector<std::string> provider_events;  // in the order applied
};

struct Tenant {
  std::string id;
  std::string name;
  std::string currency;
  std::int32_t tax_rate_bp = 0;
  std::string invoice_series;
  std::int32_t platform_fee_bp = 0;
  std::int64_t platform_fee_fixed_minor = 0;
  Policy policy;
  std::uint64_t stream_version = 0;

  StringMap<Site> sites;
  StringMap<Service> services;
  StringMap<Staff> staff;
  StringMap<std::vector<std::string>> staff_by_site;  // site id -> staff ids, sorted
  StringMap<Booking> bookings;
  StringMap<PaymentEntry> payments;  // payment id -> where it is (derived from the bookings)
  StringSet provider_events;         // "provider/event id" already applied
  StringSet refund_ids;              // of the bookings in memory (derived from their refunds)
  StringSet time_off_ids;
  // Ids a client gave that look like ids the writer will generate later ("bk_<n>" with n past
  // the seq that introduced them): kept for good, so a generated id never reuses one of them
  // after its booking was forgotten (recall.h).
  StringSet reserved_ids;

  const Site* find_site(std::string_view site_id) const;
  const Service* find_service(std::string_view service_id) const;
  const Staff* find_staff(std::string_view staff_id) const;
  const Booking* find_booking(std::string_view booking_id) const;
  // A payment of a booking in memory, and that booking; nullptr when unknown.
  const PaymentState* find_payment(std::string_view payment_id) const;
  const Booking* find_booking_of_payment(std::string_view payment_id) const;
  // Whether a generated id is free: not in memory, and not reserved by a client (recall.h
  // recalls every forgotten booking a command names before it is decided).
  bool booking_id_taken(std::string_view booking_id) const;
  bool payment_id_taken(std::string_view payment_id) const;
  bool refund_id_taken(std::string_view refund_id) const;
  bool provider_event_seen(std::string_view key) const;  // event_kinds.h provider_event_key
};

// Something the writer must do at a given time: expire a hold, mark a no-show.
enum class TimerKind : std::uint8_t { kHoldExpiry, kNoShow };
struct Timer {
  std::int64_t due_ms = 0;
  TimerKind kind = TimerKind::kHoldExpiry;
  InternedId tenant_id;
  std::string booking_id;
  auto operator<=>(const Timer&) const = default;
};

// A finished booking the model may forget once its last event is old enough (recall.h).
struct FinishedBooking {
  std::int64_t last_event_ms = 0;
  InternedId tenant_id;
  std::string booking_id;
  auto operator<=>(const FinishedBooking&) const = default;
};

struct Model {
  StringMap<Tenant> tenants;
  std::set<Timer> timers;               // derived from bookings; ordered by due time
  std::set<FinishedBooking> finished;   // derived from bookings; oldest last event first
  Seq last_seq;                         // the last event folded in
  std::int64_t latest_recorded_ms = 0;  // the latest recorded_at folded in
  std::size_t booking_count = 0;        // bookings of every tenant (derived; for /metrics)

  const Tenant* find_tenant(std::string_view tenant_id) const;
  Tenant* find_tenant(std::string_view tenant_id);
};

}  // namespace turno
