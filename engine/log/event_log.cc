#include "event_log.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "clock.h"
#include "durable_rocksdb.h"
#include "log_format.h"
#include "sha256.h"
#include "verify.h"

namespace turno {
namespace {

constexpr std::size_t kMemtableHashBuckets = 1u << 18;
// Outcome keys are "tenant \0 command_id": hash on up to this many leading bytes.
constexpr std::size_t kOutcomePrefixBytes = 48;
// A read-only open of a running log that lost a race with a compaction is tried again.
constexpr std::size_t kReadOnlyOpenAttemptsMax = 10;
constexpr std::chrono::milliseconds kReadOnlyOpenRetryPause{20};

std::string random_log_id() {
  std::random_device device;
  std::string bytes(16, '\0');
  for (char& byte : bytes) byte = static_cast<char>(device() & 0xff);
  return to_hex(bytes);
}

// Index and filter blocks live in the block cache (the hot ones pinned there) instead of
// beside it, so the log's memory stays within block_cache_bytes + memtables_bytes_max however
// many table files the history fills.
void charge_to_cache(rocksdb::BlockBasedTableOptions& table) {
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
}

rocksdb::ColumnFamilyOptions events_family_options(const LogOptions& options,
                                                   const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions family;
  family.write_buffer_size = options.write_buffer_bytes;
  // Keys only grow: remember where the last insert went (one hint, as every key shares its
  // first 4 bytes below 2^32 events) so the skiplist insert starts there, not at the top.
  family.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  charge_to_cache(table);
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return family;
}

// The streams family's prefix: the stream name and its NUL terminator, so a stream's entries
// share one hash bucket in the memtable and one prefix bloom entry in the tables.
class StreamPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "turno.StreamPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const auto* end = static_cast<const char*>(std::memchr(key.data(), '\0', key.size()));
    return {key.data(), static_cast<std::size_t>(end - key.data()) + 1};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), '\0', key.size()) != nullptr;
  }
};

// Point lookups (idempotency keys, a stream's entries) use hash-bucketed memtables: a random
// key then costs a hash and a few comparisons instead of a walk down one large skiplist, and
// bloom filters on the tables answer "absent" without a search. Whole-order iteration over
// these families is not supported (nothing needs it).
rocksdb::ColumnFamilyOptions lookup_family_options(
    const LogOptions& options, const std::shared_ptr<rocksdb::Cache>& cache,
    std::shared_ptr<const rocksdb::SliceTransform> prefix) {
  rocksdb::ColumnFamilyOptions family;
  family.write_buffer_size = options.write_buffer_bytes;
  family.prefix_extractor = std::move(prefix);
  family.memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(kMemtableHashBuckets));
  family.memtable_prefix_bloom_size_ratio = 0.05;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  charge_to_cache(table);
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return family;
}

}  // namespace

// ------------------------------------------------------------------------------ records

Status decode_record(std::string_view key, std::string_view value, Seq expected,
                     LogRecord& record) {
  if (key.size() != log_format::kSeqKeyBytes || log_format::decode_u64(key) != expected.value) {
    return Status::corruption("log: record key is not seq " + std::to_string(expected.value));
  }
  if (value.size() <= log_format::kHashBytes) {
    return Status::corruption("log: record " + std::to_string(expected.value) + " is truncated");
  }
  record.seq = expected;
  std::copy_n(value.data(), log_format::kHashBytes, record.hash.begin());
  record.envelope_bytes.assign(value.substr(log_format::kHashBytes));
  if (!record.envelope.ParseFromString(record.envelope_bytes)) {
    return Status::corruption("log: record " + std::to_string(expected.value) + " does not decode");
  }
  if (record.envelope.seq() != expected.value) {
    return Status::corruption("log: record " + std::to_string(expected.value) + " carries seq " +
                              std::to_string(record.envelope.seq()));
  }
  if (record.envelope.prev_hash().size() != log_format::kHashBytes) {
    return Status::corruption("log: record " + std::to_string(expected.value) +
                              " has no prev_hash");
  }
  return Status::ok();
}

