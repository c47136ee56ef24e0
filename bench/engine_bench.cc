// turno-bench engine: the single writer against a raw RocksDB baseline, in one run.
//   (a) raw: synced WriteBatches of ~200-byte values (the writer's mean batch size, and 256)
//   (b) writer: producer threads run booking flows (hold -> request payment -> payment
//       succeeded, which confirms; some holds collide, some bookings are cancelled), each
//       keeping a window of commands in flight like many concurrent clients.
// Prints one JSON object per line. Flags: --commands N --producers P --window W --dir DIR.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "bench.h"
#include "engine.h"
#include "log_format.h"

namespace turno::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Figures {
  std::uint64_t commands = 0;
  std::uint64_t events = 0;
  double seconds = 0;
  std::vector<std::uint64_t> latency_us;
  double batch_mean = 0;
};

std::uint64_t micros_since(Clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

void print(const char* name, Figures& figures, double baseline_events_per_s,
           std::size_t batch_size) {
  const double commands_per_s = static_cast<double>(figures.commands) / figures.seconds;
  const double events_per_s = static_cast<double>(figures.events) / figures.seconds;
  const auto p50 = quantile(figures.latency_us, 0.50);
  const auto p99 = quantile(figures.latency_us, 0.99);
  std::printf(
      "{\"bench\":\"%s\",\"batch_size\":%zu,\"commands\":%llu,\"events\":%llu,"
      "\"seconds\":%.3f,\"commands_per_s\":%.0f,\"events_per_s\":%.0f,\"p50_us\":%llu,"
      "\"p99_us\":%llu,\"batch_mean\":%.1f",
      name, batch_size, static_cast<unsigned long long>(figures.commands),
      static_cast<unsigned long long>(figures.events), figures.seconds, commands_per_s,
      events_per_s, static_cast<unsigned long long>(p50), static_cast<unsigned long long>(p99),
      figures.batch_mean);
  if (baseline_events_per_s > 0) {
    std::printf(",\"ratio_to_baseline\":%.2f", events_per_s / baseline_events_per_s);
  }
  std::printf("}\n");
  std::fflush(stdout);
}

// (a) What RocksDB alone does with synced batches of `batch_size` 200-byte values.
Figures raw_rocksdb(const std::string& directory, std::uint64_t events, std::size_t batch_size) {
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64u << 20;
  rocksdb::DB* raw = nullptr;
  VERIFY(rocksdb::DB::Open(options, directory, &raw).ok(), "open baseline database");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  std::mt19937_64 random(42);
  std::string value(200, '\0');
  Figures figures;
  const auto start = Clock::now();
  for (std::uint64_t seq = 1; seq <= events;) {
    rocksdb::WriteBatch batch;
    const auto batch_start = Clock::now();
    for (std::size_t i = 0; i < batch_size && seq <= events; ++i, ++seq) {
      for (char& byte : value) byte = static_cast<char>(random());
      VERIFY(batch.Put(log_format::event_key(Seq{seq}), value).ok(), "batch put");
    }
    VERIFY(db->Write(write_options, &batch).ok(), "baseline write");
    // Every value in the batch waited for the whole batch: its latency is the batch's.
    const std::uint64_t latency = micros_since(batch_start);
    figures.latency_us.insert(figures.latency_us.end(), batch.Count(), latency);
    figures.events += static_cast<std::uint64_t>(batch.Count());
  }
  figures.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  figures.commands = figures.events;
  figures.batch_mean = static_cast<double>(batch_size);
  db.reset();
  std::filesystem::remove_all(directory);
  return figures;
}

constexpr int kSites = 10;
constexpr int kStaffPerSite = 20;

void set_up_catalog(Writer& writer) {
  auto must = [&](v1::Command command) {
    command.set_tenant_id("bench");
    command.mutable_actor()->set_id("admin");
    command.mutable_actor()->set_role(v1::ROLE_ADMIN);
    VERIFY(writer.execute(command).accepted(), "bench catalog");
  };
  v1::Command tenant;
  tenant.set_command_id("tenant");
  auto& registration = *tenant.mutable_register_tenant();
  registration.set_name("Bench clinics");
  registration.set_currency("PEN");
  registration.set_invoice_series("F001");
  registration.set_tax_rate_bp(1800);
  registration.set_platform_fee_bp(300);
  tenant.set_tenant_id("bench");
  tenant.mutable_actor()->set_id("platform");
  tenant.mutable_actor()->set_role(v1::ROLE_PLATFORM);
  VERIFY(writer.execute(tenant).accepted(), "bench tenant");
  v1::Command service;
  service.set_command_id("service");
  auto& definition = *service.mutable_define_service();
  definition.set_service_id("consult");
  definition.set_name("Consult");
  definition.set_duration_min(30);
  definition.set_price_minor(12'000);
  definition.set_required_skill("general");
  definition.set_buffer_after_min(10);
  must(service);
  for (int site = 0; site < kSites; ++site) {
    v1::Command open;
    open.set_command_id("site-" + std::to_string(site));
    open.mutable_open_site()->set_site_id("site" + std::to_string(site));
    open.mutable_open_site()->set_name("Site");
    open.mutable_open_site()->set_time_zone("America/Lima");
    must(open);
    for (int staff = 0; staff < kStaffPerSite; ++staff) {
      const std::string id = "st" + std::to_string(site) + "-" + std::to_string(staff);
      v1::Command add;
      add.set_command_id("staff-" + id);
      add.mutable_add_staff()->set_staff_id(id);
      add.mutable_add_staff()->set_site_id("site" + std::to_string(site));
      add.mutable_add_staff()->set_name(id);
      add.mutable_add_staff()->add_skills("general");
      must(add);
      v1::Command schedule;
      schedule.set_command_id("schedule-" + id);
      schedule.mutable_set_schedule()->set_staff_id(id);
      for (int day = 1; day <= 7; ++day) {
        auto& interval = *schedule.mutable_set_schedule()->add_intervals();
        interval.set_weekday(day);
        interval.set_start_min(0);
        interval.set_end_min(24 * 60);
      }
      must(schedule);
    }
  }
}

// One client's booking: hold, request payment, pay; one in ten cancels afterwards.
struct Flow {
  int step = 0;
  std::string id;
  std::string site;
  std::string staff;
  std::int64_t start_ms = 0;
};

class Producer {
 public:
  Producer(Writer& writer, int index, std::uint64_t flows, std::size_t window, std::int64_t now_ms)
      : writer_(writer),
        index_(index),
        flows_left_(flows),
        window_(window),
        now_ms_(now_ms),
        random_(static_cast<std::uint64_t>(index) * 7919) {}

  void run() {
    std::vector<Flow> flows(window_);
    for (std::size_t slot = 0; slot < window_ && flows_left_ > 0; ++slot) start_flow(flows, slot);
    while (in_flight_ > 0) {
      std::vector<Done> done;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !inbox_.empty(); });
        done.swap(inbox_);
      }
      for (const Done& item : done) {
        --in_flight_;
        latency_us.push_back(item.latency_us);
        ++commands;
        if (item.accepted) events += item.events;
        advance(flows, item.slot, item.accepted);
      }
    }
  }

  std::vector<std::uint64_t> latency_us;
  std::uint64_t commands = 0;
  std::uint64_t events = 0;

 private:
  struct Done {
    std::size_t slot;
    bool accepted;
    std::uint64_t events;
    std::uint64_t latency_us;
  };

  void start_flow(std::vector<Flow>& flows, std::size_t slot) {
    --flows_left_;
    Flow& flow = flows[slot];
    flow.step = 0;
    flow.id = std::to_string(index_) + "-" + std::to_string(next_id_++);
    const int site = static_cast<int>(random_() % kSites);
    flow.site = "site" + std::to_string(site);
    // One in five asks for anyone qualified; the rest pick a staff member.
    flow.staff = random_() % 5 == 0 ? ""
                                    : "st" + std::to_string(site) + "-" +
                                          std::to_string(random_() % kStaffPerSite);
    // 40-minute grid over 150 days: dense enough that some holds collide.
    flow.start_ms = (now_ms_ / kMsPerDay + 1) * kMsPerDay +
                    static_cast<std::int64_t>(random_() % (150 * 36)) * 40 * kMsPerMinute;
    submit(flows, slot);
  }

  void advance(std::vector<Flow>& flows, std::size_t slot, bool accepted) {
    Flow& flow = flows[slot];
    ++flow.step;
    const bool finished = !accepted || flow.step == 3 || flow.step == 4;
    const bool cancels = flow.step == 3 && accepted && random_() % 10 == 0;
    if (finished && !cancels) {
      if (flows_left_ > 0) start_flow(flows, slot);
      return;
    }
    submit(flows, slot);
  }

  void submit(std::vector<Flow>& flows, std::size_t slot) {
    const Flow& flow = flows[slot];
    v1::Command command;
    command.set_tenant_id("bench");
    command.mutable_actor()->set_id("client-" + flow.id);
    command.mutable_actor()->set_role(v1::ROLE_CLIENT);
    switch (flow.step) {
      case 0: {
        command.set_command_id("h-" + flow.id);
        auto& body = *command.mutable_hold_slot();
        body.set_booking_id("b-" + flow.id);
        body.set_site_id(flow.site);
        body.set_service_id("consult");
        body.set_staff_id(flow.staff);
        body.set_start_ms(flow.start_ms);
        break;
      }
      case 1:
        command.set_command_id("p-" + flow.id);
        command.mutable_request_payment()->set_booking_id("b-" + flow.id);
        command.mutable_request_payment()->set_payment_id("pay-" + flow.id);
        command.mutable_request_payment()->set_provider("sandbox");
        break;
      case 2: {
        command.set_command_id("w-" + flow.id);
        command.mutable_actor()->set_role(v1::ROLE_PLATFORM);
        auto& body = *command.mutable_record_payment_succeeded();
        body.set_payment_id("pay-" + flow.id);
        body.set_provider("sandbox");
        body.set_provider_event_id("evt-" + flow.id);
        body.set_amount_minor(12'000);
        body.set_currency("PEN");
        break;
      }
      default:
        command.set_command_id("x-" + flow.id);
        command.mutable_cancel_booking()->set_booking_id("b-" + flow.id);
        break;
    }
    ++in_flight_;
    const auto submitted = Clock::now();
    writer_.submit(std::move(command), [this, slot, submitted](CommandResult&& result) {
      Done done{slot, result.accepted(), result.events.size(), micros_since(submitted)};
      {
        std::lock_guard lock(mutex_);
        inbox_.push_back(done);
      }
      ready_.notify_one();
    });
  }

  Writer& writer_;
  int index_;
  std::uint64_t flows_left_;
  std::size_t window_;
  std::int64_t now_ms_;
  std::mt19937_64 random_;
  std::uint64_t next_id_ = 0;
  std::size_t in_flight_ = 0;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Done> inbox_;
};

