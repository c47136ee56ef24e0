// iCalendar (RFC 5545) rendering of an agenda: a VCALENDAR a calendar app can subscribe to,
// with a VTIMEZONE built from the tz database for the site's zone, so events keep their local
// wall-clock times across daylight-saving changes.
#pragma once

#include <string>
#include <string_view>

#include "agenda_view.h"

namespace turno::projections {

// The agenda as text/calendar: CRLF line ends, lines folded at 75 octets, TEXT values
// escaped. DTSTAMP is each booking's last change (not the wall clock), so the same agenda
// always renders to the same bytes and a calendar app sees an event change only when it did.
std::string agenda_ics(const Agenda& agenda);

// A VTIMEZONE block for `zone` with every offset change in [from_ms, to_ms), lines unfolded.
std::string vtimezone(const TimeZone& zone, std::string_view zone_name, std::int64_t from_ms,
                      std::int64_t to_ms);

// `text` escaped as an iCalendar TEXT value (backslash, semicolon, comma, newline).
std::string escape_ical_text(std::string_view text);
// One content line, folded at 75 octets (never inside a UTF-8 sequence), with CRLF.
void append_ical_line(std::string& out, std::string_view line);

}  // namespace turno::projections
