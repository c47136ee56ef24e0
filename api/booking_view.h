// One booking as the API shows it: engine/log/booking_state.h's BookingState, the fold the write
// model keeps too. A command's answer renders the one the writer returns with it
// (CommandResult::booking); a GET folds it from the booking's own event stream
// ("<tenant>/booking/<id>") rather than from a read view, so it sees the last command's effect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "booking_state.h"
#include "event_log.h"
#include "json_writer.h"
#include "jwt.h"
#include "lifecycle.h"
#include "model.h"

namespace turno::api {

// Folds the stream's events with version below `before_version` (0: all) from `log`, then
// `tail` (events just committed, in order), with booking_state.h's apply(). nullopt when the
// stream has no events. Reads the log: for queries, never for a command's answer.
Result<std::optional<BookingState>> load_booking(const EventLog& log, std::string_view tenant_id,
                                                 std::string_view booking_id,
                                                 std::uint64_t before_version = 0,
                                                 const std::vector<v1::Envelope>& tail = {});

// The same from events in hand: `before` (the stream up to the tail), then `tail`.
Result<std::optional<BookingState>> fold_booking(const std::vector<v1::Envelope>& before,
                                                 const std::vector<v1::Envelope>& tail);

// Whether the caller may see the booking: the engine's rule, lifecycle.h's may_see() (clients
// their own bookings, staff their site's, admins all of their tenant's).
bool visible_to(const BookingState& booking, const Principal& principal);

// The booking as a JSON object.
void write_booking(JsonWriter& json, const BookingState& booking);

std::string_view cancelled_by_name(v1::CancelledBy by);
std::string_view refund_reason_name(v1::RefundReason reason);

}  // namespace turno::api
