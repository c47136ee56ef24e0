#include "secrets_store.h"

#include <rocksdb/db.h>

#include "durable_rocksdb.h"

namespace turno {
namespace {

rocksdb::Slice slice(std::string_view text) {
  return {text.data(), text.size()};
}

rocksdb::WriteOptions synced() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

rocksdb::ReadOptions checked() {
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  return options;
}

}  // namespace

Result<std::unique_ptr<SecretsStore>> SecretsStore::open(const std::string& directory,
                                                         bool read_only) {
  rocksdb::Options options;
  make_durable(options);
  options.create_if_missing = !read_only;
  options.max_background_jobs = 1;
  options.write_buffer_size = 4u << 20;  // small values, few writes
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status status = read_only ? rocksdb::DB::OpenForReadOnly(options, directory, &raw)
                                           : rocksdb::DB::Open(options, directory, &raw);
  if (!status.ok()) return from_rocksdb(status, "secrets: open " + directory);
  std::unique_ptr<SecretsStore> store(new SecretsStore());
  store->db_.reset(raw);
  store->read_only_ = read_only;
  return store;
}

SecretsStore::~SecretsStore() {
  if (!db_) return;
  if (!read_only_) flush_before_close(*db_).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

Status SecretsStore::put(std::string_view key, std::string_view value) {
  if (read_only_) return Status::invalid_argument("secrets: the store is read-only");
  if (key.empty() || key.size() > kSecretKeyBytesMax) {
    return Status::invalid_argument("secrets: a key is 1 to " + std::to_string(kSecretKeyBytesMax) +
                                    " bytes");
  }
  if (value.size() > kSecretValueBytesMax) {
    return Status::invalid_argument("secrets: a value is at most " +
                                    std::to_string(kSecretValueBytesMax) + " bytes");
  }
  return from_rocksdb(db_->Put(synced(), slice(key), slice(value)), "secrets: write");
}

Status SecretsStore::erase(std::string_view key) {
  if (read_only_) return Status::invalid_argument("secrets: the store is read-only");
  return from_rocksdb(db_->Delete(synced(), slice(key)), "secrets: erase");
}

Result<std::optional<std::string>> SecretsStore::get(std::string_view key) const {
  std::string value;
  const rocksdb::Status status = db_->Get(checked(), slice(key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return from_rocksdb(status, "secrets: read");
  return std::optional<std::string>(std::move(value));
}

Status SecretsStore::scan(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> iterator(db_->NewIterator(checked()));
  std::size_t visited = 0;
  for (iterator->Seek(slice(prefix)); iterator->Valid(); iterator->Next()) {
    const rocksdb::Slice key = iterator->key();
    if (!key.starts_with(slice(prefix))) break;
    if (++visited > kSecretScanMax) {
      return Status::invalid_argument("secrets: more than " + std::to_string(kSecretScanMax) +
                                      " entries under one prefix");
    }
    const rocksdb::Slice value = iterator->value();
    if (!visit({key.data(), key.size()}, {value.data(), value.size()})) break;
  }
  return from_rocksdb(iterator->status(), "secrets: scan");
}

}  // namespace turno
