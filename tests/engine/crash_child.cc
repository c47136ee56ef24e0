// The crash test's victim: opens the engine in argv[1] and books as fast as it can from several
// threads until it is killed. For every answered command it writes one line to stdout — only
// after the writer's completion, i.e. after the events are durable:
//   A <command_id>   accepted
//   R <command_id>   rejected by the domain (the rejection is durable in the idempotency index)
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "engine.h"

using namespace turno;
using namespace turno::testing;

namespace {

constexpr int kProducers = 4;
constexpr int kStaffCount = 6;

void report(char kind, const std::string& command_id) {
  const std::string line = std::string(1, kind) + " " + command_id + "\n";
  // One write per line: atomic on a pipe (shorter than PIPE_BUF), so a kill never leaves half.
  if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) std::_Exit(3);
}

void set_up(Writer& writer) {
  auto must = [&](const v1::Command& command) {
    CommandResult result = writer.execute(command);
    if (!result.accepted() && result.rejection->code != RejectionCode::kAlreadyExists) {
      std::fprintf(stderr, "set-up failed: %s\n", result.rejection->detail.c_str());
      std::_Exit(4);
    }
  };
  must(register_tenant("t1", "setup-tenant"));
  must(open_site("t1", "setup-site", "main", "UTC"));
  must(define_service("t1", "setup-service", "consult", 30, 5'000, "general", 0, 10));
  for (int i = 0; i < kStaffCount; ++i) {
    const std::string id = "s" + std::to_string(i);
    must(add_staff("t1", "setup-staff-" + id, id, "main", {"general"}));
    must(set_schedule("t1", "setup-schedule-" + id, id, {1, 2, 3, 4, 5, 6, 7}, 0, 24 * 60));
  }
}

void answer(const CommandResult& result, const std::string& command_id) {
  if (result.accepted()) {
    report('A', command_id);
  } else if (!is_transient(result.rejection->code)) {
    report('R', command_id);
  }
}

void produce(Writer& writer, int producer, std::int64_t now_ms) {
  std::mt19937_64 random(static_cast<std::uint64_t>(::getpid()) * 31 + producer);
  const std::string prefix = std::to_string(::getpid()) + "-" + std::to_string(producer) + "-";
  const std::int64_t base = (now_ms / kMsPerHour + 2) * kMsPerHour;
  for (std::uint64_t i = 0;; ++i) {
    const std::string id = prefix + std::to_string(i);
    const std::int64_t start =
        base + static_cast<std::int64_t>(random() % 2000) * 20 * kMsPerMinute;
    const std::string staff_id = "s" + std::to_string(random() % kStaffCount);
    CommandResult held = writer.execute(
        hold("t1", "h" + id, client("c" + id), "main", "consult", staff_id, start, "b" + id));
    answer(held, "h" + id);
    if (!held.accepted()) continue;
    CommandResult requested =
        writer.execute(request_payment("t1", "p" + id, client("c" + id), "b" + id, "pay" + id));
    answer(requested, "p" + id);
    if (!requested.accepted()) continue;
    CommandResult paid =
        writer.execute(payment_succeeded("t1", "w" + id, "pay" + id, 5'000, "e" + id));
    answer(paid, "w" + id);
    if (random() % 4 == 0) {
      answer(writer.execute(cancel("t1", "x" + id, client("c" + id), "b" + id)), "x" + id);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  SystemClock clock;
  auto engine = Engine::open(argv[1], clock);
  if (!engine.is_ok()) {
    std::fprintf(stderr, "open failed: %s\n", engine.status().message().c_str());
    return 5;
  }
  Writer& writer = engine.value()->writer();
  set_up(writer);
  report('S', "ready");
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back(produce, std::ref(writer), p, clock.now_ms());
  }
  for (auto& producer : producers) producer.join();
}
