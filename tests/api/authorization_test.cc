// The authorization matrix: every route of the table x every role x own / other tenant.
// A role the route does not admit gets 403; an admitted role of another tenant gets 404 for
// anything it names by id and never touches the first tenant; an admitted role of the own
// tenant is let through (2xx, or a domain answer such as 409). Every event a request appends
// carries the tenant of its token.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "rfc3339.h"
#include "test_server.h"

namespace turno::testing {
namespace {

namespace http = api::http;

constexpr std::array<v1::Role, 5> kRoles = {v1::ROLE_CLIENT, v1::ROLE_STAFF, v1::ROLE_ADMIN,
                                            v1::ROLE_AUDITOR, v1::ROLE_PLATFORM};

class Fixtures {
 public:
  Fixtures(TestServer& server, const Tenant& tenant)
      : server_(server), tenant_(tenant), admin_(server.token(v1::ROLE_ADMIN, tenant.id, "boss")) {}

  // A free 30-minute slot at the first site: Mondays to Fridays from 2026-03-09, 09:00-17:00.
  std::string next_slot() {
    const int k = slot_++;
    const std::int64_t monday_9 = *api::parse_rfc3339("2026-03-09T09:00:00-05:00");
    const std::int64_t start = monday_9 + (k / 80) * 7 * kMsPerDay + (k / 16 % 5) * kMsPerDay +
                               (k % 16) * 30 * kMsPerMinute;
    return at(start);
  }

  // A held booking of client "client-own" with the first staff member.
  std::string booking() {
    const Reply hold = server_.post(
        "/v1/holds",
        fmt::format(
            R"({{"site_id":"{}","service_id":"{}","staff_id":"{}","client_id":"client-own","start":"{}"}})",
            tenant_.site(), tenant_.service(), tenant_.staff(), next_slot()),
        admin_);
    REQUIRE(hold.status == 201);
    return hold.text("/booking_id");
  }

  // The id of an invoice of client "client-own": a booking paid through the sandbox.
  std::string invoice() {
    const std::string payment_id = intent();
    REQUIRE(server_.post("/v1/sandbox/payments/" + payment_id + "/succeed", "", admin_).status ==
            200);
    server_.wait_for_views();
    const Reply listed = server_.get("/v1/invoices?limit=1", admin_);
    REQUIRE(listed.status == 200);
    return listed.text("/items/0/id");
  }

  // A payment intent at the sandbox for a fresh booking.
  std::string intent() {
    const Reply booked =
        server_.post("/v1/bookings", R"({"booking_id":")" + booking() + "\"}", admin_);
    REQUIRE(booked.status == 201);
    return booked.text("/payments/0/payment_id");
  }

  std::string fresh(const std::string& what) {
    const std::string id = fmt::format("{}tmp{}", tenant_.prefix, ++made_);
    Reply made;
    if (what == "site") {
      made = server_.post("/v1/sites",
                          R"({"site_id":")" + id + R"(","name":"T","time_zone":"UTC"})", admin_);
    } else if (what == "service") {
      made = server_.post(
          "/v1/services",
          R"({"service_id":")" + id + R"(","name":"T","duration_min":5,"price_minor":1})", admin_);
    } else {
      made = server_.post(
          "/v1/staff",
          R"({"staff_id":")" + id + R"(","site_id":")" + tenant_.site() + R"(","name":"T"})",
          admin_);
    }
    REQUIRE(made.status == 201);
    return id;
  }

