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

}  // namespace turno
