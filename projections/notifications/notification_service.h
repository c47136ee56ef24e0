// The notifications component as `turno serve` runs it: the notifications view (its own
// projector, following the log like the query side's views), the settings store, the outbox
// and the dispatcher loop, all under DATA/notifications/:
//
//   view/       the view's snapshots (SnapshotStore)
//   settings/   tenant settings and contacts (settings.h)
//   outbox/     delivery state (outbox.h)
//
// It runs apart from the query side on purpose: delivery must happen in exactly one process
// (the one with the outbox), while query views may run on many query nodes.
//
//   auto service = NotificationService::open({.directory = data + "/notifications"}, clock);
//   service.value()->start(engine->log());   // follow the log and deliver in the background
//   ... service.value()->list(request), service.value()->metrics_text()
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher.h"
#include "event_log.h"
#include "feed.h"
#include "log_follower.h"
#include "projector_group.h"

namespace turno::projections::notifications {

struct NotificationOptions {
  std::string directory;  // DATA/notifications (required)
  DeliveryLimits limits;
  TransportLimits transport;
  ProjectorOptions projector;
  FollowerOptions follower;
  bool sync = true;                   // fdatasync settings and outbox writes
  bool deliver_in_background = true;  // false: the caller runs dispatch_once() (tests)
};

class NotificationService {
 public:
  // Opens the three stores under options.directory (creating them) and restores the view's
  // newest valid snapshot (skipped ones reported in `report`). `transport` null: libcurl.
  // `clock` outlives the service.
  static Result<std::unique_ptr<NotificationService>> open(
      const NotificationOptions& options, const Clock& clock, std::vector<std::string>& report,
      std::unique_ptr<Transport> transport = nullptr);
  ~NotificationService();

  // Follows `log` (which outlives this) and, unless disabled, runs the dispatcher loop.
  void start(const EventLog& log);
  // Stops the loop and the feed, checkpointing the view. Idempotent; the destructor calls it.
  void stop();
  // Wakes the dispatcher loop now (after settings change, or a test moved a ManualClock).
  void poke();
  // One dispatcher pass on the caller's thread (tests; or tools). Not while the loop runs.
  PassReport dispatch_once();
  // Blocks until the view has applied `seq` or `timeout` passes; true when it has.
  bool wait_until_applied(Seq seq, std::chrono::milliseconds timeout);

  // Whether `staff_id` is a staff member of `tenant_id` (departed ones count) as of every event
  // committed before the call: kCatchingUp while the view is still behind those.
  enum class StaffLookup { kKnown, kUnknown, kCatchingUp };
  StaffLookup find_staff(std::string_view tenant_id, std::string_view staff_id) const;

  SettingsStore& settings() { return *settings_; }
  const OutboxStore& outbox() const { return *outbox_; }
  Seq applied_seq() const { return group_->min_applied(); }

  // GET /v1/notifications: deliveries newest first, filtered (see DeliveryListRequest).
  Result<DeliveryPage> list(const DeliveryListRequest& request) const {
    return outbox_->list(request);
  }
  // Prometheus text: deliveries sent, failed attempts, dead, skipped per channel; rate-limited;
  // pending; the view's applied seq.
  std::string metrics_text() const;

 private:
  NotificationService() = default;
  void run();

  const Clock* clock_ = nullptr;
  NotificationOptions options_;
  std::unique_ptr<ProjectorGroup> group_;
  std::unique_ptr<SettingsStore> settings_;
  std::unique_ptr<OutboxStore> outbox_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Dispatcher> dispatcher_;
  const EventLog* log_ = nullptr;
  Progress progress_;
  std::unique_ptr<Feed> feed_;

  std::mutex mutex_;  // guards stopping_, poked_
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poked_ = false;
  std::thread thread_;
};

// What `GET /v1/notifications` may list for a caller of `role` (token subject `subject`) in
// `tenant_id`: an admin sees the tenant's deliveries; a client only those addressed to them
// (the client filter is forced to their subject). Query parameters as given, empty when
// absent: booking_id, status (pending, sent, dead, skipped), page_token, limit (default 50).
// invalid_argument for a bad status or limit, or another role.
Result<DeliveryListRequest> list_request_for(v1::Role role, std::string_view subject,
                                             std::string_view tenant_id,
                                             std::string_view booking_id, std::string_view status,
                                             std::string_view page_token, std::string_view limit);

// {"items": [{"id", "message_id", "kind", "channel", "status", "attempts", "booking_id",
//   "recipient": {"role", "id"}, "address", "locale", "subject", "created_at", "due_at",
//   "next_attempt_at", "finished_at", "last_error"}], "next_page_token"}
std::string delivery_page_json(const DeliveryPage& page);

}  // namespace turno::projections::notifications
