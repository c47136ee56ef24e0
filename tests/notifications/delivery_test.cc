// Delivery: signed webhooks to a real receiver on loopback, retries with back-off, dead
// letter, no stale reminders, downtime, rebuilds, the rate limit and the listing.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "notify_support.h"
#include "signature.h"
#include "webhook_receiver.h"

namespace turno::testing {
namespace {

using notify::DeliveryStatus;
using notify::MessageKind;

constexpr std::int64_t kT0 = kMonday2026_03_02;                         // the clock at the start
constexpr std::int64_t kStart = kT0 + 3 * kMsPerDay + 15 * kMsPerHour;  // 10:00 in Lima
const std::string kSecret = "whsec-test";

std::unique_ptr<notify::Transport> curl() {
  return notify::make_curl_transport();
}

void configure(World& world, notify::TenantSettings settings) {
  REQUIRE(world.service().settings().put_tenant("t1", settings).is_ok());
}

std::size_t count(const std::vector<notify::Delivery>& deliveries, DeliveryStatus status) {
  return static_cast<std::size_t>(
      std::count_if(deliveries.begin(), deliveries.end(),
                    [&](const notify::Delivery& d) { return d.status == status; }));
}

}  // namespace

TEST_CASE("every webhook is signed, and a receiver answering 500 gets retries until it succeeds") {
  WebhookReceiver receiver({500, 500});
  World world(kT0, curl());
  configure(world, webhook_settings(receiver.url()));
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));

  world.pass();
  auto deliveries = world.deliveries("b1");
  REQUIRE(deliveries.size() == 3);  // confirmed, to the staff member, invoice
  CHECK(count(deliveries, DeliveryStatus::kPending) == 2);
  CHECK(count(deliveries, DeliveryStatus::kSent) == 1);

  world.pass();  // the back-off has not passed: nothing is tried
  CHECK(receiver.received().size() == 3);
  world.clock().advance(kMsPerSecond);
  world.pass();
  deliveries = world.deliveries("b1");
  CHECK(count(deliveries, DeliveryStatus::kSent) == 3);
  std::map<std::string, int> attempts_by_message;
  for (const auto& delivery : deliveries)
    attempts_by_message[delivery.message_id] = delivery.attempts;

  const auto received = receiver.received();
  REQUIRE(received.size() == 5);
  std::map<std::string, std::vector<std::string>> attempts_seen;
  for (const auto& request : received) {
    INFO(request.body);
    CHECK(notify::verify_signature(request.headers.at("turno-signature"), kSecret, request.body));
    CHECK_FALSE(
        notify::verify_signature(request.headers.at("turno-signature"), "other", request.body));
    const std::string& id = request.headers.at("turno-message-id");
    CHECK(request.body.find("\"message_id\":\"" + id + "\"") != std::string::npos);
    attempts_seen[id].push_back(request.headers.at("turno-delivery-attempt"));
  }
  // Two messages were tried twice under the same id, as attempts 1 and 2.
  int retried = 0;
  for (const auto& [id, attempts] : attempts_seen) {
    CHECK(static_cast<int>(attempts.size()) == attempts_by_message[id]);
    if (attempts.size() == 2) {
      ++retried;
      CHECK(attempts == std::vector<std::string>{"1", "2"});
    }
  }
  CHECK(retried == 2);
}

TEST_CASE("a receiver down for good leads to dead letter after the attempts allowed") {
  World world(kT0, curl());
  configure(world, webhook_settings("http://127.0.0.1:" + std::to_string(closed_port()) + "/x"));
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  for (int pass = 0; pass < 3; ++pass) {
    world.pass();
    world.clock().advance(4 * kMsPerSecond);  // past any back-off of test_limits()
  }
  const auto deliveries = world.deliveries("b1");
  REQUIRE(deliveries.size() == 3);
  for (const auto& delivery : deliveries) {
    CHECK(delivery.status == DeliveryStatus::kDead);
    CHECK(delivery.attempts == 3);
    CHECK_FALSE(delivery.last_error.empty());
  }
  world.pass();  // nothing more is tried
  const std::string metrics = world.service().metrics_text();
  CHECK(metrics.find("turno_notifications_dead_total{channel=\"webhook\"} 3") != std::string::npos);
  CHECK(metrics.find("turno_notifications_failed_attempts_total{channel=\"webhook\"} 9") !=
        std::string::npos);
  CHECK(metrics.find("turno_notifications_pending 0") != std::string::npos);
}

