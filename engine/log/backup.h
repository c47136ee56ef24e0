// Online backup and restore of the event log (`turno backup`, `turno restore`).
//
// Why a secondary instance and a logical copy. `turno serve` holds the log's RocksDB lock, so
// a separate process may not open it read-write, and RocksDB's Checkpoint and BackupEngine
// need the owning DB handle (they pin files with DisableFileDeletions inside that process). A
// read-only open of a live DB is documented as undefined behaviour. A *secondary* instance
// (DB::OpenAsSecondary) is RocksDB's supported way for another process to read a live DB: it
// replays the primary's MANIFEST and then its WAL files, and a WAL record is one whole
// WriteBatch, i.e. one group commit with its events, stream index entries and idempotency
// outcomes. So the secondary's state is the log as of a group-commit boundary, and it holds
// every WAL record that was in the WAL files when it opened: every command acknowledged before
// the backup began (acknowledged = its batch fsynced to the WAL). With max_open_files = -1 it
// keeps every table file it uses open, so the primary's compactions cannot pull them away.
//
// The one race RocksDB documents: if the primary finishes a flush and deletes the WAL it
// replaced while the secondary is between reading the MANIFEST and opening that WAL, the
// secondary silently lacks that WAL's records. take_backup() closes it: it lists the WAL files
// before and after the open, and when they differ (a WAL deleted or created in that window) it
// has the secondary catch up with the primary (TryCatchUpWithPrimary: the MANIFEST names the
// table file the vanished WAL was flushed into) until a catch-up passes with no WAL switch —
// under a heavy write load a fresh open may never win that race, a catch-up soon does. Each copy is
// also checked end to end before it is kept — events contiguous from 1 with every SHA-256 link
// recomputed; the stream index holding exactly one entry per event and the accepted commands'
// outcomes covering exactly the events (compared as order-independent digests of (key, seq) pairs,
// so a family that lags or runs ahead of the events shows) — and any failure retries from a fresh
// secondary, up to BackupOptions::attempts_max.
//
// A backup directory is itself a log directory (a RocksDB database with the log's four column
// families, written by this process, flushed and closed) plus the manifest below; restore
// copies it into a fresh data directory and verifies it there. Write-model snapshots and views
// are not copied: they are rebuilt from the log. The export signing key is
// (data_layout::export_signing_key_path, mode 0600): it is not derivable, and so is the secrets
// store (data_layout::secrets_directory, secrets_store.h), copied through a secondary instance
// of its own with the same WAL-switch rule (backup_copy.h copy_store), and checked by a
// read-only open in verify and restore.
//
//   BACKUP/TURNO_BACKUP   text, one "key value" per line:
//     format 1
//     log_id <32 hex>            the source log's id (NATS message ids stay the same)
//     last_seq <decimal>         the copy's tail
//     last_hash <64 hex>         hash(last_seq)
//     events <decimal>           == last_seq
//     stream_entries <decimal>   == events
//     outcomes <decimal>         idempotency outcomes copied (accepted and rejected commands)
//     taken_at_ms <decimal>      Unix ms UTC when the backup began (BackupOptions::now_ms)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "status.h"
#include "types.h"

namespace turno {

inline constexpr std::string_view kBackupManifestName = "TURNO_BACKUP";
inline constexpr std::string_view kBackupFormatVersion = "1";

struct BackupManifest {
  std::string log_id;
  Seq last_seq;
  std::string last_hash_hex;  // hash(last_seq), 64 lowercase hex characters
  std::uint64_t events = 0;
  std::uint64_t stream_entries = 0;
  std::uint64_t outcomes = 0;
  std::int64_t taken_at_ms = 0;
};

struct BackupOptions {
  // Fresh secondaries tried before giving up (each after a detected race or failed check).
  std::size_t attempts_max = 8;
  // Records written to the copy per WriteBatch (bounds the tool's memory).
  std::size_t copy_batch_bytes_max = 4u << 20;
  std::chrono::milliseconds retry_pause{50};
  // Unix ms UTC, for the manifest; the caller's clock (the engine reads no wall clock).
  std::int64_t now_ms = 0;
  // Told why each failed attempt is retried (the CLI prints it); may be empty.
  std::function<void(const std::string& why)> on_retry;
};

struct BackupReport {
  BackupManifest manifest;
  std::size_t attempts = 0;
  std::vector<std::string> retried;  // why each failed attempt was retried, in order
};

// Copies the log in `data_directory` (live or stopped) into `backup_directory`, which must
// not exist or be empty, as described above. The copy is built in `backup_directory`.partial
// and renamed into place only after it verified; on error nothing is left at
// `backup_directory`. invalid_argument for a target in use or a source that is no log.
Result<BackupReport> take_backup(const std::string& data_directory,
                                 const std::string& backup_directory, const BackupOptions& options);

// Checks a backup without changing it: the manifest parses, the log opens read-only, its
// whole chain verifies (every hash recomputed) and its tail and counts match the manifest.
Result<BackupManifest> verify_backup(const std::string& backup_directory);

// Verifies `backup_directory`, copies it into `data_directory` (which must not exist or be
// empty; built in `data_directory`.partial, fsynced, then renamed), and verifies the restored
// copy the same way. `turno serve --data data_directory` then starts from it.
Result<BackupManifest> restore_backup(const std::string& backup_directory,
                                      const std::string& data_directory);

}  // namespace turno
