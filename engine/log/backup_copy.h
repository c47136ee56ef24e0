// One attempt of take_backup (backup.h): a fresh secondary instance of the live log, copied
// family by family into a new database and checked on the way.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <set>
#include <string>

#include "backup.h"

namespace turno::backup_detail {

// Opens a secondary instance of the log in `data_directory` (its RocksDB info log goes to
// `secondary_directory`), copies the four column families into a new database created at
// `target_directory`, and checks the copy as backup.h describes. The returned manifest has
// every field but taken_at_ms. Status: invalid_argument when retrying cannot help (no log at
// `data_directory`); any other error is worth a retry from a fresh secondary.
// The WAL file numbers in a RocksDB `directory` ("000123.log" -> 123).
Result<std::set<std::uint64_t>> wal_numbers(const std::string& directory);

// Makes a secondary instance opened on `primary_directory` (whose WALs were
// `wals_before_open` just before the open) complete as of some moment after the open: catches
// up with the primary until a catch-up passes with no WAL switch. busy after too many switches.
Status settle_secondary(rocksdb::DB& secondary, const std::string& primary_directory,
                        std::set<std::uint64_t> wals_before_open);

// Every key of every column family of the RocksDB store at `source` (live or closed: read
// through a secondary instance in `target`.secondary, settled against WAL switches as the log
// is) into a new store at `target`, in WriteBatches of at most `batch_bytes_max`, its WAL
// synced and closed. Returns the keys copied. backup_stores.cc; the notification stores use it
// too (projections/notifications/store_copy.h).
Result<std::uint64_t> copy_store(const std::string& source, const std::string& target,
                                 std::size_t batch_bytes_max);

// The secrets store (secrets_store.h) of `from_directory` into `to_directory` (a data
// directory or a backup, either way), nothing when there is none; and its check, a read-only
// open (paranoid checks read every table file's checksums).
Status copy_secrets(const std::string& from_directory, const std::string& to_directory,
                    std::size_t batch_bytes_max);
Status check_secrets(const std::string& directory);

Result<BackupManifest> copy_log_once(const std::string& data_directory,
                                     const std::string& secondary_directory,
                                     const std::string& target_directory,
                                     const BackupOptions& options);

}  // namespace turno::backup_detail
