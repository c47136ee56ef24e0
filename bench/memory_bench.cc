// turno-bench memory: what a command node keeps in memory as history grows.
//
// Runs "a year of a clinic network" (network_workload.h: by default 10 tenants x 10 sites x
// 4 staff, every slot booked a week ahead, ~5 200 bookings and ~31 000 events a working day,
// ~10 M events a year) through a whole command node in this process: the engine (log, writer,
// model snapshotter with its own model) and, with --views 1 (the default), every read view
// following the log in-process, as `turno serve` runs them. The log is written without fsync
// (memory is what is measured, not the disk).
//
// After each simulated month (26 working days) it prints one JSON line: days, events,
// bookings made and finished so far, live bookings, the process RSS (after malloc_trim(0), so
// freed memory the allocator still holds is not counted), and the views' pool of interned ids
// (projections/interned_id.h: distinct ids and their bytes, which must not follow the
// bookings). The last line
// compares month 12 (or the last) with month 1: the RSS ratio, bytes of RSS per booking
// finished in between (what history costs; also as the least-squares slope over every month,
// which the bounded caches' swings disturb less, and again with the log's RocksDB memory taken
// out of each month's RSS, as it swings within its bound), and bytes per live booking at month 1
// (RSS after month 1 minus the RSS with the catalog only, over the live bookings then: an upper
// bound, as it includes the caches that fill meanwhile). Each month also shows what RocksDB
// holds for the log (memtables and block cache, both bounded by LogOptions).
//
// Flags: --months N (12) --views 0|1 (1) --view NAME (only that view; repeatable, to see
// what each costs) --tenants N --sites N --staff N --dir DIR --keep.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench.h"
#include "engine.h"
#include "interned_id.h"
#include "network_workload.h"
#include "query_side.h"

