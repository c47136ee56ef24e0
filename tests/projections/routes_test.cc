// The read-view routes over a real loopback server (tests/api/test_server.h): what a booking
// app, a staff member's calendar and an admin see, and what each role may not.
#include <doctest/doctest.h>

#include "command_bus.h"
#include "nats_server.h"
#include "query_side.h"
#include "test_server.h"

using namespace turno;
using namespace turno::testing;

namespace {

struct Clinic {
  TestServer& server;
  testing::Tenant tenant;
  std::string admin;
  std::string client;
  std::string ana;    // staff at lima
  std::string carla;  // staff at cusco
};

// Client c1 holds ana on Tuesday at 10:00 Lima, books and pays through the sandbox.
std::string paid_booking(Clinic& clinic, int hour) {
  TestServer& server = clinic.server;
  const Reply hold =
      server.post("/v1/holds",
                  R"({"site_id":"lima","service_id":"consult","staff_id":"ana","start":")" +
                      at(tuesday_lima(hour)) + R"(","patient":"Luna"})",
                  clinic.client);
  REQUIRE(hold.status == 201);
  const std::string booking = hold.text("/booking_id");
  const Reply booked =
      server.post("/v1/bookings", R"({"booking_id":")" + booking + "\"}", clinic.client);
  REQUIRE(booked.status == 201);
  const Reply paid =
      server.post("/v1/sandbox/payments/" + booked.text("/payments/0/payment_id") + "/succeed", "",
                  clinic.client);
  REQUIRE(paid.status == 200);
  server.wait_for_views();
  return booking;
}

Clinic open_clinic(TestServer& server) {
  Clinic clinic{server,
                seed_tenant(server, "t1"),
                server.token(v1::ROLE_ADMIN, "t1", "boss"),
                server.token(v1::ROLE_CLIENT, "t1", "c1"),
                server.token(v1::ROLE_STAFF, "t1", "ana", "lima", "ana"),
                server.token(v1::ROLE_STAFF, "t1", "carla", "cusco", "carla")};
  return clinic;
}

}  // namespace

TEST_CASE("routes: agenda as JSON and iCalendar, for staff of the site and admins") {
  TestServer server;
  Clinic clinic = open_clinic(server);
  const std::string booking = paid_booking(clinic, 10);

  const Reply agenda = server.get("/v1/staff/ana/agenda?from=2026-03-03&days=1", clinic.ana);
  REQUIRE(agenda.status == 200);
  CHECK(agenda.text("/dates/0/bookings/0/booking_id") == booking);
  CHECK(agenda.text("/dates/0/bookings/0/status") == "confirmed");
  CHECK(agenda.text("/dates/0/bookings/0/start") == "2026-03-03T10:00:00-05:00");
  CHECK(agenda.text("/dates/0/bookings/0/patient") == "Luna");

  const Reply ics = server.get("/v1/staff/ana/agenda.ics?from=2026-03-01&days=7", clinic.admin);
  REQUIRE(ics.status == 200);
  CHECK(ics.header("Content-Type") == "text/calendar; charset=utf-8");
  CHECK(ics.body.find("DTSTART;TZID=America/Lima:20260303T100000\r\n") != std::string::npos);
  CHECK(ics.body.find("UID:" + booking + "@t1.turno") != std::string::npos);

  // Staff of another site, an unknown staff member: nothing to see.
  CHECK(server.get("/v1/staff/ana/agenda", clinic.carla).status == 404);
  CHECK(server.get("/v1/staff/nobody/agenda", clinic.admin).status == 404);
  CHECK(server.get("/v1/staff/ana/agenda", clinic.client).status == 403);
  CHECK(server.get("/v1/staff/ana/agenda?days=0", clinic.admin).status == 400);
  CHECK(server.get("/v1/staff/ana/agenda?from=2026-02-30", clinic.admin).status == 400);
  CHECK(server.get("/v1/staff/ana/agenda?colour=red", clinic.admin).status == 400);
}

TEST_CASE("routes: availability names who is free; a staff cancellation has alternatives") {
  TestServer server;
  Clinic clinic = open_clinic(server);
  const std::string booking = paid_booking(clinic, 10);
  const Reply slots = server.get(
      "/v1/availability?site_id=lima&service_id=consult&from=2026-03-03&days=1", clinic.client);
  REQUIRE(slots.status == 200);
  bool found = false;
  for (int i = 0; slots.has("/slots/" + std::to_string(i)); ++i) {
    const std::string slot = "/slots/" + std::to_string(i);
    if (slots.text(slot + "/start") != "2026-03-03T10:00:00-05:00") continue;
    found = true;
    CHECK(slots.text(slot + "/staff/0") == "beto");
    CHECK_FALSE(slots.has(slot + "/staff/1"));
  }
  CHECK(found);
  CHECK(server.get("/v1/availability?service_id=consult", clinic.client).status == 400);
  CHECK(server.get("/v1/availability?site_id=nowhere&service_id=consult", clinic.client).status ==
        404);

  REQUIRE(server.post("/v1/bookings/" + booking + "/cancel", R"({"reason":"ill"})", clinic.ana)
              .status == 200);
  server.wait_for_views();
  const Reply options = server.get("/v1/bookings/" + booking + "/alternatives", clinic.client);
  REQUIRE(options.status == 200);
  CHECK(options.text("/alternatives/0/staff_id") == "beto");
  CHECK(options.text("/alternatives/0/start") == "2026-03-03T10:00:00-05:00");
  const std::string stranger = server.token(v1::ROLE_CLIENT, "t1", "c2");
  CHECK(server.get("/v1/bookings/" + booking + "/alternatives", stranger).status == 404);
}

