// Helpers for tests with a real log: an engine in a temp dir, and a workload of bookings.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "commands.h"
#include "engine.h"
#include "harness.h"

namespace turno::testing {

inline std::unique_ptr<Engine> open_engine(const std::string& path, const Clock& clock) {
  EngineOptions options;
  options.log.sync = false;  // these tests are not about power loss
  auto engine = Engine::open(path, clock, options);
  REQUIRE(engine.is_ok());
  return std::move(engine).value();
}

inline void accept(Writer& writer, const v1::Command& command) {
  CommandResult result = writer.execute(command);
  INFO(command.command_id(), " ", result.rejection ? result.rejection->detail : "");
  REQUIRE(result.accepted());
}

// Tenant t1, site lima, service consult (30 min, 100.00 PEN, 5 min after), staff ana and ben
// working Monday to Friday 09:00-17:00.
inline void clinic_on(Writer& writer) {
  accept(writer, register_tenant("t1", "reg"));
  accept(writer, open_site("t1", "site", "lima", "America/Lima"));
  accept(writer, define_service("t1", "svc", "consult", 30, 10'000, "general", 0, 5));
  for (const std::string name : {"ana", "ben"}) {
    accept(writer, add_staff("t1", "staff-" + name, name, "lima", {"general"}));
    accept(writer, set_schedule("t1", "sched-" + name, name, {1, 2, 3, 4, 5}, 9 * 60, 17 * 60));
  }
}

// `count` bookings (ids `<prefix><n>`) on weekdays from `first_weekday` weekdays after Monday
// 2026-03-02: ten a day per staff member, 45 minutes apart from 09:00. Each is held and paid;
// every third one is then cancelled by its client (refunded per policy).
inline void bookings_on(Writer& writer, const std::string& prefix, int count,
                        std::int64_t first_weekday = 0) {
  for (int i = 0; i < count; ++i) {
    const std::string id = prefix + std::to_string(i);
    const std::string client_id = "c" + std::to_string(i % 7);
    const std::int64_t weekday = first_weekday + i / 20;
    const std::int64_t day = weekday / 5 * 7 + weekday % 5;  // skip weekends
    const std::int64_t start =
        kMonday2026_03_02 + day * kMsPerDay + 14 * kMsPerHour + (i % 10) * 45 * kMsPerMinute;
    const std::string staff_id = (i / 10) % 2 ? "ben" : "ana";
    accept(writer,
           hold("t1", "h-" + id, client(client_id), "lima", "consult", staff_id, start, id));
    accept(writer, request_payment("t1", "p-" + id, client(client_id), id, "pay-" + id));
    accept(writer, payment_succeeded("t1", "ok-" + id, "pay-" + id, 10'000, "evt-" + id));
    if (i % 3 == 0) accept(writer, cancel("t1", "x-" + id, client(client_id), id));
  }
}

}  // namespace turno::testing
