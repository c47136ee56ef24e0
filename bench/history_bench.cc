// turno-bench history: what the history tools and snapshots cost on one log, in one run.
//   (a) a log of --events events of the booking workload (history_workload.h), written
//       through the writer without fsync (building it is not what is measured)
//   (b) export rate per format (jsonl, csv, protobuf) into a sink that only counts bytes
//   (c) verify rates: the log's whole chain, and each export offline from its file
//   (d) start-up: Engine::open with a full replay, then with a snapshot at the tail, then with
//       a snapshot --tail events behind the tail (a snapshot every --tail events leaves at
//       most that much to replay); the model digests must agree
// Prints one JSON object per line. Flags: --events N --tail N --dir DIR --keep (keep DIR),
// --reuse (only (d), on the log a --keep run left in DIR), --start-up-only ((a) then (d)),
// --network (the log is a year of a clinic network, network_workload.h, where time passes and
// bookings finish, instead of the history workload where every booking stays live).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bench.h"
#include "engine.h"
#include "history_codec.h"
#include "history_export.h"
#include "history_verify.h"
#include "history_workload.h"
#include "model_codec.h"
#include "network_workload.h"
#include "recall.h"

namespace turno::bench {
namespace {

using Stopwatch = std::chrono::steady_clock;

struct HistoryBenchOptions {
  std::uint64_t events = 1'000'000;
  std::uint64_t tail_events = 100'000;
  std::string directory = "/tmp/turno-bench-history";
  bool keep = false;
  bool reuse = false;          // start-up only, on the log already in `directory`
  bool start_up_only = false;  // build the log, then (d) only: for logs too big to export
  bool network = false;        // the year-of-a-network workload (network_workload.h)
};

std::uint64_t thread_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000 +
         static_cast<std::uint64_t>(now.tv_nsec) / 1'000'000;
}

// Wall time, and the CPU time of the calling thread (which does all the measured work): on a
// machine shared with other jobs the second is the steadier figure.
class Timer {
 public:
  Timer() : wall_start_(Stopwatch::now()), cpu_start_ms_(thread_cpu_ms()) {}
  std::uint64_t ms() const {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Stopwatch::now() - wall_start_)
            .count());
  }
  std::uint64_t cpu_ms() const { return thread_cpu_ms() - cpu_start_ms_; }

 private:
  Stopwatch::time_point wall_start_;
  std::uint64_t cpu_start_ms_;
};

std::uint64_t per_second(std::uint64_t count, std::uint64_t ms) {
  return ms == 0 ? 0 : count * 1000 / ms;
}

void print_line(const std::string& fields) {
  std::printf("{\"bench\":\"history\",%s}\n", fields.c_str());
  std::fflush(stdout);
}

std::string field(const char* name, std::uint64_t value) {
  return "\"" + std::string(name) + "\":" + std::to_string(value);
}
std::string field(const char* name, std::string_view value) {
  return "\"" + std::string(name) + "\":\"" + std::string(value) + "\"";
}

std::string log_directory(const HistoryBenchOptions& options) {
  return options.directory + "/log";
}
std::string snapshot_directory(const HistoryBenchOptions& options) {
  return options.directory + "/snapshots/model";
}

// (a)
Status build_log(const HistoryBenchOptions& options, ManualClock& clock) {
  std::filesystem::remove_all(options.directory);
  std::filesystem::create_directories(log_directory(options));
  EngineOptions engine_options;
  engine_options.log.sync = false;
  auto engine = Engine::open(log_directory(options), clock, engine_options);
  if (!engine.is_ok()) return engine.status();
  const Timer timer;
  Status written = Status::ok();
  if (options.network) {
    NetworkOptions network;
    network.events_min = options.events;
    network.days_max = INT32_MAX / 2;
    written = write_network(engine.value()->writer(), clock, network);
  } else {
    WorkloadOptions workload;
    workload.events_min = options.events;
    written = write_workload(engine.value()->writer(), workload);
  }
  if (!written.is_ok()) return written;
  const std::uint64_t ms = timer.ms();
  const std::uint64_t events = engine.value()->log().last_seq().value;
  print_line(field("metric", "build_log") + "," + field("events", events) + "," + field("ms", ms) +
             "," + field("events_per_s", per_second(events, ms)));
  return Status::ok();
}

