// turno-bench views: what the query side costs, in one run.
//   (a) a log of --events events of the booking workload (history_workload.h), written through
//       the writer without fsync (building it is not what is measured)
//   (b) baselines: a raw RocksDB scan of the log's records (iterate, touch the bytes), and the
//       log's own cursor (decodes and checks every record, no views)
//   (c) rebuild of all six views from scratch (rebuild_views: one thread reads and decodes,
//       one applies), events/s and its ratio to (b)
//   (d) availability: a 30-day query for a 50-staff site with realistic bookings, p50/p99
//   (e) with nats-server installed: the publisher's rate on the whole log, and the writer's rate
//       with and without the publisher following it
// Prints one JSON object per line. Flags: --events N --queries N --dir DIR --no-nats, --keep
// (leave the log in DIR), --reuse (use the log a --keep run left), --only
// rebuild|availability|apply|nats, --per-view (also rebuild each view alone).
#include <rocksdb/db.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "../tests/projections/nats_server.h"
#include "availability_view.h"
#include "bench.h"
#include "booking_table.h"
#include "decide.h"
#include "engine.h"
#include "history_workload.h"
#include "log_format.h"
#include "nats_publisher.h"
#include "rebuild.h"
#include "views.h"

namespace turno::bench {
namespace {

using Stopwatch = std::chrono::steady_clock;

struct ViewsBenchOptions {
  std::uint64_t events = 1'000'000;
  std::uint64_t queries = 5'000;
  std::string directory = "/tmp/turno-bench-views";
  bool nats = true;
  bool keep = false;      // leave the log in `directory`
  bool reuse = false;     // use the log a --keep run left there
  std::string only;       // "rebuild", "availability", "apply" or "nats": that part alone
  bool per_view = false;  // also rebuild each view on its own
  std::string view;       // rebuild this view alone (profiling)
};

double seconds_since(Stopwatch::time_point start) {
  return std::chrono::duration<double>(Stopwatch::now() - start).count();
}

std::unique_ptr<Engine> open_engine(const std::string& directory, const Clock& clock, bool sync) {
  EngineOptions options;
  options.log.sync = sync;
  std::filesystem::create_directories(directory);
  auto engine = Engine::open(directory, clock, options);
  VERIFY(engine.is_ok(), "bench: open the engine");
  return std::move(engine).value();
}

// (b) Every record of the events column family, read straight from RocksDB.
double raw_scan_events_per_s(const std::string& log_directory, std::uint64_t& records) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, {}},
      {std::string(log_format::kEventsFamily), {}},
      {std::string(log_format::kStreamsFamily), {}},
      {std::string(log_format::kOutcomesFamily), {}}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  VERIFY(rocksdb::DB::OpenForReadOnly({}, log_directory, families, &handles, &raw).ok(),
         "bench: open the log read-only");
  std::unique_ptr<rocksdb::DB> db(raw);
  const auto start = Stopwatch::now();
  std::uint64_t bytes = 0;
  records = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, handles[1]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      bytes += it->key().size() + it->value().size();
      ++records;
    }
  }
  const double seconds = seconds_since(start);
  for (auto* handle : handles) VERIFY(db->DestroyColumnFamilyHandle(handle).ok(), "bench: close");
  VERIFY(bytes > 0, "bench: the scan read something");
  return static_cast<double>(records) / seconds;
}

double cursor_scan_events_per_s(const EventLog& log) {
  const auto start = Stopwatch::now();
  LogCursor cursor = log.read(Seq{1});
  std::uint64_t records = 0;
  while (cursor.next()) ++records;
  VERIFY(cursor.status().is_ok(), "bench: the log reads back");
  return static_cast<double>(records) / seconds_since(start);
}

// CPU time of the whole process (both rebuild threads): on a machine shared with other jobs
// it is the steadier figure; wall time is printed too.
double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// (c) All views (`names` empty) or the ones named.
void rebuild(const EventLog& log, const std::vector<std::string>& names, double raw_per_s,
             double cursor_per_s) {
  const auto start = Stopwatch::now();
  const double cpu_start = process_cpu_seconds();
  projections::RebuildOptions options;
  options.views = names;
  auto rebuilt = projections::rebuild_views(log, options);
  VERIFY(rebuilt.is_ok(), "bench: rebuild");
  const double seconds = seconds_since(start);
  const double cpu_seconds = process_cpu_seconds() - cpu_start;
  const double per_s = static_cast<double>(rebuilt.value().events) / seconds;
  const std::string label = names.empty() ? "all_views" : names.front();
  std::printf(
      "{\"bench\":\"rebuild_%s\",\"views\":%zu,\"events\":%llu,\"seconds\":%.3f,"
      "\"cpu_seconds\":%.3f,\"events_per_s\":%.0f,\"ratio_to_raw_scan\":%.2f,"
      "\"ratio_to_cursor_scan\":%.2f}\n",
      label.c_str(), rebuilt.value().views.size(),
      static_cast<unsigned long long>(rebuilt.value().events), seconds, cpu_seconds, per_s,
      per_s / raw_per_s, per_s / cursor_per_s);
  std::fflush(stdout);
}