// ------------------------------------------------------------------------------ AppendBatch

AppendBatch::AppendBatch(EventLog& log, Seq next_seq, const Hash& tail_hash)
    : log_(&log),
      batch_(kReservedBytes),
      first_seq_(next_seq),
      next_seq_(next_seq),
      tail_hash_(tail_hash) {}

Seq AppendBatch::add(v1::Envelope& envelope) {
  VERIFY(envelope.event_case() != v1::Envelope::EVENT_NOT_SET, "an envelope without an event");
  VERIFY(envelope.stream_version() >= 1, "stream versions start at 1");
  VERIFY(envelope.stream().find('\0') == std::string::npos, "stream names never hold NUL");
  const Seq seq = next_seq_;
  envelope.set_seq(seq.value);
  envelope.mutable_prev_hash()->assign(as_bytes(tail_hash_));
  // The stored value is hash || envelope bytes; the chain hashes prev_hash || envelope bytes.
  // Serialize once, after a 32-byte slot: fill the slot with prev_hash to hash, then with
  // the new hash to store.
  const std::size_t size = envelope.ByteSizeLong();
  VERIFY(size <= log_format::kEnvelopeBytesMax, "envelope within its size bound");
  scratch_.resize(log_format::kHashBytes + size);
  std::copy(tail_hash_.begin(), tail_hash_.end(), scratch_.begin());
  VERIFY(envelope.SerializeWithCachedSizesToArray(
             reinterpret_cast<std::uint8_t*>(scratch_.data() + log_format::kHashBytes)) ==
             reinterpret_cast<std::uint8_t*>(scratch_.data() + scratch_.size()),
         "envelope serializes");
  const Hash hash = sha256(scratch_);
  std::copy(hash.begin(), hash.end(), scratch_.begin());
  VERIFY(batch_.Put(log_->events_, log_format::event_key(seq), scratch_).ok(), "batch put");
  log_format::assign_stream_key(key_, envelope.stream(), envelope.stream_version());
  VERIFY(batch_.Put(log_->streams_, key_, log_format::encode_u64(seq.value)).ok(), "batch put");
  index_ids(envelope);
  tail_hash_ = hash;
  next_seq_ = seq.next();
  return seq;
}

void AppendBatch::put_outcome(std::string_view tenant_id, std::string_view command_id,
                              const v1::CommandOutcome& outcome) {
  VERIFY(tenant_id.find('\0') == std::string_view::npos, "tenant ids never hold NUL");
  log_format::assign_outcome_key(key_, tenant_id, command_id);
  put_outcome_key(key_, outcome);
}

Status AppendBatch::add_copied(const LogRecord& record) {
  const std::string where = "copy: record " + std::to_string(record.seq.value);
  if (record.seq != next_seq_ || record.envelope.seq() != record.seq.value) {
    return Status::corruption(where + " is not the next seq " + std::to_string(next_seq_.value));
  }
  if (record.envelope.prev_hash() != as_bytes(tail_hash_)) {
    return Status::corruption(where + " does not chain onto seq " +
                              std::to_string(next_seq_.value - 1));
  }
  if (record.envelope_bytes.size() > log_format::kEnvelopeBytesMax ||
      record.envelope.stream().find('\0') != std::string::npos ||
      record.envelope.stream_version() < 1) {
    return Status::corruption(where + " is not a valid envelope");
  }
  const Hash hash = chain_hash(tail_hash_, record.envelope_bytes);
  scratch_.assign(as_bytes(hash));
  scratch_ += record.envelope_bytes;
  VERIFY(batch_.Put(log_->events_, log_format::event_key(record.seq), scratch_).ok(), "batch put");
  log_format::assign_stream_key(key_, record.envelope.stream(), record.envelope.stream_version());
  VERIFY(batch_.Put(log_->streams_, key_, log_format::encode_u64(record.seq.value)).ok(),
         "batch put");
  index_ids(record.envelope);
  tail_hash_ = hash;
  next_seq_ = record.seq.next();
  return Status::ok();
}

