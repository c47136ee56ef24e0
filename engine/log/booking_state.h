// A booking as its own event stream ("<tenant>/booking/<id>") tells it: the one fold of a
// booking's events. The write model's Booking (engine/model.h) is a BookingState plus what
// only the writer needs, evolve() folds it with apply(), the writer hands it back with each
// command's answer (writer.h CommandResult::booking), and the API renders it
// (api/booking_view.h), so the write model and the API's answers cannot disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event_log.h"
#include "events.pb.h"
#include "interned_id.h"
#include "lifecycle.h"
#include "status.h"

namespace turno {

// Ids that repeat across bookings (site, staff member, service, client, currency, payment
// provider) are InternedIds (interned_id.h): 8 bytes each, their text pooled once per process.
// What is unique to one booking (its id, payment and refund ids, patient, free text) is a
// string of its own, so the pool never grows with history.
struct PaymentState {
  std::string id;
  InternedId provider;
  PaymentStatus status = PaymentStatus::kRequested;
  std::int64_t amount_minor = 0;
  std::int64_t platform_fee_minor = 0;
  InternedId currency;
  std::string failure_reason;  // the provider's, when it failed

  bool operator==(const PaymentState&) const = default;
};

struct RefundState {
  std::string id;
  std::string payment_id;
  std::int64_t amount_minor = 0;
  InternedId currency;
  v1::RefundReason reason = v1::REFUND_REASON_UNSPECIFIED;
  std::string note;

  bool operator==(const RefundState&) const = default;
};

struct CancellationState {
  v1::CancelledBy by = v1::CANCELLED_BY_UNSPECIFIED;
  std::string reason;
  std::int64_t minutes_before_start = 0;
  std::int64_t refund_due_minor = 0;

  bool operator==(const CancellationState&) const = default;
};

struct BookingState {
  std::string id;
  BookingStatus status = BookingStatus::kHeld;
  InternedId site_id;
  InternedId staff_id;
  InternedId service_id;
  InternedId client_id;
  std::string patient;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int64_t price_minor = 0;
  InternedId currency;
  std::int64_t expires_at_ms = 0;
  std::int64_t paid_minor = 0;
  std::int64_t refunded_minor = 0;
  std::vector<PaymentState> payments;  // in request order
  std::vector<RefundState> refunds;    // in issue order
  std::optional<CancellationState> cancellation;
  std::uint64_t stream_version = 0;  // the version of the last event folded in

  const PaymentState* find_payment(std::string_view payment_id) const;
  // What was refunded of one of its payments.
  std::int64_t refunded_minor_of(std::string_view payment_id) const;

  bool operator==(const BookingState&) const = default;
};

// Folds one event of the booking's stream into `booking`: the fields of the event, the stream
// version, and the status as lifecycle.h's next_status() says (left as it is for an event the
// lifecycle refuses, which the writer never decides). Pure. SlotHeld starts the booking over.
void apply(BookingState& booking, const v1::Envelope& event);

// read_booking reads at most this many events of one booking; a longer stream is an error (no
// booking comes near it: each command adds a few events).
inline constexpr std::size_t kBookingEventsReadMax = 4096;

// The booking's stream ("<tenant>/booking/<id>") read from `log` and folded with apply(), up to
// and including seq `upto`; nullopt when it has no events there. The writer uses it for a
// replayed command's answer (writer.h CommandResult::booking), the API for a GET.
Result<std::optional<BookingState>> read_booking(const EventLog& log, std::string_view tenant_id,
                                                 std::string_view booking_id,
                                                 Seq upto = Seq{UINT64_MAX});

}  // namespace turno
