// The agenda view: a staff member's bookings by local day, as JSON and as iCalendar.
#include <doctest/doctest.h>

#include "agenda_view.h"
#include "ical.h"
#include "view_support.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;

namespace {

Agenda agenda_of(const AgendaView& view, const std::string& staff_id, std::int64_t from_day,
                 std::int32_t days, bool include_cancelled = true) {
  auto agenda = view.query({"t1", staff_id, from_day, days, include_cancelled});
  REQUIRE(agenda.is_ok());
  return agenda.value();
}

}  // namespace

TEST_CASE("agenda: a staff member's bookings by day, in start order, with status and client") {
  Harness h;
  h.standard_clinic();
  book_and_pay(h, "b2", "c2", "ana", lima(0, 11));
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", lima(0, 9), "b1"));
  h.ok(hold("t1", "h3", client("c3"), "lima", "consult", "ana", lima(1, 10), "b3"));
  h.ok(hold("t1", "h4", client("c4"), "lima", "consult", "ben", lima(0, 9), "b4"));
  AgendaView view;
  fold_all(view, h.log());

  const Agenda monday = agenda_of(view, "ana", kMondayDay, 1);
  REQUIRE(monday.entries.size() == 2);
  CHECK(monday.entries[0].booking_id == "b1");
  CHECK(monday.entries[0].state == BookingStatus::kHeld);
  CHECK(monday.entries[0].client_id == "c1");
  CHECK(monday.entries[1].booking_id == "b2");
  CHECK(monday.entries[1].state == BookingStatus::kConfirmed);
  CHECK(agenda_of(view, "ana", kMondayDay, 7).entries.size() == 3);
  CHECK(agenda_of(view, "ben", kMondayDay, 7).entries.size() == 1);

  const std::string json = agenda_json(monday);
  CHECK(json.find(R"("start":"2026-03-02T09:00:00-05:00")") != std::string::npos);
  CHECK(json.find(R"("status":"confirmed")") != std::string::npos);
  CHECK(json.find(R"("date":"2026-03-02")") != std::string::npos);
}

TEST_CASE("agenda: reschedules move a booking, expired holds vanish, cancellations can be hidden") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", lima(0, 9), "b1"));
  h.ok(hold("t1", "h2", client("c2"), "lima", "consult", "ana", lima(0, 10), "b2"));
  h.ok(hold("t1", "h3", client("c3"), "lima", "consult", "ana", lima(0, 11), "b3"));
  h.ok(reschedule("t1", "r1", admin(), "b1", lima(1, 9), "ben"));
  h.ok(cancel("t1", "c2", admin(), "b2"));
  h.advance(11 * kMsPerMinute);
  h.ok(booking_step("t1", "x3", actor(v1::ROLE_SYSTEM, "engine"), [](v1::Command& command) {
    command.mutable_expire_hold()->set_booking_id("b3");
  }));
  AgendaView view;
  fold_all(view, h.log());

  const Agenda ana = agenda_of(view, "ana", kMondayDay, 2);
  REQUIRE(ana.entries.size() == 1);
  CHECK(ana.entries[0].booking_id == "b2");
  CHECK(ana.entries[0].state == BookingStatus::kCancelled);
  CHECK(agenda_of(view, "ana", kMondayDay, 2, false).entries.empty());
  const Agenda ben = agenda_of(view, "ben", kMondayDay, 2);
  REQUIRE(ben.entries.size() == 1);
  CHECK(ben.entries[0].start_ms == lima(1, 9));
}

TEST_CASE("agenda: unknown staff, bad ranges, and a state that round-trips") {
  Harness h;
  h.standard_clinic();
  book_and_pay(h, "b1", "c1", "ana", lima(0, 9));
  AgendaView view;
  fold_all(view, h.log());
  CHECK(view.query({"t1", "nobody", kMondayDay, 1, true}).status().code() ==
        Status::Code::kNotFound);
  CHECK(view.query({"t1", "ana", kMondayDay, 0, true}).status().code() ==
        Status::Code::kInvalidArgument);
  AgendaView copy;
  check_round_trip(view, copy);
  CHECK(agenda_of(copy, "ana", kMondayDay, 1).entries.size() == 1);
}

TEST_CASE("iCalendar: a subscribable feed with the site's zone, folded and escaped") {
  Harness h;
  h.standard_clinic();
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", lima(0, 9), "b1"));
  AgendaView view;
  fold_all(view, h.log());
  const std::string ics = agenda_ics(agenda_of(view, "ana", kMondayDay, 7));

  CHECK(ics.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0) == 0);
  CHECK(ics.find("END:VCALENDAR\r\n") == ics.size() - 15);
  CHECK(ics.find("BEGIN:VTIMEZONE\r\nTZID:America/Lima\r\n") != std::string::npos);
  CHECK(ics.find("TZOFFSETTO:-0500") != std::string::npos);
  CHECK(ics.find("DTSTART;TZID=America/Lima:20260302T090000") != std::string::npos);
  CHECK(ics.find("DTEND;TZID=America/Lima:20260302T093000") != std::string::npos);
  CHECK(ics.find("UID:b1@t1.turno") != std::string::npos);
  CHECK(ics.find("STATUS:TENTATIVE") != std::string::npos);
  // Every line ends in CRLF and is at most 75 octets.
  std::size_t start = 0;
  while (start < ics.size()) {
    const std::size_t end = ics.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    CHECK(end - start <= 75);
    start = end + 2;
  }
}

TEST_CASE("iCalendar: across a DST change the wall-clock time holds and VTIMEZONE has both") {
  Harness h(lima(0, 0) - 7 * kMsPerDay);
  h.standard_clinic("t1", "Europe/Madrid");
  // Madrid moves to summer time on Sunday 2026-03-29. Monday 30 at 09:00 is 07:00 UTC.
  const std::int64_t monday_30_nine = kMonday2026_03_02 + 28 * kMsPerDay + 7 * kMsPerHour;
  h.ok(hold("t1", "h1", client("c1"), "lima", "consult", "ana", monday_30_nine, "b1"));
  AgendaView view;
  fold_all(view, h.log());
  const std::string ics = agenda_ics(agenda_of(view, "ana", kMondayDay + 21, 14));
  CHECK(ics.find("DTSTART;TZID=Europe/Madrid:20260330T090000") != std::string::npos);
  CHECK(ics.find("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\n"
                 "TZOFFSETTO:+0200") != std::string::npos);
  CHECK(ics.find("BEGIN:STANDARD") != std::string::npos);
}

TEST_CASE("iCalendar: long text folds on octet boundaries without splitting UTF-8") {
  std::string out;
  const std::string text = "SUMMARY:" + std::string(66, 'a') + "\xC3\xB1" + std::string(80, 'b');
  append_ical_line(out, text);
  CHECK(out.find("\r\n ") == 75 - 1);  // the two-byte ñ moved whole to the next line
  std::string unfolded;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    unfolded.push_back(out[i]);
  }
  CHECK(unfolded == text + "\r\n");
  CHECK(escape_ical_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne");
}
