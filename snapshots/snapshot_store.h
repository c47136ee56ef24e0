// The snapshot store: an owner's state as bytes, tagged with the log seq it reflects, written
// atomically with a checksum; the newest valid one found again at start-up; old ones pruned.
// Owners (the write model, each view) turn their state into bytes themselves.
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
  bool read_only = false;
  bool sync = true;  // fdatasync each snapshot before write() returns
};

class SnapshotStore {
 public:
  // Opens (creating when writable) the store in `directory`.
  static Result<std::unique_ptr<SnapshotStore>> open(const std::string& directory,
                                                     SnapshotStoreOptions options = {});
  ~SnapshotStore();
  SnapshotStore(const SnapshotStore&) = delete;
  SnapshotStore& operator=(const SnapshotStore&) = delete;

  // Writes `payload` as the snapshot at `seq`, replacing any earlier one at the same seq.
  // Durable and complete when OK is returned; on error nothing of it is visible.
  Status write(Seq seq, std::string_view payload);

  struct Snapshot {
    Seq seq;
    std::string payload;
  };
  // Problems met while looking for a valid snapshot: one line per skipped snapshot.
  using Report = std::vector<std::string>;

  // The newest snapshot that validates and has seq <= `at_most`, or none. Snapshots that fail
  // validation are skipped, each with a line in `report`, never returned.
  Result<std::optional<Snapshot>> load_newest(Report& report,
                                              Seq at_most = Seq{UINT64_MAX}) const;

  // The seqs of all snapshots that have a manifest, ascending (valid or not).
  Result<std::vector<Seq>> list() const;

  // Deletes all but the `keep` newest snapshots.
  Status prune(std::size_t keep);

 private:
  SnapshotStore() = default;
  Result<Snapshot> read(Seq seq) const;

  std::unique_ptr<rocksdb::DB> db_;
  SnapshotStoreOptions options_;
};

}  // namespace turno
