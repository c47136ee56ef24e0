#include "booking_state.h"

#include <algorithm>

#include "event_kinds.h"

namespace turno {
namespace {

PaymentState* find_payment_in(BookingState& booking, std::string_view payment_id) {
  auto it = std::find_if(booking.payments.begin(), booking.payments.end(),
                         [&](const PaymentState& payment) { return payment.id == payment_id; });
  return it == booking.payments.end() ? nullptr : &*it;
}

void hold(BookingState& booking, const v1::SlotHeld& body) {
  booking = BookingState{};
  booking.id = body.booking_id();
  booking.site_id = InternedId::of(body.site_id());
  booking.staff_id = InternedId::of(body.staff_id());
  booking.service_id = InternedId::of(body.service_id());
  booking.client_id = InternedId::of(body.client_id());
  booking.patient = body.patient();
  booking.start_ms = body.start_ms();
  booking.end_ms = body.end_ms();
  booking.price_minor = body.price_minor();
  booking.currency = InternedId::of(body.currency());
  booking.expires_at_ms = body.expires_at_ms();
}

void settle(BookingState& booking, const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kPaymentRequested: {
      const auto& body = event.payment_requested();
      booking.payments.push_back(PaymentState{body.payment_id(),
                                              InternedId::of(body.provider()),
                                              PaymentStatus::kRequested,
                                              body.amount_minor(),
                                              body.platform_fee_minor(),
                                              InternedId::of(body.currency()),
                                              {}});
      break;
    }
    case v1::Envelope::kPaymentSucceeded: {
      const auto& body = event.payment_succeeded();
      if (PaymentState* payment = find_payment_in(booking, body.payment_id())) {
        payment->status = PaymentStatus::kSucceeded;
      }
      booking.paid_minor += body.amount_minor();
      break;
    }
    case v1::Envelope::kPaymentFailed: {
      const auto& body = event.payment_failed();
      if (PaymentState* payment = find_payment_in(booking, body.payment_id())) {
        payment->status = PaymentStatus::kFailed;
        payment->failure_reason = body.reason();
      }
      break;
    }
    case v1::Envelope::kRefundIssued: {
      const auto& body = event.refund_issued();
      booking.refunds.push_back(RefundState{body.refund_id(), body.payment_id(),
                                            body.amount_minor(), InternedId::of(body.currency()),
                                            body.reason(), body.note()});
      booking.refunded_minor += body.amount_minor();
      break;
    }
    default:
      break;
  }
}

}  // namespace

const PaymentState* BookingState::find_payment(std::string_view payment_id) const {
  auto it = std::find_if(payments.begin(), payments.end(),
                         [&](const PaymentState& payment) { return payment.id == payment_id; });
  return it == payments.end() ? nullptr : &*it;
}

std::int64_t BookingState::refunded_minor_of(std::string_view payment_id) const {
  std::int64_t refunded = 0;
  for (const RefundState& refund : refunds) {
    if (refund.payment_id == payment_id) refunded += refund.amount_minor;
  }
  return refunded;
}

void apply(BookingState& booking, const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kSlotHeld:
      hold(booking, event.slot_held());
      break;
    case v1::Envelope::kPaymentRequested:
    case v1::Envelope::kPaymentSucceeded:
    case v1::Envelope::kPaymentFailed:
    case v1::Envelope::kRefundIssued:
      settle(booking, event);
      break;
    case v1::Envelope::kBookingRescheduled: {
      const auto& body = event.booking_rescheduled();
      booking.staff_id = InternedId::of(body.staff_id());
      booking.start_ms = body.start_ms();
      booking.end_ms = body.end_ms();
      break;
    }
    case v1::Envelope::kBookingCancelled: {
      const auto& body = event.booking_cancelled();
      booking.cancellation = CancellationState{
          body.by(), body.reason(), body.minutes_before_start(), body.refund_due_minor()};
      break;
    }
    default:
      break;
  }
  booking.stream_version = event.stream_version();
  if (event.has_slot_held()) return;  // starts held
  if (const std::optional<BookingEvent> step = booking_event_of(event)) {
    booking.status = next_status(booking.status, *step).value_or(booking.status);
  }
}

Result<std::optional<BookingState>> read_booking(const EventLog& log, std::string_view tenant_id,
                                                 std::string_view booking_id, Seq upto) {
  Result<std::vector<Seq>> seqs = log.stream_seqs(entity_stream(tenant_id, "booking", booking_id));
  if (!seqs.is_ok()) return seqs.status();
  std::optional<BookingState> booking;
  std::size_t read = 0;
  for (const Seq seq : seqs.value()) {
    if (seq > upto) break;
    if (++read > kBookingEventsReadMax) {
      return Status::busy("booking " + std::string(booking_id) + " has more than " +
                          std::to_string(kBookingEventsReadMax) + " events: it is not folded");
    }
    Result<LogRecord> record = log.read_one(seq);
    if (!record.is_ok()) return record.status();
    if (!booking) booking.emplace();
    apply(*booking, record.value().envelope);
  }
  return booking;
}

}  // namespace turno