Figures writer_mix(const std::string& directory, std::uint64_t commands, int producers,
                   std::size_t window) {
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  SystemClock clock;
  auto opened = Engine::open(directory, clock);
  VERIFY(opened.is_ok(), "open bench engine");
  Engine& engine = *opened.value();
  set_up_catalog(engine.writer());
  const std::uint64_t events_before = engine.writer().stats().events_appended.load();
  const std::uint64_t batches_before = engine.writer().stats().batches_committed.load();
  // About 3.1 commands per flow.
  const std::uint64_t flows_per_producer =
      commands / 31 * 10 / static_cast<std::uint64_t>(producers);
  std::vector<std::unique_ptr<Producer>> workers;
  for (int p = 0; p < producers; ++p) {
    workers.push_back(
        std::make_unique<Producer>(engine.writer(), p, flows_per_producer, window, clock.now_ms()));
  }
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->run(); });
  for (auto& thread : threads) thread.join();
  Figures figures;
  figures.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& worker : workers) {
    figures.commands += worker->commands;
    figures.latency_us.insert(figures.latency_us.end(), worker->latency_us.begin(),
                              worker->latency_us.end());
  }
  figures.events = engine.writer().stats().events_appended.load() - events_before;
  const std::uint64_t batches = engine.writer().stats().batches_committed.load() - batches_before;
  figures.batch_mean = static_cast<double>(figures.commands) / static_cast<double>(batches);
  engine.stop();
  opened.value().reset();
  std::filesystem::remove_all(directory);
  return figures;
}