void AppendBatch::put_outcome_key(std::string_view key, const v1::CommandOutcome& outcome) {
  scratch_.clear();
  VERIFY(outcome.SerializeToString(&scratch_), "outcome serializes");
  VERIFY(batch_.Put(log_->outcomes_, key, scratch_).ok(), "batch put");
}

// -------------------------------------------------------------------------------- LogCursor

LogCursor::LogCursor(std::unique_ptr<rocksdb::Iterator> iterator, Seq from, Seq to,
                     Hash expected_prev, bool verify_hashes)
    : iterator_(std::move(iterator)),
      expected_(from),
      to_(to),
      expected_prev_(expected_prev),
      verify_hashes_(verify_hashes) {}

bool LogCursor::next() {
  if (!status_.is_ok() || expected_ > to_) return false;
  if (!started_) {
    iterator_->Seek(log_format::event_key(expected_));
    started_ = true;
  } else {
    iterator_->Next();
  }
  if (!iterator_->Valid()) {
    status_ =
        iterator_->status().ok()
            ? Status::corruption("log: record " + std::to_string(expected_.value) + " is missing")
            : Status::io_error("log: " + iterator_->status().ToString());
    return false;
  }
  const rocksdb::Slice key = iterator_->key();
  const rocksdb::Slice value = iterator_->value();
  status_ =
      decode_record({key.data(), key.size()}, {value.data(), value.size()}, expected_, record_);
  if (!status_.is_ok()) return false;
  if (record_.envelope.prev_hash() != as_bytes(expected_prev_)) {
    status_ = Status::corruption("log: chain broken at seq " + std::to_string(expected_.value));
    return false;
  }
  if (verify_hashes_ && chain_hash(expected_prev_, record_.envelope_bytes) != record_.hash) {
    status_ = Status::corruption("log: hash mismatch at seq " + std::to_string(expected_.value));
    return false;
  }
  expected_prev_ = record_.hash;
  expected_ = expected_.next();
  return true;
}

// --------------------------------------------------------------------------------- EventLog

EventLog::EventLog(std::string directory, LogOptions options)
    : directory_(std::move(directory)), options_(options) {
  write_options_.sync = options_.sync;
}

EventLog::~EventLog() {
  if (Status status = close(); !status.is_ok()) {
    std::fprintf(stderr, "{\"msg\":\"log close failed\",\"detail\":\"%s\"}\n",
                 status.message().c_str());
  }
}