// Each view's fold alone, over envelopes already in memory: where the applying thread's time
// goes, without the log.
void apply_in_memory(const EventLog& log, const std::string& only_view) {
  std::vector<v1::Envelope> events;
  events.reserve(log.last_seq().value);
  LogCursor cursor = log.read(Seq{1});
  while (cursor.next()) events.push_back(cursor.record().envelope);
  {
    projections::BookingTable table;
    const double cpu_start = process_cpu_seconds();
    for (const auto& event : events) table.fold(event);
    std::printf("{\"bench\":\"apply_booking_table\",\"ns_per_event\":%.0f}\n",
                (process_cpu_seconds() - cpu_start) * 1e9 / static_cast<double>(events.size()));
  }
  {
    std::vector<std::unique_ptr<projections::View>> views;
    for (std::string_view name : projections::view_names())
      views.push_back(projections::make_view(name));
    std::vector<projections::View*> members;
    for (const auto& view : views) members.push_back(view.get());
    projections::SharedFold fold(members);
    const double cpu_start = process_cpu_seconds();
    for (const auto& event : events) fold.apply(event);
    std::printf("{\"bench\":\"apply_all_shared\",\"ns_per_event\":%.0f}\n",
                (process_cpu_seconds() - cpu_start) * 1e9 / static_cast<double>(events.size()));
  }
  for (std::string_view name : projections::view_names()) {
    if (!only_view.empty() && name != only_view) continue;
    auto view = projections::make_view(name);
    const double cpu_start = process_cpu_seconds();
    for (const auto& event : events) view->apply(event);
    const double cpu_seconds = process_cpu_seconds() - cpu_start;
    std::printf(
        "{\"bench\":\"apply_%s\",\"events\":%zu,\"cpu_seconds\":%.3f,"
        "\"ns_per_event\":%.0f}\n",
        std::string(name).c_str(), events.size(), cpu_seconds,
        cpu_seconds * 1e9 / static_cast<double>(events.size()));
    std::fflush(stdout);
  }
}

// (d) A site of 50 staff (two skills), Mon-Sat 08:00-20:00 in Lima, with about 60 % of a month
// booked in 45- and 30-minute appointments, decided and folded like the writer would.
class SiteBuilder {
 public:
  explicit SiteBuilder(std::int64_t now_ms) : now_ms_(now_ms) {}

  bool run(const v1::Command& command) {
    Decision decision = decide(model_, command, DecideContext{now_ms_, model_.last_seq.next()});
    for (v1::Envelope& event : decision.events) {
      event.set_seq(model_.last_seq.value + 1);
      evolve(model_, event);
      view_.apply(event);
    }
    return decision.accepted();
  }
  const projections::AvailabilityView& view() const { return view_; }

 private:
  Model model_;
  std::int64_t now_ms_;
  projections::AvailabilityView view_;
};

v1::Command shell(const std::string& id, v1::Role role) {
  v1::Command command;
  command.set_tenant_id("bench");
  command.set_command_id(id);
  command.mutable_actor()->set_id(role == v1::ROLE_CLIENT ? "client" : "admin");
  command.mutable_actor()->set_role(role);
  return command;
}

