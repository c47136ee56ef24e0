#include "booking_view.h"

#include "event_kinds.h"

namespace turno::api {
namespace {

PaymentView* find_payment(BookingView& view, std::string_view payment_id) {
  for (PaymentView& payment : view.payments) {
    if (payment.payment_id == payment_id) return &payment;
  }
  return nullptr;
}

void hold(BookingView& view, const v1::SlotHeld& body) {
  view.booking_id = body.booking_id();
  view.status = BookingStatus::kHeld;
  view.site_id = body.site_id();
  view.staff_id = body.staff_id();
  view.service_id = body.service_id();
  view.client_id = body.client_id();
  view.patient = body.patient();
  view.start_ms = body.start_ms();
  view.end_ms = body.end_ms();
  view.price_minor = body.price_minor();
  view.currency = body.currency();
  view.expires_at_ms = body.expires_at_ms();
}

void request_payment(BookingView& view, const v1::PaymentRequested& body) {
  view.payments.push_back(PaymentView{body.payment_id(),
                                      body.provider(),
                                      PaymentStatus::kRequested,
                                      body.amount_minor(),
                                      body.platform_fee_minor(),
                                      body.currency(),
                                      {}});
}

void settle(BookingView& view, const v1::Envelope& event) {
  if (event.has_payment_succeeded()) {
    const auto& body = event.payment_succeeded();
    if (PaymentView* payment = find_payment(view, body.payment_id())) {
      payment->status = PaymentStatus::kSucceeded;
    }
    view.paid_minor += body.amount_minor();
  } else if (event.has_payment_failed()) {
    const auto& body = event.payment_failed();
    if (PaymentView* payment = find_payment(view, body.payment_id())) {
      payment->status = PaymentStatus::kFailed;
      payment->failure_reason = body.reason();
    }
  } else if (event.has_refund_issued()) {
    const auto& body = event.refund_issued();
    view.refunds.push_back(RefundView{body.refund_id(), body.payment_id(), body.amount_minor(),
                                      body.currency(), body.reason(), body.note()});
    view.refunded_minor += body.amount_minor();
  }
}

void write_payments(JsonWriter& json, const BookingView& view) {
  json.key("payments").begin_array();
  for (const PaymentView& payment : view.payments) {
    json.begin_object()
        .field("payment_id", payment.payment_id)
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

void write_refunds(JsonWriter& json, const BookingView& view) {
  json.key("refunds").begin_array();
  for (const RefundView& refund : view.refunds) {
    json.begin_object()
        .field("refund_id", refund.refund_id)
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

void apply(BookingView& view, const v1::Envelope& event) {
  view.version = event.stream_version();
  switch (event.event_case()) {
    case v1::Envelope::kSlotHeld:
      return hold(view, event.slot_held());
    case v1::Envelope::kPaymentRequested:
      request_payment(view, event.payment_requested());
      break;
    case v1::Envelope::kPaymentSucceeded:
    case v1::Envelope::kPaymentFailed:
    case v1::Envelope::kRefundIssued:
      settle(view, event);
      break;
    case v1::Envelope::kBookingRescheduled: {
      const auto& body = event.booking_rescheduled();
      view.staff_id = body.staff_id();
      view.start_ms = body.start_ms();
      view.end_ms = body.end_ms();
      break;
    }
    case v1::Envelope::kBookingCancelled: {
      const auto& body = event.booking_cancelled();
      view.cancellation = CancellationView{body.by(), body.reason(), body.minutes_before_start(),
                                           body.refund_due_minor()};
      break;
    }
    default:
      break;
  }
  if (const std::optional<BookingEvent> step = booking_event_of(event)) {
    view.status = next_status(view.status, *step).value_or(view.status);
  }
}

Result<std::optional<BookingView>> load_booking(const EventLog& log, std::string_view tenant_id,
                                                std::string_view booking_id,
                                                std::uint64_t before_version,
                                                const std::vector<v1::Envelope>& tail) {
  std::optional<BookingView> view;
  if (before_version != 1) {
    Result<std::vector<Seq>> seqs =
        log.stream_seqs(entity_stream(tenant_id, "booking", booking_id));
    if (!seqs.is_ok()) return seqs.status();
    for (const Seq seq : seqs.value()) {
      Result<LogRecord> record = log.read_one(seq);
      if (!record.is_ok()) return record.status();
      const v1::Envelope& event = record.value().envelope;
      if (before_version != 0 && event.stream_version() >= before_version) break;
      if (!view) view.emplace();
      apply(*view, event);
    }
  }
  for (const v1::Envelope& event : tail) {
    if (!view) view.emplace();
    apply(*view, event);
  }
  return view;
}

Result<std::optional<BookingView>> fold_booking(const std::vector<v1::Envelope>& before,
                                                const std::vector<v1::Envelope>& tail) {
  std::optional<BookingView> view;
  for (const auto* events : {&before, &tail}) {
    for (const v1::Envelope& event : *events) {
      if (!view) view.emplace();
      apply(*view, event);
    }
  }
  return view;
}

bool visible_to(const BookingView& view, const Principal& principal) {
  return may_see(Requester{principal.role, principal.subject, principal.site},
                 BookingParties{view.client_id, view.site_id});
}

void write_booking(JsonWriter& json, const BookingView& view) {
  json.begin_object()
      .field("booking_id", view.booking_id)
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
  json.field("version", std::uint64_t{view.version}).end_object();
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
