#include "notification_service.h"

#include <charconv>
#include <filesystem>

#include "json.h"
#include "local_time.h"

namespace turno::projections::notifications {
namespace {

Status make_directory(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error)
    return Status::io_error("notifications: cannot create " + path + ": " + error.message());
  return Status::ok();
}

std::string instant_or_null(std::int64_t instant_ms) {
  return instant_ms == 0 ? std::string() : format_utc(instant_ms);
}

void write_delivery(JsonWriter& json, const Delivery& d) {
  json.begin_object()
      .field("id", d.id)
      .field("message_id", d.message_id)
      .field("kind", to_string(d.kind))
      .field("channel", to_string(d.channel))
      .field("status", to_string(d.status))
      .field("attempts", static_cast<std::int64_t>(d.attempts))
      .field("booking_id", d.booking_id);
  json.key("recipient")
      .begin_object()
      .field("role", to_string(d.recipient.role))
      .field("id", d.recipient.id)
      .end_object();
  json.field("address", d.address)
      .field("locale", d.locale)
      .field("subject", d.subject)
      .field("created_at", format_utc(d.created_at_ms))
      .field("due_at", format_utc(d.due_at_ms))
      .field("next_attempt_at",
             d.status == DeliveryStatus::kPending ? format_utc(d.next_attempt_ms) : std::string())
      .field("finished_at", instant_or_null(d.finished_at_ms))
      .field("last_error", d.last_error)
      .end_object();
}

}  // namespace

Result<std::unique_ptr<NotificationService>> NotificationService::open(
    const NotificationOptions& options, const Clock& clock, std::vector<std::string>& report,
    std::unique_ptr<Transport> transport) {
  if (options.directory.empty()) return Status::invalid_argument("notifications: no directory");
  for (const char* sub : {"/view", "/settings", "/outbox"}) {
    if (Status made = make_directory(options.directory + sub); !made.is_ok()) return made;
  }
  std::unique_ptr<NotificationService> service(new NotificationService());
  service->clock_ = &clock;
  service->options_ = options;
  Result<std::unique_ptr<Projector>> projector =
      Projector::open(std::make_unique<NotificationsView>(), options.directory + "/view",
                      options.projector, report);
  if (!projector.is_ok()) return projector.status();
  std::vector<std::unique_ptr<Projector>> projectors;
  projectors.push_back(std::move(projector).value());
  service->group_ = std::make_unique<ProjectorGroup>(std::move(projectors));
  Result<std::unique_ptr<SettingsStore>> settings =
      SettingsStore::open(options.directory + "/settings", options.sync);
  if (!settings.is_ok()) return settings.status();
  service->settings_ = std::move(settings).value();
  Result<std::unique_ptr<OutboxStore>> outbox =
      OutboxStore::open(options.directory + "/outbox", options.sync);
  if (!outbox.is_ok()) return outbox.status();
  service->outbox_ = std::move(outbox).value();
  service->transport_ = transport ? std::move(transport) : make_curl_transport(options.transport);
  NotificationService* self = service.get();
  service->dispatcher_ = std::make_unique<Dispatcher>(
      *service->group_->projectors().front(), *service->settings_, *service->outbox_,
      *service->transport_, clock, options.limits,
      [self] { return self->log_ ? self->log_->last_seq() : self->group_->min_applied(); });
  return service;
}

NotificationService::StaffLookup NotificationService::find_staff(std::string_view tenant_id,
                                                                 std::string_view staff_id) const {
  // The log's tail first: a member added before this call is at or below it.
  const Seq head = log_ != nullptr ? log_->last_seq() : Seq{};
  return group_->projectors().front()->read([&](const View& state) {
    if (static_cast<const NotificationsView&>(state).has_staff(tenant_id, staff_id)) {
      return StaffLookup::kKnown;
    }
    return state.applied_seq() < head ? StaffLookup::kCatchingUp : StaffLookup::kUnknown;
  });
}

NotificationService::~NotificationService() {
  stop();
}

void NotificationService::start(const EventLog& log) {
  VERIFY(feed_ == nullptr, "one feed per notification service");
  log_ = &log;
  feed_ = std::make_unique<LogFollower>(log, *group_, progress_, options_.follower);
  if (options_.deliver_in_background) thread_ = std::thread([this] { run(); });
}

void NotificationService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (feed_) feed_->stop();
}

void NotificationService::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

