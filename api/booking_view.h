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
#include "json_writer.h"
#include "jwt.h"
#include "lifecycle.h"

namespace turno::api {

// A booking read from the log for a query is booking_state.h's read_booking(); a command's
// answer never reads the log (it renders CommandResult::booking).

// A booking folded from events in hand: `before` (the stream up to the tail), then `tail`.
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