Status EventLog::close() {
  if (closed_) return Status::ok();
  closed_ = true;
  if (anchor_thread_.joinable()) {
    {
      std::lock_guard lock(anchor_mutex_);
      anchor_stopping_ = true;
    }
    anchor_wake_.notify_all();
    anchor_thread_.join();
  }
  Status status;
  // A log refused at open writes nothing: no flush of what recovery found, and above all no
  // anchor that would name the damaged head as the truth.
  if (db_ && !read_only() && opened_) {
    status = from_rocksdb(flush_before_close(*db_, families_), "log: flush at close");
    if (status.is_ok()) status = write_head_anchor(directory_, head_anchor());
  }
  for (auto* handle : families_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  families_.clear();
  if (db_) {
    Status closed = from_rocksdb(db_->Close(), "log: close");
    if (status.is_ok()) status = std::move(closed);
    db_.reset();
  }
  return status;
}

Result<std::unique_ptr<EventLog>> EventLog::open(const std::string& directory,
                                                 const LogOptions& options) {
  std::unique_ptr<EventLog> log(new EventLog(directory, options));
  const bool check_anchors = options.recovery == LogOptions::Recovery::kRefuse;
  // Read before the database: an anchor only ever names a head that was durable before it was
  // written, so a read-only open of a live log then sees at least that head.
  Result<std::vector<HeadAnchor>> anchors = std::vector<HeadAnchor>();
  if (check_anchors) anchors = read_head_anchors(directory);
  if (!anchors.is_ok()) return anchors.status();
  // Asked of the log's own environment: its files need not be on the real disk (tests).
  rocksdb::Env* env = options.env ? options.env.get() : rocksdb::Env::Default();
  const bool existed = env->FileExists(directory + "/CURRENT").ok();
  if (!existed && check_anchors && !anchors.value().empty()) {
    // Never start a new, empty history where anchors say one was.
    return Status::corruption("log: " + directory + " has head anchors of log " +
                              anchors.value().front().log_id +
                              " but no database: its events are lost. Restore them with "
                              "`turno repair` or `turno restore` (ops/README.md, \"Repair\").");
  }
  if (Status status = log->open_database(); !status.is_ok()) return status;
  if (Status status = log->load_or_create_log_id(existed); !status.is_ok()) return status;
  if (Status status = log->refresh_tail(); !status.is_ok()) return status;
  if (!log->read_only()) {
    if (Status status = log->complete_ids_index(); !status.is_ok()) return status;
  }
  if (check_anchors) {
    const EventLog& self = *log;
    // A log that lost even its id is judged against the log its anchors name.
    const std::string log_id = log->log_id_.empty() && !anchors.value().empty()
                                   ? anchors.value().front().log_id
                                   : log->log_id_;
    Status status = check_head_anchors(
        anchors.value(), log_id, log->last_seq(), [&self](Seq seq) { return self.hash_of(seq); },
        directory);
    if (!status.is_ok()) return status;
  }
  if (log->log_id_.empty()) {
    return Status::corruption("log: " + directory + " has no log id (its first records are lost)");
  }
  log->opened_ = true;
  if (!log->read_only()) {
    log->anchor_thread_ = std::thread([raw = log.get()] { raw->run_head_anchors(); });
  }
  return log;
}

HeadAnchor EventLog::head_anchor() const {
  HeadAnchor anchor;
  anchor.witness = std::string(kLogWitness);
  anchor.log_id = log_id_;
  {
    std::lock_guard lock(tail_mutex_);
    anchor.seq = last_seq();
    anchor.hash = last_hash_;
  }
  anchor.written_at_ms = SystemClock().now_ms();
  return anchor;
}

// Off the commit path: an anchor costs two fsyncs, written at most once an interval and only
// when the head moved. It names only committed heads, so it never runs ahead of the log.
void EventLog::run_head_anchors() {
  Seq anchored{UINT64_MAX};
  bool failing = false;
  std::unique_lock lock(anchor_mutex_);
  while (!anchor_stopping_) {
    anchor_wake_.wait_for(lock, options_.head_anchor_interval, [&] { return anchor_stopping_; });
    if (anchor_stopping_ || last_seq() == anchored) continue;
    lock.unlock();
    const HeadAnchor anchor = head_anchor();
    const Status status = write_head_anchor(directory_, anchor);
    if (status.is_ok()) anchored = anchor.seq;
    if (status.is_ok() == failing) {  // report each change between working and failing once
      failing = !status.is_ok();
      std::fprintf(stderr, "{\"msg\":\"%s\",\"detail\":\"%s\"}\n",
                   failing ? "head anchor write failed" : "head anchor written again",
                   status.message().c_str());
    }
    lock.lock();
  }
}

Status EventLog::open_database() {
  auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options_.create_if_missing;
  // A read-write open creates what a log of an earlier format lacks (the "ids" index).
  db_options.create_missing_column_families = !read_only();
  db_options.max_background_jobs = 2;
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options_.memtables_bytes_max);
  make_durable(db_options);
  if (options_.recovery == LogOptions::Recovery::kSalvage) {
    VERIFY(read_only(), "salvage opens are read-only");
    db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  }
  if (options_.env) db_options.env = options_.env.get();
  // One writer: concurrent memtable inserts buy nothing and would disable insert hints.
  db_options.allow_concurrent_memtable_write = false;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {std::string(log_format::kEventsFamily), events_family_options(options_, cache)},
      {std::string(log_format::kStreamsFamily),
       lookup_family_options(options_, cache, std::make_shared<StreamPrefix>())},
      {std::string(log_format::kOutcomesFamily),
       lookup_family_options(options_, cache,
                             std::shared_ptr<const rocksdb::SliceTransform>(
                                 rocksdb::NewCappedPrefixTransform(kOutcomePrefixBytes)))},
  };
  // Only the writer asks the "ids" index: read-only opens leave it out, so they also open logs
  // written before it existed.
  if (!read_only()) {
    descriptors.push_back(
        {std::string(log_format::kIdsFamily),
         lookup_family_options(options_, cache,
                               std::shared_ptr<const rocksdb::SliceTransform>(
                                   rocksdb::NewCappedPrefixTransform(kOutcomePrefixBytes)))});
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  if (options_.mode == LogOptions::Mode::kReadOnly) {
    // Every table file is opened at open and stays open (the live primary's compactions may
    // unlink them afterwards). An open can still lose the race against a compaction that
    // deletes a file the MANIFEST it read still names: that is retried, a moment later.
    db_options.max_open_files = -1;
    for (std::size_t attempt = 1;; ++attempt) {
      families_.clear();
      status = rocksdb::DB::OpenForReadOnly(db_options, directory_, descriptors, &families_, &raw);
      const bool raced = status.IsCorruption() || status.IsIOError() || status.IsPathNotFound();
      if (!raced || attempt == kReadOnlyOpenAttemptsMax) break;
      std::this_thread::sleep_for(kReadOnlyOpenRetryPause);
    }
  } else {
    status = rocksdb::DB::Open(db_options, directory_, descriptors, &families_, &raw);
  }
  if (!status.ok()) return from_rocksdb(status, "log: open " + directory_);
  db_.reset(raw);
  events_ = families_[1];
  streams_ = families_[2];
  outcomes_ = families_[3];
  if (!read_only()) ids_ = families_[4];
  return Status::ok();
}

