// Kill -9 and recover: a child process books under load and is killed with SIGKILL at random
// moments, several rounds on the same log. After each round: every command the child saw
// acknowledged is in the log with its whole outcome, no command is half in it, the chain
// verifies, and the rebuilt model keeps every invariant.
#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "event_log.h"
#include "temp_dir.h"
#include "writer.h"

extern char** environ;

using namespace turno;
using namespace turno::testing;

namespace {

constexpr int kRounds = 6;

struct Acknowledged {
  std::set<std::string> accepted;
  std::set<std::string> rejected;
};

// Runs the child until it is ready, lets it book for `run_ms`, kills it, returns what it saw
// acknowledged (complete lines only).
Acknowledged run_and_kill(const std::string& data_dir, int run_ms) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::string program = TURNO_CRASH_CHILD;
  std::string dir = data_dir;
  char* argv[] = {program.data(), dir.data(), nullptr};
  pid_t child = 0;
  REQUIRE(posix_spawn(&child, program.c_str(), &actions, nullptr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);

  std::string output;
  bool ready = false;
  bool killed = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  char buffer[65536];
  while (true) {
    if (ready && !killed && std::chrono::steady_clock::now() >= deadline) {
      ::kill(child, SIGKILL);
      killed = true;
    }
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (got <= 0) break;
    output.append(buffer, static_cast<std::size_t>(got));
    if (!ready && output.find("S ready\n") != std::string::npos) {
      ready = true;
      deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(ready);
  CHECK(WIFSIGNALED(status));

  Acknowledged acknowledged;
  std::size_t line_start = 0;
  for (std::size_t end; (end = output.find('\n', line_start)) != std::string::npos;
       line_start = end + 1) {
    const std::string line = output.substr(line_start, end - line_start);
    if (line.size() < 3) continue;
    if (line[0] == 'A') acknowledged.accepted.insert(line.substr(2));
    if (line[0] == 'R') acknowledged.rejected.insert(line.substr(2));
  }
  return acknowledged;
}

void check_log(const std::string& data_dir, const Acknowledged& acknowledged) {
  auto opened = EventLog::open(data_dir);
  REQUIRE(opened.is_ok());
  EventLog& log = *opened.value();

  // The whole chain, every hash recomputed; events grouped by the command that caused them.
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> ranges;
  LogCursor cursor = log.read(Seq{1}, Seq{UINT64_MAX}, /*verify_hashes=*/true);
  while (cursor.next()) {
    const auto& envelope = cursor.record().envelope;
    auto [it, inserted] =
        ranges.emplace(envelope.command_id(), std::make_pair(envelope.seq(), envelope.seq()));
    if (!inserted) {
      INFO("command ", envelope.command_id());
      REQUIRE(it->second.second + 1 == envelope.seq());  // a command's events are contiguous
      it->second.second = envelope.seq();
    }
  }
  REQUIRE(cursor.status().is_ok());

  // No command half in: every command in the log has its outcome, naming exactly its events.
  for (const auto& entry : ranges) {  // no structured binding: INFO's lambda captures it
    const std::string& command_id = entry.first;
    const auto& range = entry.second;
    auto outcome = log.find_outcome("t1", command_id);
    REQUIRE(outcome.is_ok());
    INFO("command ", command_id);
    REQUIRE(outcome.value().has_value());
    CHECK(outcome.value()->first_seq() == range.first);
    CHECK(outcome.value()->last_seq() == range.second);
  }
  // Every acknowledged command is there.
  for (const std::string& command_id : acknowledged.accepted) {
    auto outcome = log.find_outcome("t1", command_id);
    REQUIRE(outcome.is_ok());
    INFO("acknowledged ", command_id);
    REQUIRE(outcome.value().has_value());
    CHECK(outcome.value()->rejection().empty());
  }
  for (const std::string& command_id : acknowledged.rejected) {
    auto outcome = log.find_outcome("t1", command_id);
    REQUIRE(outcome.is_ok());
    INFO("acknowledged rejection ", command_id);
    REQUIRE(outcome.value().has_value());
    CHECK_FALSE(outcome.value()->rejection().empty());
  }

  // The rebuilt model keeps the invariants.
  Result<Model> model = replay_log(log);
  REQUIRE(model.is_ok());
  const Tenant* tenant = model.value().find_tenant("t1");
  REQUIRE(tenant != nullptr);
  std::map<std::string, std::vector<Interval>> blocked;
  for (const auto& [id, booking] : tenant->bookings) {
    CHECK(booking.refunded_minor <= booking.paid_minor);
    if (holds_time(booking.status)) blocked[booking.staff_id.str()].push_back(booking.blocked());
  }
  for (auto& [staff, intervals] : blocked) {
    std::sort(intervals.begin(), intervals.end(),
              [](const Interval& a, const Interval& b) { return a.start_ms < b.start_ms; });
    for (std::size_t i = 1; i < intervals.size(); ++i) {
      CHECK(intervals[i - 1].end_ms <= intervals[i].start_ms);
    }
  }
  MESSAGE("log at seq ", log.last_seq().value, ", ", ranges.size(), " commands, ",
          acknowledged.accepted.size(), " accepted and ", acknowledged.rejected.size(),
          " rejected acknowledged this round");
}

}  // namespace

TEST_CASE("kill -9 at random moments loses no acknowledged command and tears none") {
  TempDir dir;
  std::mt19937 random(std::random_device{}());
  for (int round = 0; round < kRounds; ++round) {
    const int run_ms = 100 + static_cast<int>(random() % 700);
    INFO("round ", round, " killed after ", run_ms, " ms");
    const Acknowledged acknowledged = run_and_kill(dir.path(), run_ms);
    CHECK(acknowledged.accepted.size() > 0);
    check_log(dir.path(), acknowledged);
  }
}
