#include "message.h"

#include <array>

namespace turno::projections::notifications {
namespace {

constexpr std::array<std::string_view, kMessageKindMax + 1> kKindNames = {
    "booking_confirmed",
    "booking_rescheduled",
    "booking_cancelled",
    "refund_issued",
    "invoice_issued",
    "staff_new_booking",
    "staff_booking_moved",
    "staff_booking_cancelled",
    "reminder",
    "recall",
};

void encode_facts(Encoder& out, const MessageFacts& facts) {
  for (const std::string* text :
       {&facts.tenant_name, &facts.site_name, &facts.site_address, &facts.time_zone,
        &facts.client_id, &facts.patient, &facts.staff_id, &facts.staff_name, &facts.service_id,
        &facts.service_name}) {
    out.str(*text);
  }
  out.i64(facts.start_ms);
  out.i64(facts.end_ms);
  out.i64(facts.previous_start_ms);
  out.str(facts.previous_staff_name);
  out.i64(facts.amount_minor);
  out.str(facts.currency);
  out.str(facts.cancelled_by);
  out.str(facts.reason);
  out.str(facts.document_id);
  out.i64(facts.offset_min);
  out.u64(facts.alternatives.size());
  for (const AlternativeFact& option : facts.alternatives) {
    out.str(option.staff_id);
    out.str(option.staff_name);
    out.i64(option.start_ms);
    out.i64(option.end_ms);
  }
}

MessageFacts decode_facts(Decoder& in) {
  MessageFacts facts;
  for (std::string* text : {&facts.tenant_name, &facts.site_name, &facts.site_address,
                            &facts.time_zone, &facts.client_id, &facts.patient, &facts.staff_id,
                            &facts.staff_name, &facts.service_id, &facts.service_name}) {
    *text = in.str();
  }
  facts.start_ms = in.i64();
  facts.end_ms = in.i64();
  facts.previous_start_ms = in.i64();
  facts.previous_staff_name = in.str();
  facts.amount_minor = in.i64();
  facts.currency = in.str();
  facts.cancelled_by = in.str();
  facts.reason = in.str();
  facts.document_id = in.str();
  facts.offset_min = in.i32();
  for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
    AlternativeFact option;
    option.staff_id = in.str();
    option.staff_name = in.str();
    option.start_ms = in.i64();
    option.end_ms = in.i64();
    facts.alternatives.push_back(std::move(option));
  }
  return facts;
}

}  // namespace

std::string_view to_string(MessageKind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}

std::optional<MessageKind> parse_message_kind(std::string_view text) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<MessageKind>(i);
  }
  return std::nullopt;
}

const std::vector<MessageKind>& all_message_kinds() {
  static const std::vector<MessageKind> kinds = [] {
    std::vector<MessageKind> out;
    for (std::uint8_t i = 0; i <= kMessageKindMax; ++i) out.push_back(static_cast<MessageKind>(i));
    return out;
  }();
  return kinds;
}

std::string_view to_string(RecipientRole role) {
  return role == RecipientRole::kStaff ? "staff" : "client";
}

std::string notice_id(std::uint64_t seq, MessageKind kind, RecipientRole role) {
  return "n" + std::to_string(seq) + "-" + std::string(to_string(kind)) +
         (role == RecipientRole::kStaff ? "-s" : "-c");
}

std::string reminder_id(std::uint64_t start_seq, std::int32_t offset_min) {
  return "r" + std::to_string(start_seq) + "-" + std::to_string(offset_min) + "m";
}

std::string recall_id(std::uint64_t completed_seq) {
  return "c" + std::to_string(completed_seq);
}

void encode_message(Encoder& out, const Message& message) {
  out.str(message.id);
  out.u64(static_cast<std::uint64_t>(message.kind));
  out.str(message.tenant_id);
  out.str(message.site_id);
  out.str(message.booking_id);
  out.u64(static_cast<std::uint64_t>(message.recipient.role));
  out.str(message.recipient.id);
  out.u64(message.cause_seq);
  out.i64(message.due_at_ms);
  out.i64(message.useful_until_ms);
  encode_facts(out, message.facts);
}

Message decode_message(Decoder& in) {
  Message message;
  message.id = in.str();
  const std::uint64_t kind = in.u64();
  message.kind = static_cast<MessageKind>(kind <= kMessageKindMax ? kind : 0);
  message.tenant_id = in.str();
  message.site_id = in.str();
  message.booking_id = in.str();
  message.recipient.role = in.u64() == 1 ? RecipientRole::kStaff : RecipientRole::kClient;
  message.recipient.id = in.str();
  message.cause_seq = in.u64();
  message.due_at_ms = in.i64();
  message.useful_until_ms = in.i64();
  message.facts = decode_facts(in);
  return message;
}

}  // namespace turno::projections::notifications
