// Shared pieces of decide(): building events, validating fields, checking who may touch what,
// and checking that a staff member can take an appointment. Internal to engine/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decide.h"
#include "event_kinds.h"
#include "field_bounds.h"
#include "lifecycle.h"
#include "verify.h"

// Returns the rejection from a check, if the check found one.
#define TURNO_REJECT_IF(check)                                    \
  if (auto turno_rejection_ = (check)) return ::turno::Decision { \
      {}, std::move(turno_rejection_)                             \
    }

namespace turno::decide_detail {

inline Decision reject(RejectionCode code, std::string field, std::string detail) {
  Decision decision;
  decision.rejection = Rejection{code, std::move(field), std::move(detail)};
  return decision;
}

// Collects a command's events, stamping the envelope fields decide() knows.
class Emitter {
 public:
  Emitter(const v1::Command& command, const DecideContext& context)
      : command_(command), context_(context) {}

  // A new event on `stream`, whose version before this command was `version_before`.
  v1::Envelope& emit(const std::string& stream, std::uint64_t version_before,
                     std::string_view site_id);
  Decision done() { return Decision{std::move(events_), std::nullopt}; }

 private:
  const v1::Command& command_;
  const DecideContext& context_;
  std::vector<v1::Envelope> events_;
  std::vector<std::pair<std::string, std::uint64_t>> versions_;  // stream -> last used
};

// Validation: std::nullopt when fine, else the rejection naming `field`.
std::optional<Rejection> check_id(std::string_view field, std::string_view value, bool required);
std::optional<Rejection> check_text(std::string_view field, std::string_view value,
                                    std::size_t max_bytes, bool required);
std::optional<Rejection> check_range(std::string_view field, std::int64_t value, std::int64_t min,
                                     std::int64_t max);

// A fresh id "<prefix>_<seq>" for something new; `taken` says whether an id is in use.
template <typename Taken>
std::string generate_id(std::string_view prefix, const DecideContext& context, Taken taken) {
  std::string base(prefix);
  base.append("_").append(std::to_string(context.next_seq.value));
  std::string id = base;
  for (int suffix = 2; taken(id); ++suffix) {
    id = base;
    id.append("_").append(std::to_string(suffix));
  }
  return id;
}

// Access to one booking by the command's actor, as lifecycle.h's may_see() says; a booking
// the actor may not see looks like an unknown id (no leak of what exists).
Decision find_booking_for(const Tenant& tenant, const v1::Actor& actor, std::string_view booking_id,
                          const Booking*& booking);

bool role_in(const v1::Actor& actor, std::initializer_list<v1::Role> roles);
Decision forbidden(const v1::Actor& actor);
// Forbidden unless the actor's role may ask for this booking command (lifecycle.h
// may_request()).
std::optional<Rejection> check_may_request(const v1::Command& command);

// Can `staff` take `appointment` (blocked for `blocked`) for `service` at `site`? Checks site,
// skill, weekly hours in the site's zone, time off and the calendar (ignoring `ignore`).
std::optional<Rejection> check_staff_can_take(const Site& site, const Service& service,
                                              const Staff& staff, const Interval& appointment,
                                              const Interval& blocked, std::string_view ignore);

// Minimum notice and horizon, from the tenant's policy.
std::optional<Rejection> check_booking_window(const Policy& policy, std::int64_t start_ms,
                                              std::int64_t now_ms);

// The platform's share of a payment: basis points rounded half up, plus the fixed part,
// never more than the payment.
std::int64_t platform_fee(const Tenant& tenant, std::int64_t amount_minor);

// Emits RefundIssued events returning `amount_minor` of what `booking` was paid, taken from
// its succeeded payments in order. The caller has checked the amount is refundable.
void emit_refunds(Emitter& out, const Tenant& tenant, const Booking& booking,
                  std::int64_t amount_minor, v1::RefundReason reason, std::string_view note,
                  std::string_view refund_id, const DecideContext& context);

// Per-kind deciders (decide_catalog.cc, decide_booking.cc, decide_payment.cc).
Decision decide_catalog(const Model& model, const v1::Command& command,
                        const DecideContext& context);
Decision decide_directory(const Tenant& tenant, const v1::Command& command,
                          const DecideContext& context);
Decision decide_booking(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context);
Decision decide_payment(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context);

}  // namespace turno::decide_detail
