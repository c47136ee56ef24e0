// Message texts: built-in templates in Spanish and English for every kind, a tenant's own
// templates over them (settings.h), and the renderer.
//
// A template is a subject line and a plain-text body with {{placeholders}} (kPlaceholders):
//   tenant, client, patient_note (" (para Luna)" / " (for Luna)" or empty), service, staff,
//   site, address, booking, start (the appointment in the site's local time, long form),
//   previous_start, previous_staff, amount ("100.00 PEN"), document (invoice or credit note
//   number), alternatives (one "- " line per option), offset ("24 h", "30 min"),
//   cancelled_by, reason
// A placeholder a message has no value for renders empty (offset outside reminders); a tenant's
// template naming any other placeholder is refused (unknown_placeholder). The text around
// placeholders is copied as is.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "message.h"
#include "settings.h"

namespace turno::projections::notifications {

struct TemplateText {
  std::string_view subject;
  std::string_view body;
};

struct RenderedText {
  std::string subject;
  std::string body;
};

// Every placeholder a template may name: the one list (template_values() fills no other,
// openapi.yaml and the README repeat it for people).
inline constexpr std::array<std::string_view, 17> kPlaceholders = {
    "tenant",   "client",       "patient_note", "service",        "staff",          "site",
    "address",  "booking",      "start",        "previous_start", "previous_staff", "amount",
    "document", "alternatives", "offset",       "cancelled_by",   "reason"};

// The first {{name}} in `text` that kPlaceholders lacks, or nullopt.
std::optional<std::string> unknown_placeholder(std::string_view text);

// The built-in template; `locale` "es" or "en" (anything else: "es").
TemplateText builtin_template(MessageKind kind, std::string_view locale);
// The placeholder values of `message` in `locale`.
std::map<std::string, std::string, std::less<>> template_values(const Message& message,
                                                                std::string_view locale);
// Replaces each {{name}} in `text` by lookup(name).
std::string fill_placeholders(std::string_view text,
                              const std::function<std::string(std::string_view)>& lookup);
// The message's subject and body in `locale`, with the tenant's template when it has one.
RenderedText render(const Message& message, std::string_view locale,
                    const TenantSettings* settings);

// "lunes 2 de marzo de 2026, 09:00" / "Monday 2 March 2026, 09:00": the instant on the
// clock of zone `time_zone` (UTC when the zone is unknown).
std::string format_long_local(std::string_view time_zone, std::int64_t instant_ms,
                              std::string_view locale);

}  // namespace turno::projections::notifications
