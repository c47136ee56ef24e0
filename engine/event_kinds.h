// What an event is about, for everyone who folds the log: the write model (evolve.cc), the read
// views (projections/) and the API's booking renderer. One definition, so a new event type is
// classified in one place.
#pragma once

#include <string_view>

#include "events.pb.h"

namespace turno {

// The provider of payments taken at the desk (cash, card terminal): no webhook will come, so a
// desk payment request leaves a hold held (lifecycle.h).
inline constexpr std::string_view kDeskProvider = "desk";
// The built-in test provider (api/sandbox.h); a payment request that names no provider uses it.
inline constexpr std::string_view kSandboxProvider = "sandbox";

// True for the catalog events: tenants, policy, sites, services, staff, schedules, time off.
bool is_catalog_event(const v1::Envelope& event);

// The booking an event is about (SlotHeld included); empty for catalog events and an envelope
// without an event.
std::string_view booking_id_of(const v1::Envelope& event);

}  // namespace turno
