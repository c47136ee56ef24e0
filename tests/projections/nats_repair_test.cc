// `turno repair --from-nats`: a command node whose log lost its table files is rebuilt from
// the JetStream stream alone, to the same head hash, through a real nats-server.
#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "command_bus.h"
#include "engine_support.h"
#include "log_repair.h"
#include "nats_repair_source.h"
#include "nats_server.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;
namespace fs = std::filesystem;

namespace {

constexpr std::chrono::seconds kPublishTimeout{60};

bool wait_for_published(const CommandBus& bus, Seq tail) {
  const auto deadline = std::chrono::steady_clock::now() + kPublishTimeout;
  while (bus.publisher().published_seq() < tail) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

TEST_CASE("a log that lost its table files is restored from JetStream alone") {
  REQUIRE(NatsServer::available());
  TempDir dir;
  NatsServer nats(dir.sub("nats"));
  REQUIRE(nats.start());
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  const std::string data = dir.sub("log");
  Seq tail;
  Hash head{};
  {
    auto engine = open_engine(data, clock);
    auto bus = CommandBus::start(engine->log(), nats.url(), dir.sub("publisher"));
    REQUIRE(bus.is_ok());
    clinic_on(engine->writer());
    bookings_on(engine->writer(), "a", 40);
    tail = engine->log().last_seq();
    head = engine->log().last_hash();
    REQUIRE(wait_for_published(*bus.value(), tail));
  }
  for (const auto& entry : fs::directory_iterator(data)) {
    if (entry.path().extension() == ".sst") fs::remove(entry.path());
  }
  REQUIRE_FALSE(EventLog::open(data).is_ok());

  NatsRecordSourceOptions options;
  options.url = nats.url();
  options.message_wait = std::chrono::milliseconds(2'000);
  auto source = nats_record_source(options);
  REQUIRE(source.is_ok());
  auto report = repair_log(data, {source.value().get()}, RepairOptions{});
  REQUIRE_MESSAGE(report.is_ok(), report.status().message());
  CHECK(report.value().changed);
  CHECK(report.value().restored_to == tail);
  CHECK(report.value().outcomes_rebuilt > 0);

  auto log = EventLog::open(data);
  REQUIRE_MESSAGE(log.is_ok(), log.status().message());
  CHECK(log.value()->last_seq() == tail);
  CHECK(log.value()->last_hash() == head);
  LogCursor cursor = log.value()->read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
  while (cursor.next()) {
  }
  CHECK(cursor.status().is_ok());
}
