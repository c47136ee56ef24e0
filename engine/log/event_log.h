// The append-only event log over RocksDB: the only source of truth (layout: log_format.h).
//
// One writer appends (engine/writer.h owns the only AppendBatch at a time); any number of
// threads read. Every record is checked right after it is read (it decodes, its seq is the one
// asked for, its prev_hash is the hash of the record before) and before it is written (seq and
// stream version contiguous, prev_hash is the current tail, size within bounds).
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "commands.pb.h"
#include "events.pb.h"
#include "log_anchor.h"
#include "log_format.h"
#include "status.h"
#include "types.h"

namespace turno {

struct LogOptions {
  enum class Mode {
    kReadWrite,  // the command node: the only process that appends
    kReadOnly,   // tools on a stopped log, or a point-in-time view of a running one
  };
  // How damage found at open is met (durable_rocksdb.h, log_anchor.h).
  enum class Recovery {
    kRefuse,   // every open but repair's: any damaged record, or a head below an anchor, fails
    kSalvage,  // `turno repair` only, read-only: opens what can be read up to the first damage
               // (RocksDB point-in-time WAL recovery) and does not compare with head anchors
  };
  Mode mode = Mode::kReadWrite;
  Recovery recovery = Recovery::kRefuse;
  bool create_if_missing = true;
  // Sync every commit (fdatasync of the WAL). Only benchmarks of the un-synced ceiling and
  // tests that do not care about power loss turn this off.
  bool sync = true;
  std::size_t block_cache_bytes = 64u << 20;
  std::size_t write_buffer_bytes = 64u << 20;  // one memtable of one column family
  // Every memtable of every column family together: past this, RocksDB flushes the largest,
  // so the log's memory does not grow with the number of families (or of events).
  std::size_t memtables_bytes_max = 128u << 20;
  // The RocksDB environment (file system and clock) the log runs on; null is the default,
  // the real disk. Durability tests pass a fault-injecting file system here.
  std::shared_ptr<rocksdb::Env> env{};
  // The id a new log is created with (turno repair rebuilds a log under its old id); empty: a
  // random one. Ignored when the log exists.
  std::string log_id_at_creation{};
  // A read-write log writes its head anchor (log_anchor.h, witness "log") this often while it
  // appends, and at close.
  std::chrono::milliseconds head_anchor_interval{1000};
};

// One record as read back from the log.
struct LogRecord {
  Seq seq;
  Hash hash{};                 // hash(seq), as stored
  std::string envelope_bytes;  // exactly the bytes that were hashed
  v1::Envelope envelope;
};

// Decodes one stored record (key and value as laid out in log_format.h) into `record` and
// checks that it is seq `expected` with a prev_hash. Never aborts: any bytes give a Status.
[[nodiscard]] Status decode_record(std::string_view key, std::string_view value, Seq expected,
                                   LogRecord& record);

class EventLog;

// The events and idempotency outcomes of one group commit. Built by the writer, then handed to
// EventLog::commit(). Assigns seq, prev_hash and stream versions as events are added.
class AppendBatch {
 public:
  // Stamps `envelope` with the next seq and the chain's prev_hash, serializes and hashes it,
  // and stages it with its stream index entry. `stream_version` must be the stream's next
  // version (the write model knows it). Returns the seq given.
  Seq add(v1::Envelope& envelope);
  void put_outcome(std::string_view tenant_id, std::string_view command_id,
                   const v1::CommandOutcome& outcome);
  // Stages a record copied from another copy of this log (turno repair), byte for byte: it
  // must be the next seq and chain onto the batch's tail; its hash is recomputed, never taken
  // on trust. corruption when it does not fit; nothing is staged then.
  [[nodiscard]] Status add_copied(const LogRecord& record);
  // Stages an idempotency outcome under its stored key (log_format::outcome_key).
  void put_outcome_key(std::string_view key, const v1::CommandOutcome& outcome);

