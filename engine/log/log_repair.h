// `turno repair`: rebuilds a damaged or shortened event log from the copies that exist.
//
// The log is the truth, so repair never invents, drops or reorders an event. It
//  1. salvages the longest prefix of the local log that still reads and verifies (RocksDB's
//     point-in-time WAL recovery, read-only; every hash recomputed), with its idempotency
//     outcomes;
//  2. extends it from each source in turn (a backup, the JetStream stream), taking only records
//     that are the next seq and chain onto the tail, their hashes recomputed: a source that
//     forked from the local history is refused, not merged;
//  3. requires the result to reach every head anchor (log_anchor.h) with the anchored hashes —
//     otherwise acknowledged events are still missing and nothing is changed;
//  4. builds the repaired log beside the damaged one, verifies it end to end, and only then
//     swaps it in, keeping the damaged RocksDB files in DIR/damaged-<ms>/ for the post-mortem.
// The node must be stopped (repair takes the log's lock). A later open refuses nothing the
// repair accepted: the repaired log verifies and agrees with every anchor.
//
// Outcomes of restored commands: a backup carries them; the stream carries events only, so for
// commands known only from the stream an outcome is rebuilt from their events (first..last
// seq, recorded_at) with an empty fingerprint — a retry with the same key then gets the
// stored answer without the check that the request was the same.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "event_log.h"
#include "status.h"
#include "types.h"

namespace turno {

// A copy of the log's events: a backup, the JetStream stream.
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // For messages: "backup /srv/backups/b1", "JetStream TURNO_EVENTS at nats://…".
  virtual std::string describe() const = 0;
  // The log this source is a copy of, when it knows (a backup does).
  virtual std::optional<std::string> log_id() const { return std::nullopt; }
  // Up to `count_max` records of log `log_id`, seq `from` onwards, in seq order; fewer at the
  // end of what the source has, and none past a gap in it. Records need not carry their hash.
  virtual Result<std::vector<LogRecord>> read(const std::string& log_id, Seq from,
                                              std::size_t count_max) = 0;
  // The idempotency outcomes the source holds (a backup: all of its log's); none by default.
  virtual Status for_each_outcome(
      const std::function<Status(std::string_view key, const v1::CommandOutcome&)>& visit) {
    (void)visit;
    return Status::ok();
  }
};

// A backup directory (backup.h) as a source; opened read-only and verified as it is read.
Result<std::unique_ptr<RecordSource>> backup_record_source(const std::string& backup_directory);

struct RepairOptions {
  std::size_t batch_records_max = 1000;  // records read from a source and committed at once
  std::int64_t now_ms = 0;               // names the damaged-<ms> folder
  // Told what repair is doing (the CLI prints it); may be empty.
  std::function<void(const std::string& line)> on_progress;
};

struct RepairReport {
  std::string log_id;
  Seq salvaged_to;  // the local log's readable, verified prefix: seq 1..salvaged_to
  Seq restored_to;  // the repaired log's tail
  std::vector<std::pair<std::string, Seq>> restored_from;  // source, last seq taken from it
  std::uint64_t outcomes_kept = 0;                         // from the local log and the sources
  std::uint64_t outcomes_rebuilt = 0;  // from restored events (no source had them)
  std::string damaged_directory;       // where the replaced files went; empty if none
  bool changed = false;                // false: the log was whole, nothing was done
};

// Repairs the log in `log_directory` from `sources`, as described above.
Result<RepairReport> repair_log(const std::string& log_directory,
                                const std::vector<RecordSource*>& sources,
                                const RepairOptions& options);

}  // namespace turno
