// Backup and restore of the notification stores (`turno backup`, `turno restore`). The event
// log's backup (engine/log/backup.h) does not hold them, and they cannot be rebuilt from events:
// the settings store has each tenant's channels, secrets and contacts, and the outbox records
// which messages went out (without it a restored node could send again every message that is
// still useful). The view is not copied: it is rebuilt from the log.
//
// Each store is copied like the log, through a RocksDB secondary instance, so `turno serve` may
// keep running: every key of every column family as of the newest write the secondary replayed.
// The two stores are copied one after the other, each consistent in itself.
//
//   DATA/notifications/{settings,outbox}  ->  BACKUP/notifications/{settings,outbox}  (backup)
//   BACKUP/notifications/{settings,outbox}  ->  DATA/notifications/{settings,outbox}  (restore)
#pragma once

#include <cstdint>
#include <string>

#include "status.h"

namespace turno::projections::notifications {

struct StoreCopyReport {
  std::uint64_t settings_keys = 0;
  std::uint64_t outbox_keys = 0;
  bool present = false;  // false: the source had no notification stores (nothing copied)
};

// Copies the stores under `from_data`/notifications (a live or closed data directory, or a
// backup) into `to`/notifications, which must not hold them yet. A store that does not exist
// is skipped.
Result<StoreCopyReport> copy_notification_stores(const std::string& from, const std::string& to);

// The error for a notification store found damaged at open (corruption): not derivable, so it
// is never rebuilt or served partly; the message names the store and how to restore it.
Status refuse_damaged_store(const std::string& directory, const std::string& detail);

}  // namespace turno::projections::notifications
