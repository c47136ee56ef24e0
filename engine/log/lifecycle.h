// The booking lifecycle, defined once: which event moves a booking to which status, which
// statuses hold the staff member's time, and who may see and change a booking. Pure functions.
// evolve() folds the write model with them, the read views (projections/booking_table.h) and the
// API's booking renderer (api/booking_view.h) fold theirs, and decide() checks commands against
// them, so the writer, the views and the API cannot disagree.
//
// The transitions (next_status); every other pair of status and event is refused:
//   SlotHeld                               creates the booking, held
//   PaymentRequested (a provider)          held -> pending_payment
//   PaymentRequested (at the desk)         held, confirmed, checked_in, completed: unchanged
//   PaymentFailed                          pending_payment -> held; any other: unchanged
//   PaymentSucceeded, RefundIssued         any: unchanged
//   BookingConfirmed                       held, pending_payment, expired -> confirmed
//   BookingRescheduled                     held, pending_payment, confirmed: unchanged
//   CheckedIn                              confirmed -> checked_in
//   BookingCompleted                       checked_in -> completed
//   NoShowMarked                           confirmed -> no_show
//   BookingCancelled                       held, pending_payment, confirmed -> cancelled
//   HoldExpired                            held, pending_payment -> expired
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "commands.pb.h"
#include "events.pb.h"

namespace turno {

enum class BookingStatus : std::uint8_t {
  kHeld,            // the slot is held until the hold expires; no payment awaited
  kPendingPayment,  // a provider was asked for the payment; its webhook decides
  kConfirmed,       // the appointment stands (paid, or to be paid at the desk)
  kCheckedIn,       // the client arrived
  kCompleted,       // the appointment took place
  kNoShow,          // the client did not come
  kCancelled,       // by the client, staff, an admin or the system
  kExpired,         // the hold ran out; a late payment confirms it if the slot is still free
};
inline constexpr std::uint8_t kBookingStatusMax = 7;  // kExpired: the highest value
std::string_view to_string(BookingStatus status);

// A payment's status: requested, then succeeded or failed (its provider's webhook, or the
// desk). Refunds do not change it.
enum class PaymentStatus : std::uint8_t { kRequested, kSucceeded, kFailed };
std::string_view to_string(PaymentStatus status);

// The lifecycle's events: the booking, payment, cancellation and refund events, with
// PaymentRequested split by whether a provider's webhook will follow.
enum class BookingEvent : std::uint8_t {
  kSlotHeld,
  kPaymentRequested,      // from a provider: the booking awaits its webhook
  kDeskPaymentRequested,  // at the desk (event_kinds.h kDeskProvider): no webhook follows
  kPaymentSucceeded,
  kPaymentFailed,
  kBookingConfirmed,
  kBookingRescheduled,
  kCheckedIn,
  kBookingCompleted,
  kNoShowMarked,
  kBookingCancelled,
  kHoldExpired,
  kRefundIssued,
};
inline constexpr std::uint8_t kBookingEventMax = 12;  // kRefundIssued: the highest value
std::string_view to_string(BookingEvent event);

// The lifecycle event `event` carries; nullopt for catalog events and an empty envelope.
std::optional<BookingEvent> booking_event_of(const v1::Envelope& event);

// The status `event` moves a booking in status `from` to (`from` itself when the event leaves
// the status alone: payments, refunds, reschedules), or nullopt when the lifecycle refuses
// `event` in `from`. The writer never decides a refused event (evolve() VERIFYs it), so a view
// never meets one in the log. SlotHeld starts every booking in kHeld and is refused on one
// that exists.
std::optional<BookingStatus> next_status(BookingStatus from, BookingEvent event);
inline bool allows(BookingStatus from, BookingEvent event) {
  return next_status(from, event).has_value();
}

// Held, pending payment, confirmed and checked in hold the staff member's time (buffers
// included): no two such bookings of one staff member overlap.
bool holds_time(BookingStatus status);

// No event moves a booking out of a terminal status (completed, no-show, cancelled); payments
// and refunds may still arrive.
bool is_terminal(BookingStatus status);

// Finished: holds no time and waits for no timer (completed, no-show, cancelled, expired), so
// nothing happens to the booking unless a command names it. The write model may forget it.
bool is_finished(BookingStatus status);

// Who asks to see or change a booking: a command's actor, or an API caller's token.
struct Requester {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string_view id;       // the token's subject (a client's id); "engine" for the system
  std::string_view site_id;  // staff: the site they work at
};
Requester requester_of(const v1::Actor& actor);

// What of a booking decides who may see it.
struct BookingParties {
  std::string_view client_id;
  std::string_view site_id;
};

// Who may see a booking of their tenant — read it, or name it in a command:
//   client: their own; staff: their site's; admin: every one;
//   system: every one (the engine's timers; no token carries this role);
//   auditor, platform, unspecified: none. Auditors read the history export; the platform
//   settles payments by payment id through signed webhooks, never naming a booking.
// A booking someone may not see is answered as an unknown id, so its existence does not leak.
bool may_see(const Requester& who, const BookingParties& booking);

// Whether `role` may ask for `command`, a command of the booking lifecycle: hold, request or
// record a payment, confirm, reschedule, cancel, refund, check in, complete, no-show, expire.
// False for every other command (the catalog's roles are checked where it is decided). A
// command that names a booking by id also needs may_see; the provider's verdicts name a
// payment, which decide() matches to the provider it was requested from.
bool may_request(v1::Role role, v1::Command::KindCase command);

}  // namespace turno
