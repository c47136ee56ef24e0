// The single writer over a real log: durability before answers, group commit, idempotency,
// back-pressure, fail-stop reload and timers.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "commands.h"
#include "engine.h"
#include "harness.h"
#include "model_codec.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::testing;

namespace {

constexpr std::int64_t kNineLima = kMonday2026_03_02 + 14 * kMsPerHour;

std::unique_ptr<Engine> open_engine(const std::string& path, const Clock& clock,
                                    WriterOptions writer = {}) {
  EngineOptions options;
  options.writer = writer;
  auto engine = Engine::open(path, clock, options);
  REQUIRE(engine.is_ok());
  return std::move(engine).value();
}

void accept(Writer& writer, const v1::Command& command) {
  CommandResult result = writer.execute(command);
  INFO(command.command_id(), " ", result.rejection ? result.rejection->detail : "");
  REQUIRE(result.accepted());
}

void standard_clinic(Writer& writer) {
  accept(writer, register_tenant("t1", "reg"));
  accept(writer, open_site("t1", "site", "lima", "America/Lima"));
  accept(writer, define_service("t1", "svc", "consult", 30, 10'000, "general", 0, 5));
  for (const std::string name : {"ana", "ben"}) {
    accept(writer, add_staff("t1", "staff-" + name, name, "lima", {"general"}));
    accept(writer, set_schedule("t1", "sched-" + name, name, {1, 2, 3, 4, 5}, 9 * 60, 17 * 60));
  }
}

}  // namespace

TEST_CASE("an answered command's events are in the log, and a restart rebuilds the same model") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  Hash before{};
  {
    auto engine = open_engine(dir.path(), clock);
    standard_clinic(engine->writer());
    CommandResult held = engine->writer().execute(
        hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
    REQUIRE(held.accepted());
    REQUIRE(held.events.size() == 1);
    // Durable before the answer: the log already has it.
    CHECK(engine->log().last_seq().value == held.events[0].seq());
    CHECK(engine->log().read_one(Seq{held.events[0].seq()}).is_ok());
    engine->stop();
    before = model_digest(engine->writer().model_when_stopped());
  }
  auto engine = open_engine(dir.path(), clock);
  engine->stop();
  CHECK(to_hex(model_digest(engine->writer().model_when_stopped())) == to_hex(before));
}

TEST_CASE("the same command_id returns the same result and appends nothing, across restarts") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  const v1::Command held = hold("t1", "key-1", client("c1"), "lima", "consult", "ana", kNineLima);
  std::vector<v1::Envelope> first;
  {
    auto engine = open_engine(dir.path(), clock);
    standard_clinic(engine->writer());
    CommandResult result = engine->writer().execute(held);
    REQUIRE(result.accepted());
    first = result.events;
    const Seq tail = engine->log().last_seq();
    CommandResult again = engine->writer().execute(held);
    CHECK(again.replayed);
    REQUIRE(again.events.size() == 1);
    CHECK(again.events[0].SerializeAsString() == first[0].SerializeAsString());
    CHECK(engine->log().last_seq() == tail);
    // A rejection is remembered too: the same key keeps its answer.
    CommandResult taken = engine->writer().execute(
        hold("t1", "key-2", client("c2"), "lima", "consult", "ana", kNineLima));
    REQUIRE_FALSE(taken.accepted());
    CHECK(taken.rejection->code == RejectionCode::kSlotTaken);
  }
  auto engine = open_engine(dir.path(), clock);
  const Seq tail = engine->log().last_seq();
  CommandResult again = engine->writer().execute(held);
  CHECK(again.replayed);
  REQUIRE(again.events.size() == 1);
  CHECK(again.events[0].SerializeAsString() == first[0].SerializeAsString());
  CommandResult taken = engine->writer().execute(
      hold("t1", "key-2", client("c2"), "lima", "consult", "ana", kNineLima));
  REQUIRE_FALSE(taken.accepted());
  CHECK(taken.rejection->code == RejectionCode::kSlotTaken);
  CHECK(taken.replayed);
  // The same key for a different command is refused, not silently replayed.
  CommandResult reused = engine->writer().execute(
      hold("t1", "key-1", client("c1"), "lima", "consult", "ben", kNineLima));
  REQUIRE_FALSE(reused.accepted());
  CHECK(reused.rejection->code == RejectionCode::kIdempotencyKeyReused);
  CHECK(engine->log().last_seq() == tail);
}

TEST_CASE("commands queued together commit together, each seeing the ones before it") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_engine(dir.path(), clock);
  standard_clinic(engine->writer());
  const auto batches_before = engine->writer().stats().batches_committed.load();
  constexpr int kRacers = 64;
  std::vector<std::promise<CommandResult>> answers(kRacers);
  for (int i = 0; i < kRacers; ++i) {
    // Everyone wants ana at 09:00; the command_id of racer 7 is used twice.
    const std::string key = i == 8 ? "race-7" : "race-" + std::to_string(i);
    engine->writer().submit(
        hold("t1", key, client("c" + std::to_string(i == 8 ? 7 : i)), "lima", "consult", "ana",
             kNineLima),
        [&answers, i](CommandResult&& result) { answers[i].set_value(std::move(result)); });
  }
  int winners = 0;
  int taken = 0;
  for (auto& answer : answers) {
    CommandResult result = answer.get_future().get();
    if (result.accepted() && !result.replayed) ++winners;
    if (!result.accepted() && result.rejection->code == RejectionCode::kSlotTaken) ++taken;
  }
  CHECK(winners == 1);
  CHECK(winners + taken >= kRacers - 1);
  const auto batches = engine->writer().stats().batches_committed.load() - batches_before;
  CHECK(batches < static_cast<std::uint64_t>(kRacers));  // grouped, not one fsync each
}

