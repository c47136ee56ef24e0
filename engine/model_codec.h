// The write model to and from bytes (schemas/write_model.proto): for snapshots, and for the
// digest that tests compare (equal models, equal digests).
#pragma once

#include "model.h"
#include "status.h"
#include "write_model.pb.h"

namespace turno {

// A canonical image of the model: every collection sorted by id.
v1::WriteModel encode_model(const Model& model);

// Rebuilds a model, including what is derived (calendars, timers, indexes), from an image.
// Fails on an image that breaks an invariant (overlapping bookings, unknown references).
Result<Model> decode_model(const v1::WriteModel& image);

// SHA-256 of the canonical image's deterministic serialization.
Hash model_digest(const Model& model);

BookingStatus booking_status_from(std::string_view name, bool& ok);

}  // namespace turno
