#include "model_codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>

#include "sha256.h"

namespace turno {
namespace {

template <typename Map>
std::vector<const typename Map::mapped_type*> sorted_values(const Map& map) {
  std::vector<const typename Map::mapped_type*> out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.push_back(&value);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->id < b->id; });
  return out;
}

template <typename Set>
std::vector<std::string> sorted_strings(const Set& set) {
  std::vector<std::string> out(set.begin(), set.end());
  std::sort(out.begin(), out.end());
  return out;
}

void encode_staff(const Staff& staff, v1::ModelStaff& out) {
  out.set_id(staff.id);
  out.set_site_id(staff.site_id);
  out.set_name(staff.name);
  for (const auto& skill : staff.skills) out.add_skills(skill);
  for (std::int32_t weekday = 1; weekday <= 7; ++weekday) {
    for (const auto& window : staff.week[static_cast<std::size_t>(weekday)]) {
      auto& interval = *out.add_week();
      interval.set_weekday(weekday);
      interval.set_start_min(window.start_min);
      interval.set_end_min(window.end_min);
    }
  }
  for (const auto& time_off : staff.time_off) {
    auto& entry = *out.add_time_off();
    entry.set_id(time_off.id);
    entry.set_start_ms(time_off.interval.start_ms);
    entry.set_end_ms(time_off.interval.end_ms);
    entry.set_reason(time_off.reason);
  }
  out.set_stream_version(staff.stream_version);
  out.set_departed(staff.departed);
}

void encode_payment(const PaymentState& payment, const PaymentEntry* entry,
                    v1::ModelBookingPayment& out) {
  out.set_id(payment.id);
  out.set_provider(payment.provider.str());
  out.set_status(std::string(to_string(payment.status)));
  out.set_amount_minor(payment.amount_minor);
  out.set_platform_fee_minor(payment.platform_fee_minor);
  out.set_currency(payment.currency.str());
  out.set_failure_reason(payment.failure_reason);
  if (entry == nullptr) return;
  for (const auto& key : entry->provider_events) out.add_provider_events(key);
}

void encode_state(const Tenant& tenant, const BookingState& booking, v1::ModelBookingState& out) {
  out.set_id(booking.id);
  out.set_status(std::string(to_string(booking.status)));
  out.set_site_id(booking.site_id.str());
  out.set_staff_id(booking.staff_id.str());
  out.set_service_id(booking.service_id.str());
  out.set_client_id(booking.client_id.str());
  out.set_patient(booking.patient);
  out.set_start_ms(booking.start_ms);
  out.set_end_ms(booking.end_ms);
  out.set_price_minor(booking.price_minor);
  out.set_currency(booking.currency.str());
  out.set_expires_at_ms(booking.expires_at_ms);
  out.set_paid_minor(booking.paid_minor);
  out.set_refunded_minor(booking.refunded_minor);
  for (const PaymentState& payment : booking.payments) {
    auto entry = tenant.payments.find(payment.id);
    encode_payment(payment, entry == tenant.payments.end() ? nullptr : &entry->second,
                   *out.add_payments());
  }
  for (const RefundState& refund : booking.refunds) {
    auto& entry = *out.add_refunds();
    entry.set_id(refund.id);
    entry.set_payment_id(refund.payment_id);
    entry.set_amount_minor(refund.amount_minor);
    entry.set_currency(refund.currency.str());
    entry.set_reason(refund.reason);
    entry.set_note(refund.note);
  }
  if (booking.cancellation) {
    auto& entry = *out.mutable_cancellation();
    entry.set_by(booking.cancellation->by);
    entry.set_reason(booking.cancellation->reason);
    entry.set_minutes_before_start(booking.cancellation->minutes_before_start);
    entry.set_refund_due_minor(booking.cancellation->refund_due_minor);
  }
  out.set_stream_version(booking.stream_version);
}