PassReport NotificationService::dispatch_once() {
  VERIFY(!thread_.joinable(), "dispatch_once() while the dispatcher loop runs");
  return dispatcher_->pass();
}

bool NotificationService::wait_until_applied(Seq seq, std::chrono::milliseconds timeout) {
  return progress_.wait_for([&] { return group_->min_applied() >= seq; }, timeout);
}

void NotificationService::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const PassReport report = dispatcher_->pass();
    if (!report.error.is_ok()) {
      std::fprintf(stderr, "notifications: %s\n", report.error.message().c_str());
    }
    lock.lock();
    // A full pass may have left due work: go again at once; otherwise wait.
    if (report.attempted < options_.limits.deliveries_per_tick_max) {
      wake_.wait_for(lock, std::chrono::milliseconds(options_.limits.idle_wait_ms),
                     [this] { return stopping_ || poked_; });
    }
    poked_ = false;
  }
}

std::string NotificationService::metrics_text() const {
  const DeliveryMetrics& m = dispatcher_->metrics();
  std::string out;
  const auto family = [&](const char* name, const char* type, const char* help,
                          const std::array<std::atomic<std::uint64_t>, 3>& values) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (Channel channel : {Channel::kNone, Channel::kWebhook, Channel::kEmail}) {
      out += std::string(name) + "{channel=\"" + std::string(to_string(channel)) + "\"} " +
             std::to_string(values[static_cast<std::size_t>(channel)].load()) + "\n";
    }
  };
  const auto single = [&](const char* name, const char* type, const char* help,
                          std::uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(value) + "\n";
  };
  family("turno_notifications_sent_total", "counter", "Deliveries accepted by the receiver.",
         m.sent);
  family("turno_notifications_failed_attempts_total", "counter",
         "Delivery attempts that failed (each retry counts).", m.failed_attempts);
  family("turno_notifications_dead_total", "counter", "Deliveries given up on (dead letter).",
         m.dead);
  family("turno_notifications_skipped_total", "counter",
         "Messages or deliveries skipped, with a recorded reason.", m.skipped);
  single("turno_notifications_rate_limited_total", "counter",
         "Attempts postponed by a tenant's rate limit.", m.rate_limited.load());
  single("turno_notifications_decided_total", "counter", "Messages decided (due).",
         m.messages_decided.load());
  single("turno_notifications_pass_errors_total", "counter", "Dispatcher passes that failed.",
         m.pass_errors.load());
  single("turno_notifications_pending", "gauge", "Deliveries waiting for an attempt.",
         outbox_->pending_count());
  single("turno_notifications_view_applied_seq", "gauge",
         "Seq of the last event folded into the notifications view.", group_->min_applied().value);
  return out;
}

Result<DeliveryListRequest> list_request_for(v1::Role role, std::string_view subject,
                                             std::string_view tenant_id,
                                             std::string_view booking_id, std::string_view status,
                                             std::string_view page_token, std::string_view limit) {
  DeliveryListRequest request;
  request.tenant_id = tenant_id;
  request.booking_id = booking_id;
  request.page_token = page_token;
  if (role == v1::ROLE_CLIENT) {
    request.client_id = subject;
  } else if (role != v1::ROLE_ADMIN && role != v1::ROLE_PLATFORM) {
    return Status::invalid_argument("only admins and clients list notifications");
  }
  if (!status.empty()) {
    request.status = parse_delivery_status(status);
    if (!request.status)
      return Status::invalid_argument("status must be pending, sent, dead or skipped");
  }
  if (!limit.empty()) {
    const auto parsed = std::from_chars(limit.data(), limit.data() + limit.size(), request.limit);
    if (parsed.ec != std::errc() || parsed.ptr != limit.data() + limit.size() ||
        request.limit < 1 || request.limit > kDeliveryPageMax) {
      return Status::invalid_argument("limit must be 1 to " + std::to_string(kDeliveryPageMax));
    }
  }
  return request;
}

std::string delivery_page_json(const DeliveryPage& page) {
  JsonWriter json;
  json.begin_object().key("items").begin_array();
  for (const Delivery& delivery : page.items) write_delivery(json, delivery);
  json.end_array();
  if (page.next_page_token.empty()) {
    json.key("next_page_token").null();
  } else {
    json.field("next_page_token", page.next_page_token);
  }
  json.end_object();
  return json.take();
}

}  // namespace turno::projections::notifications
