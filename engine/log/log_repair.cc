#include "log_repair.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "durable_file.h"
#include "log_anchor.h"
#include "log_format.h"
#include "sha256.h"

namespace turno {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPartialName = "repair.partial";

// RocksDB's own files at the top of a log directory (what a swap moves).
bool is_rocksdb_file(const std::string& name) {
  return name == "CURRENT" || name == "IDENTITY" || name == "LOCK" || name == "LOG" ||
         name.starts_with("LOG.old.") || name.starts_with("MANIFEST-") ||
         name.starts_with("OPTIONS-") || name.ends_with(".sst") || name.ends_with(".log") ||
         name.ends_with(".blob") || name.ends_with(".dbtmp");
}

// RocksDB's lock on the log: held while repairing, so no server runs on it meanwhile.
class LogLock {
 public:
  static Result<std::unique_ptr<LogLock>> take(const std::string& directory) {
    const std::string path = directory + "/LOCK";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::io_error("repair: cannot open " + path);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &lock) != 0) {
      ::close(fd);
      return Status::busy("repair: " + directory + " is in use (a running turno serve?): stop it");
    }
    return std::unique_ptr<LogLock>(new LogLock(fd));
  }
  ~LogLock() { ::close(fd_); }
  LogLock(const LogLock&) = delete;
  LogLock& operator=(const LogLock&) = delete;

 private:
  explicit LogLock(int fd) : fd_(fd) {}
  int fd_;
};

class BackupSource final : public RecordSource {
 public:
  BackupSource(std::string directory, std::unique_ptr<EventLog> log)
      : directory_(std::move(directory)), log_(std::move(log)) {}
  std::string describe() const override { return "backup " + directory_; }
  std::optional<std::string> log_id() const override { return log_->log_id(); }
  Result<std::vector<LogRecord>> read(const std::string& log_id, Seq from,
                                      std::size_t count_max) override {
    std::vector<LogRecord> records;
    if (log_id != log_->log_id() || count_max == 0) return records;
    LogCursor cursor = log_->read(from, Seq{from.value + count_max - 1}, /*verify_hashes=*/true);
    while (cursor.next()) records.push_back(cursor.record());
    if (!cursor.status().is_ok()) return cursor.status();
    return records;
  }
  Status for_each_outcome(const std::function<Status(std::string_view key,
                                                     const v1::CommandOutcome&)>& visit) override {
    return log_->for_each_outcome(visit);
  }

 private:
  std::string directory_;
  std::unique_ptr<EventLog> log_;
};

// The local log's readable, verified prefix.
struct Salvage {
  std::unique_ptr<EventLog> log;  // null when not even the database opens
  std::optional<std::string> log_id;
  Seq good;
  std::string why_not_whole;  // empty when every record read and verified
};

Salvage salvage(const std::string& directory) {
  Salvage salvaged;
  LogOptions options;
  options.mode = LogOptions::Mode::kReadOnly;
  options.create_if_missing = false;
  options.recovery = LogOptions::Recovery::kSalvage;
  Result<std::unique_ptr<EventLog>> opened = EventLog::open(directory, options);
  if (!opened.is_ok()) {
    salvaged.why_not_whole = opened.status().message();
    return salvaged;
  }
  salvaged.log = std::move(opened).value();
  salvaged.log_id = salvaged.log->log_id();
  LogCursor cursor = salvaged.log->read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
  while (cursor.next()) salvaged.good = cursor.record().seq;
  if (!cursor.status().is_ok()) salvaged.why_not_whole = cursor.status().message();
  return salvaged;
}

std::optional<std::string> choose_log_id(const Salvage& salvaged,
                                         const std::vector<HeadAnchor>& anchors,
                                         const std::vector<RecordSource*>& sources) {
  // The anchors name the log that was acknowledged; a salvaged database of another id is not it.
  if (!anchors.empty()) return anchors.front().log_id;
  if (salvaged.log_id) return salvaged.log_id;
  for (RecordSource* source : sources) {
    if (auto id = source->log_id()) return id;
  }
  return std::nullopt;
}

// Copies records seq `from` on out of `read` into `log`, batch by batch, each checked by
// AppendBatch::add_copied. Returns the last seq copied.
Result<Seq> copy_records(
    EventLog& log, Seq from, std::size_t batch_max,
    const std::function<Result<std::vector<LogRecord>>(Seq, std::size_t)>& read) {
  Seq last{from.value - 1};
  for (;;) {
    Result<std::vector<LogRecord>> records = read(last.next(), batch_max);
    if (!records.is_ok()) return records.status();
    if (records.value().empty()) return last;
    AppendBatch batch = log.begin_batch();
    for (const LogRecord& record : records.value()) {
      if (Status status = batch.add_copied(record); !status.is_ok()) return status;
    }
    last = batch.last_seq();
    if (Status status = log.commit(std::move(batch)); !status.is_ok()) return status;
  }
}