  Seq first_seq() const { return first_seq_; }
  Seq last_seq() const { return Seq{next_seq_.value - 1}; }
  std::size_t event_count() const { return next_seq_.value - first_seq_.value; }
  std::size_t byte_size() const { return batch_.GetDataSize(); }
  const Hash& tail_hash() const { return tail_hash_; }

 private:
  // Stages the "ids" entries of an event (log_format.h); event_log_ids.cc.
  void index_ids(const v1::Envelope& envelope);
  friend class EventLog;
  static constexpr std::size_t kReservedBytes = 256 * 1024;  // grows beyond as needed
  AppendBatch(EventLog& log, Seq next_seq, const Hash& tail_hash);

  EventLog* log_;
  rocksdb::WriteBatch batch_;
  Seq first_seq_;
  Seq next_seq_;
  Hash tail_hash_;
  std::string scratch_;  // a value being staged; reused, so staging allocates nothing
  std::string key_;      // a key being staged; reused likewise
};

// Reads records in seq order, checking each one and the chain between them.
class LogCursor {
 public:
  // Advances to the next record. Returns false at the end of the range or on an error;
  // status() tells which.
  bool next();
  const LogRecord& record() const { return record_; }
  const Status& status() const { return status_; }

 private:
  friend class EventLog;
  LogCursor(std::unique_ptr<rocksdb::Iterator> iterator, Seq from, Seq to, Hash expected_prev,
            bool verify_hashes);

  std::unique_ptr<rocksdb::Iterator> iterator_;
  Seq expected_;
  Seq to_;
  Hash expected_prev_;
  bool verify_hashes_;
  bool started_ = false;
  LogRecord record_;
  Status status_;
};

class EventLog {
 public:
  // Opens (or, with create_if_missing, creates) the log in `directory`, finds the tail and
  // checks the last record. Fails with a Status, never aborts, on a damaged or missing log.
  // With Recovery::kRefuse the log must also agree with every head anchor in `directory`/heads
  // (log_anchor.h): a log that lost acknowledged events or was rewritten is refused with a
  // corruption error that names the seqs and what to do.
  static Result<std::unique_ptr<EventLog>> open(const std::string& directory,
                                                const LogOptions& options = {});
  // Closes the log (the destructor does it too, reporting a failure on stderr). A read-write log
  // first flushes its memtables to table files, so that no WAL is the only copy of anything,
  // and anchors its head. Idempotent; reads and appends are not allowed after it.
  [[nodiscard]] Status close();
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // This log's name: stable for its life, random at creation.
  const std::string& log_id() const { return log_id_; }
  const std::string& directory() const { return directory_; }
  bool read_only() const { return options_.mode == LogOptions::Mode::kReadOnly; }

  // The last committed seq and its hash. Seq{0} and zeros for an empty log.
  Seq last_seq() const { return Seq{last_seq_.load(std::memory_order_acquire)}; }
  Hash last_hash() const;

  // Starts a batch after the committed tail. Writer thread only.
  AppendBatch begin_batch();
  // Starts a batch after a batch not yet committed (a pipelined writer): `after` and
  // `tail_hash` are that batch's last seq and hash. Batches must commit in order.
  AppendBatch begin_batch(Seq after, const Hash& tail_hash);

  // Writes the whole batch in one RocksDB WriteBatch with sync (fdatasync) and only then
  // advances the tail. When this returns OK the events are durable; when it returns an error
  // none of them may be assumed written, the tail is re-read from disk (refresh_tail) and
  // the caller must rebuild whatever it derived from the batch.
  Status commit(AppendBatch&& batch);

  // Re-reads the tail from the database (after a failed commit).
  Status refresh_tail();

  // Records from `from` to `to` inclusive, capped at the tail as it is now. `verify_hashes`
  // also recomputes every SHA-256 link (turno verify); without it each record is still
  // decoded, its seq checked and its prev_hash compared with the record before.
  LogCursor read(Seq from, Seq to = Seq{UINT64_MAX}, bool verify_hashes = false) const;
  Result<LogRecord> read_one(Seq seq) const;

