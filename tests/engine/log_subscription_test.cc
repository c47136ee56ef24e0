// Following the log (engine/log/log_subscription.h): bounded batches from where the subscriber
// stands, the until() cap, checkpoints, waiting for a commit, read errors as values, stop.
#include "log_subscription.h"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "log_format.h"
#include "raw_log.h"
#include "temp_dir.h"

using namespace turno;
using namespace turno::testing;

namespace {

// Turns a hang into a failure; no test here asserts how fast anything happens.
constexpr std::chrono::seconds kHangLimit{60};
// Longer than any test runs: a wait with this limit that ends was ended by a commit or stop().
constexpr std::chrono::minutes kForever{10};
constexpr std::chrono::milliseconds kShort{5};

std::unique_ptr<EventLog> open_log(const std::string& path) {
  LogOptions options;
  options.sync = false;
  auto log = EventLog::open(path, options);
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

void append(EventLog& log, int count) {
  AppendBatch batch = log.begin_batch();
  for (int i = 0; i < count; ++i) {
    const std::uint64_t version = log.last_seq().value + static_cast<std::uint64_t>(i) + 1;
    v1::Envelope envelope;
    envelope.set_stream("t1/booking/a");
    envelope.set_stream_version(version);
    envelope.set_tenant_id("t1");
    envelope.set_command_id("cmd-" + std::to_string(version));
    envelope.mutable_checked_in()->set_booking_id("b" + std::to_string(version));
    batch.add(envelope);
  }
  REQUIRE(log.commit(std::move(batch)).is_ok());
}

// Removes one record from a closed log, as a damaged disk would.
void remove_record(const std::string& path, Seq seq) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = turno::testing::raw_log_families();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &db).ok());
  REQUIRE(db->Delete({}, handles[1], log_format::event_key(seq)).ok());
  for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  delete db;
}

LogSubscriptionLimits limits(std::size_t batch_records_max,
                             std::chrono::milliseconds idle_wait = kShort,
                             std::chrono::milliseconds error_backoff = kShort) {
  return {batch_records_max, idle_wait, error_backoff};
}

struct Span {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  bool operator==(const Span&) const = default;
};

// A subscriber that records what it was handed and told; tests add behaviour through the
// std::function members. Safe to watch from another thread than the one following.
class Recorder final : public LogSubscriber {
 public:
  explicit Recorder(Seq applied = Seq{0}) : applied_(applied) {}

  std::function<Seq(Seq applied)> until_for;  // empty: no cap
  std::function<void()> on_batch;             // after a batch was recorded
  std::function<void()> on_idle;
  std::function<void()> on_read_failed;
  Status apply_result;  // what apply() answers

  Seq applied() const override {
    std::lock_guard lock(mutex_);
    return applied_;
  }
  Seq until() const override { return until_for ? until_for(applied()) : kLogEnd; }
  Status apply(LogBatch batch) override {
    {
      std::lock_guard lock(mutex_);
      ++applies_;
      if (!apply_result.is_ok()) return apply_result;
      batches_.push_back({batch.records.front().seq.value, batch.records.back().seq.value});
      buffers_.push_back(batch.records.data());
      for (const LogRecord& record : batch.records) {
        if (record.envelope.seq() != record.seq.value || record.seq != applied_.next()) {
          out_of_order_ = true;
        }
        applied_ = record.seq;
      }
      tails_.push_back(batch.tail.value);
    }
    changed_.notify_all();
    if (on_batch) on_batch();
    return Status::ok();
  }
  void checkpoint(Checkpoint when) override {
    {
      std::lock_guard lock(mutex_);
      told_.push_back(when == Checkpoint::kIdle ? "idle" : "batch");
    }
    changed_.notify_all();
    if (when == Checkpoint::kIdle && on_idle) on_idle();
  }
  void read_failed(const Status& error) override {
    {
      std::lock_guard lock(mutex_);
      errors_.push_back(error);
    }
    changed_.notify_all();
    if (on_read_failed) on_read_failed();
  }

