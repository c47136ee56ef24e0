// The write model forgets finished bookings (engine/recall.h) and decides every later command
// exactly as a model that never forgets: the writer over a real log is run side by side with
// the pure core (support/harness.h, which keeps everything), command by command, at the same
// instants, and must give the same answers and the same events.
#include "recall.h"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "commands.h"
#include "event_log.h"
#include "harness.h"
#include "model_codec.h"
#include "raw_log.h"
#include "temp_dir.h"
#include "writer.h"

using namespace turno;
using namespace turno::testing;

namespace {

constexpr std::int64_t kWeek = 7 * kMsPerDay;
// Appointments seven weeks out (Mondays, 09:00 in Lima), so they stay ahead of the clock.
constexpr std::int64_t kFirst = kMonday2026_03_02 + 7 * kWeek + 14 * kMsPerHour;
constexpr std::int64_t kForgotten = (kFinishedBookingKeptDays + 1) * kMsPerDay;

// The writer (manual stepping, a real log) and the never-forgetting pure core, fed together.
class SideBySide {
 public:
  explicit SideBySide(const std::string& path) : clock_(harness_.now()) {
    auto log = EventLog::open(path, LogOptions{});
    REQUIRE(log.is_ok());
    log_ = std::move(log).value();
    WriterOptions options;
    options.manual_stepping = true;
    writer_ = std::make_unique<Writer>(*log_, Model{}, clock_, options);
    writer_->start();
  }
  ~SideBySide() { writer_->stop(); }

  // Runs `command` on both; requires the same answer; returns the writer's.
  CommandResult run(const v1::Command& command) {
    INFO("command ", command.command_id());
    CommandResult got;
    writer_->submit(command, [&got](CommandResult&& result) { got = std::move(result); });
    writer_->run_until_idle();
    const Decision expected = harness_.run(command);
    REQUIRE(got.accepted() == expected.accepted());
    if (!expected.accepted()) {
      CHECK(got.rejection->code == expected.rejection->code);
      CHECK(got.rejection->detail == expected.rejection->detail);
      return got;
    }
    REQUIRE(got.events.size() == expected.events.size());
    for (std::size_t i = 0; i < got.events.size(); ++i) {
      v1::Envelope written = got.events[i];
      written.clear_prev_hash();
      CHECK(written.SerializeAsString() == expected.events[i].SerializeAsString());
    }
    return got;
  }
  void ok(const v1::Command& command) { REQUIRE(run(command).accepted()); }

  // Moves both clocks; the writer fires its due timers, and the pure core folds what they wrote.
  void advance(std::int64_t delta_ms) {
    clock_.advance(delta_ms);
    harness_.advance(delta_ms);
    writer_->run_until_idle();
    LogCursor cursor = log_->read(harness_.model().last_seq.next());
    while (cursor.next()) evolve(harness_.model(), cursor.record().envelope);
    REQUIRE(cursor.status().is_ok());
  }

  const Tenant& remembered() const { return *writer_->model_when_stopped().find_tenant("t1"); }
  const Tenant& everything() const { return harness_.tenant("t1"); }
  Seq next_seq() const { return log_->last_seq().next(); }
  const Model& model() const { return writer_->model_when_stopped(); }
  const WriterStats& stats() const { return writer_->stats(); }
  EventLog& log() { return *log_; }
  Harness& harness() { return harness_; }

 private:
  Harness harness_;
  ManualClock clock_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Writer> writer_;
};

v1::Command refund_with_id(const std::string& id, const std::string& booking, std::int64_t amount,
                           const std::string& refund_id) {
  v1::Command out = refund("t1", id, booking, amount);
  out.mutable_issue_refund()->set_refund_id(refund_id);
  return out;
}

}  // namespace

