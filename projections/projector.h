// The projector: one view, kept current from the event stream, persisted in its own RocksDB.
//
// Contract.
//  * offer() applies events strictly in seq order, each exactly once: events at or below the
//    applied seq are skipped (duplicates, replays after a restart), and an event past
//    applied + 1 is a gap: nothing after it is applied and offer() says where the gap starts,
//    so the source can fetch the missing range first.
//  * The state and its seq are written together as one snapshot (snapshots/snapshot_store.h)
//    in the view's own directory: every checkpoint_events_max events, when the stream goes
//    quiet and checkpoint_interval passed since the last one, and at stop. On open the newest
//    valid snapshot is loaded (invalid ones are reported and skipped), and the source resumes
//    from its seq + 1.
//  * Queries read under a shared lock (read()); offer() holds the exclusive lock for one batch
//    (at most the caller's batch size of events), so a query waits at most that long.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "snapshot_store.h"
#include "view.h"

namespace turno::projections {

struct ProjectorOptions {
  // Persist at least this often while catching up (a snapshot encodes the whole state).
  std::uint64_t checkpoint_events_max = 1'000'000;
  // Once the stream is quiet, persist if this long passed since the last snapshot.
  std::chrono::milliseconds checkpoint_interval{5'000};
  std::size_t snapshots_kept = 2;
  bool sync = true;  // fdatasync each snapshot
};

struct OfferResult {
  Seq applied;  // the view's seq after the batch
  std::size_t applied_count = 0;
  bool gap = false;  // the batch skipped ahead: events from applied + 1 are missing
};

class Projector {
 public:
  // Opens (creating) the view's store in `directory` and restores the newest valid snapshot.
  // Snapshots that fail validation or decoding are skipped with a line in `report`.
  static Result<std::unique_ptr<Projector>> open(std::unique_ptr<View> view,
                                                 const std::string& directory,
                                                 ProjectorOptions options,
                                                 std::vector<std::string>& report);
  // A projector with no store (rebuilds and tests): nothing is persisted.
  static std::unique_ptr<Projector> in_memory(std::unique_ptr<View> view);

  std::string_view name() const { return view_->name(); }
  Seq applied_seq() const { return Seq{applied_seq_.load(std::memory_order_acquire)}; }
  std::uint64_t events_applied() const { return events_applied_.load(); }
  Seq checkpoint_seq() const { return Seq{checkpoint_seq_.load()}; }

  // Applies `events` (ascending seq) as the contract says. Source thread only.
  OfferResult offer(std::span<const v1::Envelope> events);

  // Writes a snapshot if one is due (`quiet`: the source has nothing more right now), or
  // always with `force` when there is anything new. Source thread only.
  Status checkpoint(bool quiet, bool force = false);

  // The source saw events up to `head` at `now_ms` (steady clock): starts or ends the
  // "behind" period that lag_ms() reports.
  void observe_head(Seq head, std::int64_t now_ms);
  // How long this view has been behind its source, 0 when current.
  std::int64_t lag_ms(std::int64_t now_ms) const;

  // Runs `read_fn(const View&)` under the shared lock and returns what it returns.
  template <typename ReadFn>
  auto read(ReadFn&& read_fn) const {
    std::shared_lock lock(mutex_);
    return read_fn(static_cast<const View&>(*view_));
  }
  Hash digest() const {
    return read([](const View& view) { return view.digest(); });
  }

 private:
  friend class ProjectorGroup;  // folds several projectors' views at once (projector_group.h)
  // After the group applied `count` events to the view itself (under mutex_).
  void note_applied(std::size_t count);

  Projector(std::unique_ptr<View> view, std::unique_ptr<SnapshotStore> store,
            ProjectorOptions options);

  mutable std::shared_mutex mutex_;  // guards *view_
  std::unique_ptr<View> view_;
  std::unique_ptr<SnapshotStore> store_;
  ProjectorOptions options_;
  std::atomic<std::uint64_t> applied_seq_{0};
  std::atomic<std::uint64_t> checkpoint_seq_{0};
  std::atomic<std::uint64_t> events_applied_{0};
  std::atomic<std::int64_t> behind_since_ms_{0};  // 0: not behind
  std::chrono::steady_clock::time_point last_checkpoint_;
};

}  // namespace turno::projections