  void move_to(Seq seq) {
    std::lock_guard lock(mutex_);
    applied_ = seq;
  }
  // Waits until `reached` holds (checked under the lock); false after kHangLimit.
  bool wait_until(const std::function<bool(const Recorder&)>& reached) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kHangLimit, [&] { return reached(*this); });
  }

  std::vector<Span> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::vector<std::string> told() const {
    std::lock_guard lock(mutex_);
    return told_;
  }
  std::vector<Status> errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }
  // Read only from wait_until's predicate (the lock is held there) or after following ended.
  std::size_t idles_locked() const {
    std::size_t idles = 0;
    for (const std::string& when : told_) idles += when == "idle" ? 1 : 0;
    return idles;
  }
  std::size_t errors_locked() const { return errors_.size(); }
  Seq applied_locked() const { return applied_; }
  const std::vector<const LogRecord*>& buffers() const { return buffers_; }
  const std::vector<std::uint64_t>& tails() const { return tails_; }
  int applies() const { return applies_; }
  bool out_of_order() const { return out_of_order_; }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Seq applied_;
  std::vector<Span> batches_;
  std::vector<const LogRecord*> buffers_;
  std::vector<std::uint64_t> tails_;
  std::vector<std::string> told_;
  std::vector<Status> errors_;
  int applies_ = 0;
  bool out_of_order_ = false;
};

}  // namespace

TEST_CASE("batches hold at most batch_records_max records, each from the seq after applied") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 10);
  LogSubscription subscription(*log, limits(4));
  Recorder subscriber;
  subscriber.on_idle = [&] { subscription.stop(); };

  REQUIRE(subscription.follow(subscriber).is_ok());
  CHECK(subscriber.batches() == std::vector<Span>{{1, 4}, {5, 8}, {9, 10}});
  CHECK_FALSE(subscriber.out_of_order());
  CHECK(subscriber.tails() == std::vector<std::uint64_t>{10, 10, 10});
  CHECK(subscriber.told() == std::vector<std::string>{"batch", "batch", "batch", "idle"});
  // One buffer, refilled: the records of every batch are in the same place.
  REQUIRE(subscriber.buffers().size() == 3);
  CHECK(subscriber.buffers()[1] == subscriber.buffers()[0]);
  CHECK(subscriber.buffers()[2] == subscriber.buffers()[0]);
}

TEST_CASE("following resumes after the seq the subscriber names, also when it moves back") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 10);
  LogSubscription subscription(*log, limits(4));
  Recorder subscriber(Seq{6});
  bool moved_back = false;
  subscriber.on_batch = [&] {
    if (moved_back) return;
    moved_back = true;
    subscriber.move_to(Seq{2});  // e.g. a publisher whose stream lost messages
  };
  subscriber.on_idle = [&] { subscription.stop(); };

  REQUIRE(subscription.follow(subscriber).is_ok());
  CHECK(subscriber.batches() == std::vector<Span>{{7, 10}, {3, 6}, {7, 10}});
}

TEST_CASE("until() caps a batch; once past it, batches run to the bound again") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 10);
  LogSubscription subscription(*log, limits(100));
  Recorder subscriber;
  subscriber.until_for = [](Seq applied) { return applied < Seq{6} ? Seq{6} : kLogEnd; };

  SUBCASE("following") {
    subscriber.on_idle = [&] { subscription.stop(); };
    REQUIRE(subscription.follow(subscriber).is_ok());
  }
  SUBCASE("catching up") {
    REQUIRE(subscription.catch_up(subscriber).is_ok());
  }
  CHECK(subscriber.batches() == std::vector<Span>{{1, 6}, {7, 10}});
}

TEST_CASE("a caught-up subscriber is told to checkpoint, then a commit wakes it") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 2);
  // Only a commit can end this wait for one within the test.
  LogSubscription subscription(*log, limits(100, kForever));
  Recorder subscriber;
  subscriber.on_batch = [&] {
    if (subscriber.applied() == Seq{5}) subscription.stop();
  };
  auto following = std::async(std::launch::async, [&] { return subscription.follow(subscriber); });

  REQUIRE(subscriber.wait_until([](const Recorder& r) { return r.idles_locked() >= 1; }));
  append(*log, 3);
  REQUIRE(following.wait_for(kHangLimit) == std::future_status::ready);
  CHECK(following.get().is_ok());
  CHECK(subscriber.batches() == std::vector<Span>{{1, 2}, {3, 5}});
  CHECK(subscriber.told() == std::vector<std::string>{"batch", "idle", "batch"});
}

