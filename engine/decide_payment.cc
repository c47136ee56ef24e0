// Payment and refund commands: request a payment, the provider's verdict (verified webhooks),
// desk payments, refunds.
#include "decide_support.h"

namespace turno::decide_detail {
namespace {

v1::Envelope& emit_on(Emitter& out, const Tenant& tenant, const Booking& booking) {
  return out.emit(entity_stream(tenant.id, "booking", booking.id), booking.stream_version,
                  booking.site_id);
}

Decision request_payment(const Tenant& tenant, const v1::Command& command,
                         const DecideContext& context) {
  const v1::RequestPayment& body = command.request_payment();
  TURNO_REJECT_IF(check_id("booking_id", body.booking_id(), true));
  TURNO_REJECT_IF(check_id("payment_id", body.payment_id(), false));
  TURNO_REJECT_IF(check_id("provider", body.provider(), false));
  const Booking* booking = nullptr;
  if (Decision found = find_booking_for(tenant, command.actor(), body.booking_id(), booking);
      !found.accepted()) {
    return found;
  }
  if (booking->status != BookingStatus::kHeld) {
    return reject(RejectionCode::kInvalidTransition, "booking_id",
                  "only a held slot becomes a booking; this one is " +
                      std::string(to_string(booking->status)));
  }
  if (context.now_ms >= booking->expires_at_ms) {
    return reject(RejectionCode::kInvalidTransition, "booking_id", "the hold has expired");
  }
  if (!body.payment_id().empty() && tenant.find_payment(body.payment_id()) != nullptr) {
    return reject(RejectionCode::kAlreadyExists, "payment_id",
                  "payment " + body.payment_id() + " exists");
  }
  const bool prepay = tenant.policy.prepayment_required && booking->price_minor > 0;
  std::string provider = prepay ? body.provider() : std::string(kDeskProvider);
  if (provider.empty()) provider = std::string(kSandboxProvider);
  if (prepay && provider == kDeskProvider) {
    return reject(RejectionCode::kValidation, "provider",
                  "this tenant requires prepayment through a payment provider");
  }
  const std::string payment_id =
      body.payment_id().empty()
          ? generate_id(kPaymentIdPrefix, context,
                        [&](const std::string& id) { return tenant.payment_id_taken(id); })
          : body.payment_id();
  Emitter out(command, context);
  auto& event = *emit_on(out, tenant, *booking).mutable_payment_requested();
  event.set_booking_id(booking->id);
  event.set_payment_id(payment_id);
  event.set_provider(provider);
  event.set_amount_minor(booking->price_minor);
  event.set_currency(tenant.currency);
  event.set_platform_fee_minor(platform_fee(tenant, booking->price_minor));
  if (!prepay) {
    // Nothing to wait for: confirmed now, paid at the desk (or free).
    emit_on(out, tenant, *booking).mutable_booking_confirmed()->set_booking_id(booking->id);
  }
  return out.done();
}

// What to do with money that arrived: confirm the booking, or give it back.
void settle_payment(Emitter& out, const Tenant& tenant, const Booking& booking,
                    const PaymentState& payment, const DecideContext& context) {
  const bool already_paid = booking.paid_minor - booking.refunded_minor >= booking.price_minor;
  switch (booking.status) {
    case BookingStatus::kHeld:
    case BookingStatus::kPendingPayment: {
      auto& confirmed = *emit_on(out, tenant, booking).mutable_booking_confirmed();
      confirmed.set_booking_id(booking.id);
      confirmed.set_payment_id(payment.id);
      return;
    }
    case BookingStatus::kExpired: {
      // Late payment: the slot is ours again if still free, else the money goes back.
      const Staff* staff = tenant.find_staff(booking.staff_id);
      VERIFY(staff != nullptr, "a booking's staff member exists");
      if (staff->calendar.is_free(booking.blocked()) &&
          !staff->time_off_union.overlaps(booking.appointment())) {
        auto& confirmed = *emit_on(out, tenant, booking).mutable_booking_confirmed();
        confirmed.set_booking_id(booking.id);
        confirmed.set_payment_id(payment.id);
        return;
      }
      auto& refund = *emit_on(out, tenant, booking).mutable_refund_issued();
      refund.set_booking_id(booking.id);
      refund.set_payment_id(payment.id);
      refund.set_refund_id(generate_id(kRefundIdPrefix, context, [&](const std::string& id) {
        return tenant.refund_id_taken(id);
      }));
      refund.set_amount_minor(payment.amount_minor);
      refund.set_currency(tenant.currency);
      refund.set_reason(v1::REFUND_REASON_LATE_PAYMENT_SLOT_TAKEN);
      return;
    }
    default:
      break;
  }
  if (booking.status == BookingStatus::kCancelled || already_paid) {
    // Cancelled meanwhile, or paid twice: nothing to buy with it.
    auto& refund = *emit_on(out, tenant, booking).mutable_refund_issued();
    refund.set_booking_id(booking.id);
    refund.set_payment_id(payment.id);
    refund.set_refund_id(generate_id(kRefundIdPrefix, context, [&](const std::string& id) {
      return tenant.refund_id_taken(id);
    }));
    refund.set_amount_minor(payment.amount_minor);
    refund.set_currency(tenant.currency);
    refund.set_reason(v1::REFUND_REASON_DUPLICATE_PAYMENT);
  }
}

Decision payment_succeeded(const Tenant& tenant, const v1::Command& command,
                           const DecideContext& context) {
  const v1::RecordPaymentSucceeded& body = command.record_payment_succeeded();
  TURNO_REJECT_IF(check_id("payment_id", body.payment_id(), true));
  TURNO_REJECT_IF(check_id("provider", body.provider(), true));
  TURNO_REJECT_IF(
      check_text("provider_event_id", body.provider_event_id(), kProviderEventIdBytesMax, true));
  const PaymentState* payment = tenant.find_payment(body.payment_id());
  if (payment == nullptr || payment->provider != body.provider()) {
    return reject(RejectionCode::kUnknownId, "payment_id", "no payment " + body.payment_id());
  }
  if (tenant.provider_event_seen(provider_event_key(body.provider(), body.provider_event_id())) ||
      payment->status == PaymentStatus::kSucceeded) {
    return Decision{};  // already applied: accepted, nothing new
  }
  if (body.amount_minor() != payment->amount_minor || body.currency() != tenant.currency) {
    return reject(RejectionCode::kAmountMismatch, "amount_minor",
                  "expected " + std::to_string(payment->amount_minor) + " " + tenant.currency);
  }
  const Booking* booking = tenant.find_booking_of_payment(payment->id);
  VERIFY(booking != nullptr, "a payment's booking exists");
  Emitter out(command, context);
  auto& event = *emit_on(out, tenant, *booking).mutable_payment_succeeded();
  event.set_booking_id(booking->id);
  event.set_payment_id(payment->id);
  event.set_provider(payment->provider.str());
  event.set_provider_event_id(body.provider_event_id());
  event.set_amount_minor(body.amount_minor());
  event.set_currency(tenant.currency);
  settle_payment(out, tenant, *booking, *payment, context);
  return out.done();
}

Decision payment_failed(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context) {
  const v1::RecordPaymentFailed& body = command.record_payment_failed();
  TURNO_REJECT_IF(check_id("payment_id", body.payment_id(), true));
  TURNO_REJECT_IF(check_id("provider", body.provider(), true));
  TURNO_REJECT_IF(
      check_text("provider_event_id", body.provider_event_id(), kProviderEventIdBytesMax, true));
  TURNO_REJECT_IF(check_text("reason", body.reason(), kTextBytesMax, false));
  const PaymentState* payment = tenant.find_payment(body.payment_id());
  if (payment == nullptr || payment->provider != body.provider()) {
    return reject(RejectionCode::kUnknownId, "payment_id", "no payment " + body.payment_id());
  }
  if (tenant.provider_event_seen(provider_event_key(body.provider(), body.provider_event_id())) ||
      payment->status == PaymentStatus::kFailed) {
    return Decision{};
  }
  if (payment->status == PaymentStatus::kSucceeded) {
    return reject(RejectionCode::kInvalidTransition, "payment_id",
                  "payment " + payment->id + " already succeeded");
  }
  const Booking* booking = tenant.find_booking_of_payment(payment->id);
  VERIFY(booking != nullptr, "a payment's booking exists");
  Emitter out(command, context);
  auto& event = *emit_on(out, tenant, *booking).mutable_payment_failed();
  event.set_booking_id(booking->id);
  event.set_payment_id(payment->id);
  event.set_provider(payment->provider.str());
  event.set_provider_event_id(body.provider_event_id());
  event.set_reason(body.reason());
  return out.done();
}

Decision desk_payment(const Tenant& tenant, const v1::Command& command,
                      const DecideContext& context) {
  TURNO_REJECT_IF(check_may_request(command));
  const v1::RecordDeskPayment& body = command.record_desk_payment();
  TURNO_REJECT_IF(check_id("booking_id", body.booking_id(), true));
  TURNO_REJECT_IF(check_id("receipt_id", body.receipt_id(), false));
  const Booking* booking = nullptr;
  if (Decision found = find_booking_for(tenant, command.actor(), body.booking_id(), booking);
      !found.accepted()) {
    return found;
  }
  const std::string receipt = body.receipt_id().empty() ? std::string(kReceiptIdPrefix) + "_" +
                                                              std::to_string(context.next_seq.value)
                                                        : body.receipt_id();
  if (tenant.provider_event_seen(provider_event_key(kDeskProvider, receipt))) {
    return Decision{};
  }
  if (booking->status != BookingStatus::kConfirmed &&
      booking->status != BookingStatus::kCheckedIn &&
      booking->status != BookingStatus::kCompleted) {
    return reject(RejectionCode::kInvalidTransition, "booking_id",
                  "desk payments are for confirmed bookings; this one is " +
                      std::string(to_string(booking->status)));
  }
  const std::int64_t outstanding = booking->price_minor - booking->paid_minor;
  if (outstanding <= 0 || body.amount_minor() != outstanding) {
    return reject(RejectionCode::kAmountMismatch, "amount_minor",
                  "outstanding is " + std::to_string(std::max<std::int64_t>(outstanding, 0)) + " " +
                      tenant.currency);
  }
  // The desk payment is requested and succeeds in one step, so every payment has a request.
  Emitter out(command, context);
  const std::string payment_id = generate_id(kPaymentIdPrefix, context, [&](const std::string& id) {
    return tenant.payment_id_taken(id);
  });
  auto& requested = *emit_on(out, tenant, *booking).mutable_payment_requested();
  requested.set_booking_id(booking->id);
  requested.set_payment_id(payment_id);
  requested.set_provider(std::string(kDeskProvider));
  requested.set_amount_minor(outstanding);
  requested.set_currency(tenant.currency);
  requested.set_platform_fee_minor(platform_fee(tenant, outstanding));
  auto& succeeded = *emit_on(out, tenant, *booking).mutable_payment_succeeded();
  succeeded.set_booking_id(booking->id);
  succeeded.set_payment_id(payment_id);
  succeeded.set_provider(std::string(kDeskProvider));
  succeeded.set_provider_event_id(receipt);
  succeeded.set_amount_minor(outstanding);
  succeeded.set_currency(tenant.currency);
  return out.done();
}

Decision issue_refund(const Tenant& tenant, const v1::Command& command,
                      const DecideContext& context) {
  TURNO_REJECT_IF(check_may_request(command));
  const v1::IssueRefund& body = command.issue_refund();
  TURNO_REJECT_IF(check_id("booking_id", body.booking_id(), true));
  TURNO_REJECT_IF(check_id("refund_id", body.refund_id(), false));
  TURNO_REJECT_IF(check_text("note", body.note(), kTextBytesMax, false));
  TURNO_REJECT_IF(check_range("amount_minor", body.amount_minor(), 0, kPriceMinorMax));
  const Booking* booking = nullptr;
  if (Decision found = find_booking_for(tenant, command.actor(), body.booking_id(), booking);
      !found.accepted()) {
    return found;
  }
  if (!body.refund_id().empty() && tenant.refund_ids.contains(body.refund_id())) {
    return reject(RejectionCode::kAlreadyExists, "refund_id",
                  "refund " + body.refund_id() + " exists");
  }
  const std::int64_t refundable = booking->paid_minor - booking->refunded_minor;
  const std::int64_t amount = body.amount_minor() == 0 ? refundable : body.amount_minor();
  if (amount <= 0 || amount > refundable) {
    return reject(
        RejectionCode::kRefundExceedsPaid, "amount_minor",
        "at most " + std::to_string(refundable) + " " + tenant.currency + " can be refunded");
  }
  Emitter out(command, context);
  emit_refunds(out, tenant, *booking, amount, v1::REFUND_REASON_REQUESTED, body.note(),
               body.refund_id(), context);
  return out.done();
}

}  // namespace

Decision decide_payment(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context) {
  switch (command.kind_case()) {
    case v1::Command::kRequestPayment:
      TURNO_REJECT_IF(check_may_request(command));
      return request_payment(tenant, command, context);
    case v1::Command::kRecordPaymentSucceeded:
    case v1::Command::kRecordPaymentFailed:
      // Only a verified webhook (the API signs in as the platform) settles a payment.
      TURNO_REJECT_IF(check_may_request(command));
      return command.kind_case() == v1::Command::kRecordPaymentSucceeded
                 ? payment_succeeded(tenant, command, context)
                 : payment_failed(tenant, command, context);
    case v1::Command::kRecordDeskPayment:
      return desk_payment(tenant, command, context);
    case v1::Command::kIssueRefund:
      return issue_refund(tenant, command, context);
    default:
      break;
  }
  VERIFY(false, "decide_payment handles payment commands only");
}

}  // namespace turno::decide_detail
