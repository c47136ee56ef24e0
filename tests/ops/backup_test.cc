// `turno backup` / `turno restore` as an operator runs them: a separate process copies the log
// while this process (standing in for `turno serve`: it owns the log and its lock) keeps
// committing commands; the restored copy verifies its chain and holds every command that was
// acknowledged before the backup began.
#include "backup.h"

#include <doctest/doctest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "commands.h"
#include "data_layout.h"
#include "engine.h"
#include "harness.h"
#include "secrets_store.h"
#include "temp_dir.h"

extern char** environ;

using namespace turno;
using namespace turno::testing;

namespace {

constexpr std::int64_t kNineLima = kMonday2026_03_02 + 14 * kMsPerHour;
constexpr int kStaff = 40;
constexpr int kSlotsPerDay = 13;  // 09:00..16:00, 35 minutes apart (30 + 5 min buffer)
constexpr int kProducers = 3;
constexpr int kWindow = 64;  // commands in flight per producer, like many clients

// Runs the turno binary with `args`; returns its exit status (-1 if it did not exit).
int run_turno(std::vector<std::string> args) {
  args.insert(args.begin(), TURNO_BINARY);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, TURNO_BINARY, nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// The commands that open a clinic of kStaff practitioners working weekdays 09:00-17:00.
std::vector<v1::Command> clinic_commands() {
  std::vector<v1::Command> commands = {
      register_tenant("t1", "reg"), open_site("t1", "site", "lima", "America/Lima"),
      define_service("t1", "svc", "consult", 30, 10'000, "general", 0, 5)};
  for (int staff = 0; staff < kStaff; ++staff) {
    const std::string name = "s" + std::to_string(staff);
    commands.push_back(add_staff("t1", "staff-" + name, name, "lima", {"general"}));
    commands.push_back(set_schedule("t1", "sched-" + name, name, {1, 2, 3, 4, 5}, 9 * 60, 17 * 60));
  }
  return commands;
}

// Runs each command and requires it accepted.
void run_all(Writer& writer, const std::vector<v1::Command>& commands) {
  for (const v1::Command& command : commands) {
    CommandResult result = writer.execute(command);
    INFO(command.command_id(), ": ", result.rejection ? result.rejection->detail : "accepted");
    REQUIRE(result.accepted());
  }
}

// The i-th hold: a distinct (staff, weekday, slot) for the first kStaff * 13 * 5 * 20 of them,
// so most are accepted; later ones collide and are rejected (an answer all the same).
v1::Command nth_hold(std::uint64_t i) {
  const auto staff = static_cast<int>(i % kStaff);
  const auto slot = static_cast<std::int64_t>((i / kStaff) % kSlotsPerDay);
  const auto day = static_cast<std::int64_t>((i / (kStaff * kSlotsPerDay)) % 5);
  const auto week = static_cast<std::int64_t>((i / (kStaff * kSlotsPerDay * 5)) % 20);
  const std::int64_t start =
      kNineLima + week * 7 * kMsPerDay + day * kMsPerDay + slot * 35 * kMsPerMinute;
  const std::string id = std::to_string(i);
  return hold("t1", "hold-" + id, client("c" + id), "lima", "consult", "s" + std::to_string(staff),
              start, "b" + id);
}

struct Acknowledged {
  std::string command_id;
  bool accepted = false;
};

// Producers keep `kWindow` commands each in flight until told to stop; every answer is
// recorded, in the order the answers arrived.
class Load {
 public:
  explicit Load(Writer& writer) : writer_(writer) {
    for (int p = 0; p < kProducers; ++p) threads_.emplace_back([this] { produce(); });
  }
  ~Load() { stop(); }

  void stop() {
    stopping_.store(true);
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  std::vector<Acknowledged> answered_so_far() const {
    std::lock_guard lock(mutex_);
    return answered_;
  }
  std::size_t answered_count() const {
    std::lock_guard lock(mutex_);
    return answered_.size();
  }

 private:
  void produce() {
    std::atomic<int> in_flight{0};
    while (!stopping_.load()) {
      if (in_flight.load() >= kWindow) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      v1::Command command = nth_hold(next_.fetch_add(1));
      const std::string id = command.command_id();
      in_flight.fetch_add(1);
      writer_.submit(std::move(command), [this, id, &in_flight](CommandResult&& result) {
        {
          std::lock_guard lock(mutex_);
          answered_.push_back({id, result.accepted()});
        }
        in_flight.fetch_sub(1);
      });
    }
    while (in_flight.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  Writer& writer_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<Acknowledged> answered_;
  std::vector<std::thread> threads_;
};

std::unique_ptr<EventLog> open_read_only(const std::string& directory) {
  LogOptions options;
  options.mode = LogOptions::Mode::kReadOnly;
  options.create_if_missing = false;
  auto log = EventLog::open(directory, options);
  REQUIRE_MESSAGE(log.is_ok(), log.status().message());
  return std::move(log).value();
}

}  // namespace

TEST_CASE("a backup under write load restores a verified log with every acknowledged command") {
  TempDir dir;
  const std::string data = dir.sub("data");
  const std::string backup = dir.sub("backup");
  const std::string restored = dir.sub("restored");
  ManualClock clock(kMonday2026_03_02 - 7 * kMsPerDay);
  EngineOptions options;
  options.log.write_buffer_bytes = 4u << 20;  // flush (switch WAL files) and compact often
  auto engine = Engine::open(data, clock, options);
  REQUIRE(engine.is_ok());
  Writer& writer = engine.value()->writer();
  run_all(writer, clinic_commands());

  Load load(writer);
  while (load.answered_count() < 3000) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::vector<Acknowledged> before = load.answered_so_far();  // the backup begins now
  const int backup_status = run_turno({"backup", "--data", data, "--to", backup});
  const std::size_t answered_during = load.answered_count() - before.size();
  load.stop();
  REQUIRE(backup_status == 0);
  MESSAGE(before.size(), " commands answered before the backup, ", answered_during, " during it");
  CHECK_MESSAGE(answered_during > 0, "the writer kept acknowledging commands during the backup");

  REQUIRE(run_turno({"restore", "--from", backup, "--data", restored}) == 0);
  auto copy = open_read_only(restored);
  CHECK(copy->log_id() == engine.value()->log().log_id());

  {
    INFO("the restored chain verifies from seq 1, every hash recomputed");
    LogCursor cursor = copy->read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
    std::uint64_t count = 0;
    while (cursor.next()) ++count;
    REQUIRE_MESSAGE(cursor.status().is_ok(), cursor.status().message());
    CHECK(count == copy->last_seq().value);
    // A prefix of the live log: the same record, hash and all, at the copy's tail.
    auto live = engine.value()->log().read_one(copy->last_seq());
    REQUIRE(live.is_ok());
    CHECK(live.value().hash == copy->last_hash());
  }

  {
    INFO("every command answered before the backup began is in the copy");
    REQUIRE(before.size() >= 3000);
    std::size_t accepted = 0;
    for (const Acknowledged& answer : before) {
      auto outcome = copy->find_outcome("t1", answer.command_id);
      REQUIRE(outcome.is_ok());
      REQUIRE_MESSAGE(outcome.value().has_value(), answer.command_id, " is missing");
      const v1::CommandOutcome& stored = *outcome.value();
      CHECK(stored.rejection().empty() == answer.accepted);
      if (!answer.accepted) continue;
      ++accepted;
      auto first = copy->read_one(Seq{stored.first_seq()});
      REQUIRE(first.is_ok());
      CHECK(first.value().envelope.command_id() == answer.command_id);
    }
    CHECK(accepted > 0);
  }

  {
    INFO("the restored directory starts an engine that takes new commands");
    copy.reset();
    ManualClock later(kMonday2026_03_02 - 7 * kMsPerDay);
    auto restarted = Engine::open(restored, later);
    REQUIRE_MESSAGE(restarted.is_ok(), restarted.status().message());
    CommandResult result =
        restarted.value()->writer().execute(hold("t1", "after-restore", client("c-new"), "lima",
                                                 "consult", "s0", kNineLima + 21 * 7 * kMsPerDay));
    CHECK_MESSAGE(result.accepted(), (result.rejection ? result.rejection->detail : ""));
  }
}

TEST_CASE("backup and restore refuse targets in use and inputs that are no log or backup") {
  TempDir dir;
  std::filesystem::create_directories(dir.sub("empty"));
  std::filesystem::create_directories(dir.sub("used"));
  std::ofstream(dir.sub("used") + "/file") << "x";
  {
    ManualClock clock(kMonday2026_03_02);
    auto engine = Engine::open(dir.sub("data"), clock);
    REQUIRE(engine.is_ok());
    run_all(engine.value()->writer(), {register_tenant("t1", "reg")});
  }
  CHECK(run_turno({"backup", "--data", dir.sub("empty"), "--to", dir.sub("b1")}) == 1);
  CHECK_FALSE(std::filesystem::exists(dir.sub("b1")));
  CHECK(run_turno({"backup", "--data", dir.sub("data"), "--to", dir.sub("used")}) == 1);
  CHECK(run_turno({"backup", "--data", dir.sub("data")}) == 2);

  // A stopped log backs up too, into an existing empty directory.
  REQUIRE(run_turno({"backup", "--data", dir.sub("data"), "--to", dir.sub("empty")}) == 0);
  CHECK(run_turno({"restore", "--from", dir.sub("empty"), "--verify-only"}) == 0);
  CHECK(run_turno({"restore", "--from", dir.sub("empty"), "--data", dir.sub("used")}) == 1);
  CHECK(run_turno({"restore", "--from", dir.sub("used"), "--data", dir.sub("r1")}) == 1);
  CHECK_FALSE(std::filesystem::exists(dir.sub("r1")));
}

TEST_CASE("restore refuses a backup whose log does not match its manifest") {
  TempDir dir;
  {
    ManualClock clock(kMonday2026_03_02);
    auto engine = Engine::open(dir.sub("data"), clock);
    REQUIRE(engine.is_ok());
    run_all(engine.value()->writer(), {register_tenant("t1", "reg")});
  }
  BackupOptions options;
  auto report = take_backup(dir.sub("data"), dir.sub("backup"), options);
  REQUIRE_MESSAGE(report.is_ok(), report.status().message());
  CHECK(report.value().manifest.events >= 1);
  CHECK(report.value().manifest.outcomes == 1);
  CHECK(verify_backup(dir.sub("backup")).is_ok());

  const std::string manifest_path = dir.sub("backup") + "/" + std::string(kBackupManifestName);
  std::ifstream in(manifest_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string real_hash = report.value().manifest.last_hash_hex;
  text.replace(text.find(real_hash), real_hash.size(), std::string(64, '0'));
  std::ofstream(manifest_path, std::ios::trunc) << text;

  auto restored = restore_backup(dir.sub("backup"), dir.sub("restored"));
  REQUIRE_FALSE(restored.is_ok());
  CHECK(restored.status().code() == Status::Code::kCorruption);
  CHECK_FALSE(std::filesystem::exists(dir.sub("restored")));
}

TEST_CASE("backup and restore carry the node's export signing key, still private") {
  TempDir dir;
  {
    ManualClock clock(kMonday2026_03_02);
    auto engine = Engine::open(dir.sub("data"), clock);
    REQUIRE(engine.is_ok());
    run_all(engine.value()->writer(), {register_tenant("t1", "reg")});
  }
  REQUIRE(run_turno({"signing-key", "--data", dir.sub("data")}) == 0);  // creates the key
  const std::string original = data_layout::export_signing_key_path(dir.sub("data"));
  std::ifstream original_file(original);
  const std::string key((std::istreambuf_iterator<char>(original_file)),
                        std::istreambuf_iterator<char>());
  REQUIRE(key.starts_with("-----BEGIN PRIVATE KEY-----"));

  auto report = take_backup(dir.sub("data"), dir.sub("backup"), BackupOptions{});
  REQUIRE_MESSAGE(report.is_ok(), report.status().message());
  auto restored = restore_backup(dir.sub("backup"), dir.sub("restored"));
  REQUIRE_MESSAGE(restored.is_ok(), restored.status().message());
  namespace fs = std::filesystem;
  for (const std::string& copy : {data_layout::export_signing_key_path(dir.sub("backup")),
                                  data_layout::export_signing_key_path(dir.sub("restored"))}) {
    INFO(copy);
    std::ifstream file(copy);
    CHECK(std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()) ==
          key);
    CHECK((fs::status(copy).permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
          fs::perms::none);
  }
}

TEST_CASE("backup and restore carry the secrets store, read while the node holds it open") {
  TempDir dir;
  ManualClock clock(kMonday2026_03_02);
  auto engine = Engine::open(dir.sub("data"), clock);
  REQUIRE(engine.is_ok());
  run_all(engine.value()->writer(), {register_tenant("t1", "reg")});
  auto secrets = SecretsStore::open(data_layout::secrets_directory(dir.sub("data")));
  REQUIRE(secrets.is_ok());
  REQUIRE(secrets.value()->put("password/t1/acc_1", "$argon2id$one").is_ok());
  REQUIRE(secrets.value()->put("signing_key/k1", "-----BEGIN PRIVATE KEY-----").is_ok());
  REQUIRE(secrets.value()->put("password/t1/acc_2", "$argon2id$gone").is_ok());
  REQUIRE(secrets.value()->erase("password/t1/acc_2").is_ok());

  auto report = take_backup(dir.sub("data"), dir.sub("backup"), BackupOptions{});
  REQUIRE_MESSAGE(report.is_ok(), report.status().message());
  // Written after the backup: not in it.
  REQUIRE(secrets.value()->put("password/t1/acc_3", "$argon2id$later").is_ok());
  CHECK(verify_backup(dir.sub("backup")).is_ok());
  secrets.value().reset();
  engine.value().reset();

  auto restored = restore_backup(dir.sub("backup"), dir.sub("restored"));
  REQUIRE_MESSAGE(restored.is_ok(), restored.status().message());
  auto copy = SecretsStore::open(data_layout::secrets_directory(dir.sub("restored")));
  REQUIRE(copy.is_ok());
  CHECK(copy.value()->get("password/t1/acc_1").value() ==
        std::optional<std::string>("$argon2id$one"));
  CHECK(copy.value()->get("signing_key/k1").value().has_value());
  CHECK_FALSE(copy.value()->get("password/t1/acc_2").value().has_value());
  CHECK_FALSE(copy.value()->get("password/t1/acc_3").value().has_value());
}

TEST_CASE("a node that never kept a secret backs up and restores without a secrets store") {
  TempDir dir;
  {
    ManualClock clock(kMonday2026_03_02);
    auto engine = Engine::open(dir.sub("data"), clock);
    REQUIRE(engine.is_ok());
    run_all(engine.value()->writer(), {register_tenant("t1", "reg")});
  }
  REQUIRE(take_backup(dir.sub("data"), dir.sub("backup"), BackupOptions{}).is_ok());
  REQUIRE(restore_backup(dir.sub("backup"), dir.sub("restored")).is_ok());
  CHECK_FALSE(std::filesystem::exists(data_layout::secrets_directory(dir.sub("restored"))));
}
