// The agenda's iCalendar writer fed random names (staff, site, service, patient; UTF-8 as
// the API lets them in): the feed keeps its structure — every physical line ends in CRLF
// and is at most 75 octets, none is cut inside a UTF-8 sequence, and each booking is one
// VEVENT.
#include "ical.h"

#include "fuzz_input.h"
#include "targets.h"
#include "time_zones.h"
#include "verify.h"

namespace turno::fuzz {
namespace {

constexpr std::int64_t kMonday = 1'772'409'600'000;  // 2026-03-02 00:00 UTC
constexpr std::int64_t kHourMs = 3'600'000;

void check_lines(std::string_view ics, std::size_t events) {
  std::size_t begins = 0;
  while (!ics.empty()) {
    const std::size_t end = ics.find("\r\n");
    VERIFY(end != std::string_view::npos, "every line ends in CRLF");
    const std::string_view line = ics.substr(0, end);
    VERIFY(line.size() <= 75, "a physical line has at most 75 octets");
    VERIFY(line.find_first_of("\r\n") == std::string_view::npos, "no bare CR or LF");
    VERIFY(is_utf8(line), "no line is cut inside a UTF-8 sequence");
    if (line == "BEGIN:VEVENT") ++begins;
    ics.remove_prefix(end + 2);
  }
  VERIFY(begins == events, "one VEVENT per booking");
}

}  // namespace

void ical(std::string_view input) {
  FuzzInput in(input);
  static const TimeZone* const lima = find_time_zone("America/Lima");
  VERIFY(lima != nullptr, "the tz database has America/Lima");
  projections::Agenda agenda;
  agenda.tenant_id = "t1";
  agenda.staff_id = "ana";
  agenda.site_id = "lima";
  agenda.time_zone = "America/Lima";
  agenda.zone = lima;
  agenda.from_day = kMonday / 86'400'000;
  agenda.days = 1 + in.byte() % 14;
  agenda.staff_name = as_utf8(in.field());
  agenda.site_name = as_utf8(in.field());
  const std::size_t entries = in.byte() % 4;
  for (std::size_t i = 0; i < entries; ++i) {
    projections::AgendaEntry entry;
    entry.booking_id = "b" + std::to_string(i);
    entry.client_id = "c" + std::to_string(i);
    entry.service_id = "consult";
    entry.service_name = as_utf8(in.field());
    entry.patient = as_utf8(in.field());
    entry.start_ms = kMonday + static_cast<std::int64_t>(14 + i) * kHourMs;
    entry.end_ms = entry.start_ms + kHourMs / 2;
    entry.updated_at_ms = kMonday;
    agenda.entries.push_back(std::move(entry));
  }
  check_lines(projections::agenda_ics(agenda), entries);
}

}  // namespace turno::fuzz