namespace turno::bench {
namespace {

constexpr int kWorkingDaysPerMonth = 26;

struct MemoryBenchOptions {
  int months = 12;
  bool views = true;
  std::vector<std::string> view_names;  // --view NAME (repeatable): only these; empty: all
  NetworkOptions network;
  std::string directory = "/tmp/turno-bench-memory";
  bool keep = false;
};

std::uint64_t rss_bytes() {
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  std::uint64_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

struct Month {
  int month = 0;
  NetworkDay day;
  std::uint64_t rss = 0;
  std::uint64_t log_memory = 0;  // RocksDB's memtables and block cache for the log (bounded)
};

// The least-squares slope of RSS over bookings finished, in bytes per booking: what history
// costs, less sensitive than two end points to the bounded caches' swings.
long double slope(const std::vector<Month>& months, bool without_log_memory) {
  if (months.size() < 2) return 0;
  long double mean_x = 0;
  long double mean_y = 0;
  const auto y = [without_log_memory](const Month& m) {
    return static_cast<long double>(m.rss) -
           (without_log_memory ? static_cast<long double>(m.log_memory) : 0.0L);
  };
  for (const Month& m : months) {
    mean_x += static_cast<long double>(m.day.bookings_finished);
    mean_y += y(m);
  }
  mean_x /= static_cast<long double>(months.size());
  mean_y /= static_cast<long double>(months.size());
  long double covariance = 0;
  long double variance = 0;
  for (const Month& m : months) {
    const long double dx = static_cast<long double>(m.day.bookings_finished) - mean_x;
    covariance += dx * (y(m) - mean_y);
    variance += dx * dx;
  }
  return variance == 0 ? 0 : covariance / variance;
}

void print_month(const Month& m, bool views) {
  std::printf(
      "{\"bench\":\"memory\",\"views\":%d,\"month\":%d,\"days\":%d,\"events\":%llu,"
      "\"bookings_made\":%llu,\"bookings_finished\":%llu,\"bookings_live\":%llu,"
      "\"rss_bytes\":%llu,\"log_rocksdb_bytes\":%llu,\"interned_ids\":%llu,"
      "\"interned_id_bytes\":%llu}\n",
      views ? 1 : 0, m.month, m.day.day + 1, static_cast<unsigned long long>(m.day.last_seq.value),
      static_cast<unsigned long long>(m.day.bookings_made),
      static_cast<unsigned long long>(m.day.bookings_finished),
      static_cast<unsigned long long>(m.day.bookings_made - m.day.bookings_finished),
      static_cast<unsigned long long>(m.rss), static_cast<unsigned long long>(m.log_memory),
      static_cast<unsigned long long>(InternedId::pool_size()),
      static_cast<unsigned long long>(InternedId::pool_bytes()));
  std::fflush(stdout);
}

void print_summary(std::uint64_t catalog_rss, const std::vector<Month>& months, bool views) {
  const Month& first = months.front();
  const Month& last = months.back();
  const auto finished =
      static_cast<long double>(last.day.bookings_finished - first.day.bookings_finished);
  const auto grown = static_cast<long double>(last.rss) - static_cast<long double>(first.rss);
  const auto live = first.day.bookings_made - first.day.bookings_finished;
  const auto per_live = live == 0 ? 0 : (first.rss - catalog_rss) / live;
  std::printf(
      "{\"bench\":\"memory\",\"views\":%d,\"summary\":true,\"months\":%d,\"events\":%llu,"
      "\"rss_first_month\":%llu,\"rss_last_month\":%llu,\"rss_ratio_last_to_first\":%.3Lf,"
      "\"bytes_per_finished_booking\":%.1Lf,\"bytes_per_finished_booking_fit\":%.1Lf,"
      "\"bytes_per_finished_booking_fit_without_log_memory\":%.1Lf,"
      "\"bytes_per_live_booking\":%llu}\n",
      views ? 1 : 0, last.month, static_cast<unsigned long long>(last.day.last_seq.value),
      static_cast<unsigned long long>(first.rss), static_cast<unsigned long long>(last.rss),
      static_cast<long double>(last.rss) / static_cast<long double>(first.rss),
      finished == 0 ? 0.0L : grown / finished, slope(months, false), slope(months, true),
      static_cast<unsigned long long>(per_live));
  std::fflush(stdout);
}

Status run_network(const MemoryBenchOptions& options) {
  std::filesystem::remove_all(options.directory);
  std::filesystem::create_directories(options.directory + "/log");
  ManualClock clock(kNetworkStartMs - kMsPerDay);
  EngineOptions engine_options;
  engine_options.log.sync = false;
  ModelSnapshotOptions snapshots;
  snapshots.directory = options.directory + "/snapshots/model";
  engine_options.model_snapshots.emplace(snapshots);
  auto engine = Engine::open(options.directory + "/log", clock, engine_options);
  if (!engine.is_ok()) return engine.status();
  std::unique_ptr<projections::QuerySide> views;
  if (options.views) {
    std::vector<std::string> report;
    projections::QuerySideOptions view_options;
    view_options.views_directory = options.directory + "/views";
    view_options.views = options.view_names;
    auto opened = projections::QuerySide::open(view_options, report);
    if (!opened.is_ok()) return opened.status();
    views = std::move(opened).value();
    views->start_embedded(engine.value()->log());
  }
  const std::uint64_t catalog_rss = rss_bytes();
  std::vector<Month> months;
  int working_days = 0;
  bool done = false;
  NetworkOptions network = options.network;
  network.days_max = options.months * 31;
  Status status =
      write_network(engine.value()->writer(), clock, network, [&](const NetworkDay& day) -> Status {
        if (++working_days % kWorkingDaysPerMonth != 0) return Status::ok();
        if (views && !views->wait_until_applied(day.last_seq, std::chrono::minutes(5))) {
          return Status::busy("bench: the views did not catch up within 5 minutes");
        }
        months.push_back(Month{working_days / kWorkingDaysPerMonth, day, rss_bytes(),
                               engine.value()->log().memory_bytes()});
        print_month(months.back(), options.views);
        done = months.back().month == options.months;
        return done ? Status::busy("the months asked for are done") : Status::ok();
      });
  if (!status.is_ok() && !done) return status;
  if (!months.empty()) print_summary(catalog_rss, months, options.views);
  if (views) views->stop();
  engine.value()->stop();
  return Status::ok();
}

bool parse_options(int argc, char** argv, MemoryBenchOptions& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--months" && has_value) {
      options.months = std::stoi(argv[++i]);
    } else if (flag == "--views" && has_value) {
      options.views = std::stoi(argv[++i]) != 0;
    } else if (flag == "--view" && has_value) {
      options.view_names.emplace_back(argv[++i]);
    } else if (flag == "--tenants" && has_value) {
      options.network.tenants = std::stoi(argv[++i]);
    } else if (flag == "--sites" && has_value) {
      options.network.sites_per_tenant = std::stoi(argv[++i]);
    } else if (flag == "--staff" && has_value) {
      options.network.staff_per_site = std::stoi(argv[++i]);
    } else if (flag == "--dir" && has_value) {
      options.directory = argv[++i];
    } else if (flag == "--keep") {
      options.keep = true;
    } else {
      return false;
    }
  }
  return options.months >= 1;
}

int run_memory(int argc, char** argv) {
  MemoryBenchOptions options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(
        stderr,
        "usage: turno-bench memory [--months N] [--views 0|1] [--view NAME]... [--tenants N] "
        "[--sites N] [--staff N] [--dir DIR] [--keep]\n");
    return 2;
  }
  const Status status = run_network(options);
  if (!options.keep) std::filesystem::remove_all(options.directory);
  if (!status.is_ok()) {
    std::fprintf(stderr, "turno-bench memory: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

TURNO_BENCH("memory", "RSS of a command node over a year of a clinic network", run_memory);

}  // namespace turno::bench