TEST_CASE("a cancelled booking gets no reminder, not even one already being retried") {
  auto shared = std::make_shared<RecordingTransport::Shared>();
  World world(kT0, std::make_unique<RecordingTransport>(shared));
  configure(world, webhook_settings("http://127.0.0.1:9/x"));
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  world.run(paid_booking("b2", "c2", "ben", kStart));
  world.pass();

  // b1 is cancelled before any reminder is due.
  world.run(cancel("t1", "x-b1", client("c1"), "b1"));
  // b2's 24 h reminder fails once and waits for its retry...
  world.clock().set(kStart - kMsPerDay);
  shared->script.push_back(notify::SendOutcome::kRetry);
  world.pass();
  REQUIRE(world.of_kind(MessageKind::kReminder, "b2").size() == 1);
  CHECK(world.of_kind(MessageKind::kReminder, "b2")[0].status == DeliveryStatus::kPending);
  // ... when b2 is cancelled too.
  world.run(cancel("t1", "x-b2", client("c2"), "b2"));
  for (const std::int64_t offset :
       {kMsPerDay - 5 * kMsPerSecond, 2 * kMsPerHour, 30 * kMsPerMinute}) {
    world.clock().set(kStart - offset);
    world.pass();
  }
  CHECK(world.of_kind(MessageKind::kReminder, "b1").empty());
  const auto b2 = world.of_kind(MessageKind::kReminder, "b2");
  REQUIRE(b2.size() == 1);
  CHECK(b2[0].status == DeliveryStatus::kSkipped);
  CHECK(b2[0].last_error == "booking cancelled");
  std::lock_guard lock(shared->mutex);
  int reminders_sent = 0;
  for (const auto& request : shared->webhooks) reminders_sent += request.kind == "reminder";
  CHECK(reminders_sent == 1);  // the one failed attempt, nothing after the cancel
}

TEST_CASE("after downtime, reminders still useful are sent and the others skipped with a reason") {
  auto shared = std::make_shared<RecordingTransport::Shared>();
  World world(kT0, std::make_unique<RecordingTransport>(shared));
  configure(world, webhook_settings("http://127.0.0.1:9/x"));
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  world.run(paid_booking("b2", "c2", "ana", kStart + 5 * kMsPerHour));
  world.pass();
  // Down from now until 10 minutes after b1 started (before it could be a no-show).
  world.clock().set(kStart + 10 * kMsPerMinute);
  world.pass();
  const auto b1 = world.of_kind(MessageKind::kReminder, "b1");
  CHECK(b1.size() == 3);
  for (const auto& reminder : b1) {
    CHECK(reminder.status == DeliveryStatus::kSkipped);
    CHECK(reminder.last_error == "appointment already started");
  }
  // b2 starts in 4 h 50 min: its 24 h reminder is late but still useful.
  const auto b2 = world.of_kind(MessageKind::kReminder, "b2");
  REQUIRE(b2.size() == 1);
  CHECK(b2[0].status == DeliveryStatus::kSent);
  CHECK(b2[0].message_id.ends_with("-1440m"));
}

TEST_CASE("a rebuild of the view never sends a message twice") {
  WebhookReceiver receiver;
  World world(kT0, curl());
  configure(world, webhook_settings(receiver.url()));
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  world.pass();
  world.clock().set(kStart - kMsPerDay);
  world.pass();
  REQUIRE(receiver.received().size() == 4);
  const std::size_t deliveries = world.deliveries().size();

  world.restart(curl(), /*forget_view=*/true);
  world.pass();
  world.clock().advance(kMsPerSecond);
  world.pass();
  CHECK(world.service().applied_seq() == world.engine().log().last_seq());
  CHECK(receiver.received().size() == 4);
  CHECK(world.deliveries().size() == deliveries);
}

TEST_CASE("a tenant's rate limit holds back a burst, which goes out later") {
  auto shared = std::make_shared<RecordingTransport::Shared>();
  World world(kT0, std::make_unique<RecordingTransport>(shared));
  notify::TenantSettings settings = webhook_settings("http://127.0.0.1:9/x");
  settings.rate_per_minute = 1;
  settings.burst = 2;
  configure(world, settings);
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  world.pass();
  CHECK(count(world.deliveries(), DeliveryStatus::kSent) == 2);
  CHECK(count(world.deliveries(), DeliveryStatus::kPending) == 1);
  CHECK(world.service().metrics_text().find("turno_notifications_rate_limited_total 1") !=
        std::string::npos);
  world.clock().advance(kMsPerMinute);
  world.pass();
  CHECK(count(world.deliveries(), DeliveryStatus::kSent) == 3);
}

