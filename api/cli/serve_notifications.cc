#include "serve_notifications.h"

#include <cstdio>

namespace turno::cli {

namespace notifications = projections::notifications;

std::vector<FlagSpec> notification_flags() {
  return {
      {"notifications",
       "on: decide and deliver notifications and reminders (writer roles "
       "only); off: none",
       true, "on"},
  };
}

Result<std::unique_ptr<Notifications>> Notifications::start(const std::string& data,
                                                            const Flags& flags, const Clock& clock,
                                                            const EventLog& log) {
  const std::string setting = flags.get_or("notifications", "on");
  if (setting == "off") return std::unique_ptr<Notifications>();
  if (setting != "on") return Status::invalid_argument("--notifications is on or off");
  notifications::NotificationOptions options;
  options.directory = data + "/notifications";
  std::vector<std::string> report;
  auto opened = notifications::NotificationService::open(options, clock, report);
  for (const std::string& line : report) {
    std::fprintf(stderr, "{\"msg\":\"notifications snapshot skipped\",\"detail\":\"%s\"}\n",
                 line.c_str());
  }
  if (!opened.is_ok()) return opened.status();
  std::unique_ptr<Notifications> component(new Notifications());
  component->service_ = std::move(opened).value();
  component->service_->start(log);
  return component;
}

void Notifications::attach(api::Api& api) {
  api.provide(service_);
  api.add_metrics_source(
      [service = service_](std::string& out) { out += service->metrics_text(); });
}

void Notifications::stop() {
  service_->stop();
}

}  // namespace turno::cli
