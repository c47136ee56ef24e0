#include "backup_copy.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>

#include "commands.pb.h"
#include "durable_rocksdb.h"
#include "events.pb.h"
#include "log_format.h"
#include "sha256.h"

namespace turno::backup_detail {
namespace {

namespace fs = std::filesystem;

// The log's column families (log_format.h), in the order of every handle vector below.
enum Family : std::size_t { kDefault = 0, kEvents = 1, kStreams = 2, kOutcomes = 3 };
constexpr std::array<std::string_view, 4> kFamilyNames = {
    "default", log_format::kEventsFamily, log_format::kStreamsFamily, log_format::kOutcomesFamily};

Status failed(const rocksdb::Status& status, std::string_view what) {
  return Status::io_error("backup: " + std::string(what) + ": " + status.ToString());
}

// Default options on purpose: the copy walks whole families in key order, which needs none of
// the log's prefix extractors or hashed memtables. Table files written with the log's options
// stay readable (their prefix filters are just not consulted), and the log opens the copy with
// its own options later.
std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors() {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (std::string_view name : kFamilyNames)
    out.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
  return out;
}

// A database opened with the log's four families; destroys the handles before the database.
class FamilyDb {
 public:
  FamilyDb(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(db), handles_(std::move(handles)) {}
  FamilyDb(const FamilyDb&) = delete;
  FamilyDb& operator=(const FamilyDb&) = delete;
  ~FamilyDb() { close().ignore(); }

  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* family(Family which) const { return handles_[which]; }

  Status close() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    handles_.clear();
    if (!db_) return Status::ok();
    const rocksdb::Status status = db_->Close();
    db_.reset();
    return status.ok() ? Status::ok() : failed(status, "close");
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

Result<std::unique_ptr<FamilyDb>> open_secondary(const std::string& data_directory,
                                                 const std::string& secondary_directory) {
  rocksdb::DBOptions options;
  make_durable(options);  // the same WAL rules as every open of the log (durable_rocksdb.h)
  options.create_if_missing = false;
  // Every table file is opened once, at open, and stays open: a compaction in the primary can
  // then unlink files without taking them from under this copy.
  options.max_open_files = -1;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::OpenAsSecondary(
      options, data_directory, secondary_directory, family_descriptors(), &handles, &db);
  if (!status.ok()) return failed(status, "open a secondary instance of " + data_directory);
  return std::make_unique<FamilyDb>(db, std::move(handles));
}

Result<std::unique_ptr<FamilyDb>> create_target(const std::string& directory) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.error_if_exists = true;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status =
      rocksdb::DB::Open(options, directory, family_descriptors(), &handles, &db);
  if (!status.ok()) return failed(status, "create " + directory);
  return std::make_unique<FamilyDb>(db, std::move(handles));
}

// Puts into the target in WriteBatches of bounded size, without a WAL: the copy is flushed,
// closed and verified before anything trusts it.
class CopyWriter {
 public:
  CopyWriter(FamilyDb& target, std::size_t batch_bytes_max)
      : target_(target), batch_bytes_max_(batch_bytes_max) {
    write_options_.disableWAL = true;
  }

  Status put(Family family, const rocksdb::Slice& key, const rocksdb::Slice& value) {
    if (!batch_.Put(target_.family(family), key, value).ok()) {
      return Status::io_error("backup: stage a record");
    }
    return batch_.GetDataSize() >= batch_bytes_max_ ? write() : Status::ok();
  }

  // Writes what is staged and flushes every family to table files.
  Status finish() {
    if (Status status = write(); !status.is_ok()) return status;
    rocksdb::FlushOptions flush;
    flush.wait = true;
    for (std::size_t family = 0; family < kFamilyNames.size(); ++family) {
      const rocksdb::Status status =
          target_.db().Flush(flush, target_.family(static_cast<Family>(family)));
      if (!status.ok()) return failed(status, "flush the copy");
    }
    return Status::ok();
  }

 private:
  Status write() {
    if (batch_.Count() == 0) return Status::ok();
    const rocksdb::Status status = target_.db().Write(write_options_, &batch_);
    batch_.Clear();
    return status.ok() ? Status::ok() : failed(status, "write the copy");
  }

  FamilyDb& target_;
  std::size_t batch_bytes_max_;
  rocksdb::WriteOptions write_options_;
  rocksdb::WriteBatch batch_;
};

std::string_view view_of(const rocksdb::Slice& slice) {
  return {slice.data(), slice.size()};
}

Status mismatch(Seq seq, std::string_view what) {
  return Status::corruption("backup: seq " + std::to_string(seq.value) + ": " + std::string(what));
}

// An order-independent digest of a set of (key, seq) pairs: the sum of one 64-bit mix per pair,
// and the count. The events family and an index family that hold the same pairs have equal
// digests; a family that lags or runs ahead of the events (backup.h) does not, except with
// probability about 2^-64. Both sides are computed in this process, so std::hash is stable.
struct PairDigest {
  std::uint64_t sum = 0;
  std::uint64_t count = 0;