TEST_CASE("listing: by booking, by status, a client's own, in pages") {
  auto shared = std::make_shared<RecordingTransport::Shared>();
  World world(kT0, std::make_unique<RecordingTransport>(shared));
  // E-mail on too, but no address is known for c2: that delivery is skipped with a reason.
  configure(world, webhook_settings("http://127.0.0.1:9/x", "smtp://127.0.0.1:9"));
  REQUIRE(world.service()
              .settings()
              .put_contact("t1", {notify::RecipientRole::kClient, "c1"},
                           notify::Contact{"c1@example.test", "+51999", "en", "C One"})
              .is_ok());
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  world.run(paid_booking("b2", "c2", "ben", kStart));
  world.pass();

  notify::DeliveryListRequest request;
  request.tenant_id = "t1";
  request.client_id = "c2";
  request.limit = 50;
  auto own = world.service().list(request);
  REQUIRE(own.is_ok());
  REQUIRE(own.value().items.size() == 4);  // confirmed and invoice, by webhook and by e-mail
  for (const auto& delivery : own.value().items) CHECK(delivery.recipient.id == "c2");
  request.status = DeliveryStatus::kSkipped;
  own = world.service().list(request);
  REQUIRE(own.value().items.size() == 2);
  CHECK(own.value().items[0].last_error == "no e-mail address for client c2");

  // c1's texts are in English, as their contact says.
  for (const auto& delivery : world.deliveries("b1")) {
    if (delivery.recipient.id == "c1") CHECK(delivery.locale == "en");
  }

  // Pages of 2 over everything: each delivery once, newest first.
  notify::DeliveryListRequest paged;
  paged.tenant_id = "t1";
  paged.limit = 2;
  std::set<std::string> seen;
  std::size_t pages = 0;
  do {
    auto page = world.service().list(paged);
    REQUIRE(page.is_ok());
    for (const auto& delivery : page.value().items) CHECK(seen.insert(delivery.id).second);
    paged.page_token = page.value().next_page_token;
    ++pages;
  } while (!paged.page_token.empty() && pages < 100);
  CHECK(seen.size() == world.deliveries().size());
  const std::string json = notify::delivery_page_json(world.service().list(paged).value());
  CHECK(json.starts_with("{\"items\":["));
}

TEST_CASE("the service's own loop delivers without being asked") {
  WebhookReceiver receiver;
  notify::DeliveryLimits limits = test_limits();
  limits.idle_wait_ms = 20;
  World world(kT0, curl(), limits, /*background=*/true);
  configure(world, webhook_settings(receiver.url()));
  world.run(clinic_commands("America/Lima"));
  world.run(paid_booking("b1", "c1", "ana", kStart));
  constexpr int kWaitStepMs = 20;
  constexpr int kWaitMaxMs = 20'000;
  for (int waited_ms = 0; receiver.received().size() < 3 && waited_ms < kWaitMaxMs;
       waited_ms += kWaitStepMs) {
    world.service().poke();
    std::this_thread::sleep_for(std::chrono::milliseconds(kWaitStepMs));
  }
  CHECK(receiver.received().size() == 3);
}

TEST_CASE("who sees which notifications") {
  using notify::list_request_for;
  auto admin_view = list_request_for(v1::ROLE_ADMIN, "admin-1", "t1", "b1", "sent", "", "10");
  REQUIRE(admin_view.is_ok());
  CHECK(admin_view.value().client_id.empty());
  CHECK(admin_view.value().booking_id == "b1");
  CHECK(admin_view.value().status == DeliveryStatus::kSent);
  CHECK(admin_view.value().limit == 10);
  auto own = list_request_for(v1::ROLE_CLIENT, "c7", "t1", "", "", "", "");
  REQUIRE(own.is_ok());
  CHECK(own.value().client_id == "c7");
  CHECK_FALSE(list_request_for(v1::ROLE_STAFF, "ana", "t1", "", "", "", "").is_ok());
  CHECK_FALSE(list_request_for(v1::ROLE_ADMIN, "a", "t1", "", "lost", "", "").is_ok());
  CHECK_FALSE(list_request_for(v1::ROLE_ADMIN, "a", "t1", "", "", "", "0").is_ok());
  CHECK_FALSE(list_request_for(v1::ROLE_ADMIN, "a", "t1", "", "", "", "12x").is_ok());
}

}  // namespace turno::testing
