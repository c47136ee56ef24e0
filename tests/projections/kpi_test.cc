// The KPI view: per site and day, activity, money and use of time; sites side by side.
#include <doctest/doctest.h>

#include "kpi_view.h"
#include "view_support.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;

namespace {

v1::Command step(const std::string& id, const std::string& booking,
                 void (*set)(v1::Command&, const std::string&), const v1::Actor& by = admin()) {
  v1::Command out = command("t1", id, by);
  set(out, booking);
  return out;
}

// Monday, all recorded at 08:00 Lima: b1 paid and completed, b2 paid and cancelled by the
// client (half refunded: inside the free-cancel window), b3 held and left to expire, b4 paid
// for Tuesday.
void monday_story(Harness& h) {
  h.set_now(lima(0, 8));
  book_and_pay(h, "b1", "c1", "ana", lima(0, 10));
  book_and_pay(h, "b2", "c2", "ana", lima(0, 11));
  h.ok(hold("t1", "h3", client("c3"), "lima", "consult", "ben", lima(0, 12), "b3"));
  book_and_pay(h, "b4", "c4", "ben", lima(1, 9));
  h.ok(cancel("t1", "x2", client("c2"), "b2"));
  h.ok(step("i1", "b1",
            [](v1::Command& c, const std::string& b) { c.mutable_check_in()->set_booking_id(b); }));
  h.ok(step("d1", "b1", [](v1::Command& c, const std::string& b) {
    c.mutable_complete_booking()->set_booking_id(b);
  }));
  h.advance(11 * kMsPerMinute);
  h.ok(step(
      "e3", "b3",
      [](v1::Command& c, const std::string& b) { c.mutable_expire_hold()->set_booking_id(b); },
      actor(v1::ROLE_SYSTEM, "engine")));
}

}  // namespace

