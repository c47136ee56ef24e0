// Booking lifecycle commands: hold, confirm, reschedule, cancel, check in, complete, no-show,
// hold expiry.
#include <algorithm>
#include <limits>

#include "decide_support.h"

namespace turno::decide_detail {
namespace {

v1::Envelope& emit_on(Emitter& out, const Tenant& tenant, const Booking& booking) {
  return out.emit(entity_stream(tenant.id, "booking", booking.id), booking.stream_version,
                  booking.site_id);
}

Decision invalid_transition(const Booking& booking, std::string_view action) {
  return reject(RejectionCode::kInvalidTransition, "booking_id",
                "cannot " + std::string(action) + " a booking that is " +
                    std::string(to_string(booking.status)));
}

// Picks the staff member for a hold that names none: among qualified staff of the site who
// can take the slot, the one with the fewest bookings starting that local day, then by id.
// Deterministic, so replay and simulation agree.
Decision pick_staff(const Tenant& tenant, const Site& site, const Service& service,
                    const Interval& appointment, const Interval& blocked, const Staff*& chosen) {
  chosen = nullptr;
  auto ids = tenant.staff_by_site.find(site.id);
  std::optional<Rejection> last_reason;
  std::size_t chosen_load = std::numeric_limits<std::size_t>::max();
  const LocalTime local = to_local(*site.zone, appointment.start_ms);
  const std::int64_t day_start = to_instant(*site.zone, local.days_since_epoch, 0);
  const std::int64_t day_end = to_instant(*site.zone, local.days_since_epoch + 1, 0);
  if (ids != tenant.staff_by_site.end()) {
    for (const std::string& staff_id : ids->second) {
      const Staff* staff = tenant.find_staff(staff_id);
      if (staff->departed) continue;
      if (!service.required_skill.empty() && !staff->has_skill(service.required_skill)) continue;
      if (auto bad = check_staff_can_take(site, service, *staff, appointment, blocked, {})) {
        last_reason = std::move(bad);
        continue;
      }
      const std::size_t load = staff->calendar.count_starting_in(day_start, day_end);
      if (load < chosen_load) {
        chosen = staff;
        chosen_load = load;
      }
    }
  }
  if (chosen != nullptr) return Decision{};
  if (!last_reason) {
    return reject(RejectionCode::kLacksSkill, "service_id",
                  "no staff member at site " + site.id + " has skill " + service.required_skill);
  }
  return reject(RejectionCode::kSlotTaken, "start_ms",
                "no qualified staff member is free at that time");
}

Decision hold_slot(const Tenant& tenant, const v1::Command& command, const DecideContext& context) {
  const v1::Actor& actor = command.actor();
  TURNO_REJECT_IF(check_may_request(command));
  const v1::HoldSlot& body = command.hold_slot();
  TURNO_REJECT_IF(check_id("booking_id", body.booking_id(), false));
  TURNO_REJECT_IF(check_id("site_id", body.site_id(), true));
  TURNO_REJECT_IF(check_id("service_id", body.service_id(), true));
  TURNO_REJECT_IF(check_id("staff_id", body.staff_id(), false));
  TURNO_REJECT_IF(check_text("patient", body.patient(), kNameBytesMax, false));
  TURNO_REJECT_IF(check_range("start_ms", body.start_ms(), kInstantMsMin, kInstantMsMax));
  std::string client_id = body.client_id();
  if (actor.role() == v1::ROLE_CLIENT) {
    if (!client_id.empty() && client_id != actor.id()) {
      return reject(RejectionCode::kForbidden, "client_id", "clients hold only for themselves");
    }
    client_id = actor.id();
  }
  TURNO_REJECT_IF(check_text("client_id", client_id, kSubjectBytesMax, true));
  const Site* site = tenant.find_site(body.site_id());
  if (site == nullptr || (actor.role() == v1::ROLE_STAFF && actor.site_id() != site->id)) {
    return reject(RejectionCode::kUnknownId, "site_id", "no site " + body.site_id());
  }
  const Service* service = tenant.find_service(body.service_id());
  if (service == nullptr) {
    return reject(RejectionCode::kUnknownId, "service_id", "no service " + body.service_id());
  }
  if (site->retired || service->retired) {
    return reject(RejectionCode::kRetired, site->retired ? "site_id" : "service_id",
                  site->retired ? "site " + site->id + " takes no new bookings"
                                : "service " + service->id + " is no longer offered");
  }
  if (!body.booking_id().empty() && tenant.find_booking(body.booking_id()) != nullptr) {
    return reject(RejectionCode::kAlreadyExists, "booking_id",
                  "booking " + body.booking_id() + " exists");
  }
  if (site->zone == nullptr) {
    return reject(RejectionCode::kValidation, "site_id", "the site's time zone is unknown here");
  }
  TURNO_REJECT_IF(check_booking_window(tenant.policy, body.start_ms(), context.now_ms));
  const Interval appointment{body.start_ms(),
                             body.start_ms() + service->duration_min * kMsPerMinute};
  const Interval blocked{appointment.start_ms - service->buffer_before_min * kMsPerMinute,
                         appointment.end_ms + service->buffer_after_min * kMsPerMinute};
  const Staff* staff = nullptr;
  if (!body.staff_id().empty()) {
    staff = tenant.find_staff(body.staff_id());
    if (staff == nullptr) {
      return reject(RejectionCode::kUnknownId, "staff_id", "no staff member " + body.staff_id());
    }
    TURNO_REJECT_IF(check_staff_can_take(*site, *service, *staff, appointment, blocked, {}));
  } else if (Decision picked = pick_staff(tenant, *site, *service, appointment, blocked, staff);
             !picked.accepted()) {
    return picked;
  }
  const std::string booking_id =
      body.booking_id().empty()
          ? generate_id(kBookingIdPrefix, context,
                        [&](const std::string& id) { return tenant.booking_id_taken(id); })
          : body.booking_id();
  Emitter out(command, context);
  auto& event =
      *out.emit(entity_stream(tenant.id, "booking", booking_id), 0, site->id).mutable_slot_held();
  event.set_booking_id(booking_id);
  event.set_site_id(site->id);
  event.set_staff_id(staff->id);
  event.set_service_id(service->id);
  event.set_client_id(client_id);
  event.set_patient(body.patient());
  event.set_start_ms(appointment.start_ms);
  event.set_end_ms(appointment.end_ms);
  event.set_price_minor(service->price_minor);
  event.set_currency(tenant.currency);
  event.set_expires_at_ms(context.now_ms + tenant.policy.hold_ttl_s * kMsPerSecond);
  event.set_buffer_before_min(service->buffer_before_min);
  event.set_buffer_after_min(service->buffer_after_min);
  return out.done();
}

Decision confirm_booking(const Tenant& tenant, const v1::Command& command,
                         const DecideContext& context, const Booking& booking) {
  // Stricter than the lifecycle's BookingConfirmed: an expired hold is confirmed only by a
  // late payment (decide_payment.cc), which first checks the slot is still free.
  if (booking.status != BookingStatus::kHeld && booking.status != BookingStatus::kPendingPayment) {
    return invalid_transition(booking, "confirm");
  }
  if (tenant.policy.prepayment_required && booking.paid_minor < booking.price_minor) {
    return reject(RejectionCode::kInvalidTransition, "booking_id",
                  "this tenant requires prepayment: only the payment confirms the booking");
  }
  Emitter out(command, context);
  emit_on(out, tenant, booking).mutable_booking_confirmed()->set_booking_id(booking.id);
  return out.done();
}

Decision reschedule_booking(const Tenant& tenant, const v1::Command& command,
                            const DecideContext& context, const Booking& booking) {
  const v1::RescheduleBooking& body = command.reschedule_booking();
  TURNO_REJECT_IF(check_id("staff_id", body.staff_id(), false));
  TURNO_REJECT_IF(check_range("start_ms", body.start_ms(), kInstantMsMin, kInstantMsMax));
  if (!allows(booking.status, BookingEvent::kBookingRescheduled)) {
    return invalid_transition(booking, "reschedule");
  }
  const std::string& staff_id = body.staff_id().empty() ? booking.staff_id.str() : body.staff_id();
  const Staff* staff = tenant.find_staff(staff_id);
  if (staff == nullptr) {
    return reject(RejectionCode::kUnknownId, "staff_id", "no staff member " + staff_id);
  }
  const Site* site = tenant.find_site(booking.site_id);
  const Service* service = tenant.find_service(booking.service_id);
  VERIFY(site != nullptr && service != nullptr, "a booking's site and service exist");
  TURNO_REJECT_IF(check_booking_window(tenant.policy, body.start_ms(), context.now_ms));
  const std::int64_t duration_ms = booking.end_ms - booking.start_ms;
  const Interval appointment{body.start_ms(), body.start_ms() + duration_ms};
  const Interval blocked{appointment.start_ms - booking.buffer_before_min * kMsPerMinute,
                         appointment.end_ms + booking.buffer_after_min * kMsPerMinute};
  TURNO_REJECT_IF(check_staff_can_take(*site, *service, *staff, appointment, blocked, booking.id));
  Emitter out(command, context);
  auto& event = *emit_on(out, tenant, booking).mutable_booking_rescheduled();
  event.set_booking_id(booking.id);
  event.set_staff_id(staff->id);
  event.set_start_ms(appointment.start_ms);
  event.set_end_ms(appointment.end_ms);
  event.set_previous_start_ms(booking.start_ms);
  event.set_previous_staff_id(booking.staff_id.str());
  return out.done();
}

v1::CancelledBy cancelled_by(v1::Role role) {
  switch (role) {
    case v1::ROLE_CLIENT:
      return v1::CANCELLED_BY_CLIENT;
    case v1::ROLE_STAFF:
      return v1::CANCELLED_BY_STAFF;
    case v1::ROLE_SYSTEM:
      return v1::CANCELLED_BY_SYSTEM;
    default:
      return v1::CANCELLED_BY_ADMIN;
  }
}

Decision cancel_booking(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context, const Booking& booking) {
  const v1::CancelBooking& body = command.cancel_booking();
  TURNO_REJECT_IF(check_text("reason", body.reason(), kTextBytesMax, false));
  if (!allows(booking.status, BookingEvent::kBookingCancelled)) {
    return invalid_transition(booking, "cancel");
  }
  const v1::CancelledBy by = cancelled_by(command.actor().role());
  const std::int64_t minutes_before = (booking.start_ms - context.now_ms) / kMsPerMinute;
  const std::int64_t paid_net = booking.paid_minor - booking.refunded_minor;
  std::int64_t refund = paid_net;
  if (by == v1::CANCELLED_BY_CLIENT && minutes_before < tenant.policy.free_cancel_window_min) {
    refund = paid_net * tenant.policy.late_cancel_refund_pct / 100;
  }
  Emitter out(command, context);
  auto& event = *emit_on(out, tenant, booking).mutable_booking_cancelled();
  event.set_booking_id(booking.id);
  event.set_by(by);
  event.set_reason(body.reason());
  event.set_minutes_before_start(minutes_before);
  event.set_refund_due_minor(refund);
  if (refund > 0) {
    emit_refunds(out, tenant, booking, refund, v1::REFUND_REASON_CANCELLED, body.reason(), {},
                 context);
  }
  return out.done();
}

Decision simple_step(const Tenant& tenant, const v1::Command& command, const DecideContext& context,
                     const Booking& booking) {
  Emitter out(command, context);
  switch (command.kind_case()) {
    case v1::Command::kCheckIn:
      if (!allows(booking.status, BookingEvent::kCheckedIn)) {
        return invalid_transition(booking, "check in");
      }
      emit_on(out, tenant, booking).mutable_checked_in()->set_booking_id(booking.id);
      break;
    case v1::Command::kCompleteBooking:
      if (!allows(booking.status, BookingEvent::kBookingCompleted)) {
        return invalid_transition(booking, "complete");
      }
      emit_on(out, tenant, booking).mutable_booking_completed()->set_booking_id(booking.id);
      break;
    case v1::Command::kMarkNoShow:
      if (!allows(booking.status, BookingEvent::kNoShowMarked)) {
        return invalid_transition(booking, "mark as no-show");
      }
      if (context.now_ms < booking.start_ms) {
        return reject(RejectionCode::kInvalidTransition, "booking_id",
                      "a booking cannot be a no-show before it starts");
      }
      emit_on(out, tenant, booking).mutable_no_show_marked()->set_booking_id(booking.id);
      break;
    case v1::Command::kExpireHold: {
      if (!allows(booking.status, BookingEvent::kHoldExpired)) {
        return invalid_transition(booking, "expire");
      }
      if (context.now_ms < booking.expires_at_ms) {
        return reject(RejectionCode::kInvalidTransition, "booking_id", "the hold has not expired");
      }
      auto& event = *emit_on(out, tenant, booking).mutable_hold_expired();
      event.set_booking_id(booking.id);
      event.set_reason(v1::EXPIRY_REASON_TTL);
      break;
    }
    default:
      VERIFY(false, "simple_step handles check-in, complete, no-show, expire");
  }
  return out.done();
}

}  // namespace

Decision decide_booking(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context) {
  if (command.kind_case() == v1::Command::kHoldSlot) return hold_slot(tenant, command, context);
  TURNO_REJECT_IF(check_may_request(command));
  const std::string_view booking_id = booking_id_of(command);
  TURNO_REJECT_IF(check_id("booking_id", booking_id, true));
  const Booking* booking = nullptr;
  if (Decision found = find_booking_for(tenant, command.actor(), booking_id, booking);
      !found.accepted()) {
    return found;
  }
  switch (command.kind_case()) {
    case v1::Command::kConfirmBooking:
      return confirm_booking(tenant, command, context, *booking);
    case v1::Command::kRescheduleBooking:
      return reschedule_booking(tenant, command, context, *booking);
    case v1::Command::kCancelBooking:
      return cancel_booking(tenant, command, context, *booking);
    default:
      return simple_step(tenant, command, context, *booking);
  }
}

}  // namespace turno::decide_detail
