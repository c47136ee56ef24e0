// Why a command was not applied. Every rejection names its code, the offending field where
// there is one, and a sentence for a person. The API maps codes to HTTP statuses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace turno {

enum class RejectionCode : std::uint8_t {
  // Decided by the domain (stored in the idempotency index: a retry gets the same answer).
  kValidation,            // malformed or out-of-range field
  kUnknownId,             // no such tenant, site, service, staff, booking or payment (or not yours)
  kAlreadyExists,         // an id given for a new thing is taken
  kForbidden,             // the actor's role may not do this
  kSlotTaken,             // the staff member's time is held or booked (buffers included)
  kOutsideWorkingHours,   // not inside the staff member's weekly schedule
  kInTimeOff,             // overlaps the staff member's time off
  kLacksSkill,            // the staff member lacks the service's skill
  kWrongSite,             // the staff member does not work at that site
  kOutsideBookingWindow,  // earlier than the minimum notice or past the horizon
  kInvalidTransition,     // the booking's state does not allow this
  kAmountMismatch,        // a payment for another amount or currency than the one due
  kRefundExceedsPaid,     // more than was paid and not yet refunded
  kIdempotencyKeyReused,  // the command_id was used before for a different command
  kRetired,               // the site or service is retired, or the staff member departed
  // Decided by the writer, not stored: retrying later may succeed.
  kQueueFull,      // the writer's queue is full (HTTP 503 with Retry-After)
  kStorageFailed,  // the log could not be written; nothing was applied
  kShuttingDown,   // the writer is stopping
};

std::string_view to_string(RejectionCode code);
std::optional<RejectionCode> rejection_code_from_string(std::string_view name);
// Transient rejections are not remembered by the idempotency index.
bool is_transient(RejectionCode code);

struct Rejection {
  RejectionCode code = RejectionCode::kValidation;
  std::string field;   // the command field at fault, in the command's snake_case; may be empty
  std::string detail;  // one sentence for a person
};

}  // namespace turno
