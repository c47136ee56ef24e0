#include "booking_table.h"

#include <algorithm>

namespace turno::projections {
namespace {

template <typename Booking>
auto find_payment_in(Booking& booking, std::string_view payment_id)
    -> decltype(&booking.payments.front()) {
  auto it = std::find_if(booking.payments.begin(), booking.payments.end(),
                         [&](const PaymentRecord& payment) { return payment.id == payment_id; });
  return it == booking.payments.end() ? nullptr : &*it;
}

BookingRecord held(const v1::Envelope& event) {
  const auto& body = event.slot_held();
  BookingRecord booking;
  booking.id = body.booking_id();
  booking.tenant_id = InternedId::of(event.tenant_id());
  booking.site_id = InternedId::of(body.site_id());
  booking.staff_id = InternedId::of(body.staff_id());
  booking.service_id = InternedId::of(body.service_id());
  booking.client_id = InternedId::of(body.client_id());
  booking.patient = body.patient();
  booking.currency = InternedId::of(body.currency());
  booking.start_ms = body.start_ms();
  booking.end_ms = body.end_ms();
  booking.buffer_before_min = body.buffer_before_min();
  booking.buffer_after_min = body.buffer_after_min();
  booking.price_minor = body.price_minor();
  booking.held_at_ms = event.recorded_at_ms();
  booking.expires_at_ms = body.expires_at_ms();
  booking.updated_at_ms = event.recorded_at_ms();
  return booking;
}

void request(BookingRecord& booking, const v1::Envelope& event, BookingChange& change) {
  const auto& body = event.payment_requested();
  PaymentRecord payment;
  payment.id = body.payment_id();
  payment.provider = InternedId::of(body.provider());
  payment.amount_minor = body.amount_minor();
  payment.platform_fee_minor = body.platform_fee_minor();
  payment.requested_at_ms = event.recorded_at_ms();
  booking.payments.push_back(std::move(payment));
  change.payment = &booking.payments.back();
}

void settle(BookingRecord& booking, const v1::Envelope& event, BookingChange& change) {
  const bool succeeded = event.has_payment_succeeded();
  const std::string& payment_id =
      succeeded ? event.payment_succeeded().payment_id() : event.payment_failed().payment_id();
  PaymentRecord* payment = find_payment_in(booking, payment_id);
  if (payment == nullptr) return;
  payment->settled_at_ms = event.recorded_at_ms();
  if (succeeded) {
    payment->state = PaymentStatus::kSucceeded;
    booking.paid_minor += event.payment_succeeded().amount_minor();
  } else {
    payment->state = PaymentStatus::kFailed;
  }
  change.payment = payment;
}

void refund(BookingRecord& booking, const v1::Envelope& event, BookingChange& change) {
  const auto& body = event.refund_issued();
  RefundRecord record;
  record.id = body.refund_id();
  record.payment_id = body.payment_id();
  record.amount_minor = body.amount_minor();
  record.reason = body.reason();
  record.issued_at_ms = event.recorded_at_ms();
  record.note = body.note();
  booking.refunds.push_back(std::move(record));
  booking.refunded_minor += body.amount_minor();
  change.refund = &booking.refunds.back();
  if (PaymentRecord* payment = find_payment_in(booking, body.payment_id())) {
    payment->refunded_minor += body.amount_minor();
    change.payment = payment;
  }
}

// ------------------------------------------------------------------------------ encoding

void encode_booking(Encoder& out, const BookingRecord& booking) {
  out.str(booking.id);
  out.str(booking.site_id);
  out.str(booking.staff_id);
  out.str(booking.service_id);
  out.str(booking.client_id);
  out.str(booking.patient);
  out.str(booking.currency);
  out.i64(booking.start_ms);
  out.i64(booking.end_ms);
  out.i64(booking.buffer_before_min);
  out.i64(booking.buffer_after_min);
  out.i64(booking.price_minor);
  out.i64(booking.held_at_ms);
  out.i64(booking.expires_at_ms);
  out.i64(booking.updated_at_ms);
  out.u64(static_cast<std::uint64_t>(booking.state));
  out.i64(booking.cancelled_by);
  out.str(booking.cancel_reason);
  out.u64(booking.payments.size());
  for (const auto& payment : booking.payments) {
    out.str(payment.id);
    out.str(payment.provider);
    out.i64(payment.amount_minor);
    out.i64(payment.platform_fee_minor);
    out.u64(static_cast<std::uint64_t>(payment.state));
    out.i64(payment.requested_at_ms);
    out.i64(payment.settled_at_ms);
    out.i64(payment.refunded_minor);
  }
  out.u64(booking.refunds.size());
  for (const auto& refund : booking.refunds) {
    out.str(refund.id);
    out.str(refund.payment_id);
    out.i64(refund.amount_minor);
    out.i64(refund.reason);
    out.i64(refund.issued_at_ms);
    out.str(refund.note);
  }
  out.i64(booking.paid_minor);
  out.i64(booking.refunded_minor);
}

template <typename Enum>
Enum decode_enum(Decoder& in, std::uint64_t max) {
  const std::uint64_t value = in.u64();
  return static_cast<Enum>(value <= max ? value : 0);
}

BookingRecord decode_booking(Decoder& in, InternedId tenant_id) {
  BookingRecord booking;
  booking.id = in.str();
  booking.tenant_id = tenant_id;
  booking.site_id = InternedId::of(in.str());
  booking.staff_id = InternedId::of(in.str());
  booking.service_id = InternedId::of(in.str());
  booking.client_id = InternedId::of(in.str());
  booking.patient = in.str();
  booking.currency = InternedId::of(in.str());
  booking.start_ms = in.i64();
  booking.end_ms = in.i64();
  booking.buffer_before_min = in.i32();
  booking.buffer_after_min = in.i32();
  booking.price_minor = in.i64();
  booking.held_at_ms = in.i64();
  booking.expires_at_ms = in.i64();
  booking.updated_at_ms = in.i64();
  booking.state = decode_enum<BookingStatus>(in, kBookingStatusMax);
  booking.cancelled_by = static_cast<v1::CancelledBy>(in.i32());
  booking.cancel_reason = in.str();
  for (std::size_t i = 0, n = in.count(); i < n; ++i) {
    PaymentRecord payment;
    payment.id = in.str();
    payment.provider = InternedId::of(in.str());
    payment.amount_minor = in.i64();
    payment.platform_fee_minor = in.i64();
    payment.state = decode_enum<PaymentStatus>(in, 2);
    payment.requested_at_ms = in.i64();
    payment.settled_at_ms = in.i64();
    payment.refunded_minor = in.i64();
    booking.payments.push_back(std::move(payment));
  }
  for (std::size_t i = 0, n = in.count(); i < n; ++i) {
    RefundRecord refund;
    refund.id = in.str();
    refund.payment_id = in.str();
    refund.amount_minor = in.i64();
    refund.reason = static_cast<v1::RefundReason>(in.i32());
    refund.issued_at_ms = in.i64();
    refund.note = in.str();
    booking.refunds.push_back(std::move(refund));
  }
  booking.paid_minor = in.i64();
  booking.refunded_minor = in.i64();
  return booking;
}

}  // namespace

const PaymentRecord* BookingRecord::find_payment(std::string_view payment_id) const {
  return find_payment_in(*this, payment_id);
}

std::optional<BookingChange> BookingTable::fold(const v1::Envelope& event) {
  const std::string_view booking_id = booking_id_of(event);
  if (booking_id.empty()) return std::nullopt;
  if (event.has_slot_held()) {
    auto& bookings = tenants_[event.tenant_id()];
    if (bookings.contains(booking_id)) return std::nullopt;  // held once; never re-created
    BookingChange change;
    change.booking = &*bookings.insert(held(event)).first;
    change.kind = event.event_case();
    change.created = true;
    return change;
  }
  auto tenant = tenants_.find(event.tenant_id());
  if (tenant == tenants_.end()) return std::nullopt;
  auto it = tenant->second.find(booking_id);
  if (it == tenant->second.end()) return std::nullopt;
  // A set hands out const elements; the fold changes everything but the id, the key.
  return fold_into(const_cast<BookingRecord&>(*it), event);
}

BookingChange BookingTable::fold_into(BookingRecord& booking, const v1::Envelope& event) {
  BookingChange change;
  change.booking = &booking;
  change.kind = event.event_case();
  change.previous_state = booking.state;
  change.previous_start_ms = booking.start_ms;
  change.previous_end_ms = booking.end_ms;
  booking.updated_at_ms = event.recorded_at_ms();
  switch (event.event_case()) {
    case v1::Envelope::kBookingRescheduled: {
      const auto& body = event.booking_rescheduled();
      change.previous_staff_id = booking.staff_id;
      booking.staff_id = InternedId::of(body.staff_id());
      booking.start_ms = body.start_ms();
      booking.end_ms = body.end_ms();
      break;
    }
    case v1::Envelope::kBookingCancelled:
      booking.cancelled_by = event.booking_cancelled().by();
      booking.cancel_reason = event.booking_cancelled().reason();
      break;
    case v1::Envelope::kPaymentRequested:
      request(booking, event, change);
      break;
    case v1::Envelope::kPaymentSucceeded:
    case v1::Envelope::kPaymentFailed:
      settle(booking, event, change);
      break;
    case v1::Envelope::kRefundIssued:
      refund(booking, event, change);
      break;
    default:
      break;
  }
  if (const std::optional<BookingEvent> step = booking_event_of(event)) {
    booking.state = next_status(booking.state, *step).value_or(booking.state);
  }
  return change;
}

const BookingRecord* BookingTable::find(std::string_view tenant_id,
                                        std::string_view booking_id) const {
  const TenantBookings* bookings = of_tenant(tenant_id);
  if (bookings == nullptr) return nullptr;
  auto it = bookings->find(booking_id);
  return it == bookings->end() ? nullptr : &*it;
}

const TenantBookings* BookingTable::of_tenant(std::string_view tenant_id) const {
  return find_in(tenants_, tenant_id);
}

void BookingTable::encode(Encoder& out) const {
  out.u64(tenants_.size());
  for (const auto* tenant : sorted_entries(tenants_)) {
    out.str(tenant->first);
    out.u64(tenant->second.size());
    std::vector<const BookingRecord*> bookings;
    bookings.reserve(tenant->second.size());
    for (const BookingRecord& booking : tenant->second) bookings.push_back(&booking);
    std::sort(bookings.begin(), bookings.end(),
              [](const auto* a, const auto* b) { return a->id < b->id; });
    for (const BookingRecord* booking : bookings) encode_booking(out, *booking);
  }
}

void BookingTable::decode(Decoder& in) {
  clear();
  for (std::size_t t = 0, tenants = in.count(); t < tenants && !in.failed(); ++t) {
    const std::string tenant_text = in.str();
    const InternedId tenant_id = InternedId::of(tenant_text);
    auto& bookings = tenants_[tenant_text];
    const std::size_t count = in.count();
    bookings.reserve(count);
    for (std::size_t i = 0; i < count && !in.failed(); ++i) {
      bookings.insert(decode_booking(in, tenant_id));
    }
  }
}

}  // namespace turno::projections