std::uint64_t flag(int argc, char** argv, const std::string& name, std::uint64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return std::strtoull(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

std::string flag_text(int argc, char** argv, const std::string& name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

int run_engine_bench(int argc, char** argv) {
  const std::uint64_t commands = flag(argc, argv, "commands", 1'000'000);
  const int producers = static_cast<int>(flag(argc, argv, "producers", 4));
  const std::size_t window = flag(argc, argv, "window", 512);
  const std::string directory =
      flag_text(argc, argv, "dir", std::filesystem::temp_directory_path() / "turno-bench-engine");
  Figures writer = writer_mix(directory + "/writer", commands, producers, window);
  if (flag(argc, argv, "writer-only", 0) != 0) {  // for profiling the writer alone
    print("writer", writer, 0, static_cast<std::size_t>(writer.batch_mean + 0.5));
    return 0;
  }
  const auto same_batch = static_cast<std::size_t>(writer.batch_mean + 0.5);
  Figures raw_same =
      raw_rocksdb(directory + "/raw", writer.events, std::max<std::size_t>(1, same_batch));
  Figures raw_256 = raw_rocksdb(directory + "/raw", writer.events, 256);
  const double raw_same_rate = static_cast<double>(raw_same.events) / raw_same.seconds;
  print("raw_rocksdb", raw_256, 0, 256);
  print("raw_rocksdb", raw_same, 0, same_batch);
  print("writer", writer, raw_same_rate, same_batch);
  std::filesystem::remove_all(directory);
  return 0;
}

TURNO_BENCH("engine", "single writer vs raw RocksDB synced batches", run_engine_bench);

}  // namespace
}  // namespace turno::bench