Status EventLog::load_or_create_log_id(bool existed) {
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), std::string(log_format::kLogIdKey), &log_id_);
  if (status.ok()) return Status::ok();
  if (!status.IsNotFound()) return from_rocksdb(status, "log: read log id");
  // An existing database without an id lost its first records: left empty for open() to judge,
  // never replaced by a new id (that would start a second history in the same place).
  if (read_only() || existed) {
    log_id_.clear();
    return Status::ok();
  }
  log_id_ = options_.log_id_at_creation.empty() ? random_log_id() : options_.log_id_at_creation;
  rocksdb::WriteBatch batch;
  VERIFY(batch.Put(std::string(log_format::kLogIdKey), log_id_).ok(), "batch put");
  VERIFY(
      batch.Put(std::string(log_format::kFormatKey), std::string(log_format::kFormatVersion)).ok(),
      "batch put");
  return from_rocksdb(db_->Write(write_options_, &batch), "log: write log id");
}

Status EventLog::refresh_tail() {
  std::unique_ptr<rocksdb::Iterator> iterator(db_->NewIterator(rocksdb::ReadOptions(), events_));
  iterator->SeekToLast();
  if (!iterator->status().ok()) return from_rocksdb(iterator->status(), "log: find tail");
  Seq tail{0};
  Hash tail_hash{};
  if (iterator->Valid()) {
    const rocksdb::Slice key = iterator->key();
    if (key.size() != log_format::kSeqKeyBytes) return Status::corruption("log: bad tail key");
    tail = Seq{log_format::decode_u64({key.data(), key.size()})};
    LogRecord record;
    const rocksdb::Slice value = iterator->value();
    if (Status status =
            decode_record({key.data(), key.size()}, {value.data(), value.size()}, tail, record);
        !status.is_ok()) {
      return status;
    }
    Hash prev{};
    std::copy(record.envelope.prev_hash().begin(), record.envelope.prev_hash().end(), prev.begin());
    if (chain_hash(prev, record.envelope_bytes) != record.hash) {
      return Status::corruption("log: hash mismatch at tail seq " + std::to_string(tail.value));
    }
    tail_hash = record.hash;
  }
  std::lock_guard lock(tail_mutex_);
  last_hash_ = tail_hash;
  last_seq_.store(tail.value, std::memory_order_release);
  return Status::ok();
}