  // The seqs of a stream's events, version `from_version` onwards, in order.
  Result<std::vector<Seq>> stream_seqs(std::string_view stream,
                                       std::uint64_t from_version = 1) const;
  // Whether the stream's first entry (version 1) is in the index, committed or being
  // committed: one point lookup, which the families' bloom filters answer without a search
  // when it is absent — the common case of a recall check for a new booking id (recall.h),
  // where stream_seqs() would build an iterator. A stream without its first entry but with
  // later ones is corruption that stream_seqs() reports.
  Result<bool> stream_started(std::string_view stream) const;

  // The idempotency index: the stored outcome of (tenant, command_id), if any.
  Result<std::optional<v1::CommandOutcome>> find_outcome(std::string_view tenant_id,
                                                         std::string_view command_id) const;

  // The same for many keys at once (one RocksDB MultiGet); `keys` from log_format::outcome_key.
  Status find_outcomes(const std::vector<std::string_view>& keys,
                       std::vector<std::optional<v1::CommandOutcome>>& outcomes) const;

  // Calls `visit` with every stored idempotency outcome (key as log_format::outcome_key), in
  // no particular order; stops at the first error `visit` returns. For repair and tests: it
  // reads the whole index.
  Status for_each_outcome(
      const std::function<Status(std::string_view key, const v1::CommandOutcome&)>& visit) const;

  // The "ids" index (read-write logs only): the booking whose events introduced a payment id,
  // a refund id or a provider event key, if any committed event did. event_log_ids.cc.
  Result<std::optional<std::string>> find_id_owner(std::string_view tenant_id,
                                                   log_format::IdKind kind,
                                                   std::string_view id) const;

  // Blocks until the committed tail passes `seq` or `timeout` elapses; returns the tail.
  Seq wait_for_commit_after(Seq seq, std::chrono::milliseconds timeout) const;

  // What RocksDB holds in memory for the log: every memtable and the block cache's content
  // (both bounded: LogOptions memtables_bytes_max and block_cache_bytes).
  std::uint64_t memory_bytes() const;

  // Test hook: the next `count` commits fail with an I/O error before touching the disk.
  void inject_commit_failures(int count) { injected_failures_.store(count); }
  // How many times stream_seqs() was called: tests check with it which paths read a stream
  // (the API's answer to a command must not; tests/api/story_test.cc).
  std::uint64_t stream_reads() const { return stream_reads_.load(std::memory_order_relaxed); }

 private:
  EventLog(std::string directory, LogOptions options);
  Status open_database();
  Status load_or_create_log_id(bool existed);
  // A read-write open: fills the "ids" index from the events unless it says it is complete.
  Status complete_ids_index();
  Result<Hash> hash_of(Seq seq) const;
  HeadAnchor head_anchor() const;
  void run_head_anchors();  // the anchor thread of a read-write log

  friend class AppendBatch;
  std::string directory_;
  LogOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;  // default, events, streams,
                                                        // outcomes, ids (read-write)
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_ = nullptr;
  rocksdb::ColumnFamilyHandle* outcomes_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;  // null on a read-only open
  rocksdb::WriteOptions write_options_;
  std::string log_id_;

  std::atomic<std::uint64_t> last_seq_{0};
  mutable std::mutex tail_mutex_;  // guards last_hash_ and the commit condition
  mutable std::condition_variable committed_;
  Hash last_hash_{};
  std::atomic<int> injected_failures_{0};
  mutable std::atomic<std::uint64_t> stream_reads_{0};

  std::mutex anchor_mutex_;  // guards anchor_stopping_
  std::condition_variable anchor_wake_;
  bool anchor_stopping_ = false;
  std::thread anchor_thread_;
  bool opened_ = false;  // every check at open passed
  bool closed_ = false;
};

}  // namespace turno