// (b), writing each export to a file too, for (c).
Status export_each_format(const EventLog& log, const HistoryBenchOptions& options) {
  for (history::Format format :
       {history::Format::kJsonl, history::Format::kCsv, history::Format::kProtobuf}) {
    std::uint64_t bytes = 0;
    const Timer timer;
    Result<v1::ExportSummary> summary =
        history::export_history(log, {}, format, [&](std::string_view chunk) {
          bytes += chunk.size();
          return Status::ok();
        });
    const std::uint64_t ms = timer.ms();
    const std::uint64_t cpu_ms = timer.cpu_ms();
    if (!summary.is_ok()) return summary.status();
    const std::uint64_t records = summary.value().record_count();
    print_line(field("metric", "export") + "," + field("format", history::format_name(format)) +
               "," + field("events", records) + "," + field("ms", ms) + "," +
               field("cpu_ms", cpu_ms) + "," + field("events_per_s", per_second(records, ms)) +
               "," + field("events_per_cpu_s", per_second(records, cpu_ms)) + "," +
               field("bytes_per_event", records == 0 ? 0 : bytes / records));
    std::ofstream file(options.directory + "/export." + std::string(history::format_name(format)),
                       std::ios::binary);
    Result<v1::ExportSummary> written =
        history::export_history(log, {}, format, [&](std::string_view chunk) {
          file.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
          return file ? Status::ok() : Status::io_error("bench: write export");
        });
    if (!written.is_ok()) return written.status();
  }
  return Status::ok();
}

// (c)
Status verify_all(const EventLog& log, const HistoryBenchOptions& options) {
  const Timer timer;
  const history::LogCheck chain = history::verify_log(log);
  const std::uint64_t ms = timer.ms();
  const std::uint64_t cpu_ms = timer.cpu_ms();
  if (!chain.status.is_ok()) return chain.status;
  print_line(field("metric", "verify_log") + "," + field("events", chain.records) + "," +
             field("ms", ms) + "," + field("cpu_ms", cpu_ms) + "," +
             field("events_per_s", per_second(chain.records, ms)) + "," +
             field("events_per_cpu_s", per_second(chain.records, cpu_ms)));
  for (history::Format format :
       {history::Format::kJsonl, history::Format::kCsv, history::Format::kProtobuf}) {
    std::ifstream file(options.directory + "/export." + std::string(history::format_name(format)),
                       std::ios::binary);
    const Timer file_timer;
    const history::ExportCheck check = history::verify_export(file, format);
    const std::uint64_t file_ms = file_timer.ms();
    const std::uint64_t file_cpu_ms = file_timer.cpu_ms();
    if (!check.status.is_ok()) return check.status;
    print_line(field("metric", "verify_export") + "," +
               field("format", history::format_name(format)) + "," +
               field("events", check.records) + "," + field("ms", file_ms) + "," +
               field("cpu_ms", file_cpu_ms) + "," +
               field("events_per_s", per_second(check.records, file_ms)) + "," +
               field("events_per_cpu_s", per_second(check.records, file_cpu_ms)));
  }
  return Status::ok();
}

struct Opened {
  std::uint64_t ms = 0;
  std::uint64_t cpu_ms = 0;
  std::string digest;
  ModelLoadReport report;
};

// Engine::open (log open + model load + writer start), timed; then stopped.
Result<Opened> open_timed(const HistoryBenchOptions& options, const turno::Clock& clock,
                          bool with_snapshots) {
  EngineOptions engine_options;
  if (with_snapshots) {
    ModelSnapshotOptions snapshots;
    snapshots.directory = snapshot_directory(options);
    snapshots.every_events = UINT64_MAX / 2;
    snapshots.on_stop = false;
    engine_options.model_snapshots.emplace(snapshots);
  }
  const Timer timer;
  auto engine = Engine::open(log_directory(options), clock, engine_options);
  Opened opened;
  opened.ms = timer.ms();
  opened.cpu_ms = timer.cpu_ms();
  if (!engine.is_ok()) return engine.status();
  engine.value()->stop();
  opened.digest = to_hex(model_digest(engine.value()->writer().model_when_stopped()));
  opened.report = engine.value()->load_report();
  return opened;
}

// A snapshot of the model at `seq` (folded from the log), as the follower would have taken.
Status snapshot_at(const EventLog& log, const HistoryBenchOptions& options, Seq seq) {
  std::filesystem::remove_all(snapshot_directory(options));
  ModelSnapshotOptions snapshots;
  snapshots.directory = snapshot_directory(options);
  Result<std::shared_ptr<SnapshotStore>> store = open_model_store(snapshots);
  if (!store.is_ok()) return store.status();
  Model model;
  LogCursor cursor = log.read(Seq{1}, seq);
  Hash hash{};
  while (cursor.next()) {
    if (Status status = fold_from_log(log, model, cursor.record().envelope); !status.is_ok()) {
      return status;
    }
    hash = cursor.record().hash;
  }
  if (!cursor.status().is_ok()) return cursor.status();
  const Timer timer;
  Status written = write_model_snapshot(*store.value(), log, model, hash, 1);
  const std::uint64_t ms = timer.ms();
  Result<std::optional<SnapshotStore::Snapshot>> back = [&] {
    SnapshotStore::Report report;
    return store.value()->load_newest(report);
  }();
  const std::uint64_t bytes = back.is_ok() && back.value() ? back.value()->payload.size() : 0;
  print_line(field("metric", "snapshot_write") + "," + field("seq", seq.value) + "," +
             field("ms", ms) + "," + field("bytes", bytes));
  return written;
}