Hash EventLog::last_hash() const {
  std::lock_guard lock(tail_mutex_);
  return last_hash_;
}

AppendBatch EventLog::begin_batch() {
  return begin_batch(last_seq(), last_hash());
}

AppendBatch EventLog::begin_batch(Seq after, const Hash& tail_hash) {
  VERIFY(!read_only(), "appending to a read-only log");
  VERIFY(after >= last_seq(), "a batch starts after the committed tail");
  return AppendBatch(*this, after.next(), tail_hash);
}

Status EventLog::commit(AppendBatch&& batch) {
  VERIFY(batch.log_ == this, "a batch commits to the log that began it");
  VERIFY(batch.first_seq_ == last_seq().next(), "batches commit in order, without gaps");
  if (batch.batch_.Count() == 0) return Status::ok();
  if (injected_failures_.load() > 0) {
    injected_failures_.fetch_sub(1);
    return Status::io_error("log: injected commit failure");
  }
  rocksdb::Status status = db_->Write(write_options_, &batch.batch_);
  if (!status.ok()) {
    Status refreshed = refresh_tail();
    refreshed.ignore();  // the write's own error is the one to report
    return from_rocksdb(status, "log: commit");
  }
  {
    std::lock_guard lock(tail_mutex_);
    last_hash_ = batch.tail_hash_;
    last_seq_.store(batch.last_seq().value, std::memory_order_release);
  }
  committed_.notify_all();
  return Status::ok();
}

LogCursor EventLog::read(Seq from, Seq to, bool verify_hashes) const {
  if (from.value == 0) from = Seq{1};
  const Seq tail = last_seq();
  if (to > tail) to = tail;
  Hash expected_prev{};
  Status status;
  if (from.value > 1 && from <= to) {
    Result<Hash> previous = hash_of(Seq{from.value - 1});
    if (previous.is_ok()) {
      expected_prev = previous.value();
    } else {
      status = previous.status();
    }
  }
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  read_options.readahead_size = 2u << 20;
  LogCursor cursor(std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(read_options, events_)),
                   from, to, expected_prev, verify_hashes);
  cursor.status_ = std::move(status);
  return cursor;
}

Result<Hash> EventLog::hash_of(Seq seq) const {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), events_, log_format::event_key(seq), &value);
  if (!status.ok()) return from_rocksdb(status, "log: read seq " + std::to_string(seq.value));
  if (value.size() < log_format::kHashBytes) {
    return Status::corruption("log: record " + std::to_string(seq.value) + " is truncated");
  }
  Hash hash{};
  std::copy_n(value.data(), log_format::kHashBytes, hash.begin());
  return hash;
}

std::uint64_t EventLog::memory_bytes() const {
  std::uint64_t memtables = 0;
  std::uint64_t cache = 0;
  if (!db_->GetAggregatedIntProperty("rocksdb.cur-size-all-mem-tables", &memtables)) memtables = 0;
  if (!db_->GetIntProperty(events_, "rocksdb.block-cache-usage", &cache)) cache = 0;
  return memtables + cache;
}

Result<LogRecord> EventLog::read_one(Seq seq) const {
  LogCursor cursor = read(seq, seq);
  if (cursor.next()) return cursor.record();
  if (!cursor.status().is_ok()) return cursor.status();
  return Status::not_found("log: no seq " + std::to_string(seq.value));
}