TEST_CASE("routes: invoices as JSON and PDF for their client; KPIs and history") {
  TestServer server;
  Clinic clinic = open_clinic(server);
  const std::string booking = paid_booking(clinic, 10);
  paid_booking(clinic, 11);
  const std::string stranger = server.token(v1::ROLE_CLIENT, "t1", "c2");

  const Reply invoices = server.get("/v1/invoices?limit=1", clinic.client);
  REQUIRE(invoices.status == 200);
  CHECK(invoices.text("/items/0/id") == "F001-00000002");
  CHECK(invoices.number("/items/0/total_minor") == 5000);
  CHECK(invoices.number("/items/0/tax_minor") == 763);  // 5000 - 4237
  const std::string next = invoices.text("/next_page_token");
  CHECK(server.get("/v1/invoices?limit=1&page_token=" + next, clinic.client).text("/items/0/id") ==
        "F001-00000001");
  CHECK_FALSE(server.get("/v1/invoices", stranger).has("/items/0"));

  const Reply pdf = server.get("/v1/invoices/F001-00000001.pdf", clinic.client);
  REQUIRE(pdf.status == 200);
  CHECK(pdf.header("Content-Type") == "application/pdf");
  CHECK(pdf.body.rfind("%PDF-", 0) == 0);
  CHECK(server.get("/v1/invoices/F001-00000001", clinic.client).text("/booking_id") == booking);
  CHECK(server.get("/v1/invoices/F001-00000001.pdf", stranger).status == 404);
  CHECK(server.get("/v1/invoices/F001-00000009", clinic.admin).status == 404);

  const Reply site = server.get("/v1/sites/lima/kpis?from=2026-03-02&days=2", clinic.admin);
  REQUIRE(site.status == 200);
  CHECK(site.number("/sites/0/total/gross_minor") == 10'000);
  CHECK(site.number("/sites/0/total/confirmed") == 2);
  CHECK(site.has("/sites/0/days/1/date"));
  const Reply all = server.get("/v1/kpis?from=2026-03-02&days=2", clinic.admin);
  CHECK(all.text("/sites/0/site_id") == "cusco");
  CHECK(all.text("/sites/1/site_id") == "lima");
  CHECK(server.get("/v1/kpis", clinic.client).status == 403);

  const Reply history = server.get("/v1/clients/c1/bookings", clinic.client);
  REQUIRE(history.status == 200);
  CHECK(history.text("/items/1/booking_id") == booking);  // newest first
  CHECK(history.number("/items/1/paid_minor") == 5000);
  CHECK(server.get("/v1/clients/c1/bookings", stranger).status == 404);
  CHECK(server.get("/v1/clients/c1/bookings", clinic.admin).status == 200);
}

TEST_CASE("routes: a query node fed from NATS answers as the node that wrote the events") {
  REQUIRE(NatsServer::available());
  TestServer server;
  TempDir dir;
  NatsServer nats(dir.sub("nats"));
  REQUIRE(nats.start());
  auto bus = projections::CommandBus::start(server.log(), nats.url(), dir.sub("publisher"));
  REQUIRE(bus.is_ok());
  Clinic clinic = open_clinic(server);
  paid_booking(clinic, 10);
  paid_booking(clinic, 11);

  // `turno serve --role query`: no engine, views fed from JetStream, the read routes only.
  std::vector<std::string> report;
  projections::QuerySideOptions options;
  options.views_directory = dir.sub("views");
  auto views = projections::QuerySide::open(options, report);
  REQUIRE(views.is_ok());
  std::shared_ptr<projections::QuerySide> query_views = std::move(views).value();
  projections::NatsFeedOptions feed;
  feed.url = nats.url();
  REQUIRE(query_views->start_nats(feed).is_ok());
  api::ApiOptions api_options;
  api_options.jwt = api::JwtVerifier::create({std::string(kJwtSecret), {}, {}}).value();
  api_options.access_log = nullptr;
  api::Api query_api(server.clock(), std::move(api_options));
  query_api.provide(query_views);
  api::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  api::Server query_server(query_api, server_options);
  REQUIRE(query_server.start().is_ok());
  REQUIRE(query_views->wait_until_applied(Seq{server.last_seq()}, std::chrono::seconds(30)));

  auto query_get = [&](const std::string& target, const std::string& token) {
    api::BlockingClient client(query_server.endpoint());
    return to_reply(client.send(make_request(api::http::verb::get, target, {}, token)));
  };
  for (const std::string target :
       {"/v1/staff/ana/agenda?from=2026-03-03&days=1", "/v1/invoices",
        "/v1/sites/lima/kpis?from=2026-03-02&days=3", "/v1/clients/c1/bookings",
        "/v1/availability?site_id=lima&service_id=consult&from=2026-03-03&days=2"}) {
    INFO(target);
    const Reply here = server.get(target, clinic.admin);
    const Reply there = query_get(target, clinic.admin);
    CHECK(here.status == 200);
    CHECK(there.status == here.status);
    CHECK(there.body == here.body);
  }
  // No writer on a query node: command routes answer 421, naming the node's role.
  api::BlockingClient client(query_server.endpoint());
  const Reply command =
      to_reply(client.send(make_request(api::http::verb::post, "/v1/holds", "{}", clinic.admin)));
  CHECK(command.status == 421);
  CHECK(command.text("/node_role") == "query");
  query_server.stop();
  query_views->stop();
}