// (d). The log is opened once first, so that every timed open finds it in the same state
// (the first open after the build recovers and flushes the build's WAL).
Status start_up(const HistoryBenchOptions& options, const turno::Clock& clock) {
  if (auto settle = EventLog::open(log_directory(options)); !settle.is_ok()) {
    return settle.status();
  }
  Result<Opened> replayed = open_timed(options, clock, false);
  if (!replayed.is_ok()) return replayed.status();
  Seq tail;
  {
    auto log = EventLog::open(log_directory(options), {LogOptions::Mode::kReadOnly});
    if (!log.is_ok()) return log.status();
    tail = log.value()->last_seq();
  }
  print_line(field("metric", "start_up") + "," + field("from", "full_replay") + "," +
             field("events", tail.value) + "," + field("ms", replayed.value().ms) + "," +
             field("cpu_ms", replayed.value().cpu_ms) + "," +
             field("replay_ms", replayed.value().report.replay_ms));
  const Seq behind{tail.value > options.tail_events ? tail.value - options.tail_events : 0};
  for (Seq seq : {tail, behind}) {
    {
      auto log = EventLog::open(log_directory(options), {LogOptions::Mode::kReadOnly});
      if (!log.is_ok()) return log.status();
      if (Status status = snapshot_at(*log.value(), options, seq); !status.is_ok()) return status;
    }
    Result<Opened> loaded = open_timed(options, clock, true);
    if (!loaded.is_ok()) return loaded.status();
    if (loaded.value().digest != replayed.value().digest) {
      return Status::corruption("bench: the snapshot's model differs from the full replay's");
    }
    const ModelLoadReport& report = loaded.value().report;
    print_line(field("metric", "start_up") + "," + field("from", "snapshot") + "," +
               field("events", tail.value) + "," + field("snapshot_seq", seq.value) + "," +
               field("snapshot_bytes", report.snapshot_bytes) + "," +
               field("tail_events", report.replayed_events) + "," + field("ms", loaded.value().ms) +
               "," + field("cpu_ms", loaded.value().cpu_ms) + "," +
               field("read_ms", report.read_ms) + "," + field("decode_ms", report.decode_ms) + "," +
               field("replay_ms", report.replay_ms) + "," + field("digest_matches_full_replay", 1));
  }
  return Status::ok();
}

bool parse_options(int argc, char** argv, HistoryBenchOptions& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--events" && has_value) {
      options.events = std::stoull(argv[++i]);
    } else if (flag == "--tail" && has_value) {
      options.tail_events = std::stoull(argv[++i]);
    } else if (flag == "--dir" && has_value) {
      options.directory = argv[++i];
    } else if (flag == "--keep") {
      options.keep = true;
    } else if (flag == "--reuse") {
      options.reuse = options.keep = true;
    } else if (flag == "--start-up-only") {
      options.start_up_only = true;
    } else if (flag == "--network") {
      options.network = true;
    } else {
      return false;
    }
  }
  return true;
}

int run_history(int argc, char** argv) {
  HistoryBenchOptions options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: turno-bench history [--events N] [--tail N] [--dir DIR] [--keep] "
                 "[--reuse] [--start-up-only] [--network]\n");
    return 2;
  }
  ManualClock clock(kWorkloadNowMs);
  Status status = options.reuse ? Status::ok() : build_log(options, clock);
  if (status.is_ok() && !options.reuse && !options.start_up_only) {
    auto log = EventLog::open(log_directory(options), {LogOptions::Mode::kReadOnly});
    status = log.is_ok() ? export_each_format(*log.value(), options) : log.status();
    if (status.is_ok()) status = verify_all(*log.value(), options);
  }
  if (status.is_ok()) status = start_up(options, clock);
  if (!options.keep) std::filesystem::remove_all(options.directory);
  if (!status.is_ok()) {
    std::fprintf(stderr, "turno-bench history: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

TURNO_BENCH("history", "export, verify and snapshot start-up on one log", run_history);

}  // namespace turno::bench