// Outcomes: the local log's and the sources', then one rebuilt from the events for every
// accepted command that has none. Only outcomes whose events the repaired log holds are kept.
Status put_outcomes(EventLog& log, Salvage& salvaged, const std::vector<RecordSource*>& sources,
                    RepairReport& report) {
  std::map<std::string, v1::CommandOutcome, std::less<>> outcomes;
  const Seq tail = log.last_seq();
  auto keep = [&](std::string_view key, const v1::CommandOutcome& outcome) {
    if (outcome.last_seq() <= tail.value) outcomes.emplace(std::string(key), outcome);
    return Status::ok();
  };
  if (salvaged.log) salvaged.log->for_each_outcome(keep).ignore();  // damaged: keep what read
  for (RecordSource* source : sources) {
    if (Status status = source->for_each_outcome(keep); !status.is_ok()) return status;
  }
  report.outcomes_kept = outcomes.size();
  std::map<std::string, v1::CommandOutcome, std::less<>> rebuilt;
  LogCursor cursor = log.read(Seq{1});
  while (cursor.next()) {
    const v1::Envelope& envelope = cursor.record().envelope;
    if (envelope.command_id().empty()) continue;
    const std::string key = log_format::outcome_key(envelope.tenant_id(), envelope.command_id());
    if (outcomes.contains(key)) continue;
    auto [entry, fresh] = rebuilt.try_emplace(key);
    if (fresh) {
      entry->second.set_first_seq(cursor.record().seq.value);
      entry->second.set_recorded_at_ms(envelope.recorded_at_ms());
    }
    entry->second.set_last_seq(cursor.record().seq.value);
  }
  if (!cursor.status().is_ok()) return cursor.status();
  report.outcomes_rebuilt = rebuilt.size();
  outcomes.merge(rebuilt);
  AppendBatch batch = log.begin_batch();
  for (const auto& [key, outcome] : outcomes) batch.put_outcome_key(key, outcome);
  return log.commit(std::move(batch));
}

Status verify_whole(const EventLog& log) {
  LogCursor cursor = log.read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
  while (cursor.next()) {
  }
  return cursor.status();
}

// Moves the damaged RocksDB files into DIR/damaged-<ms>/ and the repaired ones into DIR.
Result<std::string> swap_in(const std::string& directory, const std::string& partial,
                            std::int64_t now_ms) {
  const std::string damaged = directory + "/damaged-" + std::to_string(now_ms);
  std::error_code error;
  fs::create_directories(damaged, error);
  if (error) return Status::io_error("repair: create " + damaged + ": " + error.message());
  auto move_rocksdb_files = [&](const std::string& from, const std::string& to) -> Status {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(from, error)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && is_rocksdb_file(name)) names.push_back(name);
    }
    if (error) return Status::io_error("repair: list " + from + ": " + error.message());
    for (const std::string& name : names) {
      fs::rename(from + "/" + name, to + "/" + name, error);
      if (error)
        return Status::io_error("repair: move " + from + "/" + name + ": " + error.message());
    }
    if (Status status = sync_path(from); !status.is_ok()) return status;
    return sync_path(to);
  };
  if (Status status = move_rocksdb_files(directory, damaged); !status.is_ok()) return status;
  if (Status status = move_rocksdb_files(partial, directory); !status.is_ok()) return status;
  fs::remove_all(partial, error);
  return damaged;
}

}  // namespace

Result<std::unique_ptr<RecordSource>> backup_record_source(const std::string& backup_directory) {
  LogOptions options;
  options.mode = LogOptions::Mode::kReadOnly;
  options.create_if_missing = false;
  Result<std::unique_ptr<EventLog>> log = EventLog::open(backup_directory, options);
  if (!log.is_ok()) return log.status();
  return std::unique_ptr<RecordSource>(new BackupSource(backup_directory, std::move(log).value()));
}

