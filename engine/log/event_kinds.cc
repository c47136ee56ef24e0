#include "event_kinds.h"

namespace turno {

bool is_catalog_event(const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kTenantRegistered:
    case v1::Envelope::kSiteOpened:
    case v1::Envelope::kServiceDefined:
    case v1::Envelope::kStaffJoined:
    case v1::Envelope::kScheduleSet:
    case v1::Envelope::kTimeOffAdded:
    case v1::Envelope::kPolicySet:
    case v1::Envelope::kStaffProfileUpdated:
    case v1::Envelope::kSiteUpdated:
    case v1::Envelope::kSiteRetired:
    case v1::Envelope::kServiceUpdated:
    case v1::Envelope::kServiceRetired:
    case v1::Envelope::kStaffDeparted:
      return true;
    default:
      return false;
  }
}

std::string_view booking_id_of(const v1::Envelope& event) {
  switch (event.event_case()) {
    case v1::Envelope::kSlotHeld:
      return event.slot_held().booking_id();
    case v1::Envelope::kHoldExpired:
      return event.hold_expired().booking_id();
    case v1::Envelope::kBookingRescheduled:
      return event.booking_rescheduled().booking_id();
    case v1::Envelope::kBookingConfirmed:
      return event.booking_confirmed().booking_id();
    case v1::Envelope::kCheckedIn:
      return event.checked_in().booking_id();
    case v1::Envelope::kBookingCompleted:
      return event.booking_completed().booking_id();
    case v1::Envelope::kNoShowMarked:
      return event.no_show_marked().booking_id();
    case v1::Envelope::kPaymentRequested:
      return event.payment_requested().booking_id();
    case v1::Envelope::kPaymentSucceeded:
      return event.payment_succeeded().booking_id();
    case v1::Envelope::kPaymentFailed:
      return event.payment_failed().booking_id();
    case v1::Envelope::kBookingCancelled:
      return event.booking_cancelled().booking_id();
    case v1::Envelope::kRefundIssued:
      return event.refund_issued().booking_id();
    default:
      return {};
  }
}

std::string_view booking_id_of(const v1::Command& command) {
  switch (command.kind_case()) {
    case v1::Command::kHoldSlot:
      return command.hold_slot().booking_id();
    case v1::Command::kRequestPayment:
      return command.request_payment().booking_id();
    case v1::Command::kRecordDeskPayment:
      return command.record_desk_payment().booking_id();
    case v1::Command::kConfirmBooking:
      return command.confirm_booking().booking_id();
    case v1::Command::kRescheduleBooking:
      return command.reschedule_booking().booking_id();
    case v1::Command::kCancelBooking:
      return command.cancel_booking().booking_id();
    case v1::Command::kIssueRefund:
      return command.issue_refund().booking_id();
    case v1::Command::kCheckIn:
      return command.check_in().booking_id();
    case v1::Command::kCompleteBooking:
      return command.complete_booking().booking_id();
    case v1::Command::kMarkNoShow:
      return command.mark_no_show().booking_id();
    case v1::Command::kExpireHold:
      return command.expire_hold().booking_id();
    default:
      return {};
  }
}

std::string provider_event_key(std::string_view provider, std::string_view event_id) {
  std::string key(provider);
  key += '/';
  key += event_id;
  return key;
}

bool shaped_like_future_id(std::string_view prefix, std::string_view id, std::uint64_t seq) {
  if (id.size() <= prefix.size() + 1 || !id.starts_with(prefix) || id[prefix.size()] != '_') {
    return false;
  }
  std::string_view digits = id.substr(prefix.size() + 1);
  digits = digits.substr(0, digits.find('_'));
  if (digits.empty() || digits.size() > 19) return digits.size() > 19;  // beyond any seq
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n >= seq;
}

std::string tenant_stream(std::string_view tenant_id) {
  std::string stream(tenant_id);
  stream += "/tenant";
  return stream;
}

std::string entity_stream(std::string_view tenant_id, std::string_view kind, std::string_view id) {
  std::string stream(tenant_id);
  stream += '/';
  stream += kind;
  stream += '/';
  stream += id;
  return stream;
}

}  // namespace turno
