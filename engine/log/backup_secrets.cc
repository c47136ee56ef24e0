// The secrets store in a backup (secrets_store.h): copied through a secondary instance with the
// same WAL-switch rule as the log (backup_copy.cc settle_secondary), checked by a read-only
// open (paranoid checks read every table file's checksums), and copied back by restore.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

#include "backup_copy.h"
#include "data_layout.h"
#include "durable_file.h"
#include "durable_rocksdb.h"
#include "secrets_store.h"

namespace turno::backup_detail {
namespace fs = std::filesystem;
namespace {

Result<std::unique_ptr<rocksdb::DB>> open_secrets_secondary(const std::string& source,
                                                            const std::string& secondary) {
  auto wals_before = wal_numbers(source);
  if (!wals_before.is_ok()) return wals_before.status();
  rocksdb::Options options;
  make_durable(options);
  options.create_if_missing = false;
  options.max_open_files = -1;  // a compaction in the primary cannot take files away
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status status = rocksdb::DB::OpenAsSecondary(options, source, secondary, &raw);
  if (!status.ok()) return from_rocksdb(status, "backup: open the secrets store " + source);
  std::unique_ptr<rocksdb::DB> db(raw);
  if (Status settled = settle_secondary(*db, source, std::move(wals_before).value());
      !settled.is_ok()) {
    return settled;
  }
  return db;
}

}  // namespace

Status copy_secrets(const std::string& data_directory, const std::string& secondary_directory,
                    const std::string& target_directory, const BackupOptions& options) {
  const std::string source = data_layout::secrets_directory(data_directory);
  std::error_code error;
  if (!fs::exists(source, error)) return Status::ok();  // no secret was ever kept
  auto secondary = open_secrets_secondary(source, secondary_directory + "/secrets");
  if (!secondary.is_ok()) return secondary.status();
  const std::string target = data_layout::secrets_directory(target_directory);
  rocksdb::Options target_options;
  make_durable(target_options);
  target_options.create_if_missing = true;
  target_options.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(target_options, target, &raw);
  if (!status.ok()) return from_rocksdb(status, "backup: create " + target);
  std::unique_ptr<rocksdb::DB> copy(raw);
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(secondary.value()->NewIterator(read));
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); status.ok() && it->Valid(); it->Next()) {
    status = batch.Put(it->key(), it->value());
    if (status.ok() && batch.GetDataSize() >= options.copy_batch_bytes_max) {
      status = copy->Write(rocksdb::WriteOptions(), &batch);
      batch.Clear();
    }
  }
  if (status.ok()) status = it->status();
  if (status.ok()) status = copy->Write(rocksdb::WriteOptions(), &batch);
  if (status.ok()) status = flush_before_close(*copy);
  if (status.ok()) status = copy->Close();
  if (!status.ok()) return from_rocksdb(status, "backup: copy the secrets store");
  return sync_path(target);
}

Status check_secrets(const std::string& directory) {
  const std::string secrets = data_layout::secrets_directory(directory);
  std::error_code error;
  if (!fs::exists(secrets, error)) return Status::ok();
  auto store = SecretsStore::open(secrets, /*read_only=*/true);
  return store.status();
}

Status copy_secret_files(const std::string& backup_directory, const std::string& partial) {
  const std::string source = data_layout::secrets_directory(backup_directory);
  std::error_code error;
  if (!fs::exists(source, error)) return Status::ok();
  const std::string target = data_layout::secrets_directory(partial);
  fs::create_directories(target, error);
  if (error) return Status::io_error("restore: create " + target + ": " + error.message());
  for (const auto& entry : fs::directory_iterator(source, error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.starts_with("LOG")) continue;  // not RocksDB's info logs
    const std::string copied = target + "/" + name;
    fs::copy_file(entry.path(), copied, error);
    if (error) return Status::io_error("restore: copy to " + copied + ": " + error.message());
    if (Status status = sync_path(copied); !status.is_ok()) return status;
  }
  if (error) return Status::io_error("restore: list " + source + ": " + error.message());
  return sync_path(target);
}

}  // namespace turno::backup_detail
