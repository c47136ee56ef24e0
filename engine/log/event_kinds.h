// What an event is about, for everyone who folds the log: the write model (evolve.cc), the read
// views (projections/) and the API's booking renderer. One definition, so a new event type is
// classified in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "commands.pb.h"
#include "events.pb.h"

namespace turno {

// The provider of payments taken at the desk (cash, card terminal): no webhook will come, so a
// desk payment request leaves a hold held (lifecycle.h).
inline constexpr std::string_view kDeskProvider = "desk";
// The built-in test provider (api/sandbox.h); a payment request that names no provider uses it.
inline constexpr std::string_view kSandboxProvider = "sandbox";

// The prefixes of the ids the writer generates for what a client may leave unnamed:
// "<prefix>_<seq>", with the seq of the command's first event (decide_support.h generate_id).
inline constexpr std::string_view kBookingIdPrefix = "bk";
inline constexpr std::string_view kPaymentIdPrefix = "pay";
inline constexpr std::string_view kRefundIdPrefix = "rf";
inline constexpr std::string_view kReceiptIdPrefix = "receipt";  // a desk payment's receipt

// Stream names: "<tenant>/tenant", "<tenant>/site/<id>", "<tenant>/booking/<id>", ...
std::string tenant_stream(std::string_view tenant_id);
std::string entity_stream(std::string_view tenant_id, std::string_view kind, std::string_view id);

// The key that deduplicates a provider's event (a webhook, a desk receipt): "provider/event".
std::string provider_event_key(std::string_view provider, std::string_view event_id);

// True when `id` has the shape of an id the writer could still generate after `seq`:
// "<prefix>_<n>" or "<prefix>_<n>_<k>" with n >= seq.
bool shaped_like_future_id(std::string_view prefix, std::string_view id, std::uint64_t seq);

// True for the catalog events: tenants, policy, sites, services, staff, schedules, time off.
bool is_catalog_event(const v1::Envelope& event);

// The booking an event is about (SlotHeld included); empty for catalog events and an envelope
// without an event.
std::string_view booking_id_of(const v1::Envelope& event);

// The booking a command names (HoldSlot's given id included, empty when it lets the writer
// choose one); empty for commands that name no booking, or name it only through a payment.
std::string_view booking_id_of(const v1::Command& command);

}  // namespace turno
