#include "rejection.h"

#include <array>
#include <utility>

namespace turno {
namespace {

constexpr std::array<std::pair<RejectionCode, std::string_view>, 18> kNames = {{
    {RejectionCode::kValidation, "validation"},
    {RejectionCode::kUnknownId, "unknown_id"},
    {RejectionCode::kAlreadyExists, "already_exists"},
    {RejectionCode::kForbidden, "forbidden"},
    {RejectionCode::kSlotTaken, "slot_taken"},
    {RejectionCode::kOutsideWorkingHours, "outside_working_hours"},
    {RejectionCode::kInTimeOff, "in_time_off"},
    {RejectionCode::kLacksSkill, "lacks_skill"},
    {RejectionCode::kWrongSite, "wrong_site"},
    {RejectionCode::kOutsideBookingWindow, "outside_booking_window"},
    {RejectionCode::kInvalidTransition, "invalid_transition"},
    {RejectionCode::kAmountMismatch, "amount_mismatch"},
    {RejectionCode::kRefundExceedsPaid, "refund_exceeds_paid"},
    {RejectionCode::kIdempotencyKeyReused, "idempotency_key_reused"},
    {RejectionCode::kRetired, "retired"},
    {RejectionCode::kQueueFull, "queue_full"},
    {RejectionCode::kStorageFailed, "storage_failed"},
    {RejectionCode::kShuttingDown, "shutting_down"},
}};

}  // namespace

std::string_view to_string(RejectionCode code) {
  for (const auto& [candidate, name] : kNames) {
    if (candidate == code) return name;
  }
  return "unknown";
}

std::optional<RejectionCode> rejection_code_from_string(std::string_view name) {
  for (const auto& [code, candidate] : kNames) {
    if (candidate == name) return code;
  }
  return std::nullopt;
}

bool is_transient(RejectionCode code) {
  return code == RejectionCode::kQueueFull || code == RejectionCode::kStorageFailed ||
         code == RejectionCode::kShuttingDown;
}

}  // namespace turno