  // The target and body that exercise `route` on this tenant's things.
  std::pair<std::string, std::string> request_for(const api::Route& route) {
    std::string target(route.pattern);
    std::string body;
    const std::string_view p = route.pattern;
    auto fill = [&](const std::string& id) {
      const auto open = target.find('{');
      target.replace(open, target.find('}') - open + 1, id);
    };
    if (p == "/v1/tenants") {
      body = fmt::format(
          R"({{"tenant_id":"new{}","name":"N","currency":"PEN","tax_rate_bp":0,"invoice_series":"F1"}})",
          ++made_);
    } else if (p == "/v1/sites") {
      body = R"({"name":"New site","time_zone":"America/Lima"})";
    } else if (p == "/v1/services") {
      body = R"({"name":"New","duration_min":30,"price_minor":100})";
    } else if (p == "/v1/staff") {
      body = R"({"site_id":")" + tenant_.site() + R"(","name":"New"})";
    } else if (p == "/v1/staff/{id}/schedule") {
      fill(tenant_.staff());
      body =
          R"({"intervals":[{"weekday":1,"start_min":540,"end_min":1020},{"weekday":2,"start_min":540,"end_min":1020},{"weekday":3,"start_min":540,"end_min":1020},{"weekday":4,"start_min":540,"end_min":1020},{"weekday":5,"start_min":540,"end_min":1020}]})";
    } else if (p == "/v1/staff/{id}/time-off") {
      fill(tenant_.staff2());
      body = R"({"start":"2026-08-01T00:00:00Z","end":"2026-08-02T00:00:00Z"})";
    } else if (p == "/v1/staff/{id}/profile") {
      fill(tenant_.staff());
      body = R"({"specialty":"General practice","languages":["es"]})";
    } else if (p == "/v1/policy") {
      body =
          R"({"hold_ttl_s":600,"free_cancel_window_min":1440,"late_cancel_refund_pct":50,"no_show_grace_min":15,"min_notice_min":0,"horizon_days":180,"prepayment_required":true,"slot_step_min":15})";
    } else if (p == "/v1/holds") {
      body = fmt::format(
          R"({{"site_id":"{}","service_id":"{}","client_id":"client-own","start":"{}"}})",
          tenant_.site(), tenant_.service(), next_slot());
    } else if (p == "/v1/bookings") {
      body = R"({"booking_id":")" + booking() + "\"}";
    } else if (p == "/v1/staff/{id}/agenda" || p == "/v1/staff/{id}/agenda.ics") {
      fill(tenant_.staff());
    } else if (p == "/v1/availability") {
      target += "?site_id=" + tenant_.site() + "&service_id=" + tenant_.service();
    } else if (p == "/v1/sites/{id}/kpis") {
      fill(fresh("site"));
    } else if (p == "/v1/kpis" || p == "/v1/invoices") {
      // GET, no ids: the token's tenant decides what is listed.
    } else if (p == "/v1/invoices/{id}" || p == "/v1/invoices/{id}.pdf") {
      fill(invoice());
    } else if (p == "/v1/clients/{id}/bookings") {
      booking();
      fill("client-own");
    } else if (p.starts_with("/v1/bookings/{id}")) {
      fill(booking());
      if (p.ends_with("/reschedule")) body = R"({"start":")" + next_slot() + "\"}";
      if (p.ends_with("/desk-payment")) body = R"({"amount_minor":5000})";
    } else if (p.starts_with("/v1/sandbox/payments/{intent}")) {
      fill(intent());
    } else if (p.starts_with("/v1/sites/{id}")) {
      fill(fresh("site"));
      if (!p.ends_with("/retire")) body = R"({"name":"Renamed"})";
    } else if (p.starts_with("/v1/services/{id}")) {
      fill(fresh("service"));
      if (!p.ends_with("/retire"))
        body = R"({"name":"Renamed","duration_min":20,"price_minor":10})";
    } else if (p == "/v1/staff/{id}") {
      fill(tenant_.staff());
    } else if (p == "/v1/staff/{id}/depart") {
      fill(fresh("staff"));
    } else if (p == "/v1/events" || p == "/v1/events/verify" || p == "/v1/events/signing-key") {
      // GET, no body: the token's tenant decides what an auditor sees.
    } else if (p == "/v1/notifications" || p == "/v1/notifications/settings") {
      // The token's tenant decides whose deliveries and settings; a PUT of {} keeps defaults.
      if (route.method == http::verb::put) body = "{}";
    } else {
      FAIL("the matrix does not know route " << p << ": add it here");
    }
    server_.wait_for_views();  // read routes see what the fixtures just wrote
    return {target, body};
  }

 private:
  TestServer& server_;
  const Tenant& tenant_;
  std::string admin_;
  int slot_ = 0;
  int made_ = 0;
};