TEST_CASE("stop() ends following while it waits for a commit, and applies nothing more") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 3);
  LogSubscription subscription(*log, limits(100));
  Recorder subscriber;
  auto following = std::async(std::launch::async, [&] { return subscription.follow(subscriber); });

  REQUIRE(subscriber.wait_until([](const Recorder& r) { return r.idles_locked() >= 2; }));
  subscription.stop();
  REQUIRE(following.wait_for(kHangLimit) == std::future_status::ready);
  CHECK(following.get().is_ok());
  CHECK(subscriber.batches() == std::vector<Span>{{1, 3}});
  CHECK(subscription.stopping());
  CHECK(subscription.follow(subscriber).is_ok());  // stopped for good
  CHECK(subscriber.batches().size() == 1);
}

TEST_CASE("a read error reaches the subscriber as a value; nothing of that batch is applied") {
  TempDir dir;
  {
    auto log = open_log(dir.path());
    append(*log, 10);
  }
  remove_record(dir.path(), Seq{7});
  auto log = open_log(dir.path());

  SUBCASE("following retries after the back-off") {
    LogSubscription subscription(*log, limits(4));
    Recorder subscriber;
    subscriber.on_read_failed = [&] {
      if (subscriber.errors().size() == 2) subscription.stop();
    };
    REQUIRE(subscription.follow(subscriber).is_ok());
    CHECK(subscriber.batches() == std::vector<Span>{{1, 4}});
    const std::vector<Status> errors = subscriber.errors();
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].code() == Status::Code::kCorruption);
    CHECK(errors[0].message().find("seq 7") != std::string::npos);
    CHECK(subscriber.applied() == Seq{4});
  }
  SUBCASE("stop() cuts the back-off short") {
    LogSubscription subscription(*log, limits(4, kShort, kForever));
    Recorder subscriber;
    auto following =
        std::async(std::launch::async, [&] { return subscription.follow(subscriber); });
    REQUIRE(subscriber.wait_until([](const Recorder& r) { return r.errors_locked() >= 1; }));
    subscription.stop();
    REQUIRE(following.wait_for(kHangLimit) == std::future_status::ready);
    CHECK(following.get().is_ok());
    CHECK(subscriber.errors().size() == 1);
  }
  SUBCASE("catching up returns the error") {
    LogSubscription subscription(*log, limits(4));
    Recorder subscriber;
    const Status status = subscription.catch_up(subscriber);
    CHECK(status.code() == Status::Code::kCorruption);
    CHECK(subscriber.errors().size() == 1);
    CHECK(subscriber.batches() == std::vector<Span>{{1, 4}});
  }
}

TEST_CASE("an apply() error ends following with that error, and no checkpoint follows it") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 3);
  LogSubscription subscription(*log, limits(100));
  Recorder subscriber;
  subscriber.apply_result = Status::io_error("connection lost");

  const Status status = subscription.follow(subscriber);
  CHECK(status.code() == Status::Code::kIoError);
  CHECK(status.message() == "connection lost");
  CHECK(subscriber.applies() == 1);
  CHECK(subscriber.told().empty());
  CHECK_FALSE(subscription.stopping());
}

TEST_CASE("catching up folds to the tail as of the call, after stop(), without waiting") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 10);
  LogSubscription subscription(*log, limits(4, kForever));
  subscription.stop();
  Recorder subscriber(Seq{1});

  REQUIRE(subscription.follow(subscriber).is_ok());  // stopped: follows nothing
  CHECK(subscriber.batches().empty());
  REQUIRE(subscription.catch_up(subscriber).is_ok());
  CHECK(subscriber.batches() == std::vector<Span>{{2, 5}, {6, 9}, {10, 10}});
  CHECK(subscriber.told() == std::vector<std::string>{"batch", "batch", "batch"});
  REQUIRE(subscription.catch_up(subscriber).is_ok());  // nothing new: nothing handed
  CHECK(subscriber.batches().size() == 3);
}

TEST_CASE("catching up refuses a subscriber that does not move on") {
  TempDir dir;
  auto log = open_log(dir.path());
  append(*log, 3);
  LogSubscription subscription(*log, limits(100));
  Recorder subscriber;
  subscriber.on_batch = [&] { subscriber.move_to(Seq{0}); };

  const Status status = subscription.catch_up(subscriber);
  CHECK(status.code() == Status::Code::kInvalidArgument);
  CHECK(subscriber.batches().size() == 1);
}
