// evolve(): folds one event into the write model. Pure: no I/O, no clock.
#include <algorithm>
#include <optional>

#include "decide.h"
#include "event_kinds.h"
#include "lifecycle.h"
#include "verify.h"

namespace turno {
namespace {

void bump(std::uint64_t& version, const v1::Envelope& event) {
  VERIFY(event.stream_version() == version + 1, "stream versions are contiguous");
  version = event.stream_version();
}

Tenant& tenant_of(Model& model, const v1::Envelope& event) {
  Tenant* tenant = model.find_tenant(event.tenant_id());
  VERIFY(tenant != nullptr, "events of a known tenant");
  return *tenant;
}

template <typename Map>
auto& entity(Map& map, std::string_view id) {
  auto it = map.find(id);
  VERIFY(it != map.end(), "events of a known entity");
  return it->second;
}

void apply_policy(Policy& policy, const v1::PolicySet& event) {
  policy.hold_ttl_s = event.hold_ttl_s();
  policy.free_cancel_window_min = event.free_cancel_window_min();
  policy.late_cancel_refund_pct = event.late_cancel_refund_pct();
  policy.no_show_grace_min = event.no_show_grace_min();
  policy.min_notice_min = event.min_notice_min();
  policy.horizon_days = event.horizon_days();
  policy.prepayment_required = event.prepayment_required();
  policy.slot_step_min = event.slot_step_min();
}

// Profiles, updates, retirement and departure.
void evolve_directory(Tenant& tenant, const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kStaffProfileUpdated:
      bump(entity(tenant.staff, event.staff_profile_updated().staff_id()).stream_version, event);
      break;
    case v1::Envelope::kSiteUpdated: {
      Site& site = entity(tenant.sites, event.site_updated().site_id());
      site.name = event.site_updated().name();
      site.address = event.site_updated().address();
      bump(site.stream_version, event);
      break;
    }
    case v1::Envelope::kSiteRetired: {
      Site& site = entity(tenant.sites, event.site_retired().site_id());
      site.retired = true;
      bump(site.stream_version, event);
      break;
    }
    case v1::Envelope::kServiceUpdated: {
      const auto& body = event.service_updated();
      Service& service = entity(tenant.services, body.service_id());
      service.name = body.name();
      service.duration_min = body.duration_min();
      service.price_minor = body.price_minor();
      service.required_skill = body.required_skill();
      service.buffer_before_min = body.buffer_before_min();
      service.buffer_after_min = body.buffer_after_min();
      service.follow_up_days = body.follow_up_days();
      bump(service.stream_version, event);
      break;
    }
    case v1::Envelope::kServiceRetired: {
      Service& service = entity(tenant.services, event.service_retired().service_id());
      service.retired = true;
      bump(service.stream_version, event);
      break;
    }
    case v1::Envelope::kStaffDeparted: {
      Staff& staff = entity(tenant.staff, event.staff_departed().staff_id());
      staff.departed = true;
      bump(staff.stream_version, event);
      break;
    }
    default:
      VERIFY(false, "evolve_directory handles directory events only");
  }
}

void evolve_catalog(Model& model, const v1::Envelope& event) {
  if (event.has_tenant_registered()) {
    const auto& body = event.tenant_registered();
    VERIFY(model.find_tenant(event.tenant_id()) == nullptr, "a tenant registers once");
    Tenant& tenant = model.tenants[event.tenant_id()];
    tenant.id = event.tenant_id();
    tenant.name = body.name();
    tenant.currency = body.currency();
    tenant.tax_rate_bp = body.tax_rate_bp();
    tenant.invoice_series = body.invoice_series();
    tenant.platform_fee_bp = body.platform_fee_bp();
    tenant.platform_fee_fixed_minor = body.platform_fee_fixed_minor();
    bump(tenant.stream_version, event);
    return;
  }
  Tenant& tenant = tenant_of(model, event);
  switch (event.event_case()) {
    case v1::Envelope::kPolicySet:
      apply_policy(tenant.policy, event.policy_set());
      bump(tenant.stream_version, event);
      break;
    case v1::Envelope::kSiteOpened: {
      const auto& body = event.site_opened();
      Site& site = tenant.sites[body.site_id()];
      site.id = body.site_id();
      site.name = body.name();
      site.time_zone_name = body.time_zone();
      site.address = body.address();
      site.zone = find_time_zone(body.time_zone());
      bump(site.stream_version, event);
      break;
    }
    case v1::Envelope::kServiceDefined: {
      const auto& body = event.service_defined();
      Service& service = tenant.services[body.service_id()];
      service.id = body.service_id();
      service.name = body.name();
      service.duration_min = body.duration_min();
      service.price_minor = body.price_minor();
      service.required_skill = body.required_skill();
      service.buffer_before_min = body.buffer_before_min();
      service.buffer_after_min = body.buffer_after_min();
      service.follow_up_days = body.follow_up_days();
      bump(service.stream_version, event);
      break;
    }
    case v1::Envelope::kStaffJoined: {
      const auto& body = event.staff_joined();
      Staff& staff = tenant.staff[body.staff_id()];
      staff.id = body.staff_id();
      staff.site_id = body.site_id();
      staff.name = body.name();
      staff.skills.assign(body.skills().begin(), body.skills().end());
      std::sort(staff.skills.begin(), staff.skills.end());
      auto& at_site = tenant.staff_by_site[body.site_id()];
      at_site.insert(std::lower_bound(at_site.begin(), at_site.end(), staff.id), staff.id);
      bump(staff.stream_version, event);
      break;
    }
    case v1::Envelope::kScheduleSet: {
      const auto& body = event.schedule_set();
      Staff& staff = entity(tenant.staff, body.staff_id());
      for (auto& day : staff.week) day.clear();
      for (const auto& interval : body.intervals()) {
        VERIFY(interval.weekday() >= 1 && interval.weekday() <= 7, "ISO weekdays");
        staff.week[static_cast<std::size_t>(interval.weekday())].push_back(
            WorkingWindow{interval.start_min(), interval.end_min()});
      }
      bump(staff.stream_version, event);
      break;
    }
    case v1::Envelope::kTimeOffAdded: {
      const auto& body = event.time_off_added();
      Staff& staff = entity(tenant.staff, body.staff_id());
      const Interval interval{body.start_ms(), body.end_ms()};
      staff.time_off.push_back(TimeOff{body.time_off_id(), interval, body.reason()});
      staff.time_off_union.add(interval);
      tenant.time_off_ids.insert(body.time_off_id());
      bump(staff.stream_version, event);
      break;
    }
    default:
      evolve_directory(tenant, event);
      break;
  }
}

// A client-given id shaped like an id the writer may generate later is kept for good
// (Tenant::reserved_ids), so forgetting its booking never frees it for a generated one.
void reserve_if_future_shaped(Tenant& tenant, std::string_view prefix, const std::string& id,
                              const v1::Envelope& event) {
  if (shaped_like_future_id(prefix, id, event.seq())) tenant.reserved_ids.insert(id);
}

FinishedBooking finished_key(const Tenant& tenant, const Booking& booking) {
  return FinishedBooking{booking.last_event_ms, InternedId::of(tenant.id), booking.id};
}

Timer hold_expiry(const Tenant& tenant, const Booking& booking) {
  return Timer{booking.expires_at_ms, TimerKind::kHoldExpiry, InternedId::of(tenant.id),
               booking.id};
}

void arm_no_show(Model& model, const Tenant& tenant, Booking& booking) {
  if (booking.no_show_due_ms != 0) {
    model.timers.erase(
        Timer{booking.no_show_due_ms, TimerKind::kNoShow, InternedId::of(tenant.id), booking.id});
  }
  booking.no_show_due_ms = booking.end_ms + tenant.policy.no_show_grace_min * kMsPerMinute;
  model.timers.insert(
      Timer{booking.no_show_due_ms, TimerKind::kNoShow, InternedId::of(tenant.id), booking.id});
}

void disarm_no_show(Model& model, const Tenant& tenant, Booking& booking) {
  model.timers.erase(
      Timer{booking.no_show_due_ms, TimerKind::kNoShow, InternedId::of(tenant.id), booking.id});
  booking.no_show_due_ms = 0;
}

// Follows `booking` from `previous` to the status apply() moved it to; the calendar and the
// timers follow the lifecycle: the staff member's time is blocked while the status holds time,
// the hold-expiry timer is armed while the hold can expire, the no-show timer while the
// booking can be marked a no-show.
void follow_status(Model& model, Tenant& tenant, Booking& booking, BookingStatus previous) {
  const BookingStatus next = booking.status;
  if (previous == next) return;
  Calendar& calendar = entity(tenant.staff, booking.staff_id).calendar;
  if (holds_time(previous) != holds_time(next)) {
    if (holds_time(next)) {
      // Back into time only from expired: a late payment re-took the slot (decide checked it
      // is free).
      calendar.add(booking.blocked(), booking.id);
    } else {
      calendar.remove(booking.blocked().start_ms, booking.id);
    }
  }
  const bool could_expire = allows(previous, BookingEvent::kHoldExpired);
  if (could_expire != allows(next, BookingEvent::kHoldExpired)) {
    if (could_expire) {
      model.timers.erase(hold_expiry(tenant, booking));
    } else {
      model.timers.insert(hold_expiry(tenant, booking));
    }
  }
  const bool could_no_show = allows(previous, BookingEvent::kNoShowMarked);
  if (could_no_show != allows(next, BookingEvent::kNoShowMarked)) {
    if (could_no_show) {
      disarm_no_show(model, tenant, booking);
    } else {
      arm_no_show(model, tenant, booking);
    }
  }
}

void hold(Model& model, Tenant& tenant, const v1::Envelope& event) {
  const auto& body = event.slot_held();
  VERIFY(tenant.find_booking(body.booking_id()) == nullptr, "a booking is held once");
  VERIFY(event.stream_version() == 1, "a booking's stream starts with its SlotHeld");
  Booking& booking = tenant.bookings[body.booking_id()];
  ++model.booking_count;
  apply(booking, event);
  booking.buffer_before_min = body.buffer_before_min();
  booking.buffer_after_min = body.buffer_after_min();
  booking.held_at_ms = event.recorded_at_ms();
  booking.last_event_ms = event.recorded_at_ms();
  booking.last_event_seq = event.seq();
  reserve_if_future_shaped(tenant, kBookingIdPrefix, booking.id, event);
  entity(tenant.staff, booking.staff_id).calendar.add(booking.blocked(), booking.id);
  model.timers.insert(hold_expiry(tenant, booking));
}

void note_provider_event(Tenant& tenant, PaymentEntry& payment, const std::string& provider,
                         const std::string& provider_event_id, std::uint64_t seq) {
  std::string key = provider_event_key(provider, provider_event_id);
  if (provider == kDeskProvider &&
      shaped_like_future_id(kReceiptIdPrefix, provider_event_id, seq)) {
    tenant.reserved_ids.insert(key);
  }
  tenant.provider_events.insert(key);
  payment.provider_events.push_back(std::move(key));
}

// The model's indexes of a payment event; the booking's own fields are apply()'s.
void index_payment_event(Tenant& tenant, const Booking& booking, const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kPaymentRequested: {
      const auto& body = event.payment_requested();
      VERIFY(!tenant.payments.contains(body.payment_id()), "a payment is requested once");
      tenant.payments[body.payment_id()].booking_id = booking.id;
      reserve_if_future_shaped(tenant, kPaymentIdPrefix, body.payment_id(), event);
      break;
    }
    case v1::Envelope::kPaymentSucceeded: {
      const auto& body = event.payment_succeeded();
      note_provider_event(tenant, entity(tenant.payments, body.payment_id()), body.provider(),
                          body.provider_event_id(), event.seq());
      break;
    }
    case v1::Envelope::kPaymentFailed: {
      const auto& body = event.payment_failed();
      note_provider_event(tenant, entity(tenant.payments, body.payment_id()), body.provider(),
                          body.provider_event_id(), event.seq());
      break;
    }
    case v1::Envelope::kRefundIssued: {
      const auto& body = event.refund_issued();
      const PaymentState* payment = booking.find_payment(body.payment_id());
      VERIFY(payment != nullptr, "a refund of one of the booking's payments");
      VERIFY(booking.refunded_minor_of(payment->id) <= payment->amount_minor,
             "refunds never exceed payments");
      tenant.refund_ids.insert(body.refund_id());
      reserve_if_future_shaped(tenant, kRefundIdPrefix, body.refund_id(), event);
      break;
    }
    default:
      break;
  }
}