TEST_CASE("a full queue is refused at once with a distinct rejection") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  WriterOptions options;
  options.queue_capacity = 4;
  auto engine = open_engine(dir.path(), clock, options);
  accept(engine->writer(), register_tenant("t1", "reg"));
  std::atomic<int> queue_full{0};
  std::atomic<int> answered{0};
  constexpr int kCommands = 2000;
  for (int i = 0; i < kCommands; ++i) {
    engine->writer().submit(
        open_site("t1", "s" + std::to_string(i), "", "America/Lima"), [&](CommandResult&& result) {
          if (!result.accepted() && result.rejection->code == RejectionCode::kQueueFull) {
            ++queue_full;
          }
          ++answered;
        });
  }
  engine->stop();  // drains what was queued
  CHECK(answered.load() == kCommands);
  CHECK(queue_full.load() > 0);
  CHECK(engine->writer()
            .stats()
            .rejections_by_code[static_cast<int>(RejectionCode::kQueueFull)]
            .load() == static_cast<std::uint64_t>(queue_full.load()));
}

TEST_CASE("a failed commit answers its batch storage_failed and leaves no trace in the model") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_engine(dir.path(), clock);
  standard_clinic(engine->writer());
  engine->log().inject_commit_failures(1);
  CommandResult failed = engine->writer().execute(
      hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  REQUIRE_FALSE(failed.accepted());
  CHECK(failed.rejection->code == RejectionCode::kStorageFailed);
  // Nothing of it is visible: the same slot (and even the same booking id) is free.
  CommandResult retried = engine->writer().execute(
      hold("t1", "h2", client("c2"), "lima", "consult", "ana", kNineLima, "b1"));
  CHECK(retried.accepted());
  // The failed command's key was not remembered: retrying it now gives a fresh decision.
  CommandResult original_again = engine->writer().execute(
      hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  REQUIRE_FALSE(original_again.accepted());
  CHECK(original_again.rejection->code == RejectionCode::kAlreadyExists);
  CHECK(engine->writer().healthy());
}

TEST_CASE("hold expiry and no-shows are commands the writer issues itself, logged like any other") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_engine(dir.path(), clock);
  standard_clinic(engine->writer());
  accept(engine->writer(),
         hold("t1", "h1", client("c1"), "lima", "consult", "ana", kNineLima, "b1"));
  const Seq before = engine->log().last_seq();
  clock.advance(601 * kMsPerSecond);
  engine->writer().poke();
  const Seq after = engine->log().wait_for_commit_after(before, std::chrono::seconds(10));
  REQUIRE(after == before.next());
  auto expired = engine->log().read_one(after);
  REQUIRE(expired.is_ok());
  CHECK(expired.value().envelope.has_hold_expired());
  CHECK(expired.value().envelope.actor().role() == v1::ROLE_SYSTEM);
  CHECK(expired.value().envelope.command_id() == "timer/expire/b1");

  // Confirmed without check-in: marked no-show at end + grace.
  v1::PolicySet policy;
  policy.set_hold_ttl_s(600);
  policy.set_free_cancel_window_min(60);
  policy.set_no_show_grace_min(15);
  policy.set_horizon_days(90);
  policy.set_slot_step_min(15);
  policy.set_prepayment_required(false);
  accept(engine->writer(), set_policy("t1", "pol", policy));
  accept(engine->writer(),
         hold("t1", "h2", client("c2"), "lima", "consult", "ben", kNineLima, "b2"));
  accept(engine->writer(), request_payment("t1", "p2", client("c2"), "b2"));
  const Seq confirmed = engine->log().last_seq();
  clock.set(kNineLima + 46 * kMsPerMinute);
  engine->writer().poke();
  const Seq marked = engine->log().wait_for_commit_after(confirmed, std::chrono::seconds(10));
  REQUIRE(marked == confirmed.next());
  CHECK(engine->log().read_one(marked).value().envelope.has_no_show_marked());
}
