// Stores beside the log that backups carry because the log cannot rebuild them: a generic copy
// of a RocksDB store through a secondary instance (the notification stores use it too,
// projections/notifications/store_copy.h), and the secrets store (secrets_store.h) in take_backup,
// verify_backup and restore_backup.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "backup_copy.h"
#include "data_layout.h"
#include "durable_rocksdb.h"
#include "secrets_store.h"

namespace turno::backup_detail {
namespace fs = std::filesystem;
namespace {

Status store_error(const std::string& what, const rocksdb::Status& status) {
  return Status::io_error("copy store: " + what + ": " + status.ToString());
}

}  // namespace

Result<std::uint64_t> copy_store(const std::string& source, const std::string& target,
                                 std::size_t batch_bytes_max) {
  rocksdb::Options options;
  make_durable(options);        // damage in the source fails the copy instead of shortening it
  options.max_open_files = -1;  // a secondary keeps its table files open (primary compactions)
  std::vector<std::string> names;
  rocksdb::Status status = rocksdb::DB::ListColumnFamilies(options, source, &names);
  if (!status.ok()) return store_error("list " + source, status);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  const std::string scratch = target + ".secondary";
  auto wals_before = wal_numbers(source);
  if (!wals_before.is_ok()) return wals_before.status();
  std::vector<rocksdb::ColumnFamilyHandle*> from_handles;
  rocksdb::DB* raw = nullptr;
  status = rocksdb::DB::OpenAsSecondary(options, source, scratch, families, &from_handles, &raw);
  if (!status.ok()) return store_error("open " + source, status);
  std::unique_ptr<rocksdb::DB> from(raw);
  // Complete as of a moment after the open, even when a flush raced it (backup.h).
  if (Status settled = settle_secondary(*from, source, std::move(wals_before).value());
      !settled.is_ok()) {
    for (auto* handle : from_handles) from->DestroyColumnFamilyHandle(handle);
    from.reset();
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    return settled;
  }

  rocksdb::Options target_options;
  target_options.create_if_missing = true;
  target_options.error_if_exists = true;
  target_options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyHandle*> to_handles;
  rocksdb::DB* raw_target = nullptr;
  status = rocksdb::DB::Open(target_options, target, families, &to_handles, &raw_target);
  std::unique_ptr<rocksdb::DB> to(raw_target);
  std::uint64_t keys = 0;
  for (std::size_t f = 0; status.ok() && f < families.size(); ++f) {
    std::unique_ptr<rocksdb::Iterator> it(
        from->NewIterator(rocksdb::ReadOptions(), from_handles[f]));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); status.ok() && it->Valid(); it->Next(), ++keys) {
      status = batch.Put(to_handles[f], it->key(), it->value());
      if (status.ok() && batch.GetDataSize() >= batch_bytes_max) {
        status = to->Write(rocksdb::WriteOptions(), &batch);
        batch.Clear();
      }
    }
    if (status.ok()) status = it->status();
    if (status.ok()) status = to->Write(rocksdb::WriteOptions(), &batch);
  }
  if (status.ok() && to) status = to->FlushWAL(true);
  for (auto* handle : to_handles) to->DestroyColumnFamilyHandle(handle);
  for (auto* handle : from_handles) from->DestroyColumnFamilyHandle(handle);
  if (to && status.ok()) status = to->Close();
  from.reset();
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  if (!status.ok()) return store_error("copy " + source + " to " + target, status);
  return keys;
}

Status copy_secrets(const std::string& from_directory, const std::string& to_directory,
                    std::size_t batch_bytes_max) {
  const std::string source = data_layout::secrets_directory(from_directory);
  std::error_code error;
  if (!fs::exists(source + "/CURRENT", error)) return Status::ok();  // never kept a secret
  Result<std::uint64_t> keys =
      copy_store(source, data_layout::secrets_directory(to_directory), batch_bytes_max);
  return keys.status();
}

Status check_secrets(const std::string& directory) {
  const std::string secrets = data_layout::secrets_directory(directory);
  std::error_code error;
  if (!fs::exists(secrets, error)) return Status::ok();
  return SecretsStore::open(secrets, /*read_only=*/true).status();
}

}  // namespace turno::backup_detail
