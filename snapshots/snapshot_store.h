// The snapshot store: an owner's state as bytes, tagged with the log seq it reflects, written
// atomically with a checksum; the newest valid one found again at start-up; old ones pruned.
// Owners (the write model, each view) turn their state into bytes themselves. Layout:
// snapshot_format.h.
//
// Threads: any number may read (list, read, load_newest) at any time; write() and prune() are
// called from one thread at a time (the owner's snapshotter).
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "status.h"
#include "types.h"

namespace turno {

struct SnapshotStoreOptions {
  // Opens without writing anything: tools that look at the store of a running owner. They
  // see the snapshots that existed when they opened it.
  bool read_only = false;
  // Each snapshot (and each prune) is on disk before it returns. Without: at clean close.
  bool sync = true;
};

class SnapshotStore {
 public:
  // Opens (creating when writable) the store in `directory`. A read-only open of a missing
  // store fails with a Status.
  static Result<std::unique_ptr<SnapshotStore>> open(const std::string& directory,
                                                     SnapshotStoreOptions options = {});
  // The same, for a store of derived state (views, write-model snapshots, checkpoints) that
  // the log can always rebuild: a store that is damaged (it does not open, or cannot be
  // listed) is moved aside to `directory`.damaged-N and a new empty one is opened in its
  // place, with a line in `warnings` saying so. The owner then rebuilds from the log. Not for
  // a read-only open, and not when the store is only busy (another process holds it).
  static Result<std::unique_ptr<SnapshotStore>> open_derived(const std::string& directory,
                                                             SnapshotStoreOptions options,
                                                             std::vector<std::string>& warnings);
  ~SnapshotStore();
  SnapshotStore(const SnapshotStore&) = delete;
  SnapshotStore& operator=(const SnapshotStore&) = delete;

  // Writes `payload` as the snapshot at `seq`, replacing any earlier one at the same seq.
  // Complete, and durable (with options.sync), when OK is returned. A crash at any point
  // leaves all of it or none. On error it is not durable (a restart will not see it).
  Status write(Seq seq, std::string_view payload);

  struct Snapshot {
    Seq seq;
    std::string payload;
  };
  // Problems met while looking for a valid snapshot: one line per skipped snapshot.
  using Report = std::vector<std::string>;

  // The snapshot at `seq`, checked against its manifest. kNotFound when there is none,
  // kCorruption when it fails validation, kIoError when it cannot be read.
  Result<Snapshot> read(Seq seq) const;

  // The newest snapshot that validates and has seq <= `at_most`, or none. Snapshots that fail
  // validation or cannot be read are skipped, each with a line in `report`, never returned.
  // An error only when the store cannot even be listed.
  Result<std::optional<Snapshot>> load_newest(Report& report, Seq at_most = Seq{UINT64_MAX}) const;

  // The seqs of all snapshots that have a manifest, ascending (valid or not).
  Result<std::vector<Seq>> list() const;

  // Deletes all but the `keep` newest snapshots (all of them for 0), with any stray chunks
  // below the oldest one kept, and compacts the deleted range so the space comes back.
  Status prune(std::size_t keep);

 private:
  SnapshotStore() = default;
  // Deletes every snapshot below `first_kept` (all of them for nullopt) and compacts.
  Status delete_below(std::optional<Seq> first_kept);

  std::unique_ptr<rocksdb::DB> db_;
  SnapshotStoreOptions options_;
};

}  // namespace turno