Result<RepairReport> repair_log(const std::string& log_directory,
                                const std::vector<RecordSource*>& sources,
                                const RepairOptions& options) {
  auto say = [&](const std::string& line) {
    if (options.on_progress) options.on_progress(line);
  };
  Result<std::unique_ptr<LogLock>> lock = LogLock::take(log_directory);
  if (!lock.is_ok()) return lock.status();
  Result<std::vector<HeadAnchor>> anchors = read_head_anchors(log_directory);
  if (!anchors.is_ok()) return anchors.status();

  Salvage salvaged = salvage(log_directory);
  if (salvaged.log && !anchors.value().empty() &&
      salvaged.log->log_id() != anchors.value().front().log_id) {
    salvaged = Salvage{};  // another log's database: nothing of it is kept
    salvaged.why_not_whole = "the database holds another log than its anchors name";
  }
  RepairReport report;
  report.salvaged_to = salvaged.good;
  say("local log: seq 1-" + std::to_string(salvaged.good.value) + " read and verified" +
      (salvaged.why_not_whole.empty() ? "" : "; then: " + salvaged.why_not_whole));
  const std::optional<std::string> log_id = choose_log_id(salvaged, anchors.value(), sources);
  if (!log_id) return Status::invalid_argument("repair: no log, anchor or backup names the log");
  report.log_id = *log_id;

  const std::string partial = log_directory + "/" + std::string(kPartialName);
  std::error_code error;
  fs::remove_all(partial, error);
  // Whatever goes wrong from here, the partial copy goes (after the log built in it closed).
  struct RemoveOnExit {
    std::string path;
    ~RemoveOnExit() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } remove_partial{partial};
  LogOptions build;
  build.sync = false;  // made durable by the flush at close, before anything trusts it
  build.log_id_at_creation = *log_id;
  Result<std::unique_ptr<EventLog>> opened = EventLog::open(partial, build);
  if (!opened.is_ok()) return opened.status();
  EventLog& repaired = *opened.value();
  if (repaired.log_id() != *log_id) return Status::io_error("repair: " + partial + " is not new");

  Result<Seq> local =
      copy_records(repaired, Seq{1}, options.batch_records_max,
                   [&](Seq from, std::size_t count) -> Result<std::vector<LogRecord>> {
                     std::vector<LogRecord> records;
                     if (!salvaged.log || from > salvaged.good) return records;
                     const Seq to{std::min(salvaged.good.value, from.value + count - 1)};
                     LogCursor cursor = salvaged.log->read(from, to, true);
                     while (cursor.next()) records.push_back(cursor.record());
                     if (!cursor.status().is_ok()) return cursor.status();
                     return records;
                   });
  if (!local.is_ok()) return local.status();
  for (RecordSource* source : sources) {
    const Seq before = repaired.last_seq();
    Result<Seq> taken = copy_records(
        repaired, before.next(), options.batch_records_max,
        [&](Seq from, std::size_t count) { return source->read(*log_id, from, count); });
    if (!taken.is_ok()) {
      return Status::corruption("repair: " + source->describe() + ": " + taken.status().message());
    }
    if (taken.value() > before) {
      report.restored_from.emplace_back(source->describe(), taken.value());
      say(source->describe() + ": seq " + std::to_string(before.value + 1) + "-" +
          std::to_string(taken.value().value) + " restored, every hash recomputed");
    } else {
      say(source->describe() + ": nothing after seq " + std::to_string(before.value));
    }
  }
  report.restored_to = repaired.last_seq();
  const EventLog& check = repaired;
  if (Status status = check_head_anchors(
          anchors.value(), *log_id, check.last_seq(),
          [&check](Seq seq) -> Result<Hash> {
            Result<LogRecord> record = check.read_one(seq);
            if (!record.is_ok()) return record.status();
            return record.value().hash;
          },
          log_directory);
      !status.is_ok()) {
    return Status::corruption(
        "repair: the sources do not hold every acknowledged event; nothing "
        "was changed. " +
        status.message());
  }
  if (Status status = put_outcomes(repaired, salvaged, sources, report); !status.is_ok()) {
    return status;
  }
  if (Status status = verify_whole(repaired); !status.is_ok()) return status;
  report.changed = !salvaged.why_not_whole.empty() || report.restored_to != salvaged.good;
  if (Status status = repaired.close(); !status.is_ok()) return status;
  opened.value().reset();
  salvaged.log.reset();
  if (!report.changed) {
    say("the log is whole: nothing to repair");
    return report;
  }
  Result<std::string> damaged = swap_in(log_directory, partial, options.now_ms);
  if (!damaged.is_ok()) return damaged.status();
  report.damaged_directory = damaged.value();
  lock.value().reset();
  // The repaired log must now open like any other: verified, and agreeing with every anchor.
  Result<std::unique_ptr<EventLog>> reopened = EventLog::open(log_directory);
  if (!reopened.is_ok()) return reopened.status();
  if (Status status = verify_whole(*reopened.value()); !status.is_ok()) return status;
  return report;
}

}  // namespace turno
