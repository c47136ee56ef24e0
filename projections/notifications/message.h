// What the notifications component sends: a message, decided from events alone, with a stable
// id derived from its cause so that a rebuild of the view produces the same ids again.
//
// Message ids (ASCII, at most kMessageIdBytesMax bytes; globally unique because seqs are):
//   n<seq>-<kind>-<c|s>     a notice caused by the event at <seq>, to the client (c) or the
//                           staff member (s) of the booking
//   r<seq>-<offset>m        a reminder <offset> minutes before the start set by event <seq>
//                           (SlotHeld or the last BookingRescheduled), so a moved booking's
//                           reminders get new ids and the old ones are recognised as stale
//   c<seq>                  a recall for the booking completed by event <seq>
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec.h"
#include "types.h"

namespace turno::projections::notifications {

inline constexpr std::size_t kMessageIdBytesMax = 96;

enum class MessageKind : std::uint8_t {
  kBookingConfirmed,
  kBookingRescheduled,
  kBookingCancelled,  // with reassignment alternatives when staff cancelled
  kRefundIssued,
  kInvoiceIssued,  // the invoice PDF attached
  kStaffNewBooking,
  kStaffBookingMoved,
  kStaffBookingCancelled,
  kReminder,
  kRecall,
};
inline constexpr std::uint8_t kMessageKindMax = 9;
// "booking_confirmed", ... "reminder", "recall": the names used in templates, JSON and ids.
std::string_view to_string(MessageKind kind);
std::optional<MessageKind> parse_message_kind(std::string_view text);
// Every kind, in enum order.
const std::vector<MessageKind>& all_message_kinds();

enum class RecipientRole : std::uint8_t { kClient, kStaff };
std::string_view to_string(RecipientRole role);

struct Recipient {
  RecipientRole role = RecipientRole::kClient;
  std::string id;  // the client's id (the JWT `sub`) or the staff member's id
};

// A reassignment option offered with a cancellation by staff.
struct AlternativeFact {
  std::string staff_id;
  std::string staff_name;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};

// Everything a template may show, captured when the message was decided.
struct MessageFacts {
  std::string tenant_name;
  std::string site_name;
  std::string site_address;
  std::string time_zone;  // IANA; texts show instants in it
  std::string client_id;
  std::string patient;
  std::string staff_id;
  std::string staff_name;
  std::string service_id;
  std::string service_name;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int64_t previous_start_ms = 0;  // rescheduled
  std::string previous_staff_name;     // rescheduled to another staff member
  std::int64_t amount_minor = 0;       // refund, invoice
  std::string currency;
  std::string cancelled_by;  // "client", "staff", "admin", "system"
  std::string reason;
  std::string document_id;      // invoice or credit note to attach
  std::int32_t offset_min = 0;  // reminder
  std::vector<AlternativeFact> alternatives;
};

struct Message {
  std::string id;
  MessageKind kind = MessageKind::kBookingConfirmed;
  std::string tenant_id;
  std::string site_id;
  std::string booking_id;
  Recipient recipient;
  std::uint64_t cause_seq = 0;       // the event that made it exist
  std::int64_t due_at_ms = 0;        // when it should go out
  std::int64_t useful_until_ms = 0;  // after this it is skipped, never sent
  MessageFacts facts;
};

std::string notice_id(std::uint64_t seq, MessageKind kind, RecipientRole role);
std::string reminder_id(std::uint64_t start_seq, std::int32_t offset_min);
std::string recall_id(std::uint64_t completed_seq);

void encode_message(Encoder& out, const Message& message);
Message decode_message(Decoder& in);

}  // namespace turno::projections::notifications