  void add(std::string_view key, std::uint64_t seq) {
    std::uint64_t mixed = std::hash<std::string_view>{}(key) ^ (seq * 0x9e3779b97f4a7c15ULL);
    mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;  // splitmix64's finalizer
    mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
    sum += mixed ^ (mixed >> 31);
    ++count;
  }
  bool operator==(const PairDigest&) const = default;
};

// What the events say the index families must hold: each event's stream index entry
// (stream key -> its seq) and its command's outcome covering its seq.
struct ExpectedIndexes {
  PairDigest streams;
  PairDigest outcomes;
};

// Events from seq 1, contiguous, each decoded and its SHA-256 link recomputed.
Status copy_events(FamilyDb& source, CopyWriter& out, BackupManifest& manifest,
                   ExpectedIndexes& expected_indexes) {
  std::unique_ptr<rocksdb::Iterator> it(
      source.db().NewIterator(rocksdb::ReadOptions(), source.family(kEvents)));
  Seq expected{1};
  Hash previous{};
  v1::Envelope envelope;
  for (it->SeekToFirst(); it->Valid(); it->Next(), expected = expected.next()) {
    const std::string_view key = view_of(it->key());
    const std::string_view value = view_of(it->value());
    if (key.size() != log_format::kSeqKeyBytes || log_format::decode_u64(key) != expected.value) {
      return mismatch(expected, "missing (the events are not contiguous)");
    }
    if (value.size() <= log_format::kHashBytes) return mismatch(expected, "truncated");
    const std::string_view bytes = value.substr(log_format::kHashBytes);
    if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
        envelope.seq() != expected.value || envelope.prev_hash() != as_bytes(previous)) {
      return mismatch(expected, "does not decode or does not link to the record before");
    }
    const Hash hash = chain_hash(previous, bytes);
    if (as_bytes(hash) != value.substr(0, log_format::kHashBytes)) {
      return mismatch(expected, "hash mismatch");
    }
    expected_indexes.streams.add(
        log_format::stream_key(envelope.stream(), envelope.stream_version()), expected.value);
    expected_indexes.outcomes.add(
        log_format::outcome_key(envelope.tenant_id(), envelope.command_id()), expected.value);
    if (Status status = out.put(kEvents, it->key(), it->value()); !status.is_ok()) return status;
    previous = hash;
  }
  if (!it->status().ok()) return failed(it->status(), "read events");
  manifest.last_seq = Seq{expected.value - 1};
  manifest.last_hash_hex = to_hex(previous);
  manifest.events = manifest.last_seq.value;
  return Status::ok();
}

// The stream index holds exactly one entry per copied event, pointing at it.
Status copy_streams(FamilyDb& source, CopyWriter& out, BackupManifest& manifest,
                    const ExpectedIndexes& expected_indexes) {
  std::unique_ptr<rocksdb::Iterator> it(
      source.db().NewIterator(rocksdb::ReadOptions(), source.family(kStreams)));
  PairDigest found;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view value = view_of(it->value());
    if (value.size() != 8) return Status::corruption("backup: a stream index value is not a seq");
    found.add(view_of(it->key()), log_format::decode_u64(value));
    if (Status status = out.put(kStreams, it->key(), it->value()); !status.is_ok()) return status;
  }
  if (!it->status().ok()) return failed(it->status(), "read the stream index");
  manifest.stream_entries = found.count;
  if (found != expected_indexes.streams) {
    return Status::corruption("backup: the stream index (" + std::to_string(found.count) +
                              " entries) does not match the " + std::to_string(manifest.events) +
                              " events");
  }
  return Status::ok();
}

// The accepted outcomes cover exactly the copied events, each event by its own command's
// outcome; rejections carry no seq and are copied as they are.
Status copy_outcomes(FamilyDb& source, CopyWriter& out, BackupManifest& manifest,
                     const ExpectedIndexes& expected_indexes) {
  std::unique_ptr<rocksdb::Iterator> it(
      source.db().NewIterator(rocksdb::ReadOptions(), source.family(kOutcomes)));
  v1::CommandOutcome outcome;
  PairDigest found;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view value = view_of(it->value());
    if (!outcome.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return Status::corruption("backup: an idempotency outcome does not decode");
    }
    if (outcome.first_seq() != 0) {
      if (outcome.last_seq() < outcome.first_seq() ||
          outcome.last_seq() > manifest.last_seq.value) {
        return Status::corruption("backup: an idempotency outcome points past the copied tail");
      }
      for (std::uint64_t seq = outcome.first_seq(); seq <= outcome.last_seq(); ++seq) {
        found.add(view_of(it->key()), seq);
      }
    }
    if (Status status = out.put(kOutcomes, it->key(), it->value()); !status.is_ok()) {
      return status;
    }
    ++manifest.outcomes;
  }
  if (!it->status().ok()) return failed(it->status(), "read the outcomes");
  if (found != expected_indexes.outcomes) {
    return Status::corruption("backup: the idempotency outcomes do not cover the events exactly");
  }
  return Status::ok();
}