void build_site(SiteBuilder& site, std::size_t& holds) {
  v1::Command tenant = shell("tenant", v1::ROLE_PLATFORM);
  tenant.mutable_register_tenant()->set_name("Bench clinics");
  tenant.mutable_register_tenant()->set_currency("PEN");
  tenant.mutable_register_tenant()->set_invoice_series("F001");
  site.run(tenant);
  v1::Command open = shell("site", v1::ROLE_ADMIN);
  open.mutable_open_site()->set_site_id("lima");
  open.mutable_open_site()->set_name("Lima");
  open.mutable_open_site()->set_time_zone("America/Lima");
  site.run(open);
  for (const auto& [id, minutes, skill] :
       {std::tuple{"consult", 30, "general"}, std::tuple{"therapy", 45, "therapy"}}) {
    v1::Command service = shell(std::string("svc-") + id, v1::ROLE_ADMIN);
    auto& body = *service.mutable_define_service();
    body.set_service_id(id);
    body.set_name(id);
    body.set_duration_min(minutes);
    body.set_price_minor(10'000);
    body.set_required_skill(skill);
    body.set_buffer_after_min(5);
    site.run(service);
  }
  for (int k = 0; k < 50; ++k) {
    const std::string id = "st" + std::to_string(k);
    v1::Command join = shell("join-" + id, v1::ROLE_ADMIN);
    join.mutable_add_staff()->set_staff_id(id);
    join.mutable_add_staff()->set_site_id("lima");
    join.mutable_add_staff()->set_name(id);
    join.mutable_add_staff()->add_skills("general");
    if (k % 2 == 0) join.mutable_add_staff()->add_skills("therapy");
    site.run(join);
    v1::Command schedule = shell("sched-" + id, v1::ROLE_ADMIN);
    for (int weekday = 1; weekday <= 6; ++weekday) {
      auto& window = *schedule.mutable_set_schedule()->add_intervals();
      window.set_weekday(weekday);
      window.set_start_min(8 * 60);
      window.set_end_min(20 * 60);
    }
    schedule.mutable_set_schedule()->set_staff_id(id);
    site.run(schedule);
  }
  std::mt19937 random(7);
  for (int n = 0; n < 12'000; ++n) {
    v1::Command hold = shell("hold-" + std::to_string(n), v1::ROLE_CLIENT);
    auto& body = *hold.mutable_hold_slot();
    body.set_site_id("lima");
    body.set_service_id(random() % 3 == 0 ? "therapy" : "consult");
    body.set_staff_id("st" + std::to_string(random() % 50));
    body.set_start_ms(kWorkloadMonday + static_cast<std::int64_t>(random() % 30) * kMsPerDay +
                      13 * kMsPerHour +
                      static_cast<std::int64_t>(random() % 48) * 15 * kMsPerMinute);
    holds += site.run(hold);
  }
}

void availability_latency(std::uint64_t queries) {
  SiteBuilder site(kWorkloadNowMs);
  std::size_t holds = 0;
  build_site(site, holds);
  std::vector<std::uint64_t> latency_us;
  std::uint64_t slots = 0;
  std::uint64_t staff_slots = 0;
  for (std::uint64_t q = 0; q < queries; ++q) {
    projections::AvailabilityRequest request;
    request.tenant_id = "bench";
    request.site_id = "lima";
    request.service_id = q % 3 == 0 ? "therapy" : "consult";
    request.from_day = kWorkloadMonday / kMsPerDay + static_cast<std::int64_t>(q % 7);
    request.days = 30;
    request.now_ms = kWorkloadNowMs;
    const auto start = Stopwatch::now();
    auto found = site.view().query(request);
    latency_us.push_back(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Stopwatch::now() - start).count() /
        1000));
    VERIFY(found.is_ok(), "bench: availability answers");
    slots += found.value().slots.size();
    staff_slots += found.value().slot_staff.size();
  }
  std::printf(
      "{\"bench\":\"availability_30_days_50_staff\",\"holds\":%zu,\"queries\":%llu,"
      "\"slots_mean\":%llu,\"staff_slots_mean\":%llu,\"p50_us\":%llu,\"p99_us\":%llu,"
      "\"max_us\":%llu}\n",
      holds, static_cast<unsigned long long>(queries),
      static_cast<unsigned long long>(slots / queries),
      static_cast<unsigned long long>(staff_slots / queries),
      static_cast<unsigned long long>(quantile(latency_us, 0.50)),
      static_cast<unsigned long long>(quantile(latency_us, 0.99)),
      static_cast<unsigned long long>(quantile(latency_us, 1.0)));
  std::fflush(stdout);
}

