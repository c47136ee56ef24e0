// One booking as the API shows it, folded from the booking's own event stream
// ("<tenant>/booking/<id>") rather than from a read view, so a GET right after a command sees
// that command's effect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "event_log.h"
#include "json_writer.h"
#include "jwt.h"
#include "lifecycle.h"
#include "model.h"

namespace turno::api {

struct PaymentView {
  std::string payment_id;
  std::string provider;
  PaymentStatus status = PaymentStatus::kRequested;
  std::int64_t amount_minor = 0;
  std::int64_t platform_fee_minor = 0;
  std::string currency;
  std::string failure_reason;
};

struct RefundView {
  std::string refund_id;
  std::string payment_id;
  std::int64_t amount_minor = 0;
  std::string currency;
  v1::RefundReason reason = v1::REFUND_REASON_UNSPECIFIED;
  std::string note;
};

struct CancellationView {
  v1::CancelledBy by = v1::CANCELLED_BY_UNSPECIFIED;
  std::string reason;
  std::int64_t minutes_before_start = 0;
  std::int64_t refund_due_minor = 0;
};

struct BookingView {
  std::string booking_id;
  BookingStatus status = BookingStatus::kHeld;
  std::string site_id;
  std::string staff_id;
  std::string service_id;
  std::string client_id;
  std::string patient;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int64_t price_minor = 0;
  std::string currency;
  std::int64_t expires_at_ms = 0;
  std::int64_t paid_minor = 0;
  std::int64_t refunded_minor = 0;
  std::vector<PaymentView> payments;
  std::vector<RefundView> refunds;
  std::optional<CancellationView> cancellation;
  std::uint64_t version = 0;  // the stream version folded up to
};

// Folds one event of the booking's stream into `view`; the status moves as lifecycle.h's
// next_status() says, as in the engine's evolve().
void apply(BookingView& view, const v1::Envelope& event);

// Folds the stream's events with version below `before_version` (0: all) from `log`, then
// `tail` (events just committed, in order). nullopt when the stream has no events.
Result<std::optional<BookingView>> load_booking(const EventLog& log, std::string_view tenant_id,
                                                std::string_view booking_id,
                                                std::uint64_t before_version = 0,
                                                const std::vector<v1::Envelope>& tail = {});

// The same from events in hand: `before` (the stream up to the tail), then `tail`.
Result<std::optional<BookingView>> fold_booking(const std::vector<v1::Envelope>& before,
                                                const std::vector<v1::Envelope>& tail);

// Whether the caller may see the booking: the engine's rule, lifecycle.h's may_see() (clients
// their own bookings, staff their site's, admins all of their tenant's).
bool visible_to(const BookingView& view, const Principal& principal);

// The booking as a JSON object.
void write_booking(JsonWriter& json, const BookingView& view);

std::string_view cancelled_by_name(v1::CancelledBy by);
std::string_view refund_reason_name(v1::RefundReason reason);

}  // namespace turno::api
