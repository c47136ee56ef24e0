// The notifications view: from events alone, which messages exist and when each is due.
//
//  * Notices, caused by one event each and due when it was recorded: to the client on booking
//    confirmed, rescheduled, cancelled (with up to kAlternativesInMessageMax reassignment
//    options when staff cancelled), refund issued (credit note attached), invoice issued
//    (invoice attached); to the staff member on a new booking, a booking moved to them, and a
//    cancellation (not when they cancelled it themselves).
//  * Appointments: confirmed bookings not yet started, checked in, completed, cancelled or
//    moved away, each with the seq of the event that set its start. Reminders are planned from
//    these at the tenant's offsets (reminder_plan.h); the offsets are tenant settings, not
//    events, so reminders are planned by the dispatcher and not stored here.
//  * Recalls: a completed booking of a service with follow_up_days > 0 is due for a recall at
//    kRecallLocalMinute on the local date follow_up_days after the appointment's date; it is
//    withdrawn when the same client books the same service for the same patient again.
//
// The view keeps its own copies of the availability view (for reassignment alternatives, as
// of the cancellation) and the invoice view (for document numbers and the PDFs), folded in the
// same order, so what it decides depends on the log alone. Old entries are pruned by event
// time (never by the wall clock), so the state stays bounded and a rebuild prunes alike.
#pragma once

#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "availability_view.h"
#include "booking_table.h"
#include "catalog_state.h"
#include "invoice_view.h"
#include "message.h"
#include "view.h"

namespace turno::projections::notifications {

inline constexpr std::int32_t kAlternativesInMessageMax = 3;
inline constexpr std::int32_t kRecallLocalMinute = 10 * 60;  // 10:00 at the site
// How long after its cause a notice is still worth sending (cancellations, refunds,
// invoices); notices about an appointment are worth sending only until it starts.
inline constexpr std::int64_t kNoticeUsefulMs = 3 * kMsPerDay;
inline constexpr std::int64_t kRecallUsefulMs = 30 * kMsPerDay;
// Pruning, by the newest event's recorded_at: notices older than this, appointments that
// started longer ago than this, recalls whose useful window ended longer ago than this.
inline constexpr std::int64_t kRetentionMs = 14 * kMsPerDay;

// An appointment reminders are planned for: a reminder message without id, offset or due
// time yet, plus what the plan needs.
struct AppointmentPlan {
  Message base;  // kind kReminder, facts filled, useful_until = start
  std::int64_t confirmed_at_ms = 0;
  std::uint64_t start_seq = 0;
};

// Whether a planned message still stands (checked before every delivery attempt).
struct Validity {
  bool valid = true;
  std::string reason;  // why not: "booking cancelled", "booking moved", ...
};

class NotificationsView final : public View {
 public:
  std::string_view name() const override { return "notifications"; }

  // Notices caused by events after seq `after`, in seq order, at most `max`.
  std::vector<Message> notices_after(std::uint64_t after, std::size_t max) const;
  // Appointments starting in [from_ms, to_ms), by start, at most `max`.
  std::vector<AppointmentPlan> appointments_starting(std::int64_t from_ms, std::int64_t to_ms,
                                                     std::size_t max) const;
  // Recalls (not withdrawn) due in [from_ms, to_ms), by due time, at most `max`.
  std::vector<Message> recalls_due(std::int64_t from_ms, std::int64_t to_ms, std::size_t max) const;
  // For reminders: the appointment still exists with the start the id names. For recalls:
  // not withdrawn. Notices are always valid (their usefulness is a matter of time).
  Validity validate(const Message& message) const;
  // An invoice or credit note, for the attachment; not_found when unknown.
  Result<InvoiceDetail> document(std::string_view tenant_id, std::string_view id) const;
  // Whether tenant `tenant_id` has (or had: departed members too) staff member `staff_id`.
  bool has_staff(std::string_view tenant_id, std::string_view staff_id) const;

 protected:
  void fold(const v1::Envelope& event) override;
  void encode_state(Encoder& out) const override;
  void decode_state(Decoder& in) override;
  void clear() override;

 private:
  struct Appointment {
    std::string tenant_id;
    std::string booking_id;
    std::uint64_t start_seq = 0;
    std::int64_t start_ms = 0;
    std::int64_t confirmed_at_ms = 0;
  };
  struct Recall {
    Message message;
    std::string service_id;
    bool withdrawn = false;
  };
  using TimeKey = std::pair<std::int64_t, std::string>;  // instant, entry key

  void fold_booking(const BookingChange& change, const v1::Envelope& event);
  void on_confirmed(const BookingRecord& booking, const v1::Envelope& event);
  void on_rescheduled(const BookingChange& change, const v1::Envelope& event);
  void on_cancelled(const BookingChange& change, const v1::Envelope& event);
  void on_refund(const BookingChange& change, const v1::Envelope& event);
  void on_payment(const BookingChange& change, const v1::Envelope& event);
  void on_completed(const BookingRecord& booking, const v1::Envelope& event);
  void add_notice(const BookingRecord& booking, const v1::Envelope& event, MessageKind kind,
                  RecipientRole role, std::int64_t useful_until_ms, MessageFacts facts);
  MessageFacts facts_of(const BookingRecord& booking) const;
  std::string staff_name(std::string_view tenant_id, std::string_view staff_id) const;
  void add_appointment(Appointment appointment);
  void remove_appointment(const std::string& key);
  void withdraw_recalls(const BookingRecord& booking);
  void index_recall(const std::string& key, const Recall& recall);
  void prune(std::int64_t now_ms);
  void encode_notices_and_plans(Encoder& out) const;
  void decode_notices_and_plans(Decoder& in);

  CatalogState catalog_;
  BookingTable bookings_;
  AvailabilityView availability_;
  InvoiceView invoices_;
  std::deque<Message> notices_;              // by cause seq; pruned from the front
  StringMap<std::uint64_t> start_seqs_;      // tenant_key(booking) -> seq setting start
  StringMap<Appointment> appointments_;      // tenant_key(booking)
  StringMap<Recall> recalls_;                // tenant_key(booking)
  std::set<TimeKey> appointments_by_start_;  // derived
  std::set<TimeKey> recalls_by_due_;         // derived
  StringMap<std::vector<std::string>> recalls_by_subject_;  // derived: subject_key -> keys
};

}  // namespace turno::projections::notifications