std::string token_as(TestServer& server, v1::Role role, const Tenant& tenant) {
  switch (role) {
    case v1::ROLE_CLIENT:
      return server.token(role, tenant.id, "client-own");
    case v1::ROLE_STAFF:
      return server.token(role, tenant.id, tenant.staff(), tenant.site(), tenant.staff());
    default:
      return server.token(role, tenant.id, std::string(api::role_name(role)) + "-1");
  }
}

// Every event appended after `before` carries `tenant` (or, registering a tenant, not `other`).
void check_events_tenant(TestServer& server, std::uint64_t before, const std::string& tenant,
                         const std::string& untouchable) {
  LogCursor cursor = server.log().read(Seq{before + 1});
  while (cursor.next()) {
    const v1::Envelope& event = cursor.record().envelope;
    if (!tenant.empty()) CHECK(event.tenant_id() == tenant);
    CHECK(event.tenant_id() != untouchable);
  }
  CHECK(cursor.status().is_ok());
}

// Routes whose path or body names things of the first tenant (ids, its site). The directory
// lists (GET /v1/sites, /v1/services, /v1/staff) name nothing: each tenant lists its own.
bool names_first_tenant_ids(const api::Route& route) {
  const std::string_view pattern = route.pattern;
  const bool adds_staff = pattern == "/v1/staff" && route.method == http::verb::post;
  return pattern.find('{') != std::string_view::npos || pattern == "/v1/holds" ||
         pattern == "/v1/bookings" || adds_staff || pattern == "/v1/availability";
}

TEST_CASE("every route x every role x own and other tenant") {
  TestServer server;
  const Tenant own = seed_tenant(server, "t1");
  const Tenant other = seed_tenant(server, "t2", "b-");
  Fixtures fixtures(server, own);
  int checked = 0;
  for (const api::Route& route : server.api().routes().routes()) {
    if (route.roles == api::kPublic) continue;  // signed webhooks and operations: no token
    // Whose contact a path names depends on the caller (their own, or an admin's pick):
    // tests/notifications/routes_test.cc checks those routes role by role.
    if (route.pattern.starts_with("/v1/notifications/contacts/")) continue;
    for (const v1::Role role : kRoles) {
      for (const bool same_tenant : {true, false}) {
        const auto [target, body] = fixtures.request_for(route);
        const std::string token = token_as(server, role, same_tenant ? own : other);
        const std::uint64_t before = server.last_seq();
        const Reply reply = server.call(route.method, target, body, token);
        const std::string where = std::string(route.pattern) + " as " +
                                  std::string(api::role_name(role)) +
                                  (same_tenant ? " of the own tenant" : " of the other tenant");
        INFO(where);
        INFO(reply.body);
        const bool registers_tenant = route.pattern == "/v1/tenants";
        if (!api::admits(route.roles, role)) {
          CHECK(reply.status == 403);
          CHECK(server.last_seq() == before);
        } else if (!same_tenant && names_first_tenant_ids(route)) {
          // A client's history is keyed by the client's id, which the other tenant may use for
          // a client of its own: an empty page shows nothing of the first tenant either.
          const bool empty_history = route.pattern == "/v1/clients/{id}/bookings" &&
                                     reply.status == 200 && !reply.has("/items/0");
          if (!empty_history) CHECK(reply.status == 404);
          CHECK(server.last_seq() == before);
        } else {
          CHECK(reply.status != 400);
          CHECK(reply.status != 401);
          CHECK(reply.status != 403);
          CHECK(reply.status != 404);
          CHECK(reply.status < 500);
        }
        check_events_tenant(server, before,
                            registers_tenant ? std::string() : (same_tenant ? own.id : other.id),
                            same_tenant ? other.id : own.id);
        ++checked;
      }
    }
  }
  CHECK(checked >= 2 * 5 * 25);
}

TEST_CASE("public routes answer without a token; the others refuse one that is missing") {
  TestServer server;
  for (const api::Route& route : server.api().routes().routes()) {
    const Reply reply = server.call(route.method, std::string(route.pattern), {}, {});
    INFO(route.pattern);
    if (route.roles == api::kPublic) {
      CHECK(reply.status != 401);
    } else {
      CHECK(reply.status == 401);
    }
  }
}

}  // namespace
}  // namespace turno::testing