// (e) The publisher alone on the whole log.
void publisher_rate(const EventLog& log, const std::string& url, const std::string& directory) {
  projections::NatsPublisherOptions options;
  options.url = url;
  options.checkpoint_directory = directory;
  const auto start = Stopwatch::now();
  auto publisher = projections::NatsPublisher::start(log, options);
  VERIFY(publisher.is_ok(), "bench: start the publisher");
  while (publisher.value()->published_seq() < log.last_seq()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double seconds = seconds_since(start);
  publisher.value()->stop();
  std::printf(
      "{\"bench\":\"nats_publisher\",\"events\":%llu,\"seconds\":%.3f,"
      "\"events_per_s\":%.0f}\n",
      static_cast<unsigned long long>(log.last_seq().value), seconds,
      static_cast<double>(log.last_seq().value) / seconds);
  std::fflush(stdout);
}

// The writer's rate on a fresh synced log, with or without the publisher following it.
double writer_rate(const std::string& directory, const std::string& url, std::uint64_t events) {
  std::filesystem::remove_all(directory);
  ManualClock clock(kWorkloadNowMs);
  auto engine = open_engine(directory + "/log", clock, /*sync=*/true);
  std::unique_ptr<projections::NatsPublisher> publisher;
  if (!url.empty()) {
    projections::NatsPublisherOptions options;
    options.url = url;
    options.checkpoint_directory = directory + "/publisher";
    publisher = std::move(projections::NatsPublisher::start(engine->log(), options)).value();
  }
  WorkloadOptions workload;
  workload.events_min = events;
  const auto start = Stopwatch::now();
  VERIFY(write_workload(engine->writer(), workload).is_ok(), "bench: workload");
  const double seconds = seconds_since(start);
  const double per_s = static_cast<double>(engine->log().last_seq().value) / seconds;
  std::uint64_t published = 0;
  if (publisher) {
    while (publisher->published_seq() < engine->log().last_seq()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    published = publisher->published_seq().value;
  }
  std::printf(
      "{\"bench\":\"writer_%s_publisher\",\"events\":%llu,\"seconds\":%.3f,"
      "\"events_per_s\":%.0f,\"published\":%llu}\n",
      url.empty() ? "without" : "with",
      static_cast<unsigned long long>(engine->log().last_seq().value), seconds, per_s,
      static_cast<unsigned long long>(published));
  std::fflush(stdout);
  return per_s;
}

void nats_figures(const EventLog& log, const ViewsBenchOptions& options) {
  if (!testing::NatsServer::available()) {
    std::printf("{\"bench\":\"nats_publisher\",\"skipped\":\"no %s\"}\n",
                testing::kNatsServerBinary);
    return;
  }
  for (const char* stale : {"/nats", "/publisher"})
    std::filesystem::remove_all(options.directory + stale);
  testing::NatsServer nats(options.directory + "/nats");
  VERIFY(nats.start(), "bench: nats-server starts");
  publisher_rate(log, nats.url(), options.directory + "/publisher");
  constexpr std::uint64_t kWriterEvents = 200'000;
  const double without = writer_rate(options.directory + "/writer-alone", "", kWriterEvents);
  const double with =
      writer_rate(options.directory + "/writer-published", nats.url(), kWriterEvents);
  std::printf("{\"bench\":\"writer_rate_with_publisher\",\"ratio\":%.2f}\n", with / without);
}

ViewsBenchOptions parse(int argc, char** argv) {
  ViewsBenchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (flag == "--events")
      options.events = std::stoull(next());
    else if (flag == "--queries")
      options.queries = std::stoull(next());
    else if (flag == "--dir")
      options.directory = next();
    else if (flag == "--no-nats")
      options.nats = false;
    else if (flag == "--keep")
      options.keep = true;
    else if (flag == "--reuse")
      options.reuse = true;
    else if (flag == "--only")
      options.only = next();
    else if (flag == "--per-view")
      options.per_view = true;
    else if (flag == "--view")
      options.view = next();
  }
  return options;
}

int run_views(int argc, char** argv) {
  const ViewsBenchOptions options = parse(argc, argv);
  if (options.only == "availability") return availability_latency(options.queries), 0;
  if (!options.reuse) std::filesystem::remove_all(options.directory);
  const std::string log_directory = options.directory + "/log";
  if (!options.reuse) {
    ManualClock clock(kWorkloadNowMs);
    auto engine = open_engine(log_directory, clock, /*sync=*/false);
    WorkloadOptions workload;
    workload.events_min = options.events;
    VERIFY(write_workload(engine->writer(), workload).is_ok(), "bench: workload");
  }
  std::uint64_t records = 0;
  const double raw_per_s = raw_scan_events_per_s(log_directory, records);
  LogOptions read_only;
  read_only.mode = LogOptions::Mode::kReadOnly;
  auto log = EventLog::open(log_directory, read_only);
  VERIFY(log.is_ok(), "bench: open the log");
  const double cursor_per_s = cursor_scan_events_per_s(*log.value());
  std::printf(
      "{\"bench\":\"raw_rocksdb_scan\",\"events\":%llu,\"events_per_s\":%.0f}\n"
      "{\"bench\":\"log_cursor_scan\",\"events\":%llu,\"events_per_s\":%.0f}\n",
      static_cast<unsigned long long>(records), raw_per_s, static_cast<unsigned long long>(records),
      cursor_per_s);
  std::fflush(stdout);
  if (options.only == "apply") return apply_in_memory(*log.value(), options.view), 0;
  if (options.only == "nats") return nats_figures(*log.value(), options), 0;
  if (!options.view.empty())
    return rebuild(*log.value(), {options.view}, raw_per_s, cursor_per_s), 0;
  if (options.per_view) {
    for (std::string_view name : projections::view_names()) {
      rebuild(*log.value(), {std::string(name)}, raw_per_s, cursor_per_s);
    }
  }
  rebuild(*log.value(), {}, raw_per_s, cursor_per_s);
  if (options.only == "rebuild") return 0;
  availability_latency(options.queries);
  if (options.nats) nats_figures(*log.value(), options);
  if (!options.keep) std::filesystem::remove_all(options.directory);
  return 0;
}

}  // namespace

TURNO_BENCH("views", "rebuild of all views vs a raw scan, availability p99, NATS publisher",
            run_views);

}  // namespace turno::bench
