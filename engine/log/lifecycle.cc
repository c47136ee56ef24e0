#include "lifecycle.h"

#include <algorithm>
#include <initializer_list>

#include "event_kinds.h"

namespace turno {
namespace {

using S = BookingStatus;

// `to` when `from` is one of `allowed`, else refused.
std::optional<S> only_from(S from, std::initializer_list<S> allowed, S to) {
  if (std::find(allowed.begin(), allowed.end(), from) == allowed.end()) return std::nullopt;
  return to;
}

bool any_of_roles(v1::Role role, std::initializer_list<v1::Role> roles) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

std::string_view to_string(BookingStatus status) {
  switch (status) {
    case S::kHeld:
      return "held";
    case S::kPendingPayment:
      return "pending_payment";
    case S::kConfirmed:
      return "confirmed";
    case S::kCheckedIn:
      return "checked_in";
    case S::kCompleted:
      return "completed";
    case S::kNoShow:
      return "no_show";
    case S::kCancelled:
      return "cancelled";
    case S::kExpired:
      return "expired";
  }
  return "unknown";
}

std::string_view to_string(PaymentStatus status) {
  switch (status) {
    case PaymentStatus::kRequested:
      return "requested";
    case PaymentStatus::kSucceeded:
      return "succeeded";
    case PaymentStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string_view to_string(BookingEvent event) {
  switch (event) {
    case BookingEvent::kSlotHeld:
      return "SlotHeld";
    case BookingEvent::kPaymentRequested:
      return "PaymentRequested";
    case BookingEvent::kDeskPaymentRequested:
      return "PaymentRequested (desk)";
    case BookingEvent::kPaymentSucceeded:
      return "PaymentSucceeded";
    case BookingEvent::kPaymentFailed:
      return "PaymentFailed";
    case BookingEvent::kBookingConfirmed:
      return "BookingConfirmed";
    case BookingEvent::kBookingRescheduled:
      return "BookingRescheduled";
    case BookingEvent::kCheckedIn:
      return "CheckedIn";
    case BookingEvent::kBookingCompleted:
      return "BookingCompleted";
    case BookingEvent::kNoShowMarked:
      return "NoShowMarked";
    case BookingEvent::kBookingCancelled:
      return "BookingCancelled";
    case BookingEvent::kHoldExpired:
      return "HoldExpired";
    case BookingEvent::kRefundIssued:
      return "RefundIssued";
  }
  return "unknown";
}

std::optional<BookingEvent> booking_event_of(const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kSlotHeld:
      return BookingEvent::kSlotHeld;
    case v1::Envelope::kPaymentRequested:
      return event.payment_requested().provider() == kDeskProvider
                 ? BookingEvent::kDeskPaymentRequested
                 : BookingEvent::kPaymentRequested;
    case v1::Envelope::kPaymentSucceeded:
      return BookingEvent::kPaymentSucceeded;
    case v1::Envelope::kPaymentFailed:
      return BookingEvent::kPaymentFailed;
    case v1::Envelope::kBookingConfirmed:
      return BookingEvent::kBookingConfirmed;
    case v1::Envelope::kBookingRescheduled:
      return BookingEvent::kBookingRescheduled;
    case v1::Envelope::kCheckedIn:
      return BookingEvent::kCheckedIn;
    case v1::Envelope::kBookingCompleted:
      return BookingEvent::kBookingCompleted;
    case v1::Envelope::kNoShowMarked:
      return BookingEvent::kNoShowMarked;
    case v1::Envelope::kBookingCancelled:
      return BookingEvent::kBookingCancelled;
    case v1::Envelope::kHoldExpired:
      return BookingEvent::kHoldExpired;
    case v1::Envelope::kRefundIssued:
      return BookingEvent::kRefundIssued;
    default:
      return std::nullopt;
  }
}

std::optional<BookingStatus> next_status(BookingStatus from, BookingEvent event) {
  switch (event) {
    case BookingEvent::kSlotHeld:
      return std::nullopt;  // a booking is held once
    case BookingEvent::kPaymentRequested:
      return only_from(from, {S::kHeld}, S::kPendingPayment);
    case BookingEvent::kDeskPaymentRequested:
      // A tenant without prepayment confirms a hold at once; a confirmed booking is paid later.
      return only_from(from, {S::kHeld, S::kConfirmed, S::kCheckedIn, S::kCompleted}, from);
    case BookingEvent::kPaymentSucceeded:
    case BookingEvent::kRefundIssued:
      return from;  // money may arrive, and go back, whatever became of the booking
    case BookingEvent::kPaymentFailed:
      // The hold stays until it expires, so the client can pay another way.
      return from == S::kPendingPayment ? S::kHeld : from;
    case BookingEvent::kBookingConfirmed:
      // From expired: a late payment, and the slot was still free.
      return only_from(from, {S::kHeld, S::kPendingPayment, S::kExpired}, S::kConfirmed);
    case BookingEvent::kBookingRescheduled:
      return only_from(from, {S::kHeld, S::kPendingPayment, S::kConfirmed}, from);
    case BookingEvent::kCheckedIn:
      return only_from(from, {S::kConfirmed}, S::kCheckedIn);
    case BookingEvent::kBookingCompleted:
      return only_from(from, {S::kCheckedIn}, S::kCompleted);
    case BookingEvent::kNoShowMarked:
      return only_from(from, {S::kConfirmed}, S::kNoShow);
    case BookingEvent::kBookingCancelled:
      return only_from(from, {S::kHeld, S::kPendingPayment, S::kConfirmed}, S::kCancelled);
    case BookingEvent::kHoldExpired:
      return only_from(from, {S::kHeld, S::kPendingPayment}, S::kExpired);
  }
  return std::nullopt;
}

bool holds_time(BookingStatus status) {
  return status == S::kHeld || status == S::kPendingPayment || status == S::kConfirmed ||
         status == S::kCheckedIn;
}

bool is_terminal(BookingStatus status) {
  for (std::uint8_t e = 0; e <= kBookingEventMax; ++e) {
    const std::optional<S> next = next_status(status, static_cast<BookingEvent>(e));
    if (next && *next != status) return false;
  }
  return true;
}

bool is_finished(BookingStatus status) {
  return !holds_time(status) && !allows(status, BookingEvent::kHoldExpired) &&
         !allows(status, BookingEvent::kNoShowMarked);
}

Requester requester_of(const v1::Actor& actor) {
  return Requester{actor.role(), actor.id(), actor.site_id()};
}

bool may_see(const Requester& who, const BookingParties& booking) {
  switch (who.role) {
    case v1::ROLE_CLIENT:
      return !who.id.empty() && booking.client_id == who.id;
    case v1::ROLE_STAFF:
      return !who.site_id.empty() && booking.site_id == who.site_id;
    case v1::ROLE_ADMIN:
    case v1::ROLE_SYSTEM:
      return true;
    default:
      return false;
  }
}

bool may_request(v1::Role role, v1::Command::KindCase command) {
  switch (command) {
    case v1::Command::kHoldSlot:
    case v1::Command::kRequestPayment:
    case v1::Command::kRescheduleBooking:
    case v1::Command::kCancelBooking:
      return any_of_roles(role, {v1::ROLE_CLIENT, v1::ROLE_STAFF, v1::ROLE_ADMIN});
    case v1::Command::kConfirmBooking:
    case v1::Command::kCheckIn:
    case v1::Command::kCompleteBooking:
    case v1::Command::kRecordDeskPayment:
      return any_of_roles(role, {v1::ROLE_STAFF, v1::ROLE_ADMIN});
    case v1::Command::kMarkNoShow:
      return any_of_roles(role, {v1::ROLE_STAFF, v1::ROLE_ADMIN, v1::ROLE_SYSTEM});
    case v1::Command::kExpireHold:
      return role == v1::ROLE_SYSTEM;
    case v1::Command::kRecordPaymentSucceeded:
    case v1::Command::kRecordPaymentFailed:
      // Only a verified webhook (the API acts as the platform) settles a payment.
      return any_of_roles(role, {v1::ROLE_PLATFORM, v1::ROLE_SYSTEM});
    case v1::Command::kIssueRefund:
      return role == v1::ROLE_ADMIN;
    default:
      return false;
  }
}

}  // namespace turno