void evolve_booking(Model& model, const v1::Envelope& event) {
  Tenant& tenant = tenant_of(model, event);
  if (event.has_slot_held()) return hold(model, tenant, event);
  auto it = tenant.bookings.find(booking_id_of(event));
  VERIFY(it != tenant.bookings.end(), "events of a known booking");
  Booking& booking = it->second;
  if (is_finished(booking.status)) model.finished.erase(finished_key(tenant, booking));
  VERIFY(event.stream_version() == booking.stream_version + 1, "stream versions are contiguous");
  const std::optional<BookingEvent> step = booking_event_of(event);
  VERIFY(step.has_value(), "a booking's events are lifecycle events");
  const BookingStatus previous = booking.status;
  VERIFY(next_status(previous, *step).has_value(),
         "the lifecycle allows every event the writer decided");
  // The lifecycle allows rescheduling only while the booking holds time: its blocked time
  // moves from where it was to where apply() puts it.
  const bool rescheduled = event.has_booking_rescheduled();
  if (rescheduled) {
    entity(tenant.staff, booking.staff_id).calendar.remove(booking.blocked().start_ms, booking.id);
  }
  apply(booking, event);
  if (rescheduled) {
    entity(tenant.staff, booking.staff_id).calendar.add(booking.blocked(), booking.id);
    if (allows(booking.status, BookingEvent::kNoShowMarked)) arm_no_show(model, tenant, booking);
  }
  index_payment_event(tenant, booking, event);
  follow_status(model, tenant, booking, previous);
  booking.last_event_ms = event.recorded_at_ms();
  booking.last_event_seq = event.seq();
  if (is_finished(booking.status)) model.finished.insert(finished_key(tenant, booking));
}

}  // namespace

void evolve(Model& model, const v1::Envelope& event) {
  VERIFY(event.seq() == model.last_seq.value + 1, "events fold in seq order without gaps");
  VERIFY(event.event_case() != v1::Envelope::EVENT_NOT_SET, "an event without a payload");
  if (is_catalog_event(event)) {
    evolve_catalog(model, event);
  } else {
    evolve_booking(model, event);
  }
  model.last_seq = Seq{event.seq()};
  model.latest_recorded_ms = std::max(model.latest_recorded_ms, event.recorded_at_ms());
}

}  // namespace turno
