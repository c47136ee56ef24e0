// The pure core: decide(model, command, now) -> events | rejection, and evolve(model, event).
//
// Neither does I/O, reads a clock or draws a random number: the time comes in `context`, ids
// for new things derive from the log position, so deciding the same commands against the
// same model always yields the same events. That is what makes replay, snapshots and the
// simulation tests possible.
#pragma once

#include <optional>
#include <vector>

#include "commands.pb.h"
#include "events.pb.h"
#include "model.h"
#include "rejection.h"

namespace turno {

struct DecideContext {
  std::int64_t now_ms = 0;
  Seq next_seq;  // the seq the command's first event will get; seeds generated ids
};

// The events a command causes (possibly none: a repeated webhook), or why it is refused.
// Events come complete but for `seq` and `prev_hash`, which the log assigns.
struct Decision {
  std::vector<v1::Envelope> events;
  std::optional<Rejection> rejection;

  bool accepted() const { return !rejection.has_value(); }
};

// Decides `command` against `model`. Never throws, never changes the model.
Decision decide(const Model& model, const v1::Command& command, const DecideContext& context);

// Folds one committed (or about to be committed) event into the model. The event must be one
// that decide() produced against this model, or read back from the log in order: anything
// else is a programmer error and VERIFY stops the process.
void evolve(Model& model, const v1::Envelope& event);

}  // namespace turno
