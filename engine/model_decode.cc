// decode_model(): a write model from its canonical image (a snapshot). The image is data read
// from disk, so every reference and invariant is checked and a bad image is an error value.
#include "field_bounds.h"
#include "model_codec.h"

namespace turno {
namespace {

// No instant in a model is this far from 1970 (a year beyond ±140 million): bounds that keep
// interval arithmetic (buffers around a booking) from overflowing on a damaged image.
constexpr std::int64_t kInstantMsAbsMax = std::int64_t{1} << 62;

Status bad(const std::string& what) {
  return Status::corruption("model image: " + what);
}

Status decode_staff(const v1::ModelStaff& image, Tenant& tenant) {
  if (tenant.find_site(image.site_id()) == nullptr) return bad("staff at unknown site");
  Staff& staff = tenant.staff[image.id()];
  staff.id = image.id();
  staff.site_id = image.site_id();
  staff.name = image.name();
  staff.skills.assign(image.skills().begin(), image.skills().end());
  std::sort(staff.skills.begin(), staff.skills.end());
  for (const auto& interval : image.week()) {
    if (interval.weekday() < 1 || interval.weekday() > 7) return bad("weekday out of range");
    staff.week[static_cast<std::size_t>(interval.weekday())].push_back(
        WorkingWindow{interval.start_min(), interval.end_min()});
  }
  for (const auto& entry : image.time_off()) {
    const Interval interval{entry.start_ms(), entry.end_ms()};
    staff.time_off.push_back(TimeOff{entry.id(), interval, entry.reason()});
    staff.time_off_union.add(interval);
    tenant.time_off_ids.insert(entry.id());
  }
  staff.stream_version = image.stream_version();
  staff.departed = image.departed();
  tenant.staff_by_site[staff.site_id].push_back(staff.id);
  return Status::ok();
}

Result<PaymentStatus> payment_status_from(std::string_view name) {
  for (auto status :
       {PaymentStatus::kRequested, PaymentStatus::kSucceeded, PaymentStatus::kFailed}) {
    if (to_string(status) == name) return status;
  }
  return bad("unknown payment status " + std::string(name));
}

// The booking's payments and refunds, and the tenant's indexes of them.
Status decode_money(const v1::ModelBookingState& image, Booking& booking, Tenant& tenant) {
  for (const auto& entry : image.payments()) {
    Result<PaymentStatus> status = payment_status_from(entry.status());
    if (!status.is_ok()) return status.status();
    booking.payments.push_back(PaymentState{
        entry.id(), InternedId::of(entry.provider()), status.value(), entry.amount_minor(),
        entry.platform_fee_minor(), InternedId::of(entry.currency()), entry.failure_reason()});
    auto [indexed, inserted] = tenant.payments.try_emplace(entry.id());
    if (!inserted) return bad("payment " + entry.id() + " twice");
    indexed->second.booking_id = booking.id;
    indexed->second.provider_events.assign(entry.provider_events().begin(),
                                           entry.provider_events().end());
    tenant.provider_events.insert(entry.provider_events().begin(), entry.provider_events().end());
  }
  for (const auto& entry : image.refunds()) {
    const PaymentState* payment = booking.find_payment(entry.payment_id());
    if (payment == nullptr) return bad("refund of an unknown payment");
    booking.refunds.push_back(RefundState{entry.id(), entry.payment_id(), entry.amount_minor(),
                                          InternedId::of(entry.currency()), entry.reason(),
                                          entry.note()});
    if (booking.refunded_minor_of(payment->id) > payment->amount_minor) {
      return bad("refund exceeds payment");
    }
    tenant.refund_ids.insert(entry.id());
  }
  return Status::ok();
}

Status decode_state(const v1::ModelBookingState& image, Booking& booking, Tenant& tenant) {
  booking.id = image.id();
  bool known = false;
  booking.status = booking_status_from(image.status(), known);
  if (!known) return bad("unknown booking status " + image.status());
  booking.site_id = InternedId::of(image.site_id());
  booking.staff_id = InternedId::of(image.staff_id());
  booking.service_id = InternedId::of(image.service_id());
  booking.client_id = InternedId::of(image.client_id());
  booking.patient = image.patient();
  booking.start_ms = image.start_ms();
  booking.end_ms = image.end_ms();
  booking.price_minor = image.price_minor();
  booking.currency = InternedId::of(image.currency());
  booking.expires_at_ms = image.expires_at_ms();
  booking.paid_minor = image.paid_minor();
  booking.refunded_minor = image.refunded_minor();
  if (image.has_cancellation()) {
    const auto& cancellation = image.cancellation();
    booking.cancellation =
        CancellationState{cancellation.by(), cancellation.reason(),
                          cancellation.minutes_before_start(), cancellation.refund_due_minor()};
  }
  booking.stream_version = image.stream_version();
  return decode_money(image, booking, tenant);
}

Status decode_booking(const v1::ModelBooking& image, Model& model, Tenant& tenant) {
  if (!image.has_state()) return bad("a booking without its state");
  // One entry per booking: the finished set and the calendars are derived from them.
  auto [entry, inserted] = tenant.bookings.try_emplace(image.state().id());
  if (!inserted) return bad("booking " + image.state().id() + " twice");
  Booking& booking = entry->second;
  ++model.booking_count;
  if (Status status = decode_state(image.state(), booking, tenant); !status.is_ok()) {
    return status;
  }
  booking.buffer_before_min = image.buffer_before_min();
  booking.buffer_after_min = image.buffer_after_min();
  booking.held_at_ms = image.held_at_ms();
  booking.no_show_due_ms = image.no_show_due_ms();
  booking.last_event_ms = image.last_event_ms();
  auto staff = tenant.staff.find(booking.staff_id);
  if (staff == tenant.staff.end()) return bad("booking of unknown staff");
  if (booking.start_ms >= booking.end_ms) return bad("empty booking");
  if (booking.start_ms < -kInstantMsAbsMax || booking.end_ms > kInstantMsAbsMax) {
    return bad("booking instants out of range");
  }
  if (booking.buffer_before_min < 0 || booking.buffer_before_min > kBufferMinMax ||
      booking.buffer_after_min < 0 || booking.buffer_after_min > kBufferMinMax) {
    return bad("booking buffers out of range");
  }
  if (is_finished(booking.status)) {
    model.finished.insert(
        FinishedBooking{booking.last_event_ms, InternedId::of(tenant.id), booking.id});
  }
  if (!holds_time(booking.status)) return Status::ok();
  if (!staff->second.calendar.is_free(booking.blocked())) return bad("overlapping bookings");
  staff->second.calendar.add(booking.blocked(), booking.id);
  if (allows(booking.status, BookingEvent::kHoldExpired)) {
    model.timers.insert(Timer{booking.expires_at_ms, TimerKind::kHoldExpiry,
                              InternedId::of(tenant.id), booking.id});
  }
  if (booking.no_show_due_ms != 0) {
    model.timers.insert(
        Timer{booking.no_show_due_ms, TimerKind::kNoShow, InternedId::of(tenant.id), booking.id});
  }
  return Status::ok();
}

void decode_policy(const v1::PolicySet& image, Policy& policy) {
  policy.hold_ttl_s = image.hold_ttl_s();
  policy.free_cancel_window_min = image.free_cancel_window_min();
  policy.late_cancel_refund_pct = image.late_cancel_refund_pct();
  policy.no_show_grace_min = image.no_show_grace_min();
  policy.min_notice_min = image.min_notice_min();
  policy.horizon_days = image.horizon_days();
  policy.prepayment_required = image.prepayment_required();
  policy.slot_step_min = image.slot_step_min();
}

Status decode_tenant(const v1::ModelTenant& image, Model& model) {
  Tenant& tenant = model.tenants[image.id()];
  tenant.id = image.id();
  const auto& registration = image.registration();
  tenant.name = registration.name();
  tenant.currency = registration.currency();
  tenant.tax_rate_bp = registration.tax_rate_bp();
  tenant.invoice_series = registration.invoice_series();
  tenant.platform_fee_bp = registration.platform_fee_bp();
  tenant.platform_fee_fixed_minor = registration.platform_fee_fixed_minor();
  decode_policy(image.policy(), tenant.policy);
  tenant.stream_version = image.stream_version();
  for (const auto& entry : image.sites()) {
    Site& site = tenant.sites[entry.id()];
    site.id = entry.id();
    site.name = entry.name();
    site.time_zone_name = entry.time_zone();
    site.address = entry.address();
    site.zone = find_time_zone(entry.time_zone());
    site.stream_version = entry.stream_version();
    site.retired = entry.retired();
  }
  for (const auto& entry : image.services()) {
    const auto& definition = entry.definition();
    Service& service = tenant.services[definition.service_id()];
    service.id = definition.service_id();
    service.name = definition.name();
    service.duration_min = definition.duration_min();
    service.price_minor = definition.price_minor();
    service.required_skill = definition.required_skill();
    service.buffer_before_min = definition.buffer_before_min();
    service.buffer_after_min = definition.buffer_after_min();
    service.follow_up_days = definition.follow_up_days();
    service.stream_version = entry.stream_version();
    service.retired = entry.retired();
  }
  for (const auto& entry : image.staff()) {
    if (Status status = decode_staff(entry, tenant); !status.is_ok()) return status;
  }
  for (auto& [site, ids] : tenant.staff_by_site) std::sort(ids.begin(), ids.end());
  for (const auto& entry : image.bookings()) {
    if (Status status = decode_booking(entry, model, tenant); !status.is_ok()) return status;
  }
  tenant.reserved_ids.insert(image.reserved_ids().begin(), image.reserved_ids().end());
  return Status::ok();
}

}  // namespace

Result<Model> decode_model(const v1::WriteModel& image) {
  Model model;
  model.last_seq = Seq{image.last_seq()};
  model.latest_recorded_ms = image.latest_recorded_ms();
  for (const auto& tenant : image.tenants()) {
    if (Status status = decode_tenant(tenant, model); !status.is_ok()) return status;
  }
  return model;
}

}  // namespace turno
