// What the write model forgets, and how it gets it back.
//
// The model keeps live bookings, and finished ones (lifecycle.h is_finished) until
// kFinishedBookingKeptDays (policy.h) after their last event; then it forgets them with their
// payments, refund ids and provider event keys, so its memory follows what is live, not the
// length of history. A command that names a forgotten booking — by its id, or by one of its
// payment ids, refund ids or provider event keys (the log's "ids" index) — recalls it from the
// log before it is decided, so it is decided exactly as if the booking had never left.
// Generated ids cannot collide with a forgotten client-given one (Tenant::reserved_ids), and
// duplicate command ids are answered from the log's idempotency index as before.
//
// Forgetting is part of the fold: every fold of the log (replay at start-up, the writer's
// reload, the model snapshotter, tests' references) goes through fold_from_log(), so the same
// events give the same model whoever folds them. The writer forgets between batches, only
// what is committed; the model then equals the fold of its log at every idle point.
#pragma once

#include "commands.pb.h"
#include "event_log.h"
#include "events.pb.h"
#include "model.h"
#include "status.h"

namespace turno {

// Forgets the finished bookings whose last event is older than the window before
// model.latest_recorded_ms, if that event is at or below `committed`. Returns how many.
std::size_t forget_finished(Model& model, Seq committed);

// Folds one event read from `log` into `model`: recalls the booking it names if the model
// forgot it (its events before this one), evolves, then forgets what has aged out.
[[nodiscard]] Status fold_from_log(const EventLog& log, Model& model, const v1::Envelope& event);

// Folds the log into `start` from start.last_seq + 1 to the tail.
Result<Model> replay_log(const EventLog& log, Model start = {});

// Recalls every forgotten booking `command` names, as of the log's committed tail; returns
// how many it brought back. Needs a read-write log (the "ids" index).
Result<std::size_t> recall_for_command(const EventLog& log, Model& model,
                                       const v1::Command& command);

}  // namespace turno
