// Message texts: built-in templates in Spanish and English for every kind, a tenant's own
// templates over them (settings.h), and the renderer.
//
// A template is a subject line and a plain-text body with {{placeholders}}:
//   tenant, client, patient_note (" (para Luna)" / " (for Luna)" or empty), service, staff,
//   site, address, booking, start (the appointment in the site's local time, long form),
//   previous_start, previous_staff, amount ("100.00 PEN"), document (invoice or credit note
//   number), alternatives (one "- " line per option), offset ("24 h", "30 min"),
//   cancelled_by, reason
// An unknown placeholder renders empty; the text around placeholders is copied as is.
#pragma once

#include <functional>
#include <map>
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