TEST_CASE("KPIs: a day's activity, money, utilisation, lead time and conversion") {
  Harness h;
  h.standard_clinic();
  monday_story(h);
  KpiView view;
  fold_all(view, h.log());
  auto report = view.query({"t1", "lima", kMondayDay, 2, true});
  REQUIRE(report.is_ok());
  REQUIRE(report.value().sites.size() == 1);
  const SiteKpis& lima_site = report.value().sites[0];
  REQUIRE(lima_site.days.size() == 2);
  const KpiFigures& monday = lima_site.days[0].second;
  const KpiCounters& c = monday.counters;
  CHECK(c.holds == 4);
  CHECK(c.bookings == 3);
  CHECK(c.confirmed == 3);
  CHECK(c.cancelled_by_client == 1);
  CHECK(c.cancelled_by_staff == 0);
  CHECK(c.completed == 1);
  CHECK(c.no_shows == 0);
  CHECK(c.gross_minor == 30'000);
  CHECK(c.refunds_minor == 5'000);
  CHECK(c.platform_fees_minor == 900);  // 3 % of each 100.00 payment
  CHECK(monday.net_minor == 24'100);
  // Sold time on Monday: b1's 30 minutes (b2 was cancelled) over 2 x 8 h scheduled.
  CHECK(c.booked_minutes == 30);
  CHECK(monday.scheduled_minutes == 960);
  CHECK(monday.utilisation_bp == 312);
  // Lead times 120, 180, 240 and 1500 minutes; three of four holds paid.
  CHECK(monday.mean_lead_time_min == 510);
  CHECK(c.holds_paid == 3);
  CHECK(monday.conversion_bp == 7'500);
  const KpiFigures& tuesday = lima_site.days[1].second;
  CHECK(tuesday.counters.holds == 0);
  CHECK(tuesday.counters.booked_minutes == 30);
  CHECK(lima_site.total.counters.booked_minutes == 60);
  CHECK(lima_site.total.scheduled_minutes == 1920);
  CHECK(lima_site.total.utilisation_bp == 312);
  const std::string json = kpis_json(report.value());
  CHECK(json.find(R"("cancelled":{"by_client":1,"by_staff":0,"by_admin":0,"by_system":0})") !=
        std::string::npos);
  KpiView copy;
  check_round_trip(view, copy);
}

TEST_CASE("KPIs: reschedules move sold minutes; sites side by side; time off cuts schedule") {
  Harness h;
  h.standard_clinic();
  h.ok(open_site("t1", "site2", "arequipa", "America/Lima"));
  h.ok(add_staff("t1", "st-carl", "carl", "arequipa", {"general"}));
  h.ok(set_schedule("t1", "sc-carl", "carl", {1, 2, 3, 4, 5}, 8 * 60, 12 * 60));
  h.ok(add_time_off("t1", "off", "carl", lima(0, 8), lima(0, 10)));
  monday_story(h);
  h.ok(reschedule("t1", "mv4", admin(), "b4", lima(2, 9)));
  h.ok(hold("t1", "ha", client("c9"), "arequipa", "consult", "carl", lima(1, 10), "a1"));
  KpiView view;
  fold_all(view, h.log());
  auto report = view.query({"t1", "", kMondayDay, 3, true});
  REQUIRE(report.is_ok());
  REQUIRE(report.value().sites.size() == 2);
  const SiteKpis& arequipa = report.value().sites[0];
  const SiteKpis& lima_site = report.value().sites[1];
  CHECK(arequipa.site_id == "arequipa");
  CHECK(arequipa.days[0].second.scheduled_minutes == 120);  // 4 h minus 2 h off
  CHECK(arequipa.total.counters.holds == 1);
  CHECK(lima_site.days[1].second.counters.booked_minutes == 0);
  CHECK(lima_site.days[2].second.counters.booked_minutes == 30);
  CHECK(report.value().total.counters.holds == 5);
  CHECK(view.query({"t1", "nowhere", kMondayDay, 1, true}).status().code() ==
        Status::Code::kNotFound);
  CHECK(view.query({"t1", "", kMondayDay, 0, true}).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE(
    "KPIs as Prometheus counters: running totals per tenant and site, also after a snapshot") {
  Harness h;
  h.standard_clinic();
  monday_story(h);
  KpiView view;
  fold_all(view, h.log());
  const std::string text = view.metrics_text();
  CHECK(text.find("# TYPE turno_kpi_bookings_total counter") != std::string::npos);
  CHECK(text.find(R"(turno_kpi_holds_total{tenant="t1",site="lima"} 4)") != std::string::npos);
  CHECK(text.find(R"(turno_kpi_bookings_total{tenant="t1",site="lima"} 3)") != std::string::npos);
  CHECK(text.find(R"(turno_kpi_cancelled_total{tenant="t1",site="lima",by="client"} 1)") !=
        std::string::npos);
  CHECK(text.find(R"(turno_kpi_cancelled_total{tenant="t1",site="lima",by="staff"} 0)") !=
        std::string::npos);
  CHECK(text.find(R"(turno_kpi_completed_total{tenant="t1",site="lima"} 1)") != std::string::npos);
  CHECK(text.find(R"(turno_kpi_gross_minor_total{tenant="t1",site="lima",currency=")") !=
        std::string::npos);
  CHECK(text.find(R"(",site="lima",currency="PEN"} 30000)") != std::string::npos);
  CHECK(
      text.find(R"(turno_kpi_refunds_minor_total{tenant="t1",site="lima",currency="PEN"} 5000)") !=
      std::string::npos);
  // One HELP/TYPE per family, however many label sets.
  std::size_t types = 0;
  for (std::size_t at = text.find("# TYPE turno_kpi_cancelled_total"); at != std::string::npos;
       at = text.find("# TYPE turno_kpi_cancelled_total", at + 1)) {
    ++types;
  }
  CHECK(types == 1);
  KpiView copy;
  check_round_trip(view, copy);
  CHECK(copy.metrics_text() == text);  // the totals are rebuilt from a snapshot's days
}
