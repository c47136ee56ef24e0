// Rebuilding views from the log from scratch, up to the tail or as of a seq or an instant.
// `turno rebuild` writes the result into the views' stores; `turno replay --as-of` (history)
// calls rebuild_views() and queries the views in memory.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "event_log.h"
#include "shared_fold.h"
#include "view.h"

namespace turno::projections {

struct RebuildOptions {
  std::vector<std::string> views;        // names (views.h); empty: all
  Seq as_of_seq{UINT64_MAX};             // fold events up to this seq ...
  std::optional<std::int64_t> as_of_ms;  // ... and recorded at or before this instant
  // Called every `progress_every` events and once at the end with (seq reached, last seq to
  // reach); from the rebuilding thread.
  std::function<void(Seq, Seq)> progress;
  std::uint64_t progress_every = 1u << 16;
};

struct RebuildResult {
  std::vector<std::unique_ptr<View>> views;  // in the order asked (or views.h order)
  Seq last_seq;                              // the last event folded in
  std::uint64_t events = 0;
};

// Folds the log into new views from scratch, on up to two threads: each reads the log itself
// and folds its share of the views (balanced by cost), the catalog and the bookings once per
// thread. invalid_argument for an unknown view name; the log's error if a record fails its
// checks.
Result<RebuildResult> rebuild_views(const EventLog& log, const RebuildOptions& options);

// Replaces whatever `directory` held with one snapshot of `view` (a fresh store, written
// beside it and renamed into place). busy, and nothing changed, when a running node has the
// store open.
Status write_view_snapshot(const View& view, const std::string& directory, bool sync = true);

}  // namespace turno::projections
