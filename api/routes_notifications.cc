// Notification routes (projections/notifications/): the delivery list, the tenant's channel
// settings and the contact directory. Settings and contacts are not events (they say how to
// deliver, not what happened), so they are stored by the notification service directly. Secrets
// (webhook signing secret, SMTP password) are write-only: GET shows whether one is set. A node
// without the service (`--role query`, `--notifications off`) answers 503.
#include <variant>

#include "api.h"
#include "command_call.h"
#include "json_writer.h"
#include "notification_service.h"
#include "query_string.h"
#include "reminder_plan.h"
#include "route_groups.h"
#include "staff_lookup.h"
#include "templates.h"

namespace turno::api {
namespace {

namespace notify = projections::notifications;
using notify::NotificationService;

constexpr std::size_t kTemplateSubjectBytesMax = notify::kSettingBytesMax;

NotificationService* service_of(Call& call) {
  NotificationService* service = call.api.find<NotificationService>();
  if (service == nullptr) {
    call.respond(make_problem(http::status::service_unavailable, "notifications_unavailable",
                              "notifications do not run on this node"));
  }
  return service;
}

// The field a store validation message is about: its first word when that names a field.
std::string field_of(const std::string& message) {
  const std::string word = message.substr(0, message.find(' '));
  for (std::string_view known : {"locale", "webhook.url", "webhook.secret", "email.smtp_url",
                                 "email.from_address", "email.from_name", "email.username",
                                 "email.password", "rate_per_minute", "email", "phone", "name"}) {
    if (word == known) return word;
  }
  return {};
}

Problem invalid(const Status& status) {
  return make_problem(http::status::bad_request, "validation", status.message(),
                      field_of(status.message()));
}

// -------------------------------------------------------------------------------- deliveries

void list_notifications(Call& call) {
  NotificationService* service = service_of(call);
  if (service == nullptr) return;
  auto parsed = query_parameters(call.request.target());
  if (auto* problem = std::get_if<Problem>(&parsed)) return call.respond(*problem);
  std::string booking_id, status, page_token, limit;
  for (const auto& [name, value] : std::get<QueryParameters>(parsed)) {
    std::string* slot = name == "booking_id"   ? &booking_id
                        : name == "status"     ? &status
                        : name == "page_token" ? &page_token
                        : name == "limit"      ? &limit
                                               : nullptr;
    if (slot == nullptr) {
      return call.respond(make_problem(http::status::bad_request, "validation",
                                       "unknown query parameter " + name, name));
    }
    *slot = value;
  }
  if (!status.empty() && !notify::parse_delivery_status(status)) {
    return call.respond(make_problem(http::status::bad_request, "validation",
                                     "status must be pending, sent, dead or skipped", "status"));
  }
  const Principal& who = call.who();
  auto request = notify::list_request_for(who.role, who.subject, who.tenant, booking_id, status,
                                          page_token, limit);
  if (!request.is_ok()) {
    return call.respond(
        make_problem(http::status::bad_request, "validation", request.status().message(), "limit"));
  }
  auto page = service->list(request.value());
  if (!page.is_ok()) {
    return call.respond(page.status().code() == Status::Code::kInvalidArgument
                            ? make_problem(http::status::bad_request, "validation",
                                           page.status().message(), "page_token")
                            : make_problem(http::status::service_unavailable,
                                           "notifications_unavailable", page.status().message()));
  }
  call.respond(json_response(http::status::ok, notify::delivery_page_json(page.value())));
}

// ---------------------------------------------------------------------------------- settings

void write_settings(JsonWriter& json, const notify::TenantSettings& s) {
  json.begin_object().field("locale", s.locale).key("reminder_offsets_min").begin_array();
  for (std::int32_t offset : s.offsets_min()) json.value(offset);
  json.end_array().field("recalls_enabled", s.recalls_enabled);
  json.key("webhook").begin_object().field("enabled", s.webhook.enabled);
  json.field("url", s.webhook.url).field("secret_set", !s.webhook.secret.empty()).end_object();
  json.key("email").begin_object().field("enabled", s.email.enabled);
  json.field("smtp_url", s.email.smtp_url).field("from_address", s.email.from_address);
  json.field("from_name", s.email.from_name).field("username", s.email.username);
  json.field("password_set", !s.email.password.empty());
  json.field("require_tls", s.email.require_tls).end_object();
  json.key("templates").begin_array();
  for (const notify::TemplateOverride& t : s.templates) {
    json.begin_object().field("kind", notify::to_string(t.kind)).field("locale", t.locale);
    json.field("subject", t.subject).field("body", t.body).end_object();
  }
  json.end_array().field("rate_per_minute", s.rate_per_minute).field("burst", s.burst);
  json.end_object();
}

void get_settings(Call& call) {
  NotificationService* service = service_of(call);
  if (service == nullptr) return;
  const auto settings = service->settings().tenant(call.who().tenant);
  JsonWriter json;
  json.begin_object().field("configured", settings.has_value()).key("settings");
  write_settings(json, settings.value_or(notify::TenantSettings{}));
  json.end_object();
  call.respond(json_response(http::status::ok, json.take()));
}

// A secret as PUT: absent keeps the stored one (GET never shows it), a string replaces it.
std::string secret(JsonObject& in, std::string_view name, const std::string& stored) {
  if (!in.has(name)) {
    in.string(name, Presence::kOptional);  // marks it read (null)
    return stored;
  }
  return in.string(name, Presence::kRequired, notify::kSettingBytesMax);
}

void read_channels(JsonObject& in, const notify::TenantSettings& stored,
                   notify::TenantSettings& out) {
  JsonObject webhook = in.object("webhook", Presence::kOptional);
  out.webhook.enabled = webhook.boolean("enabled", Presence::kOptional);
  out.webhook.url = webhook.string("url", Presence::kOptional, notify::kSettingBytesMax);
  out.webhook.secret = secret(webhook, "secret", stored.webhook.secret);
  webhook.finish();
  JsonObject email = in.object("email", Presence::kOptional);
  out.email.enabled = email.boolean("enabled", Presence::kOptional);
  out.email.smtp_url = email.string("smtp_url", Presence::kOptional, notify::kSettingBytesMax);
  out.email.from_address =
      email.string("from_address", Presence::kOptional, notify::kSettingBytesMax);
  out.email.from_name = email.string("from_name", Presence::kOptional, notify::kSettingBytesMax);
  out.email.username = email.string("username", Presence::kOptional, notify::kSettingBytesMax);
  out.email.password = secret(email, "password", stored.email.password);
  out.email.require_tls = email.boolean("require_tls", Presence::kOptional);
  email.finish();
}

// "tenant, client, ...": what a template may name.
std::string known_placeholders() {
  std::string out;
  for (std::string_view name : notify::kPlaceholders) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// The templates member; a problem naming templates[i].kind or .locale when one is unknown (400),
// or templates[i].subject or .body when it names an unknown placeholder (422, `placeholder`).
std::optional<Problem> read_templates(JsonObject& in, notify::TenantSettings& out) {
  std::size_t index = 0;
  for (JsonObject& item : in.objects("templates", Presence::kOptional)) {
    notify::TemplateOverride entry;
    const std::string kind = item.string("kind", Presence::kRequired, kIdBytesMax);
    entry.locale = item.string("locale", Presence::kRequired, kIdBytesMax);
    entry.subject = item.string("subject", Presence::kRequired, kTemplateSubjectBytesMax);
    entry.body = item.string("body", Presence::kRequired, notify::kTemplateBytesMax);
    item.finish();
    if (!item.ok()) return std::nullopt;  // the body's error names the field
    const std::string at = "templates[" + std::to_string(index++) + "].";
    const auto parsed = notify::parse_message_kind(kind);
    if (!parsed) {
      return make_problem(http::status::bad_request, "validation", "unknown message kind " + kind,
                          at + "kind");
    }
    if (!notify::is_supported_locale(entry.locale)) {
      return make_problem(http::status::bad_request, "validation", "locale must be es or en",
                          at + "locale");
    }
    for (const auto& [name, text] :
         {std::pair{"subject", &entry.subject}, std::pair{"body", &entry.body}}) {
      if (const auto unknown = notify::unknown_placeholder(*text)) {
        return make_problem(
                   http::status::unprocessable_entity, "unknown_placeholder",
                   "{{" + *unknown + "}} is not a placeholder; known: " + known_placeholders(),
                   at + name)
            .with("placeholder", *unknown);
      }
    }
    entry.kind = *parsed;
    out.templates.push_back(std::move(entry));
  }
  return std::nullopt;
}

void put_settings(Call& call) {
  NotificationService* service = service_of(call);
  if (service == nullptr) return;
  std::optional<JsonBody> body = read_body(call);
  if (!body) return;
  const std::string& tenant = call.who().tenant;
  const notify::TenantSettings stored =
      service->settings().tenant(tenant).value_or(notify::TenantSettings{});
  JsonObject& in = body->root();
  notify::TenantSettings settings;
  if (in.has("locale")) settings.locale = in.string("locale", Presence::kRequired, kIdBytesMax);
  for (std::int64_t offset :
       in.integers("reminder_offsets_min", Presence::kOptional, notify::kReminderOffsetsMax,
                   notify::kReminderOffsetMinMin, notify::kReminderOffsetMaxMin)) {
    settings.reminder_offsets_min.push_back(static_cast<std::int32_t>(offset));
  }
  if (in.has("recalls_enabled")) {
    settings.recalls_enabled = in.boolean("recalls_enabled", Presence::kRequired);
  }
  read_channels(in, stored, settings);
  const std::optional<Problem> template_problem = read_templates(in, settings);
  if (in.has("rate_per_minute")) {
    settings.rate_per_minute = static_cast<std::int32_t>(
        in.integer("rate_per_minute", Presence::kRequired, 1, notify::kRatePerMinuteMax));
  }
  if (in.has("burst")) {
    settings.burst =
        static_cast<std::int32_t>(in.integer("burst", Presence::kRequired, 1, notify::kBurstMax));
  }
  in.finish();
  if (answer_if_invalid(call, *body)) return;
  if (template_problem) return call.respond(*template_problem);
  if (Status stored_now = service->settings().put_tenant(tenant, settings); !stored_now.is_ok()) {
    return call.respond(invalid(stored_now));
  }
  service->poke();
  JsonWriter json;
  json.begin_object().field("configured", true).key("settings");
  write_settings(json, settings);
  json.end_object();
  call.respond(json_response(http::status::ok, json.take()));
}

// ---------------------------------------------------------------------------------- contacts

Problem no_contact(std::string_view id) {
  return make_problem(http::status::not_found, "not_found",
                      "no contact registered for " + std::string(id));
}

// The contact the path names, when the caller may see and change it: admins any of the
// tenant's; a client their own (id = token subject); a staff member their own. Anyone else's
// answers 404 like a contact that does not exist (ids of other people and other tenants are
// not disclosed, so not 403).
std::optional<notify::Recipient> contact_target(Call& call) {
  const std::string_view role = call.param("role");
  const std::string id(call.param("id"));
  notify::Recipient who;
  if (role == "client") {
    who.role = notify::RecipientRole::kClient;
  } else if (role == "staff") {
    who.role = notify::RecipientRole::kStaff;
  } else {
    call.respond(make_problem(http::status::bad_request, "validation",
                              "role must be client or staff", "role"));
    return std::nullopt;
  }
  who.id = id;
  const Principal& caller = call.who();
  const bool own = (caller.role == v1::ROLE_CLIENT && who.role == notify::RecipientRole::kClient &&
                    caller.subject == id) ||
                   (caller.role == v1::ROLE_STAFF && who.role == notify::RecipientRole::kStaff &&
                    (caller.staff == id || caller.subject == id));
  if (caller.role != v1::ROLE_ADMIN && !own) {
    call.respond(no_contact(id));
    return std::nullopt;
  }
  return who;
}

// A staff contact is for a staff member of the tenant: 404 for an id the tenant never had, 503
// while the notifications view has not yet folded every event committed before this request.
bool staff_exists(Call& call, const notify::Recipient& who) {
  if (who.role != notify::RecipientRole::kStaff) return true;
  switch (staff_existence(call, who.id)) {
    case StaffExistence::kExists:
    case StaffExistence::kCannotTell:
      return true;
    case StaffExistence::kAbsent:
      call.respond(unknown_staff(who.id));
      return false;
    case StaffExistence::kCatchingUp:
      break;
  }
  Problem problem = make_problem(http::status::service_unavailable, "notifications_unavailable",
                                 "the notifications view is catching up with the log; retry");
  problem.retry_after_s = kRetryAfterS;
  call.respond(problem);
  return false;
}

void write_contact(Call& call, const notify::Recipient& who, const notify::Contact& contact) {
  JsonWriter json;
  json.begin_object().field("role", notify::to_string(who.role)).field("id", who.id);
  json.field("email", contact.email).field("phone", contact.phone);
  json.field("locale", contact.locale).field("name", contact.name).end_object();
  call.respond(json_response(http::status::ok, json.take()));
}

void get_contact(Call& call) {
  NotificationService* service = service_of(call);
  if (service == nullptr) return;
  const auto who = contact_target(call);
  if (!who) return;
  auto found = service->settings().contact(call.who().tenant, *who);
  if (!found.is_ok()) {
    return call.respond(make_problem(http::status::service_unavailable, "notifications_unavailable",
                                     found.status().message()));
  }
  if (!found.value()) return call.respond(no_contact(who->id));
  write_contact(call, *who, *found.value());
}

void put_contact(Call& call) {
  NotificationService* service = service_of(call);
  if (service == nullptr) return;
  const auto who = contact_target(call);
  if (!who || !staff_exists(call, *who)) return;
  std::optional<JsonBody> body = read_body(call);
  if (!body) return;
  JsonObject& in = body->root();
  notify::Contact contact;
  contact.email = in.string("email", Presence::kOptional, notify::kSettingBytesMax);
  contact.phone = in.string("phone", Presence::kOptional, notify::kSettingBytesMax);
  contact.locale = in.string("locale", Presence::kOptional, kIdBytesMax);
  contact.name = in.string("name", Presence::kOptional, notify::kSettingBytesMax);
  in.finish();
  if (answer_if_invalid(call, *body)) return;
  if (Status stored = service->settings().put_contact(call.who().tenant, *who, contact);
      !stored.is_ok()) {
    return call.respond(invalid(stored));
  }
  write_contact(call, *who, contact);
}

}  // namespace

void add_notifications_routes(RouteTable& table) {
  const RoleSet admin = roles({v1::ROLE_ADMIN});
  const RoleSet people = roles({v1::ROLE_CLIENT, v1::ROLE_STAFF, v1::ROLE_ADMIN});
  table.add({http::verb::get, "/v1/notifications", roles({v1::ROLE_CLIENT, v1::ROLE_ADMIN}),
             list_notifications});
  table.add({http::verb::get, "/v1/notifications/settings", admin, get_settings});
  table.add({http::verb::put, "/v1/notifications/settings", admin, put_settings});
  table.add({http::verb::get, "/v1/notifications/contacts/{role}/{id}", people, get_contact});
  table.add({http::verb::put, "/v1/notifications/contacts/{role}/{id}", people, put_contact});
}

}  // namespace turno::api
