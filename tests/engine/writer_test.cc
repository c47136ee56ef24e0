// The single writer over a real log: durability before answers, group commit, idempotency,
// back-pressure, fail-stop reload and timers.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <map>
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

// ------------------------------------------------------------------ the same key twice at once
// Found by the writer simulation (writer_simulation_test.cc). Manual stepping makes the
// batches exact: every command submitted before run_until_idle() is in one round, cut into
// batches of batch_commands_max, the next decided while the one before is not yet durable.

namespace {

struct Answers {
  std::map<std::string, CommandResult> by_name;
  void submit(Writer& writer, const std::string& name, const v1::Command& command) {
    writer.submit(command, [this, name](CommandResult&& result) {
      by_name.emplace(name, std::move(result));
    });
  }
  const CommandResult& operator[](const std::string& name) const { return by_name.at(name); }
};

std::unique_ptr<Engine> open_stepped_engine(const std::string& path, const Clock& clock,
                                            std::size_t batch_commands_max) {
  WriterOptions options;
  options.manual_stepping = true;
  options.batch_commands_max = batch_commands_max;
  options.commit_batches_in_flight_max = 2;
  auto engine = open_engine(path, clock, options);
  for (const v1::Command& command :
       {register_tenant("t1", "reg"), open_site("t1", "site", "lima", "America/Lima"),
        define_service("t1", "svc", "consult", 30, 10'000, "general", 0, 5),
        add_staff("t1", "staff-ana", "ana", "lima", {"general"}),
        set_schedule("t1", "sched-ana", "ana", {1, 2, 3, 4, 5}, 9 * 60, 17 * 60)}) {
    Answers answers;
    answers.submit(engine->writer(), "setup", command);
    engine->writer().run_until_idle();
    REQUIRE(answers["setup"].accepted());
  }
  return engine;
}

v1::Command hold_at(const std::string& key, const std::string& client_id, int slot) {
  return hold("t1", key, client(client_id), "lima", "consult", "ana",
              kNineLima + slot * 45 * kMsPerMinute);
}

}  // namespace

TEST_CASE("manual stepping: the same key for another request in one batch is refused") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_stepped_engine(dir.path(), clock, 1024);
  Answers answers;
  answers.submit(engine->writer(), "first", hold_at("k", "c1", 0));
  answers.submit(engine->writer(), "other body", hold_at("k", "c2", 1));
  answers.submit(engine->writer(), "retry", hold_at("k", "c1", 0));
  engine->writer().run_until_idle();
  REQUIRE(answers["first"].accepted());
  REQUIRE_FALSE(answers["other body"].accepted());
  CHECK(answers["other body"].rejection->code == RejectionCode::kIdempotencyKeyReused);
  REQUIRE(answers["retry"].accepted());
  CHECK(answers["retry"].replayed);
  CHECK(answers["retry"].events[0].SerializeAsString() ==
        answers["first"].events[0].SerializeAsString());
}

TEST_CASE("manual stepping: a duplicate beside a deferred command gets its own original's answer") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_stepped_engine(dir.path(), clock, 3);
  Answers answers;
  // Batch 1: x, a, b. Batch 2, decided while batch 1 is in flight: x again (deferred until
  // batch 1 is durable), then y and its duplicate.
  answers.submit(engine->writer(), "x", hold_at("x", "c1", 0));
  answers.submit(engine->writer(), "a", hold_at("a", "c2", 1));
  answers.submit(engine->writer(), "b", hold_at("b", "c3", 2));
  answers.submit(engine->writer(), "x again", hold_at("x", "c1", 0));
  answers.submit(engine->writer(), "y", hold_at("y", "c4", 3));
  answers.submit(engine->writer(), "y again", hold_at("y", "c4", 3));
  engine->writer().run_until_idle();
  for (const std::string name : {"x", "a", "b", "y"}) {
    INFO(name);
    REQUIRE(answers[name].accepted());
    REQUIRE(answers[name].events.size() == 1);
  }
  for (const std::string name : {"x", "y"}) {
    const CommandResult& again = answers[name + " again"];
    INFO(name);
    REQUIRE(again.accepted());
    CHECK(again.replayed);
    REQUIRE(again.events.size() == 1);
    CHECK(again.events[0].SerializeAsString() == answers[name].events[0].SerializeAsString());
  }
}

TEST_CASE("manual stepping: a retry behind a reused key, both waiting, gets the stored answer") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_stepped_engine(dir.path(), clock, 3);
  Answers answers;
  answers.submit(engine->writer(), "k", hold_at("k", "c1", 0));
  answers.submit(engine->writer(), "a", hold_at("a", "c2", 1));
  answers.submit(engine->writer(), "b", hold_at("b", "c3", 2));
  // Batch 2, while batch 1 (with k) is in flight: k for another request, then k's retry.
  answers.submit(engine->writer(), "k other body", hold_at("k", "c9", 3));
  answers.submit(engine->writer(), "k again", hold_at("k", "c1", 0));
  engine->writer().run_until_idle();
  REQUIRE(answers["k"].accepted());
  REQUIRE_FALSE(answers["k other body"].accepted());
  CHECK(answers["k other body"].rejection->code == RejectionCode::kIdempotencyKeyReused);
  REQUIRE(answers["k again"].accepted());
  CHECK(answers["k again"].replayed);
  CHECK(answers["k again"].events[0].SerializeAsString() ==
        answers["k"].events[0].SerializeAsString());
}

TEST_CASE("manual stepping: after a failed commit a due timer waits instead of spinning") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  auto engine = open_stepped_engine(dir.path(), clock, 1024);
  Writer& writer = engine->writer();
  Answers answers;
  answers.submit(writer, "held", hold_at("held", "c1", 0));
  writer.run_until_idle();
  REQUIRE(answers["held"].accepted());
  clock.advance(601 * kMsPerSecond);            // the hold's expiry is due
  engine->log().inject_commit_failures(1'000);  // a log that refuses every write
  writer.run_until_idle();
  const auto failures = writer.stats().commit_failures.load();
  CHECK(failures == 1);
  CHECK_FALSE(writer.step());  // paused: the timer is not retried at once ...
  clock.advance(WriterOptions{}.idle_wait_max.count());
  CHECK(writer.step());  // ... but after idle_wait_max
  CHECK(writer.stats().commit_failures.load() == failures + 1);
  engine->log().inject_commit_failures(0);
  writer.run_until_idle();  // recovers from that failure: the pause starts again
  clock.advance(WriterOptions{}.idle_wait_max.count());
  writer.run_until_idle();
  CHECK(writer.model_when_stopped().timers.empty());  // expired at last
}
