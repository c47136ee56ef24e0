// Helpers for the notification tests: a clinic in any zone, bookings paid in full, an engine
// with a notification service on a ManualClock, and a transport that records instead of sending.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "commands.h"
#include "engine.h"
#include "harness.h"
#include "notification_service.h"
#include "temp_dir.h"

namespace turno::testing {

namespace notify = projections::notifications;

// Tenant t1, site "lima" in `zone`, service consult (30 min, 100.00, 5 min after; recall after
// `follow_up_days`), staff ana and ben working 09:00-17:00 local every day of the week.
inline std::vector<v1::Command> clinic_commands(const std::string& zone,
                                                std::int32_t follow_up_days = 0) {
  std::vector<v1::Command> out;
  out.push_back(register_tenant("t1", "reg"));
  out.push_back(open_site("t1", "site", "lima", zone));
  v1::Command service = define_service("t1", "svc", "consult", 30, 10'000, "general", 0, 5);
  service.mutable_define_service()->set_follow_up_days(follow_up_days);
  out.push_back(service);
  for (const std::string name : {"ana", "ben"}) {
    out.push_back(add_staff("t1", "staff-" + name, name, "lima", {"general"}));
    out.push_back(
        set_schedule("t1", "sched-" + name, name, {1, 2, 3, 4, 5, 6, 7}, 9 * 60, 17 * 60));
  }
  return out;
}

// Hold, request payment and pay `booking` for `client_id` with `staff_id` at `start_ms`.
inline std::vector<v1::Command> paid_booking(const std::string& booking,
                                             const std::string& client_id,
                                             const std::string& staff_id, std::int64_t start_ms) {
  return {hold("t1", "hold-" + booking, client(client_id), "lima", "consult", staff_id, start_ms,
               booking),
          request_payment("t1", "pay-" + booking, client(client_id), booking, "p-" + booking),
          payment_succeeded("t1", "ok-" + booking, "p-" + booking, 10'000, "evt-" + booking)};
}

inline v1::Command check_in(const std::string& booking) {
  return booking_step("t1", "in-" + booking, admin(),
                      [&](v1::Command& c) { c.mutable_check_in()->set_booking_id(booking); });
}

inline v1::Command complete(const std::string& booking) {
  return booking_step("t1", "done-" + booking, admin(), [&](v1::Command& c) {
    c.mutable_complete_booking()->set_booking_id(booking);
  });
}

// A transport that records every request and answers from a script (then: sent).
class RecordingTransport final : public notify::Transport {
 public:
  struct Shared {
    std::mutex mutex;
    std::vector<notify::WebhookRequest> webhooks;
    std::vector<notify::EmailRequest> emails;
    std::deque<notify::SendOutcome> script;
  };
  explicit RecordingTransport(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  notify::SendResult send(const notify::WebhookRequest& request) override {
    std::lock_guard lock(shared_->mutex);
    shared_->webhooks.push_back(request);
    return next();
  }
  notify::SendResult send(const notify::EmailRequest& request) override {
    std::lock_guard lock(shared_->mutex);
    shared_->emails.push_back(request);
    return next();
  }

 private:
  notify::SendResult next() {
    if (shared_->script.empty()) return {notify::SendOutcome::kSent, "ok"};
    const notify::SendOutcome outcome = shared_->script.front();
    shared_->script.pop_front();
    return {outcome, outcome == notify::SendOutcome::kSent ? "ok" : "scripted failure"};
  }
  std::shared_ptr<Shared> shared_;
};

// Limits for tests: small numbers, so a few passes on a ManualClock cover every path.
inline notify::DeliveryLimits test_limits() {
  notify::DeliveryLimits limits;
  limits.attempts_max = 3;
  limits.backoff_first_ms = kMsPerSecond;
  limits.backoff_max_ms = 4 * kMsPerSecond;
  limits.view_lag_events_max = 0;
  return limits;
}

// Settings delivering by webhook to `url` (and by e-mail through `smtp_url` when given).
inline notify::TenantSettings webhook_settings(const std::string& url,
                                               const std::string& smtp_url = {}) {
  notify::TenantSettings settings;
  settings.webhook = {true, url, "whsec-test"};
  if (!smtp_url.empty()) {
    settings.email.enabled = true;
    settings.email.smtp_url = smtp_url;
    settings.email.from_address = "citas@clinic.test";
    settings.email.from_name = "Clínica t1";
  }
  return settings;
}

// An engine and a notification service over the same log, on a ManualClock. The dispatcher
// runs only when pass() is called.
class World {
 public:
  // `background`: the service runs its own dispatcher loop (then pass() must not be used).
  World(std::int64_t start_ms, std::unique_ptr<notify::Transport> transport,
        notify::DeliveryLimits limits = test_limits(), bool background = false)
      : clock_(start_ms) {
    EngineOptions engine_options;
    engine_options.log.sync = false;
    auto engine = Engine::open(dir_.sub("log"), clock_, engine_options);
    REQUIRE(engine.is_ok());
    engine_ = std::move(engine).value();
    options_.directory = dir_.sub("notifications");
    options_.limits = limits;
    options_.sync = false;
    options_.deliver_in_background = background;
    open_service(std::move(transport));
  }
  ~World() {
    service_.reset();
    engine_->stop();
  }

  void open_service(std::unique_ptr<notify::Transport> transport) {
    std::vector<std::string> report;
    auto service =
        notify::NotificationService::open(options_, clock_, report, std::move(transport));
    REQUIRE(service.is_ok());
    service_ = std::move(service).value();
    service_->start(engine_->log());
  }
  // Stops the service and opens it again (optionally with its view's snapshots deleted).
  void restart(std::unique_ptr<notify::Transport> transport, bool forget_view) {
    service_.reset();
    if (forget_view) std::filesystem::remove_all(options_.directory + "/view");
    open_service(std::move(transport));
  }

  void run(const v1::Command& command) {
    CommandResult result = engine_->writer().execute(command);
    INFO(command.command_id(), " ", result.rejection ? result.rejection->detail : "");
    REQUIRE(result.accepted());
  }
  void run(const std::vector<v1::Command>& commands) {
    for (const auto& command : commands) run(command);
  }
  // Waits for the view to fold the whole log, then runs one dispatcher pass.
  notify::PassReport pass() {
    REQUIRE(service_->wait_until_applied(engine_->log().last_seq(), std::chrono::seconds(20)));
    return service_->dispatch_once();
  }
  // Every delivery of the tenant (optionally of one booking), newest first.
  std::vector<notify::Delivery> deliveries(const std::string& booking = {}) {
    notify::DeliveryListRequest request;
    request.tenant_id = "t1";
    request.booking_id = booking;
    request.limit = notify::kDeliveryPageMax;
    auto page = service_->list(request);
    REQUIRE(page.is_ok());
    return page.value().items;
  }
  std::vector<notify::Delivery> of_kind(notify::MessageKind kind, const std::string& booking = {}) {
    std::vector<notify::Delivery> out;
    for (auto& delivery : deliveries(booking)) {
      if (delivery.kind == kind) out.push_back(delivery);
    }
    return out;
  }

  ManualClock& clock() { return clock_; }
  Engine& engine() { return *engine_; }
  notify::NotificationService& service() { return *service_; }

 private:
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
  notify::NotificationOptions options_;
  std::unique_ptr<notify::NotificationService> service_;
};

}  // namespace turno::testing
