#include "ical.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdio>

#include "local_time.h"

namespace turno::projections {
namespace {

constexpr std::size_t kLineOctetsMax = 75;
// Zones rarely change more than twice a year: a year-long feed stays far below this.
constexpr int kTransitionsMax = 64;

std::string format_offset(std::chrono::seconds offset) {
  const long total_min = static_cast<long>(offset.count() / 60);
  const long magnitude = total_min < 0 ? -total_min : total_min;
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%c%02ld%02ld", total_min < 0 ? '-' : '+', magnitude / 60,
                magnitude % 60);
  return buffer;
}

std::int64_t to_ms(date::sys_seconds instant) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(instant.time_since_epoch()).count();
}

// One STANDARD or DAYLIGHT component: from `begin` on, the zone is at `info`'s offset.
void append_observance(std::string& out, const date::sys_info& info,
                       std::chrono::seconds offset_before, std::int64_t onset_ms) {
  const bool daylight = info.save != std::chrono::minutes{0};
  const std::int64_t local_onset_ms =
      onset_ms + std::chrono::duration_cast<std::chrono::milliseconds>(offset_before).count();
  append_ical_line(out, daylight ? "BEGIN:DAYLIGHT" : "BEGIN:STANDARD");
  append_ical_line(out, "DTSTART:" + format_ical_utc(local_onset_ms).substr(0, 15));
  append_ical_line(out, "TZOFFSETFROM:" + format_offset(offset_before));
  append_ical_line(out, "TZOFFSETTO:" + format_offset(info.offset));
  append_ical_line(out, "TZNAME:" + escape_ical_text(info.abbrev));
  append_ical_line(out, daylight ? "END:DAYLIGHT" : "END:STANDARD");
}

std::string_view ical_status(BookingStatus state) {
  switch (state) {
    case BookingStatus::kHeld:
    case BookingStatus::kPendingPayment:
      return "TENTATIVE";
    case BookingStatus::kCancelled:
    case BookingStatus::kExpired:
    case BookingStatus::kNoShow:
      return "CANCELLED";
    default:
      return "CONFIRMED";
  }
}

void append_event(std::string& out, const Agenda& agenda, const AgendaEntry& entry) {
  const std::string tzid = ";TZID=" + agenda.time_zone + ":";
  std::string summary =
      entry.service_name + " - " +
      (entry.patient.empty() ? entry.client_id : entry.patient + " (" + entry.client_id + ")");
  append_ical_line(out, "BEGIN:VEVENT");
  append_ical_line(out, "UID:" + entry.booking_id + "@" + agenda.tenant_id + ".turno");
  append_ical_line(out, "DTSTAMP:" + format_ical_utc(entry.updated_at_ms));
  append_ical_line(out, "LAST-MODIFIED:" + format_ical_utc(entry.updated_at_ms));
  append_ical_line(out, "DTSTART" + tzid + format_ical_local(*agenda.zone, entry.start_ms));
  append_ical_line(out, "DTEND" + tzid + format_ical_local(*agenda.zone, entry.end_ms));
  append_ical_line(out, "SUMMARY:" + escape_ical_text(summary));
  append_ical_line(out, "LOCATION:" + escape_ical_text(agenda.site_name));
  append_ical_line(out,
                   "DESCRIPTION:" + escape_ical_text("Booking " + entry.booking_id + ", status " +
                                                     std::string(to_string(entry.state))));
  append_ical_line(out, "STATUS:" + std::string(ical_status(entry.state)));
  append_ical_line(out, "TRANSP:OPAQUE");
  append_ical_line(out, "END:VEVENT");
}

}  // namespace

std::string escape_ical_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void append_ical_line(std::string& out, std::string_view line) {
  std::size_t limit = kLineOctetsMax;  // the first line has 75 octets, the next 74 + a space
  while (line.size() > limit) {
    std::size_t cut = limit;
    // Never split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
    while (cut > 1 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(0, cut)).append("\r\n ");
    line.remove_prefix(cut);
    limit = kLineOctetsMax - 1;
  }
  out.append(line).append("\r\n");
}

std::string vtimezone(const TimeZone& zone, std::string_view zone_name, std::int64_t from_ms,
                      std::int64_t to_ms_exclusive) {
  using namespace std::chrono;
  std::string out;
  append_ical_line(out, "BEGIN:VTIMEZONE");
  append_ical_line(out, "TZID:" + std::string(zone_name));
  date::sys_info info =
      zone.get_info(date::sys_seconds{duration_cast<seconds>(milliseconds{from_ms})});
  // The offset in force at the start of the range, as if it began at the Unix epoch (or at
  // its real onset when that is later).
  const std::int64_t first_onset_ms = std::max<std::int64_t>(0, to_ms(info.begin));
  append_observance(out, info, info.offset, first_onset_ms);
  for (int count = 0; count < kTransitionsMax; ++count) {
    if (to_ms(info.end) >= to_ms_exclusive || info.end == date::sys_seconds::max()) break;
    const seconds offset_before = info.offset;
    info = zone.get_info(info.end);
    append_observance(out, info, offset_before, to_ms(info.begin));
  }
  append_ical_line(out, "END:VTIMEZONE");
  return out;
}

std::string agenda_ics(const Agenda& agenda) {
  std::string out;
  append_ical_line(out, "BEGIN:VCALENDAR");
  append_ical_line(out, "VERSION:2.0");
  append_ical_line(out, "PRODID:-//Turno//Agenda 1.0//EN");
  append_ical_line(out, "CALSCALE:GREGORIAN");
  append_ical_line(out, "METHOD:PUBLISH");
  append_ical_line(
      out, "X-WR-CALNAME:" + escape_ical_text(agenda.staff_name + " - " + agenda.site_name));
  append_ical_line(out, "X-WR-TIMEZONE:" + agenda.time_zone);
  const std::int64_t from_ms = to_instant(*agenda.zone, agenda.from_day, 0);
  const std::int64_t to_ms_exclusive = to_instant(*agenda.zone, agenda.from_day + agenda.days, 0);
  out += vtimezone(*agenda.zone, agenda.time_zone, from_ms, to_ms_exclusive);
  for (const AgendaEntry& entry : agenda.entries) append_event(out, agenda, entry);
  append_ical_line(out, "END:VCALENDAR");
  return out;
}

}  // namespace turno::projections
