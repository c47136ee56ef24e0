// How every RocksDB database of Turno's is opened so that damage is seen, not served.
//
// RocksDB's default WAL recovery (kPointInTimeRecovery) stops replaying at the first bad
// record and opens without a word: one flipped byte in the middle of a WAL silently drops
// every write after it, acknowledged or not. Turno's stores use kTolerateCorruptedTailRecords
// instead: an incomplete record at the very end of the last WAL is dropped (it is a write
// whose fsync never returned, so nothing was acknowledged on it), and any other damage — a
// checksum mismatch anywhere, a record cut in the middle — fails the open with Corruption.
// kAbsoluteConsistency would also refuse that torn tail, so every power cut during a write
// would need an operator; the event log's head anchors (log_anchor.h) catch what the tail
// rule could hide. Paranoid checks verify table files and the MANIFEST at open, and the
// MANIFEST tracks the synced size of every closed WAL, so a missing or shortened WAL is an
// error too. A clean close flushes the memtables first (flush_before_close), so after a clean
// stop no WAL is the only copy of anything.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace turno {

// A RocksDB status as Turno's, prefixed with what was being done.
inline Status from_rocksdb(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return Status::ok();
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsNotFound()) return Status::not_found(std::move(message));
  if (status.IsCorruption()) return Status::corruption(std::move(message));
  if (status.IsBusy() || status.IsTryAgain()) return Status::busy(std::move(message));
  if (status.IsInvalidArgument()) return Status::invalid_argument(std::move(message));
  return Status::io_error(std::move(message));
}

inline void make_durable(rocksdb::DBOptions& options) {
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  options.paranoid_checks = true;
  options.track_and_verify_wals_in_manifest = true;
}

// Flushes every memtable of `families` (all of the database's when empty) to table files and
// waits, so the WAL holds nothing that is not also in a table file. Call before a clean close.
inline rocksdb::Status flush_before_close(
    rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families = {}) {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  flush.allow_write_stall = true;
  if (families.empty()) return db.Flush(flush);
  return db.Flush(flush, families);
}

}  // namespace turno
