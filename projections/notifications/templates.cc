#include "templates.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "money.h"
#include "time_zones.h"

namespace turno::projections::notifications {
namespace {

struct Builtin {
  TemplateText es;
  TemplateText en;
};

// Indexed by MessageKind.
constexpr std::array<Builtin, kMessageKindMax + 1> kBuiltins = {{
    {{"Cita confirmada: {{service}}, {{start}}",
      "Hola,\n\nTu cita de {{service}}{{patient_note}} con {{staff}} está confirmada para el "
      "{{start}} en {{site}} ({{address}}).\n\n{{tenant}}\n"},
     {"Appointment confirmed: {{service}}, {{start}}",
      "Hello,\n\nYour {{service}} appointment{{patient_note}} with {{staff}} is confirmed for "
      "{{start}} at {{site}} ({{address}}).\n\n{{tenant}}\n"}},
    {{"Cita reprogramada: {{service}}, {{start}}",
      "Hola,\n\nTu cita de {{service}}{{patient_note}} pasó del {{previous_start}} al {{start}}, "
      "con {{staff}} en {{site}}.\n\n{{tenant}}\n"},
     {"Appointment moved: {{service}}, {{start}}",
      "Hello,\n\nYour {{service}} appointment{{patient_note}} moved from {{previous_start}} to "
      "{{start}}, with {{staff}} at {{site}}.\n\n{{tenant}}\n"}},
    {{"Cita cancelada: {{service}}, {{start}}",
      "Hola,\n\nTu cita de {{service}}{{patient_note}} del {{start}} fue cancelada "
      "(por {{cancelled_by}}).\n\nOtras opciones:\n{{alternatives}}\n\n{{tenant}}\n"},
     {"Appointment cancelled: {{service}}, {{start}}",
      "Hello,\n\nYour {{service}} appointment{{patient_note}} on {{start}} was cancelled "
      "(by {{cancelled_by}}).\n\nOther options:\n{{alternatives}}\n\n{{tenant}}\n"}},
    {{"Reembolso emitido: {{amount}}",
      "Hola,\n\nTe reembolsamos {{amount}} por tu cita de {{service}} del {{start}}. Nota de "
      "crédito: {{document}}.\n\n{{tenant}}\n"},
     {"Refund issued: {{amount}}",
      "Hello,\n\nWe refunded {{amount}} for your {{service}} appointment on {{start}}. Credit "
      "note: {{document}}.\n\n{{tenant}}\n"}},
    {{"Tu factura {{document}}",
      "Hola,\n\nAdjuntamos la factura {{document}} por {{amount}} de tu cita de {{service}} del "
      "{{start}}.\n\n{{tenant}}\n"},
     {"Your invoice {{document}}",
      "Hello,\n\nAttached is invoice {{document}} for {{amount}}, for your {{service}} "
      "appointment on {{start}}.\n\n{{tenant}}\n"}},
    {{"Nueva cita: {{service}}, {{start}}",
      "Nueva cita de {{service}}{{patient_note}} el {{start}} en {{site}} (reserva "
      "{{booking}}).\n"},
     {"New booking: {{service}}, {{start}}",
      "New {{service}} booking{{patient_note}} on {{start}} at {{site}} (booking "
      "{{booking}}).\n"}},
    {{"Cita movida: {{service}}, {{start}}",
      "La cita de {{service}}{{patient_note}} (reserva {{booking}}) es ahora el {{start}} en "
      "{{site}}.\n"},
     {"Booking moved: {{service}}, {{start}}",
      "The {{service}} booking{{patient_note}} ({{booking}}) is now on {{start}} at "
      "{{site}}.\n"}},
    {{"Cita cancelada: {{service}}, {{start}}",
      "La cita de {{service}}{{patient_note}} del {{start}} (reserva {{booking}}) fue "
      "cancelada por {{cancelled_by}}.\n"},
     {"Booking cancelled: {{service}}, {{start}}",
      "The {{service}} booking{{patient_note}} on {{start}} ({{booking}}) was cancelled by "
      "{{cancelled_by}}.\n"}},
    {{"Recordatorio: {{service}}, {{start}}",
      "Hola,\n\nTe recordamos tu cita de {{service}}{{patient_note}} con {{staff}} el {{start}} "
      "en {{site}} ({{address}}), dentro de {{offset}}.\n\n{{tenant}}\n"},
     {"Reminder: {{service}}, {{start}}",
      "Hello,\n\nA reminder of your {{service}} appointment{{patient_note}} with {{staff}} on "
      "{{start}} at {{site}} ({{address}}), in {{offset}}.\n\n{{tenant}}\n"}},
    {{"Es momento de tu próxima cita de {{service}}",
      "Hola,\n\nYa corresponde el control de {{service}}{{patient_note}}. Reserva tu próxima "
      "cita en {{site}}.\n\n{{tenant}}\n"},
     {"Time to book your next {{service}}",
      "Hello,\n\nThe follow-up {{service}}{{patient_note}} is due. Book your next appointment "
      "at {{site}}.\n\n{{tenant}}\n"}},
}};

constexpr std::array<std::string_view, 7> kWeekdaysEs = {"lunes",   "martes", "miércoles", "jueves",
                                                         "viernes", "sábado", "domingo"};
constexpr std::array<std::string_view, 7> kWeekdaysEn = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonthsEs = {
    "enero", "febrero", "marzo",      "abril",   "mayo",      "junio",
    "julio", "agosto",  "septiembre", "octubre", "noviembre", "diciembre"};
constexpr std::array<std::string_view, 12> kMonthsEn = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

bool english(std::string_view locale) {
  return locale == "en";
}

std::string offset_text(std::int32_t offset_min) {
  const std::int32_t hours = offset_min / 60;
  const std::int32_t minutes = offset_min % 60;
  if (hours == 0) return std::to_string(minutes) + " min";
  if (minutes == 0) return std::to_string(hours) + " h";
  return std::to_string(hours) + " h " + std::to_string(minutes) + " min";
}

std::string cancelled_by_text(std::string_view by, std::string_view locale) {
  if (english(locale)) return std::string(by);
  if (by == "client") return "el cliente";
  if (by == "staff") return "el profesional";
  if (by == "admin") return "la administración";
  if (by == "system") return "el sistema";
  return std::string(by);
}

std::string alternatives_text(const MessageFacts& facts, std::string_view locale) {
  if (facts.alternatives.empty()) {
    return english(locale) ? "- none right now: reply or book again"
                           : "- ninguna por ahora: responde o reserva de nuevo";
  }
  std::string out;
  for (const AlternativeFact& option : facts.alternatives) {
    if (!out.empty()) out += "\n";
    out += "- " + option.staff_name + ", " +
           format_long_local(facts.time_zone, option.start_ms, locale);
  }
  return out;
}

}  // namespace

TemplateText builtin_template(MessageKind kind, std::string_view locale) {
  const Builtin& builtin = kBuiltins[static_cast<std::size_t>(kind)];
  return english(locale) ? builtin.en : builtin.es;
}

std::string format_long_local(std::string_view time_zone, std::int64_t instant_ms,
                              std::string_view locale) {
  static const TimeZone* const utc = find_time_zone("UTC");
  const TimeZone* zone = find_time_zone(time_zone);
  if (zone == nullptr) zone = utc;
  const LocalTime local = to_local(*zone, instant_ms);
  char clock[16];
  std::snprintf(clock, sizeof clock, "%02d:%02d", local.minute_of_day / 60,
                local.minute_of_day % 60);
  const auto weekday = static_cast<std::size_t>(local.weekday - 1);
  const auto month = static_cast<std::size_t>(local.month - 1);
  if (english(locale)) {
    return std::string(kWeekdaysEn[weekday]) + " " + std::to_string(local.day) + " " +
           std::string(kMonthsEn[month]) + " " + std::to_string(local.year) + ", " + clock;
  }
  return std::string(kWeekdaysEs[weekday]) + " " + std::to_string(local.day) + " de " +
         std::string(kMonthsEs[month]) + " de " + std::to_string(local.year) + ", " + clock;
}

std::map<std::string, std::string, std::less<>> template_values(const Message& message,
                                                                std::string_view locale) {
  const MessageFacts& f = message.facts;
  std::map<std::string, std::string, std::less<>> values = {
      {"tenant", f.tenant_name},
      {"client", f.client_id},
      {"service", f.service_name.empty() ? f.service_id : f.service_name},
      {"staff", f.staff_name},
      {"site", f.site_name},
      {"address", f.site_address},
      {"booking", message.booking_id},
      {"start", format_long_local(f.time_zone, f.start_ms, locale)},
      {"previous_staff", f.previous_staff_name},
      {"document", f.document_id},
      {"cancelled_by", cancelled_by_text(f.cancelled_by, locale)},
      {"reason", f.reason},
  };
  values["patient_note"] =
      f.patient.empty() ? "" : (english(locale) ? " (for " : " (para ") + f.patient + ")";
  if (f.previous_start_ms != 0) {
    values["previous_start"] = format_long_local(f.time_zone, f.previous_start_ms, locale);
  }
  if (!f.currency.empty()) values["amount"] = format_money(f.amount_minor, f.currency);
  if (f.offset_min > 0) values["offset"] = offset_text(f.offset_min);
  values["alternatives"] = alternatives_text(f, locale);
  return values;
}

namespace {

// Where the next {{name}} at or after `from` opens and closes (the "{{" and the "}}"), or
// nullopt when none is complete: the text from `from` on is then plain.
std::optional<std::pair<std::size_t, std::size_t>> next_placeholder(std::string_view text,
                                                                    std::size_t from) {
  const std::size_t open = text.find("{{", from);
  const std::size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
  if (close == std::string_view::npos) return std::nullopt;
  return std::pair{open, close};
}

}  // namespace

std::optional<std::string> unknown_placeholder(std::string_view text) {
  std::size_t at = 0;
  while (const auto found = next_placeholder(text, at)) {
    const auto [open, close] = *found;
    const std::string_view name = text.substr(open + 2, close - open - 2);
    if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end()) {
      return std::string(name);
    }
    at = close + 2;
  }
  return std::nullopt;
}

std::string fill_placeholders(std::string_view text,
                              const std::function<std::string(std::string_view)>& lookup) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (const auto found = next_placeholder(text, at)) {
    const auto [open, close] = *found;
    out.append(text.substr(at, open - at));
    out += lookup(text.substr(open + 2, close - open - 2));
    at = close + 2;
  }
  if (at < text.size()) out.append(text.substr(at));
  return out;
}

RenderedText render(const Message& message, std::string_view locale,
                    const TenantSettings* settings) {
  const auto values = template_values(message, locale);
  const auto lookup = [&](std::string_view name) -> std::string {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
  const TemplateOverride* own = settings ? settings->find_template(message.kind, locale) : nullptr;
  const TemplateText builtin = builtin_template(message.kind, locale);
  return RenderedText{fill_placeholders(own ? own->subject : builtin.subject, lookup),
                      fill_placeholders(own ? own->body : builtin.body, lookup)};
}

}  // namespace turno::projections::notifications