Status copy_default(FamilyDb& source, CopyWriter& out, BackupManifest& manifest) {
  std::unique_ptr<rocksdb::Iterator> it(
      source.db().NewIterator(rocksdb::ReadOptions(), source.family(kDefault)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (view_of(it->key()) == log_format::kLogIdKey) manifest.log_id = it->value().ToString();
    if (Status status = out.put(kDefault, it->key(), it->value()); !status.is_ok()) {
      return status;
    }
  }
  if (!it->status().ok()) return failed(it->status(), "read the log id");
  if (manifest.log_id.empty()) return Status::corruption("backup: the log has no log id");
  return Status::ok();
}

}  // namespace

// Catch-ups of a fresh secondary before an attempt gives up (each follows a WAL switch).
constexpr std::size_t kCatchUpsMax = 64;

// The WAL file numbers in `directory` ("000123.log" -> 123).
Result<std::set<std::uint64_t>> wal_numbers(const std::string& directory) {
  std::set<std::uint64_t> numbers;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= 4 || !name.ends_with(".log")) continue;
    const std::string_view digits(name.data(), name.size() - 4);
    if (digits.find_first_not_of("0123456789") != std::string_view::npos) continue;
    numbers.insert(std::stoull(std::string(digits)));
  }
  if (error) return Status::io_error("backup: list " + directory + ": " + error.message());
  return numbers;
}

Status settle_secondary(rocksdb::DB& secondary, const std::string& primary_directory,
                        std::set<std::uint64_t> wals_before_open) {
  // A flush that switched or deleted a WAL while the secondary read may have left it without
  // the records of a WAL that vanished between its MANIFEST read and its WAL replay (backup.h).
  // Those records are in a table file by then, named in the MANIFEST: a catch-up reads them,
  // and a catch-up during which no WAL came or went is complete.
  std::set<std::uint64_t> wals_read = std::move(wals_before_open);
  for (std::size_t catch_ups = 0;; ++catch_ups) {
    auto wals_now = wal_numbers(primary_directory);
    if (!wals_now.is_ok()) return wals_now.status();
    if (wals_now.value() == wals_read) return Status::ok();
    if (catch_ups == kCatchUpsMax) {
      return Status::busy("backup: the primary switched WAL files during every catch-up");
    }
    wals_read = std::move(wals_now).value();
    const rocksdb::Status caught_up = secondary.TryCatchUpWithPrimary();
    if (!caught_up.ok()) {
      return Status::io_error("backup: catch up with the primary: " + caught_up.ToString());
    }
  }
}

Result<BackupManifest> copy_log_once(const std::string& data_directory,
                                     const std::string& secondary_directory,
                                     const std::string& target_directory,
                                     const BackupOptions& options) {
  if (!fs::exists(data_directory + "/CURRENT")) {
    return Status::invalid_argument("backup: no event log in " + data_directory);
  }
  auto wals_before = wal_numbers(data_directory);
  if (!wals_before.is_ok()) return wals_before.status();
  auto source = open_secondary(data_directory, secondary_directory);
  if (!source.is_ok()) return source.status();
  if (Status settled =
          settle_secondary(source.value()->db(), data_directory, std::move(wals_before).value());
      !settled.is_ok()) {
    return settled;
  }
  auto target = create_target(target_directory);
  if (!target.is_ok()) return target.status();
  CopyWriter out(*target.value(), options.copy_batch_bytes_max);
  BackupManifest manifest;
  ExpectedIndexes expected;
  FamilyDb& from = *source.value();
  Status status = copy_default(from, out, manifest);
  if (status.is_ok()) status = copy_events(from, out, manifest, expected);
  if (status.is_ok()) status = copy_streams(from, out, manifest, expected);
  if (status.is_ok()) status = copy_outcomes(from, out, manifest, expected);
  if (status.is_ok()) status = out.finish();
  if (!status.is_ok()) return status;
  status = target.value()->close();
  if (!status.is_ok()) return status;
  return manifest;
}

}  // namespace turno::backup_detail