void encode_booking(const Tenant& tenant, const Booking& booking, v1::ModelBooking& out) {
  encode_state(tenant, booking, *out.mutable_state());
  out.set_buffer_before_min(booking.buffer_before_min);
  out.set_buffer_after_min(booking.buffer_after_min);
  out.set_held_at_ms(booking.held_at_ms);
  out.set_no_show_due_ms(booking.no_show_due_ms);
  out.set_last_event_ms(booking.last_event_ms);
}

void encode_policy(const Policy& policy, v1::PolicySet& out) {
  out.set_hold_ttl_s(policy.hold_ttl_s);
  out.set_free_cancel_window_min(policy.free_cancel_window_min);
  out.set_late_cancel_refund_pct(policy.late_cancel_refund_pct);
  out.set_no_show_grace_min(policy.no_show_grace_min);
  out.set_min_notice_min(policy.min_notice_min);
  out.set_horizon_days(policy.horizon_days);
  out.set_prepayment_required(policy.prepayment_required);
  out.set_slot_step_min(policy.slot_step_min);
}

void encode_tenant(const Tenant& tenant, v1::ModelTenant& out) {
  out.set_id(tenant.id);
  auto& registration = *out.mutable_registration();
  registration.set_name(tenant.name);
  registration.set_currency(tenant.currency);
  registration.set_tax_rate_bp(tenant.tax_rate_bp);
  registration.set_invoice_series(tenant.invoice_series);
  registration.set_platform_fee_bp(tenant.platform_fee_bp);
  registration.set_platform_fee_fixed_minor(tenant.platform_fee_fixed_minor);
  encode_policy(tenant.policy, *out.mutable_policy());
  out.set_stream_version(tenant.stream_version);
  for (const Site* site : sorted_values(tenant.sites)) {
    auto& entry = *out.add_sites();
    entry.set_id(site->id);
    entry.set_name(site->name);
    entry.set_time_zone(site->time_zone_name);
    entry.set_address(site->address);
    entry.set_stream_version(site->stream_version);
    entry.set_retired(site->retired);
  }
  for (const Service* service : sorted_values(tenant.services)) {
    auto& entry = *out.add_services();
    auto& definition = *entry.mutable_definition();
    definition.set_service_id(service->id);
    definition.set_name(service->name);
    definition.set_duration_min(service->duration_min);
    definition.set_price_minor(service->price_minor);
    definition.set_currency(tenant.currency);
    definition.set_required_skill(service->required_skill);
    definition.set_buffer_before_min(service->buffer_before_min);
    definition.set_buffer_after_min(service->buffer_after_min);
    definition.set_follow_up_days(service->follow_up_days);
    entry.set_stream_version(service->stream_version);
    entry.set_retired(service->retired);
  }
  for (const Staff* staff : sorted_values(tenant.staff)) encode_staff(*staff, *out.add_staff());
  for (const Booking* booking : sorted_values(tenant.bookings)) {
    encode_booking(tenant, *booking, *out.add_bookings());
  }
  for (const auto& id : sorted_strings(tenant.reserved_ids)) out.add_reserved_ids(id);
}

}  // namespace

v1::WriteModel encode_model(const Model& model) {
  v1::WriteModel image;
  image.set_last_seq(model.last_seq.value);
  image.set_latest_recorded_ms(model.latest_recorded_ms);
  for (const Tenant* tenant : sorted_values(model.tenants)) {
    encode_tenant(*tenant, *image.add_tenants());
  }
  return image;
}

Hash model_digest(const Model& model) {
  const v1::WriteModel image = encode_model(model);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    VERIFY(image.SerializeToCodedStream(&coded), "model image serializes");
  }
  return sha256(bytes);
}

BookingStatus booking_status_from(std::string_view name, bool& ok) {
  for (auto status :
       {BookingStatus::kHeld, BookingStatus::kPendingPayment, BookingStatus::kConfirmed,
        BookingStatus::kCheckedIn, BookingStatus::kCompleted, BookingStatus::kNoShow,
        BookingStatus::kCancelled, BookingStatus::kExpired}) {
    if (to_string(status) == name) {
      ok = true;
      return status;
    }
  }
  ok = false;
  return BookingStatus::kHeld;
}

}  // namespace turno