TEST_CASE("a forgotten booking is recalled for every command that names it, decided as before") {
  TempDir dir;
  SideBySide both(dir.path());
  for (const auto& command :
       {register_tenant("t1", "reg"), open_site("t1", "site", "lima", "America/Lima"),
        define_service("t1", "svc", "consult", 30, 10'000, "general", 0, 5),
        add_staff("t1", "staff-ana", "ana", "lima", {"general"}),
        add_staff("t1", "staff-ben", "ben", "lima", {"general"}),
        set_schedule("t1", "sched-ana", "ana", {1, 2, 3, 4, 5}, 540, 1020),
        set_schedule("t1", "sched-ben", "ben", {1, 2, 3, 4, 5}, 540, 1020)}) {
    both.ok(command);
  }
  // b1: paid, refunded in part under a given refund id, cancelled (the rest refunded).
  both.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kFirst, "b1"));
  both.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
  both.ok(payment_succeeded("t1", "w1", "pay1", 10'000, "evt_1"));
  both.ok(refund_with_id("r1", "b1", 4'000, "rf-given"));
  both.ok(cancel("t1", "x1", client("c1"), "b1"));
  // b2: awaiting its payment when the hold expires (the writer's timer).
  both.ok(hold("t1", "h2", client("c2"), "lima", "consult", "ben", kFirst, "b2"));
  both.ok(request_payment("t1", "p2", client("c2"), "b2", "pay2"));
  both.advance(11 * kMsPerMinute);
  REQUIRE(both.everything().find_booking("b2")->status == BookingStatus::kExpired);
  // A client-given id shaped like the id the writer will generate a few events later.
  const std::uint64_t generated_at = both.next_seq().value + 10;
  const std::string shaped = "bk_" + std::to_string(generated_at);
  both.ok(hold("t1", "h3", client("c3"), "lima", "consult", "ana", kFirst + kMsPerHour, shaped));
  both.ok(cancel("t1", "x3", client("c3"), shaped));

  both.advance(kForgotten);
  for (int i = 0; both.next_seq().value < generated_at; ++i) {
    const std::int64_t off = kFirst + 20 * kWeek + i * kMsPerDay;
    both.ok(add_time_off("t1", "off-" + std::to_string(i), "ben", off, off + kMsPerHour));
  }
  for (const char* id : {"b1", "b2"}) CHECK(both.remembered().find_booking(id) == nullptr);
  CHECK(both.stats().bookings_forgotten.load() == 3);
  CHECK(both.stats().bookings_recalled.load() == 0);
  CHECK(both.remembered().find_booking(shaped) == nullptr);
  CHECK(both.remembered().find_payment("pay1") == nullptr);
  CHECK_FALSE(both.remembered().provider_events.contains("sandbox/evt_1"));
  CHECK(both.everything().find_booking("b1") != nullptr);

  SUBCASE("ids and keys of forgotten bookings stay taken") {
    const CommandResult generated =
        both.run(hold("t1", "h4", client("c4"), "lima", "consult", "ben", kFirst + kMsPerHour));
    CHECK(generated.events.at(0).slot_held().booking_id() == shaped + "_2");
    both.run(hold("t1", "h5", client("c5"), "lima", "consult", "ana", kFirst + 2 * kMsPerHour,
                  "b1"));  // already exists
    both.ok(
        hold("t1", "h6", client("c6"), "lima", "consult", "ana", kFirst + 3 * kMsPerHour, "b6"));
    both.run(request_payment("t1", "p6x", client("c6"), "b6", "pay1"));  // already exists
    both.ok(request_payment("t1", "p6", client("c6"), "b6", "pay6"));
    both.ok(payment_succeeded("t1", "w6", "pay6", 10'000, "evt_6"));
    both.run(refund_with_id("r6", "b6", 1'000, "rf-given"));            // already exists
    both.run(payment_succeeded("t1", "w6b", "pay6", 10'000, "evt_1"));  // another payment's key
  }
  SUBCASE("late commands on forgotten bookings") {
    // The late payment of the expired hold takes the slot again: b2 comes back to life.
    const CommandResult late = both.run(payment_succeeded("t1", "w2", "pay2", 10'000, "evt_2"));
    CHECK(late.events.size() == 2);
    CHECK(both.remembered().find_booking("b2")->status == BookingStatus::kConfirmed);
    both.run(payment_succeeded("t1", "w1-again", "pay1", 10'000, "evt_1"));  // a replayed webhook
    both.run(payment_failed("t1", "w1-failed", "pay1", "evt_1"));
    both.run(refund("t1", "r1-late", "b1", 0));  // nothing left to refund
    both.run(booking_step("t1", "c1-late", admin(), [](v1::Command& c) {
      c.mutable_confirm_booking()->set_booking_id("b1");
    }));
  }
  CHECK(both.stats().bookings_recalled.load() > 0);
  CHECK(both.stats().bookings_in_model.load() == both.remembered().bookings.size());
  // The writer's model is the fold of its log, and smaller than one that never forgets.
  Result<Model> replayed = replay_log(both.log());
  REQUIRE(replayed.is_ok());
  CHECK(to_hex(model_digest(replayed.value())) == to_hex(model_digest(both.model())));
  CHECK(both.remembered().bookings.size() < both.everything().bookings.size());
}

TEST_CASE("a log without its ids index gets it back at the next read-write open") {
  TempDir dir;
  {
    SideBySide both(dir.path());
    both.ok(register_tenant("t1", "reg"));
    both.ok(open_site("t1", "site", "lima", "America/Lima"));
    both.ok(define_service("t1", "svc", "consult", 30, 10'000, "general", 0, 5));
    both.ok(add_staff("t1", "staff-ana", "ana", "lima", {"general"}));
    both.ok(set_schedule("t1", "sched-ana", "ana", {1, 2, 3, 4, 5}, 540, 1020));
    both.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", kFirst, "b1"));
    both.ok(request_payment("t1", "p1", client("c1"), "b1", "pay1"));
    both.ok(payment_succeeded("t1", "w1", "pay1", 10'000, "evt_1"));
  }
  {  // As a log written before the index existed.
    rocksdb::DB* db = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), raw_log_families(), &handles, &db)
                .ok());
    REQUIRE(db->DropColumnFamily(handles[4]).ok());
    for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
    delete db;
  }
  auto log = EventLog::open(dir.path(), LogOptions{});
  REQUIRE(log.is_ok());
  auto owner = log.value()->find_id_owner("t1", log_format::IdKind::kPayment, "pay1");
  REQUIRE(owner.is_ok());
  CHECK(owner.value() == std::optional<std::string>("b1"));
  owner = log.value()->find_id_owner("t1", log_format::IdKind::kProviderEvent, "sandbox/evt_1");
  REQUIRE(owner.is_ok());
  CHECK(owner.value() == std::optional<std::string>("b1"));
  owner = log.value()->find_id_owner("t1", log_format::IdKind::kPayment, "pay-none");
  REQUIRE(owner.is_ok());
  CHECK_FALSE(owner.value().has_value());
}
