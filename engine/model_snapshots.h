// Write-model snapshots, so a restart replays only the tail of the log.
//
// Taking them never slows the writer, and never keeps a third copy of the model: a
// ModelSnapshotter thread follows the committed log (log_subscription.h) without folding it,
// and every `every_events` events (and when stopped) it builds the model the way a restart
// would — the newest snapshot plus the log after it (load_model) — writes it to a
// SnapshotStore, pruning to `keep`, and lets it go. Between snapshots it holds no model.
// Loading takes the newest snapshot that validates — the store's checksum, the same
// log (id and hash at its seq), a model image that decodes with its invariants — and replays
// the log after it; any snapshot that fails is reported and the next older one tried, down
// to a full replay.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "event_log.h"
#include "log_subscription.h"
#include "model.h"
#include "snapshot_store.h"
#include "writer.h"

namespace turno {

struct ModelSnapshotOptions {
  std::string directory;                    // the store (data_layout::model_snapshot_directory)
  std::uint64_t every_events = 100'000;     // a snapshot after this many events since the last
  std::size_t keep = 3;                     // snapshots kept after each new one
  bool on_stop = true;                      // and one at clean shutdown, if anything is new
  std::size_t batch_events_max = 1024;      // events read at a time while following (stop latency)
  std::chrono::milliseconds poll_max{100};  // longest wait for a commit, and the pause after
                                            // a failed read (both bound stop latency)
  bool sync = true;                         // fdatasync each snapshot
};

// The options `turno serve --data DIR` should use: the store in DIR/snapshots/model
// (data_layout.h), the defaults above for the rest.
ModelSnapshotOptions model_snapshot_options_for(const std::string& data_directory);

// What a load found: the snapshot it started from (none: full replay), how many events it
// replayed after it, and one line per snapshot it skipped.
struct ModelLoadReport {
  std::optional<Seq> snapshot_seq;
  std::uint64_t replayed_events = 0;
  std::vector<std::string> skipped;
  // Where the time went (wall clock, skipped snapshots included): reading and checksumming
  // snapshots, decoding them into a model, replaying the log after the one used.
  std::uint64_t snapshot_bytes = 0;
  std::uint64_t read_ms = 0;
  std::uint64_t decode_ms = 0;
  std::uint64_t replay_ms = 0;
};

// The model of `log`'s committed tail: from the newest usable snapshot in `store` at or below
// the tail plus the events after it, or from a full replay when `store` is null or has none.
// An error only when the log itself cannot be read (a bad snapshot is skipped, not an error).
Result<Model> load_model(const EventLog& log, const SnapshotStore* store, ModelLoadReport& report);

// Prints each skipped snapshot of `report` to stderr, one line each.
void report_skipped_snapshots(const ModelLoadReport& report);

// Opens (creating it and its parents) the store at options.directory.
Result<std::shared_ptr<SnapshotStore>> open_model_store(const ModelSnapshotOptions& options);

// A ModelLoader for the writer (first start and reload after a failed commit) that uses
// load_model and prints every skipped snapshot to stderr.
ModelLoader snapshot_model_loader(std::shared_ptr<const SnapshotStore> store);

// Writes `model` (the fold of `log` up to model.last_seq, whose hash is `hash_at_seq`) to
// `store` as the snapshot at model.last_seq, then prunes the store to `keep`.
Status write_model_snapshot(SnapshotStore& store, const EventLog& log, const Model& model,
                            const Hash& hash_at_seq, std::size_t keep);

struct ModelSnapshotterStats {
  std::atomic<std::uint64_t> snapshots_written{0};
  std::atomic<std::uint64_t> snapshot_failures{0};
  std::atomic<std::uint64_t> last_snapshot_seq{0};
  std::atomic<std::uint64_t> followed_seq{0};  // how far the follower has read the log
};

// The follower. Its batches stop at each snapshot point (every_events after the last
// snapshot), where it builds the model, writes it and drops it: the memory it holds between
// snapshots does not grow with the model.
class ModelSnapshotter : private LogSubscriber {
 public:
  // `log` and `store` must outlive the snapshotter. It starts following at the log's tail, and
  // counts the next snapshot point from the newest snapshot in the store.
  ModelSnapshotter(const EventLog& log, std::shared_ptr<SnapshotStore> store,
                   ModelSnapshotOptions options);
  ~ModelSnapshotter() override;
  ModelSnapshotter(const ModelSnapshotter&) = delete;
  ModelSnapshotter& operator=(const ModelSnapshotter&) = delete;

  void start();
  // Follows up to the log's tail as it is now, takes the shutdown snapshot (on_stop) and joins.
  // Call it after the writer has stopped, so that tail is the final one. Idempotent.
  void stop();

  const ModelSnapshotterStats& stats() const { return stats_; }
  // The last failure to read the log or write a snapshot, if any (the thread keeps going).
  std::string last_error() const;

 private:
  void run();
  // Where following starts (the log's tail) and the newest snapshot's seq. False (error
  // recorded) if the store cannot be listed.
  bool load_start();
  // The model at the log's tail (load_model), written and dropped, its memory returned.
  void take_snapshot();
  void build_and_write_snapshot();
  void record_error(const std::string& message);
  Seq next_snapshot_at() const;

  // LogSubscriber, on the snapshotter's thread.
  Seq applied() const override { return followed_; }
  Seq until() const override;
  Status apply(LogBatch batch) override;
  void checkpoint(Checkpoint when) override;
  void read_failed(const Status& error) override;

  const EventLog& log_;
  std::shared_ptr<SnapshotStore> store_;
  Seq followed_;  // the last committed seq the follower has read
  ModelSnapshotOptions options_;
  Seq last_snapshot_seq_;
  ModelSnapshotterStats stats_;
  LogSubscription subscription_;

  mutable std::mutex mutex_;  // guards last_error_
  std::string last_error_;
  std::thread thread_;
};

}  // namespace turno
