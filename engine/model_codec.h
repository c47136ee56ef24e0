// The write model to and from bytes (schemas/write_model.proto): for snapshots, and for the
// digest that tests compare (equal models, equal digests).
#pragma once

#include <cstdint>

#include "model.h"
#include "status.h"
#include "write_model.pb.h"

namespace turno {

// The layout encode_model writes (ModelSnapshot.format). Change it with any change of the
// image's meaning: a snapshot of another format is skipped and the log replayed.
//   (absent) every booking kept for good, payments at the tenant
//   2        payments carry their provider events and refund ids (engine/recall.h)
//   3        a booking is its BookingState (engine/log/booking_state.h) plus writer-only fields
inline constexpr std::uint32_t kModelSnapshotFormat = 3;

// A canonical image of the model: every collection sorted by id.
v1::WriteModel encode_model(const Model& model);

// Rebuilds a model, including what is derived (calendars, timers, indexes), from an image.
// Fails on an image that breaks an invariant (overlapping bookings, unknown references).
Result<Model> decode_model(const v1::WriteModel& image);

// SHA-256 of the canonical image's deterministic serialization.
Hash model_digest(const Model& model);

BookingStatus booking_status_from(std::string_view name, bool& ok);

}  // namespace turno
