// The dispatcher: one pass decides what came due (notices by seq, reminders and recalls by
// time) and records it in the outbox, then attempts the deliveries whose time has come.
//
// Contract.
//  * A message is decided once: its deliveries are created (one per enabled channel) or it is
//    skipped with a reason, in one synced outbox write together with the cursors, so a crash
//    either keeps the decision or repeats it, never both.
//  * At-least-once: a delivery is marked sent only after the receiver accepted it, so a crash
//    between the two sends it again, with the same Turno-Message-Id for the receiver to drop.
//  * Before each attempt the message is checked against the view (a cancelled or moved
//    booking's reminder is skipped, never sent) and against time (past useful_until: skipped).
//  * Time-driven messages are planned only while the view is close behind the log
//    (DeliveryLimits::view_lag_events_max), and each attempt re-checks the view, so a
//    cancellation the view has folded stops its reminders.
//  * pass() runs on one thread at a time (the service's loop, or a test calling it).
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "clock.h"
#include "delivery_limits.h"
#include "notifications_view.h"
#include "outbox.h"
#include "projector.h"
#include "settings.h"
#include "transport.h"

namespace turno::projections::notifications {

// Counters since start, for /metrics. Index: Channel.
struct DeliveryMetrics {
  std::array<std::atomic<std::uint64_t>, 3> sent{};
  std::array<std::atomic<std::uint64_t>, 3> failed_attempts{};  // each failed attempt
  std::array<std::atomic<std::uint64_t>, 3> dead{};
  std::array<std::atomic<std::uint64_t>, 3> skipped{};
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> messages_decided{0};
  std::atomic<std::uint64_t> passes{0};
  std::atomic<std::uint64_t> pass_errors{0};
};

struct PassReport {
  std::size_t decided = 0;    // messages decided this pass
  std::size_t attempted = 0;  // delivery attempts made
  bool view_behind = false;   // time-driven planning waited for the view
  Status error;               // the first storage error met
};

class Dispatcher {
 public:
  // Everything passed in outlives the dispatcher. `head_seq` gives the log's tail (the view
  // must reach it before reminders are planned).
  Dispatcher(const Projector& view, SettingsStore& settings, OutboxStore& outbox,
             Transport& transport, const Clock& clock, DeliveryLimits limits,
             std::function<Seq()> head_seq);

  PassReport pass();
  const DeliveryMetrics& metrics() const { return metrics_; }

 private:
  template <typename ReadFn>
  auto read_view(ReadFn&& read_fn) const {
    return view_.read(
        [&](const View& view) { return read_fn(static_cast<const NotificationsView&>(view)); });
  }
  Status plan_notices(std::int64_t now_ms, PassReport& report);
  Status plan_time_driven(std::int64_t now_ms, PassReport& report);
  // Adds the message's deliveries (or its skip) to `out` unless it was decided already.
  Status decide(const Message& message, std::int64_t now_ms, const std::string& skip_reason,
                std::vector<std::string>& ids, std::vector<Delivery>& out);
  void deliveries_for(const Message& message, std::int64_t now_ms, std::vector<Delivery>& out);
  Status deliver(std::int64_t now_ms, PassReport& report);
  Status attempt(Delivery delivery, std::int64_t now_ms, PassReport& report);
  SendResult send(const Delivery& delivery, const TenantSettings& settings, std::int64_t now_ms);
  Status finish(const Delivery& before, Delivery after);

  const Projector& view_;
  SettingsStore& settings_;
  OutboxStore& outbox_;
  Transport& transport_;
  const Clock& clock_;
  DeliveryLimits limits_;
  std::function<Seq()> head_seq_;
  TokenBuckets buckets_;
  DeliveryMetrics metrics_;
};

// A delivery with the message's fields and the given channel and status; no text yet.
Delivery delivery_of(const Message& message, Channel channel, std::int64_t now_ms);
// The JSON a webhook receives: message id, kind, tenant, booking, recipient (with contact
// details when known), locale, subject, text, and the facts as data.
std::string webhook_payload(const Message& message, const Delivery& delivery,
                            const std::optional<Contact>& contact);

}  // namespace turno::projections::notifications
