#include "booking_view.h"

#include "event_kinds.h"

namespace turno::api {
namespace {

void write_payments(JsonWriter& json, const BookingState& view) {
  json.key("payments").begin_array();
  for (const PaymentState& payment : view.payments) {
    json.begin_object()
        .field("payment_id", payment.id)
        .field("provider", payment.provider)
        .field("status", to_string(payment.status))
        .field("amount_minor", payment.amount_minor)
        .field("platform_fee_minor", payment.platform_fee_minor)
        .field("currency", payment.currency);
    if (!payment.failure_reason.empty()) json.field("failure_reason", payment.failure_reason);
    json.end_object();
  }
  json.end_array();
}

void write_refunds(JsonWriter& json, const BookingState& view) {
  json.key("refunds").begin_array();
  for (const RefundState& refund : view.refunds) {
    json.begin_object()
        .field("refund_id", refund.id)
        .field("payment_id", refund.payment_id)
        .field("amount_minor", refund.amount_minor)
        .field("currency", refund.currency)
        .field("reason", refund_reason_name(refund.reason))
        .field("note", refund.note)
        .end_object();
  }
  json.end_array();
}

}  // namespace

Result<std::optional<BookingState>> fold_booking(const std::vector<v1::Envelope>& before,
                                                 const std::vector<v1::Envelope>& tail) {
  std::optional<BookingState> view;
  for (const auto* events : {&before, &tail}) {
    for (const v1::Envelope& event : *events) {
      if (!view) view.emplace();
      apply(*view, event);
    }
  }
  return view;
}

bool visible_to(const BookingState& view, const Principal& principal) {
  return may_see(Requester{principal.role, principal.subject, principal.site},
                 BookingParties{view.client_id, view.site_id});
}

void write_booking(JsonWriter& json, const BookingState& view) {
  json.begin_object()
      .field("booking_id", view.id)
      .field("status", to_string(view.status))
      .field("site_id", view.site_id)
      .field("staff_id", view.staff_id)
      .field("service_id", view.service_id)
      .field("client_id", view.client_id)
      .field("patient", view.patient)
      .field("start", format_rfc3339(view.start_ms))
      .field("end", format_rfc3339(view.end_ms))
      .field("price_minor", view.price_minor)
      .field("currency", view.currency)
      .field("hold_expires_at", format_rfc3339(view.expires_at_ms))
      .field("paid_minor", view.paid_minor)
      .field("refunded_minor", view.refunded_minor);
  write_payments(json, view);
  write_refunds(json, view);
  if (view.cancellation) {
    json.key("cancellation")
        .begin_object()
        .field("by", cancelled_by_name(view.cancellation->by))
        .field("reason", view.cancellation->reason)
        .field("minutes_before_start", view.cancellation->minutes_before_start)
        .field("refund_due_minor", view.cancellation->refund_due_minor)
        .end_object();
  }
  json.field("version", std::uint64_t{view.stream_version}).end_object();
}

std::string_view cancelled_by_name(v1::CancelledBy by) {
  switch (by) {
    case v1::CANCELLED_BY_CLIENT:
      return "client";
    case v1::CANCELLED_BY_STAFF:
      return "staff";
    case v1::CANCELLED_BY_ADMIN:
      return "admin";
    case v1::CANCELLED_BY_SYSTEM:
      return "system";
    default:
      return "unspecified";
  }
}

std::string_view refund_reason_name(v1::RefundReason reason) {
  switch (reason) {
    case v1::REFUND_REASON_CANCELLED:
      return "cancelled";
    case v1::REFUND_REASON_REQUESTED:
      return "requested";
    case v1::REFUND_REASON_LATE_PAYMENT_SLOT_TAKEN:
      return "late_payment_slot_taken";
    case v1::REFUND_REASON_DUPLICATE_PAYMENT:
      return "duplicate_payment";
    default:
      return "unspecified";
  }
}

}  // namespace turno::api