Result<std::vector<Seq>> EventLog::stream_seqs(std::string_view stream,
                                               std::uint64_t from_version) const {
  stream_reads_.fetch_add(1, std::memory_order_relaxed);
  const std::string prefix = log_format::stream_prefix(stream);
  rocksdb::ReadOptions read_options;
  read_options.prefix_same_as_start = true;  // the family is hash-ordered beyond a stream
  std::unique_ptr<rocksdb::Iterator> iterator(db_->NewIterator(read_options, streams_));
  std::vector<Seq> seqs;
  std::uint64_t expected_version = from_version;
  for (iterator->Seek(log_format::stream_key(stream, from_version)); iterator->Valid();
       iterator->Next()) {
    const rocksdb::Slice key = iterator->key();
    if (!key.starts_with(prefix) || key.size() != prefix.size() + 8) break;
    const std::uint64_t version = log_format::decode_u64({key.data() + prefix.size(), 8});
    if (version != expected_version) {
      return Status::corruption("log: stream " + std::string(stream) + " skips version " +
                                std::to_string(expected_version));
    }
    const Seq seq{log_format::decode_u64({iterator->value().data(), 8})};
    if (seq > last_seq()) break;  // not committed yet
    seqs.push_back(seq);
    ++expected_version;
  }
  if (!iterator->status().ok()) return from_rocksdb(iterator->status(), "log: read stream");
  return seqs;
}

Result<bool> EventLog::stream_started(std::string_view stream) const {
  rocksdb::PinnableSlice value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), streams_, log_format::stream_key(stream, 1), &value);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return from_rocksdb(status, "log: read stream");
  return true;
}

Result<std::optional<v1::CommandOutcome>> EventLog::find_outcome(
    std::string_view tenant_id, std::string_view command_id) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), outcomes_,
                                    log_format::outcome_key(tenant_id, command_id), &value);
  if (status.IsNotFound()) return std::optional<v1::CommandOutcome>();
  if (!status.ok()) return from_rocksdb(status, "log: read outcome");
  v1::CommandOutcome outcome;
  if (!outcome.ParseFromString(value)) return Status::corruption("log: outcome does not decode");
  return std::optional<v1::CommandOutcome>(std::move(outcome));
}

Status EventLog::find_outcomes(const std::vector<std::string_view>& keys,
                               std::vector<std::optional<v1::CommandOutcome>>& outcomes) const {
  outcomes.assign(keys.size(), std::nullopt);
  if (keys.empty()) return Status::ok();
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (std::string_view key : keys) slices.emplace_back(key.data(), key.size());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), outcomes_, keys.size(), slices.data(), values.data(),
                statuses.data());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return from_rocksdb(statuses[i], "log: read outcomes");
    v1::CommandOutcome outcome;
    if (!outcome.ParseFromArray(values[i].data(), static_cast<int>(values[i].size()))) {
      return Status::corruption("log: outcome does not decode");
    }
    outcomes[i] = std::move(outcome);
  }
  return Status::ok();
}

Status EventLog::for_each_outcome(
    const std::function<Status(std::string_view key, const v1::CommandOutcome&)>& visit) const {
  rocksdb::ReadOptions read_options;
  read_options.total_order_seek = true;  // the whole index, across hash buckets
  read_options.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> iterator(db_->NewIterator(read_options, outcomes_));
  v1::CommandOutcome outcome;
  for (iterator->SeekToFirst(); iterator->Valid(); iterator->Next()) {
    const rocksdb::Slice value = iterator->value();
    if (!outcome.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return Status::corruption("log: outcome does not decode");
    }
    if (Status status = visit({iterator->key().data(), iterator->key().size()}, outcome);
        !status.is_ok()) {
      return status;
    }
  }
  return from_rocksdb(iterator->status(), "log: read outcomes");
}

Seq EventLog::wait_for_commit_after(Seq seq, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(tail_mutex_);
  committed_.wait_for(lock, timeout, [&] { return last_seq() > seq; });
  return last_seq();
}

}  // namespace turno
