#include "backup.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "backup_copy.h"
#include "data_layout.h"
#include "durable_file.h"
#include "event_log.h"
#include "log_anchor.h"
#include "sha256.h"

namespace turno {
namespace {

namespace fs = std::filesystem;

// RocksDB's own info logs: diagnostics of whoever wrote the copy, not part of the log.
bool is_info_log(const std::string& name) {
  return name == "LOG" || name.starts_with("LOG.old.");
}

Status fs_error(std::string_view what, const std::string& path, const std::error_code& error) {
  return Status::io_error("backup: " + std::string(what) + " " + path + ": " + error.message());
}

// A target must be new: a missing directory, or an empty one (a mount point, say).
Status require_fresh_target(const std::string& directory) {
  std::error_code error;
  if (!fs::exists(directory, error)) return Status::ok();
  if (!fs::is_directory(directory, error) || !fs::is_empty(directory, error)) {
    return Status::invalid_argument("backup: " + directory + " exists and is not empty");
  }
  return Status::ok();
}

std::string parent_of(const std::string& path) {
  const fs::path parent = fs::absolute(fs::path(path)).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Moves a finished `.partial` directory into place and makes the move durable.
Status publish(const std::string& partial, const std::string& directory) {
  std::error_code error;
  if (fs::exists(directory, error)) fs::remove(directory, error);  // empty, checked before
  fs::rename(partial, directory, error);
  if (error) return fs_error("rename to", directory, error);
  return sync_path(parent_of(directory));
}

std::string render_manifest(const BackupManifest& manifest) {
  std::ostringstream out;
  out << "format " << kBackupFormatVersion << "\n"
      << "log_id " << manifest.log_id << "\n"
      << "last_seq " << manifest.last_seq.value << "\n"
      << "last_hash " << manifest.last_hash_hex << "\n"
      << "events " << manifest.events << "\n"
      << "stream_entries " << manifest.stream_entries << "\n"
      << "outcomes " << manifest.outcomes << "\n"
      << "taken_at_ms " << manifest.taken_at_ms << "\n";
  return out.str();
}

Status write_manifest(const std::string& directory, const BackupManifest& manifest) {
  const std::string path = directory + "/" + std::string(kBackupManifestName);
  {
    std::ofstream out(path, std::ios::trunc);
    out << render_manifest(manifest);
    if (!out.flush()) return Status::io_error("backup: write " + path);
  }
  return sync_path(path);
}

Result<BackupManifest> read_manifest(const std::string& directory) {
  const std::string path = directory + "/" + std::string(kBackupManifestName);
  std::ifstream in(path);
  if (!in) return Status::invalid_argument("backup: no " + path + " (not a Turno backup)");
  std::map<std::string, std::string, std::less<>> fields;
  std::string key;
  std::string value;
  while (in >> key >> value) fields[key] = value;
  for (const char* required : {"format", "log_id", "last_seq", "last_hash", "events",
                               "stream_entries", "outcomes", "taken_at_ms"}) {
    if (!fields.contains(required))
      return Status::corruption("backup: " + path + " lacks " + required);
  }
  if (fields["format"] != kBackupFormatVersion) {
    return Status::invalid_argument("backup: " + path + " has format " + fields["format"]);
  }
  BackupManifest manifest;
  try {
    manifest.log_id = fields["log_id"];
    manifest.last_seq = Seq{std::stoull(fields["last_seq"])};
    manifest.last_hash_hex = fields["last_hash"];
    manifest.events = std::stoull(fields["events"]);
    manifest.stream_entries = std::stoull(fields["stream_entries"]);
    manifest.outcomes = std::stoull(fields["outcomes"]);
    manifest.taken_at_ms = std::stoll(fields["taken_at_ms"]);
  } catch (const std::exception&) {
    return Status::corruption("backup: " + path + " has a malformed number");
  }
  return manifest;
}

// Opens the log in `directory` read-only and walks its whole chain, every hash recomputed;
// the copy must also agree with `anchors`, the source's head anchors read before it was made.
Status verify_log_matches(const std::string& directory, const BackupManifest& manifest,
                          const std::vector<HeadAnchor>& anchors = {}) {
  LogOptions options;
  options.mode = LogOptions::Mode::kReadOnly;
  options.create_if_missing = false;
  auto log = EventLog::open(directory, options);
  if (!log.is_ok()) return log.status();
  if (log.value()->log_id() != manifest.log_id) {
    return Status::corruption("backup: " + directory + " holds log " + log.value()->log_id() +
                              ", the manifest names " + manifest.log_id);
  }
  LogCursor cursor = log.value()->read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
  std::uint64_t events = 0;
  Hash last{};
  while (cursor.next()) {
    ++events;
    last = cursor.record().hash;
  }
  if (!cursor.status().is_ok()) return cursor.status();
  if (events != manifest.events || log.value()->last_seq() != manifest.last_seq ||
      to_hex(last) != manifest.last_hash_hex) {
    return Status::corruption("backup: " + directory + " ends at seq " + std::to_string(events) +
                              " hash " + to_hex(last) + ", the manifest says seq " +
                              std::to_string(manifest.last_seq.value) + " hash " +
                              manifest.last_hash_hex);
  }
  const EventLog& copy = *log.value();
  return check_head_anchors(
      anchors, copy.log_id(), copy.last_seq(),
      [&copy](Seq seq) -> Result<Hash> {
        Result<LogRecord> record = copy.read_one(seq);
        if (!record.is_ok()) return record.status();
        return record.value().hash;
      },
      directory);
}

// The node's export signing key cannot be derived from the log: the backup carries it (mode
// 0600, a secret like the original), and restore copies it back with the log's files.
Status copy_signing_key(const std::string& data_directory, const std::string& partial) {
  const std::string key = data_layout::export_signing_key_path(data_directory);
  std::error_code error;
  if (!fs::exists(key, error)) return Status::ok();  // no export was ever signed
  const std::string target = data_layout::export_signing_key_path(partial);
  fs::copy_file(key, target, error);
  if (!error) fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write, error);
  if (error) return fs_error("copy to", target, error);
  return sync_path(target);
}

// One attempt: a fresh secondary, a fresh `.partial`, the copy, its check, its manifest.
Result<BackupManifest> attempt(const std::string& data_directory, const std::string& partial,
                               const std::string& secondary, const BackupOptions& options,
                               const std::vector<HeadAnchor>& anchors) {
  std::error_code error;
  fs::remove_all(partial, error);
  fs::remove_all(secondary, error);
  fs::create_directories(secondary, error);
  if (error) return fs_error("create", secondary, error);
  auto copied = backup_detail::copy_log_once(data_directory, secondary, partial, options);
  fs::remove_all(secondary, error);
  if (!copied.is_ok()) return copied.status();
  BackupManifest manifest = std::move(copied).value();
  manifest.taken_at_ms = options.now_ms;
  if (Status status = verify_log_matches(partial, manifest, anchors); !status.is_ok()) {
    return status;
  }
  if (Status status = write_manifest(partial, manifest); !status.is_ok()) return status;
  if (Status status = copy_signing_key(data_directory, partial); !status.is_ok()) return status;
  if (Status status =
          backup_detail::copy_secrets(data_directory, partial, options.copy_batch_bytes_max);
      !status.is_ok()) {
    return status;
  }
  if (Status status = sync_path(partial); !status.is_ok()) return status;
  return manifest;
}

// The backup saw the source at its head: that is one more witness that the source's log may
// never fall below (log_anchor.h).
Status anchor_backup_head(const std::string& data_directory, const BackupManifest& manifest) {
  HeadAnchor anchor;
  anchor.witness = std::string(kBackupWitness);
  anchor.log_id = manifest.log_id;
  anchor.seq = manifest.last_seq;
  const std::optional<Hash> hash = hash_from_hex(manifest.last_hash_hex);
  if (!hash) return Status::corruption("backup: manifest hash is not 64 hex characters");
  anchor.hash = *hash;
  anchor.written_at_ms = manifest.taken_at_ms;
  return write_head_anchor(data_directory, anchor);
}

}  // namespace

Result<BackupReport> take_backup(const std::string& data_directory,
                                 const std::string& backup_directory,
                                 const BackupOptions& options) {
  if (Status status = require_fresh_target(backup_directory); !status.is_ok()) return status;
  const std::string partial = backup_directory + ".partial";
  const std::string secondary = backup_directory + ".secondary";
  // Read before any copy: an anchor names a head that was durable before it was written.
  Result<std::vector<HeadAnchor>> anchors = read_head_anchors(data_directory);
  if (!anchors.is_ok()) return anchors.status();
  BackupReport report;
  while (report.attempts < options.attempts_max) {
    ++report.attempts;
    auto manifest = attempt(data_directory, partial, secondary, options, anchors.value());
    if (manifest.is_ok()) {
      if (Status status = publish(partial, backup_directory); !status.is_ok()) return status;
      report.manifest = std::move(manifest).value();
      if (Status status = anchor_backup_head(data_directory, report.manifest); !status.is_ok()) {
        return status;
      }
      return report;
    }
    const bool refused = manifest.status().code() == Status::Code::kCorruption &&
                         manifest.status().message().starts_with("log: ");
    if (manifest.status().code() == Status::Code::kInvalidArgument || refused) {
      std::error_code error;
      fs::remove_all(partial, error);
      return manifest.status();
    }
    report.retried.push_back(manifest.status().message());
    if (options.on_retry) options.on_retry(report.retried.back());
    std::this_thread::sleep_for(options.retry_pause);
  }
  std::error_code error;
  fs::remove_all(partial, error);
  const std::string why = report.retried.empty() ? "" : ": " + report.retried.back();
  return Status::io_error("backup: no consistent copy after " + std::to_string(report.attempts) +
                          " attempts" + why);
}

Result<BackupManifest> verify_backup(const std::string& backup_directory) {
  auto manifest = read_manifest(backup_directory);
  if (!manifest.is_ok()) return manifest.status();
  if (Status status = verify_log_matches(backup_directory, manifest.value()); !status.is_ok()) {
    return status;
  }
  if (Status status = backup_detail::check_secrets(backup_directory); !status.is_ok()) {
    return status;
  }
  return manifest;
}

// Copies the backup's files (not RocksDB's info logs) into `partial`, each fsynced.
static Status copy_backup_files(const std::string& backup_directory, const std::string& partial) {
  std::error_code error;
  fs::create_directories(partial, error);
  if (error) return fs_error("create", partial, error);
  for (const auto& entry : fs::directory_iterator(backup_directory, error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || is_info_log(name)) continue;
    const std::string target = partial + "/" + name;
    fs::copy_file(entry.path(), target, error);
    if (error) return fs_error("copy to", target, error);
    if (Status status = sync_path(target); !status.is_ok()) return status;
  }
  if (error) return fs_error("list", backup_directory, error);
  return sync_path(partial);
}

Result<BackupManifest> restore_backup(const std::string& backup_directory,
                                      const std::string& data_directory) {
  if (Status status = require_fresh_target(data_directory); !status.is_ok()) return status;
  auto manifest = verify_backup(backup_directory);
  if (!manifest.is_ok()) return manifest.status();
  const std::string partial = data_directory + ".partial";
  std::error_code error;
  fs::remove_all(partial, error);
  Status status = copy_backup_files(backup_directory, partial);
  if (status.is_ok()) {
    status = backup_detail::copy_secrets(backup_directory, partial,
                                         BackupOptions().copy_batch_bytes_max);
  }
  if (status.is_ok()) status = verify_log_matches(partial, manifest.value());
  if (status.is_ok()) status = backup_detail::check_secrets(partial);
  if (status.is_ok()) status = publish(partial, data_directory);
  if (!status.is_ok()) {
    fs::remove_all(partial, error);
    return status;
  }
  return manifest;
}

}  // namespace turno
