// The notifications component of `turno serve` (projections/notifications/): it runs only next
// to the writer (roles both and command), because delivery must happen in exactly one process
// — the one that owns the outbox, DATA/notifications/. `--notifications off` leaves it out.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api.h"
#include "flags.h"
#include "notification_service.h"

namespace turno::cli {

// --notifications.
std::vector<FlagSpec> notification_flags();

class Notifications {
 public:
  // Opens DATA/notifications on `clock` (the engine's) and starts following `log`; null (not
  // an error) when the flags turn notifications off.
  static Result<std::unique_ptr<Notifications>> start(const std::string& data, const Flags& flags,
                                                      const Clock& clock, const EventLog& log);
  // Hands the service to the API's routes (GET /v1/notifications, settings, contacts) and adds
  // its counters to /metrics.
  void attach(api::Api& api);
  // Stops delivering and checkpoints the view; before the engine (and its log) stop.
  void stop();

 private:
  Notifications() = default;
  std::shared_ptr<projections::notifications::NotificationService> service_;
};

}  // namespace turno::cli
