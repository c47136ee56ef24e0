// Reminder planning: the rules of reminder_plan.h, and reminder times on a controlled clock
// across Santiago's daylight-saving changes (2026-04-05 and 2026-09-06).
#include <doctest/doctest.h>

#include <set>

#include "local_time.h"
#include "notify_support.h"
#include "reminder_plan.h"
#include "templates.h"

namespace turno::testing {
namespace {

using notify::AppointmentPlan;
using notify::ReminderAction;

constexpr std::int64_t kStart = 1'000 * kMsPerDay;  // any instant: the rules are arithmetic
const std::vector<std::int32_t> kOffsets = {24 * 60, 2 * 60, 30};

AppointmentPlan plan(std::int64_t confirmed_at_ms) {
  AppointmentPlan out;
  out.base.kind = notify::MessageKind::kReminder;
  out.base.facts.start_ms = kStart;
  out.base.useful_until_ms = kStart;
  out.confirmed_at_ms = confirmed_at_ms;
  out.start_seq = 7;
  return out;
}

// Books "b1" for client c1 with ana at `start_ms` and returns the world ready to deliver.
void book_in_santiago(World& world, std::int64_t start_ms) {
  REQUIRE(world.service()
              .settings()
              .put_tenant("t1", webhook_settings("http://127.0.0.1:9/x"))
              .is_ok());
  world.run(clinic_commands("America/Santiago"));
  world.run(paid_booking("b1", "c1", "ana", start_ms));
  world.pass();  // the notices go out now
}

std::vector<notify::WebhookRequest> reminders_sent(RecordingTransport::Shared& shared) {
  std::lock_guard lock(shared.mutex);
  std::vector<notify::WebhookRequest> out;
  for (const auto& request : shared.webhooks) {
    if (request.kind == "reminder") out.push_back(request);
  }
  return out;
}

// The reminders of `start_ms` at 24 h, 2 h and 30 min go out at exactly those instants: one
// minute before each, nothing; at it, that reminder.
void check_reminder_instants(std::int64_t start_ms, const std::string& start_text) {
  auto shared = std::make_shared<RecordingTransport::Shared>();
  World world(start_ms - 10 * kMsPerDay, std::make_unique<RecordingTransport>(shared));
  book_in_santiago(world, start_ms);
  std::size_t expected = 0;
  for (const std::int32_t offset_min : kOffsets) {
    const std::int64_t due_ms = start_ms - offset_min * kMsPerMinute;
    world.clock().set(due_ms - kMsPerMinute);
    world.pass();
    CHECK(reminders_sent(*shared).size() == expected);
    world.clock().set(due_ms);
    world.pass();
    const auto sent = reminders_sent(*shared);
    REQUIRE(sent.size() == ++expected);
    CHECK(sent.back().body.find("\"offset_min\":" + std::to_string(offset_min)) !=
          std::string::npos);
    // The text shows the appointment on the site's clock.
    CHECK(sent.back().body.find(start_text) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("reminder plan: due times are the start minus each offset") {
  const auto decisions =
      notify::plan_reminders(plan(kStart - 10 * kMsPerDay), kOffsets, kStart - 25 * kMsPerHour);
  REQUIRE(decisions.size() == 3);
  CHECK(decisions[0].message.due_at_ms == kStart - 24 * kMsPerHour);
  CHECK(decisions[1].message.due_at_ms == kStart - 2 * kMsPerHour);
  CHECK(decisions[2].message.due_at_ms == kStart - 30 * kMsPerMinute);
  for (const auto& decision : decisions) CHECK(decision.action == ReminderAction::kNotYet);
  CHECK(decisions[0].message.id == "r7-1440m");
  CHECK(decisions[2].message.facts.offset_min == 30);
}

TEST_CASE("reminder plan: none due before the booking was made") {
  // Booked 90 minutes ahead: only the 30 min reminder applies.
  const auto decisions =
      notify::plan_reminders(plan(kStart - 90 * kMsPerMinute), kOffsets, kStart - kMsPerHour);
  REQUIRE(decisions.size() == 1);
  CHECK(decisions[0].message.facts.offset_min == 30);
  CHECK(decisions[0].action == ReminderAction::kNotYet);
}

TEST_CASE("reminder plan: after downtime only the latest due reminder is sent") {
  const auto decisions =
      notify::plan_reminders(plan(kStart - 10 * kMsPerDay), kOffsets, kStart - 90 * kMsPerMinute);
  REQUIRE(decisions.size() == 3);
  CHECK(decisions[0].action == ReminderAction::kSkip);
  CHECK(decisions[0].reason == "superseded by the 120 min reminder");
  CHECK(decisions[1].action == ReminderAction::kSend);
  CHECK(decisions[2].action == ReminderAction::kNotYet);
}

TEST_CASE("reminder plan: past the start, every due reminder is skipped with a reason") {
  const auto decisions =
      notify::plan_reminders(plan(kStart - 10 * kMsPerDay), kOffsets, kStart + kMsPerMinute);
  REQUIRE(decisions.size() == 3);
  for (const auto& decision : decisions) {
    CHECK(decision.action == ReminderAction::kSkip);
    CHECK(decision.reason == "appointment already started");
  }
}

// Sunday 09:00 in Santiago on `local_day`, the day a DST change happened at midnight: checks
// the instant, where 24 h before falls on the local clock, and every reminder's instant.
static void check_santiago_sunday(std::int64_t local_day, std::int64_t expected_start_ms,
                                  const std::string& local_24h_before,
                                  const std::string& start_text) {
  const TimeZone* santiago = find_time_zone("America/Santiago");
  REQUIRE(santiago != nullptr);
  const std::int64_t start_ms = to_instant(*santiago, local_day, 9 * 60);
  CHECK(start_ms == expected_start_ms);
  CHECK(projections::format_local(*santiago, start_ms - kMsPerDay) == local_24h_before);
  check_reminder_instants(start_ms, start_text);
}

TEST_CASE("reminders across the end of daylight saving time in Santiago (2026-04-05)") {
  // 09:00 after clocks went back at midnight is 13:00 UTC (UTC-4); 24 h of real time before
  // is Saturday 10:00 on the local clock (then UTC-3), not 09:00.
  check_santiago_sunday(20'548, 1'775'394'000'000, "2026-04-04T10:00:00-03:00",
                        "domingo 5 de abril de 2026, 09:00");
}

TEST_CASE("reminders across the start of daylight saving time in Santiago (2026-09-06)") {
  // 09:00 after clocks went forward is 12:00 UTC (UTC-3); 24 h before is 08:00 (UTC-4).
  check_santiago_sunday(20'702, 1'788'696'000'000, "2026-09-05T08:00:00-04:00",
                        "domingo 6 de septiembre de 2026, 09:00");
}

TEST_CASE("templates: the long local form in Spanish and English") {
  const std::int64_t instant = 1'775'394'000'000;  // 2026-04-05 13:00 UTC
  CHECK(notify::format_long_local("America/Santiago", instant, "es") ==
        "domingo 5 de abril de 2026, 09:00");
  CHECK(notify::format_long_local("America/Santiago", instant, "en") ==
        "Sunday 5 April 2026, 09:00");
  CHECK(notify::fill_placeholders("a {{x}} b {{unknown}} c {{", [](std::string_view name) {
          return name == "x" ? std::string("X") : std::string();
        }) == "a X b  c {{");
}

TEST_CASE("templates: kPlaceholders is every placeholder there is, and nothing else is one") {
  notify::Message message;
  message.booking_id = "b1";
  message.facts.previous_start_ms = kStart - kMsPerDay;
  message.facts.currency = "PEN";
  message.facts.offset_min = 60;
  std::set<std::string> filled;
  for (const auto& [name, value] : notify::template_values(message, "en")) filled.insert(name);
  const std::set<std::string> listed(notify::kPlaceholders.begin(), notify::kPlaceholders.end());
  CHECK(filled == listed);
  CHECK(listed.size() == notify::kPlaceholders.size());  // none listed twice
  // The built-in templates name only listed placeholders.
  for (std::uint8_t kind = 0; kind <= notify::kMessageKindMax; ++kind) {
    for (const std::string_view locale : {"es", "en"}) {
      const auto text = notify::builtin_template(static_cast<notify::MessageKind>(kind), locale);
      CHECK(!notify::unknown_placeholder(text.subject));
      CHECK(!notify::unknown_placeholder(text.body));
    }
  }
  CHECK(notify::unknown_placeholder("Hola {{client}}, {{service_name}} y {{bogus}}") ==
        "service_name");
  CHECK(notify::unknown_placeholder("{{ service }}") == " service ");
  CHECK(notify::unknown_placeholder("{{}}") == "");
  CHECK(!notify::unknown_placeholder("no placeholders, an open {{ and nothing else"));
}

}  // namespace turno::testing
