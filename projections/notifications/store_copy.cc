#include "store_copy.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "backup_copy.h"
#include "durable_rocksdb.h"

namespace turno::projections::notifications {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kCopyBatchBytesMax = 4 * 1024 * 1024;  // one WriteBatch of the copy
constexpr const char* kStores[] = {"settings", "outbox"};

Status rocks_error(const std::string& what, const rocksdb::Status& status) {
  return Status::io_error("notification stores: " + what + ": " + status.ToString());
}

// Every key of every column family of the store at `source` into a new store at `target`.
Result<std::uint64_t> copy_store(const std::string& source, const std::string& target) {
  rocksdb::Options options;
  make_durable(options);        // damage in the source fails the copy instead of shortening it
  options.max_open_files = -1;  // a secondary keeps its table files open (primary compactions)
  std::vector<std::string> names;
  rocksdb::Status status = rocksdb::DB::ListColumnFamilies(options, source, &names);
  if (!status.ok()) return rocks_error("list " + source, status);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  const std::string scratch = target + ".secondary";
  auto wals_before = backup_detail::wal_numbers(source);
  if (!wals_before.is_ok()) return wals_before.status();
  std::vector<rocksdb::ColumnFamilyHandle*> from_handles;
  rocksdb::DB* raw = nullptr;
  status = rocksdb::DB::OpenAsSecondary(options, source, scratch, families, &from_handles, &raw);
  if (!status.ok()) return rocks_error("open " + source, status);
  std::unique_ptr<rocksdb::DB> from(raw);
  // Complete as of a moment after the open, even when a flush raced it (engine/log/backup.h).
  if (Status settled =
          backup_detail::settle_secondary(*from, source, std::move(wals_before).value());
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
  if (status.ok()) {
    status = rocksdb::DB::Open(target_options, target, families, &to_handles, &raw_target);
  }
  std::unique_ptr<rocksdb::DB> to(raw_target);
  std::uint64_t keys = 0;
  for (std::size_t f = 0; status.ok() && f < families.size(); ++f) {
    std::unique_ptr<rocksdb::Iterator> it(
        from->NewIterator(rocksdb::ReadOptions(), from_handles[f]));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); status.ok() && it->Valid(); it->Next(), ++keys) {
      status = batch.Put(to_handles[f], it->key(), it->value());
      if (status.ok() && batch.GetDataSize() >= kCopyBatchBytesMax) {
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
  if (!status.ok()) return rocks_error("copy " + source + " to " + target, status);
  return keys;
}

}  // namespace

Result<StoreCopyReport> copy_notification_stores(const std::string& from, const std::string& to) {
  StoreCopyReport report;
  for (const char* store : kStores) {
    const std::string source = from + "/notifications/" + store;
    const std::string target = to + "/notifications/" + store;
    std::error_code error;
    if (!fs::exists(source + "/CURRENT", error)) continue;
    if (fs::exists(target, error)) {
      return Status::invalid_argument("notification stores: " + target + " exists already");
    }
    fs::create_directories(to + "/notifications", error);
    if (error)
      return Status::io_error("notification stores: create " + to + ": " + error.message());
    Result<std::uint64_t> keys = copy_store(source, target);
    if (!keys.is_ok()) return keys.status();
    (std::string(store) == "settings" ? report.settings_keys : report.outbox_keys) = keys.value();
    report.present = true;
  }
  return report;
}

Status refuse_damaged_store(const std::string& directory, const std::string& detail) {
  return Status::corruption(
      "notification store " + directory + " is damaged (" + detail +
      "). It holds what the log cannot rebuild (tenant settings, secrets and contacts; which "
      "messages went out), so Turno will not start on it. Stop, move it aside and restore "
      "DATA/notifications from the newest backup (turno restore --from BACKUP --data NEW, "
      "then copy NEW/notifications; ops/README.md, \"Damaged stores\").");
}

}  // namespace turno::projections::notifications
