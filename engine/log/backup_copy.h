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

// The secrets store (secrets_store.h, backup_secrets.cc): copied from `data_directory` into
// `target_directory` through a secondary instance under `secondary_directory` (nothing to do
// when the node never kept a secret); checked by a read-only open; copied back file by file.
Status copy_secrets(const std::string& data_directory, const std::string& secondary_directory,
                    const std::string& target_directory, const BackupOptions& options);
Status check_secrets(const std::string& directory);
Status copy_secret_files(const std::string& backup_directory, const std::string& partial);

Result<BackupManifest> copy_log_once(const std::string& data_directory,
                                     const std::string& secondary_directory,
                                     const std::string& target_directory,
                                     const BackupOptions& options);

}  // namespace turno::backup_detail
