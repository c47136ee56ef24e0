// One attempt of take_backup (backup.h): a fresh secondary instance of the live log, copied
// family by family into a new database and checked on the way.
#pragma once

#include <string>

#include "backup.h"

namespace turno::backup_detail {

// Opens a secondary instance of the log in `data_directory` (its RocksDB info log goes to
// `secondary_directory`), copies the four column families into a new database created at
// `target_directory`, and checks the copy as backup.h describes. The returned manifest has
// every field but taken_at_ms. Status: invalid_argument when retrying cannot help (no log at
// `data_directory`); any other error is worth a retry from a fresh secondary.
Result<BackupManifest> copy_log_once(const std::string& data_directory,
                                     const std::string& secondary_directory,
                                     const std::string& target_directory,
                                     const BackupOptions& options);

}  // namespace turno::backup_detail
