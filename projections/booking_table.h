// Bookings and their payments and refunds, folded from the booking, payment, cancellation and
// refund events. Several views keep one of these (each its own) and index it their way; fold()
// tells them what changed so they can keep their indexes current.
//
// The table holds every booking of history, so a record is kept compact: the ids it shares with
// other bookings (tenant, site, staff, service, client, currency, payment provider) are
// InternedIds (8 bytes each, the text pooled once per process: interned_id.h); only what is
// unique to the booking (its id, patient, cancel reason, payment and refund ids, notes) is a
// string of its own, and the booking id is stored once (the record is its own key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "codec.h"
#include "event_kinds.h"
#include "events.pb.h"
#include "interned_id.h"
#include "interval_set.h"
#include "lifecycle.h"
#include "string_map.h"
#include "types.h"

namespace turno::projections {

// The engine's lifecycle states (lifecycle.h), with its to_string() and holds_time(): held,
// pending payment, confirmed or checked in take the staff member's time.
using turno::BookingStatus;
using turno::holds_time;
using turno::PaymentStatus;
using turno::to_string;

struct PaymentRecord {
  std::string id;
  InternedId provider;
  std::int64_t amount_minor = 0;
  std::int64_t platform_fee_minor = 0;
  PaymentStatus state = PaymentStatus::kRequested;
  std::int64_t requested_at_ms = 0;
  std::int64_t settled_at_ms = 0;  // when it succeeded or failed
  std::int64_t refunded_minor = 0;
};

struct RefundRecord {
  std::string id;
  std::string payment_id;
  std::int64_t amount_minor = 0;
  v1::RefundReason reason = v1::REFUND_REASON_UNSPECIFIED;
  std::int64_t issued_at_ms = 0;
  std::string note;
};

struct BookingRecord {
  std::string id;  // never changes once the record is in a table: it is the record's key
  InternedId tenant_id;
  InternedId site_id;
  InternedId staff_id;
  InternedId service_id;
  InternedId client_id;
  std::string patient;
  InternedId currency;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int32_t buffer_before_min = 0;
  std::int32_t buffer_after_min = 0;
  std::int64_t price_minor = 0;
  std::int64_t held_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::int64_t updated_at_ms = 0;  // recorded_at of the last event of this booking
  BookingStatus state = BookingStatus::kHeld;
  v1::CancelledBy cancelled_by = v1::CANCELLED_BY_UNSPECIFIED;
  std::string cancel_reason;
  std::vector<PaymentRecord> payments;  // in request order
  std::vector<RefundRecord> refunds;    // in issue order
  std::int64_t paid_minor = 0;
  std::int64_t refunded_minor = 0;

  // The staff member's blocked time: the appointment and its buffers.
  Interval blocked() const {
    return {start_ms - buffer_before_min * kMsPerMinute, end_ms + buffer_after_min * kMsPerMinute};
  }
  const PaymentRecord* find_payment(std::string_view payment_id) const;
};

// What one event did to a booking, with the values it had before.
struct BookingChange {
  const BookingRecord* booking = nullptr;
  v1::Envelope::EventCase kind = v1::Envelope::EVENT_NOT_SET;
  bool created = false;  // SlotHeld
  BookingStatus previous_state = BookingStatus::kHeld;
  InternedId previous_staff_id;  // set for BookingRescheduled
  std::int64_t previous_start_ms = 0;
  std::int64_t previous_end_ms = 0;
  const PaymentRecord* payment = nullptr;  // payment events and refunds: the payment concerned
  const RefundRecord* refund = nullptr;    // RefundIssued: the refund recorded
};

// A tenant's bookings, keyed by their own id (hash and equality look only at `id`, which may be
// searched by string_view).
struct BookingById {
  using is_transparent = void;
  std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  std::size_t operator()(const BookingRecord& booking) const { return (*this)(booking.id); }
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  bool operator()(const BookingRecord& a, const BookingRecord& b) const { return a.id == b.id; }
  bool operator()(std::string_view a, const BookingRecord& b) const { return a == b.id; }
  bool operator()(const BookingRecord& a, std::string_view b) const { return a.id == b; }
};
using TenantBookings = std::unordered_set<BookingRecord, BookingById, BookingById>;

class BookingTable {
 public:
  // Folds a booking, payment, cancellation or refund event and says what changed; nullopt for
  // other events, and for events of a booking this table never saw held (ignored). The state
  // moves as lifecycle.h's next_status() says; an event it refuses (never in a log the writer
  // wrote) leaves the state alone.
  std::optional<BookingChange> fold(const v1::Envelope& event);

  const BookingRecord* find(std::string_view tenant_id, std::string_view booking_id) const;
  // All bookings of a tenant by id; null for an unknown tenant.
  const TenantBookings* of_tenant(std::string_view tenant_id) const;
  const StringMap<TenantBookings>& tenants() const { return tenants_; }

  void encode(Encoder& out) const;
  void decode(Decoder& in);
  void clear() { tenants_.clear(); }

 private:
  BookingChange fold_into(BookingRecord& booking, const v1::Envelope& event);
  StringMap<TenantBookings> tenants_;  // tenant -> its bookings by id
};

}  // namespace turno::projections
