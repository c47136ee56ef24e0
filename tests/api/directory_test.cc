// The directory over a real loopback server: what a booking app lists (GET /v1/sites,
// /v1/services, /v1/staff and each by id, from the catalog view), paging, filters, retired
// things, tenant isolation; and the profile and retirement rules at the route level.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "test_server.h"

namespace turno::testing {
namespace {

namespace http = api::http;

// The `id_name` of every item of a list reply, in order.
std::vector<std::string> ids_of(const Reply& reply, const std::string& id_name) {
  std::vector<std::string> ids;
  for (int i = 0; reply.has(fmt::format("/items/{}", i)); ++i) {
    ids.push_back(reply.text(fmt::format("/items/{}/{}", i, id_name)));
  }
  return ids;
}

using Ids = std::vector<std::string>;

struct Directory {
  TestServer& server;
  Tenant tenant;
  std::string admin;
  std::string client;
  std::string ana;  // staff at lima

  explicit Directory(TestServer& test_server)
      : server(test_server),
        tenant(seed_tenant(test_server, "t1")),
        admin(test_server.token(v1::ROLE_ADMIN, "t1", "boss")),
        client(test_server.token(v1::ROLE_CLIENT, "t1", "c1")),
        ana(test_server.token(v1::ROLE_STAFF, "t1", "ana", "lima", "ana")) {}

  void ok(const Reply& reply) {
    INFO(reply.body);
    REQUIRE(reply.status / 100 == 2);
  }
  Reply put(const std::string& target, const std::string& body, const std::string& token) {
    return server.call(http::verb::put, target, body, token);
  }
  // Services "chat" (no skill needed) and "derm" (a skill nobody has), and ana's profile.
  void furnish() {
    ok(server.post("/v1/services",
                   R"({"service_id":"chat","name":"Chat","duration_min":15,"price_minor":1500})",
                   admin));
    ok(server.post("/v1/services",
                   R"({"service_id":"derm","name":"Dermatology","duration_min":45,)"
                   R"("price_minor":12000,"required_skill":"derm"})",
                   admin));
    ok(put("/v1/staff/ana/profile",
           R"({"specialty":"Family medicine","bio":"Twenty years in Lima.",)"
           R"("photo_url":"https://example.com/ana.jpg","languages":["es","qu"]})",
           ana));
    server.wait_for_views();
  }
  Reply get(const std::string& target) { return server.get(target, client); }
};

TEST_CASE("directory: sites, services and staff with profiles, for any user of the tenant") {
  TestServer server;
  Directory d(server);
  d.furnish();

  const Reply sites = d.get("/v1/sites");
  REQUIRE(sites.status == 200);
  CHECK(ids_of(sites, "site_id") == Ids{"cusco", "lima"});
  CHECK(sites.text("/items/1/name") == "Site lima");
  CHECK(sites.text("/items/1/time_zone") == "America/Lima");
  CHECK(sites.has("/items/1/address"));
  CHECK(sites.has("/next_page_token"));
  CHECK(sites.text("/next_page_token").empty());  // null on the last page

  const Reply services = d.get("/v1/services");
  REQUIRE(services.status == 200);
  CHECK(ids_of(services, "service_id") == Ids{"chat", "consult", "derm"});
  CHECK(services.text("/items/1/name") == "Consultation");
  CHECK(services.number("/items/1/duration_min") == 30);
  CHECK(services.number("/items/1/price_minor") == 5000);
  CHECK(services.text("/items/1/currency") == "PEN");
  CHECK(services.text("/items/1/required_skill") == "gp");

  const Reply ana = d.get("/v1/staff/ana");
  REQUIRE(ana.status == 200);
  CHECK(ana.text("/site_id") == "lima");
  CHECK(ana.text("/name") == "Dr. ana");
  CHECK(ana.text("/skills/0") == "gp");
  CHECK(ana.text("/specialty") == "Family medicine");
  CHECK(ana.text("/bio") == "Twenty years in Lima.");
  CHECK(ana.text("/photo_url") == "https://example.com/ana.jpg");
  CHECK(ana.text("/languages/1") == "qu");
  CHECK(ana.text("/services/0/service_id") == "chat");  // no skill needed
  CHECK(ana.text("/services/1/service_id") == "consult");
  CHECK(ana.text("/services/1/name") == "Consultation");
  CHECK_FALSE(ana.has("/services/2"));  // derm needs a skill she lacks

  CHECK(d.get("/v1/sites/lima").text("/time_zone") == "America/Lima");
  CHECK(d.get("/v1/services/derm").number("/price_minor") == 12000);
  for (const std::string& token : {d.admin, d.ana, server.token(v1::ROLE_AUDITOR, "t1", "audit")}) {
    CHECK(server.get("/v1/staff", token).status == 200);
  }
  CHECK(server.get("/v1/staff", server.token(v1::ROLE_PLATFORM, "", "ops")).status == 403);
  CHECK(server.get("/v1/staff", "").status == 401);
}

TEST_CASE("directory: filters by site, skill and service") {
  TestServer server;
  Directory d(server);
  d.furnish();
  auto staff = [&](const std::string& query) {
    return ids_of(d.get("/v1/staff" + query), "staff_id");
  };
  auto services = [&](const std::string& query) {
    return ids_of(d.get("/v1/services" + query), "service_id");
  };
  CHECK(staff("") == Ids{"ana", "beto", "carla"});
  CHECK(staff("?site_id=lima") == Ids{"ana", "beto"});
  CHECK(staff("?skill=gp") == Ids{"ana", "beto", "carla"});
  CHECK(staff("?skill=derm").empty());
  CHECK(staff("?service_id=consult&site_id=cusco") == Ids{"carla"});
  CHECK(staff("?service_id=derm").empty());
  CHECK(staff("?service_id=chat") == Ids{"ana", "beto", "carla"});
  CHECK(services("?skill=gp") == Ids{"consult"});
  CHECK(services("?site_id=lima") == Ids{"chat", "consult"});  // nobody there does derm

  // Unknown ids named by a filter, unknown parameters and malformed values.
  CHECK(d.get("/v1/staff?site_id=nowhere").status == 404);
  CHECK(d.get("/v1/staff?service_id=nothing").status == 404);
  CHECK(d.get("/v1/services?site_id=nowhere").status == 404);
  const Reply unknown = d.get("/v1/staff?colour=red");
  CHECK(unknown.status == 400);
  CHECK(unknown.text("/field") == "colour");
  CHECK(d.get("/v1/staff?limit=0").text("/field") == "limit");
  CHECK(d.get("/v1/staff?limit=201").status == 400);
  CHECK(d.get("/v1/sites?include_retired=maybe").text("/field") == "include_retired");
  CHECK(d.get("/v1/services?page_token=a%20b").status == 400);
  CHECK(d.get("/v1/sites/lima?limit=1").status == 400);
  CHECK(d.get("/v1/sites/nowhere").status == 404);
  CHECK(d.get("/v1/services/nothing").status == 404);
  CHECK(d.get("/v1/staff/nobody").status == 404);
}

TEST_CASE("directory: staff in pages by id, every member once") {
  TestServer server;
  Directory d(server);
  for (int i = 0; i < 7; ++i) {
    d.ok(server.post("/v1/staff",
                     fmt::format(R"({{"staff_id":"s{:02}","site_id":"lima","name":"S{}",)"
                                 R"("skills":["gp"]}})",
                                 i, i),
                     d.admin));
  }
  server.wait_for_views();
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    const Reply page =
        d.get("/v1/staff?site_id=lima&limit=3" + (token.empty() ? "" : "&page_token=" + token));
    REQUIRE(page.status == 200);
    const auto ids = ids_of(page, "staff_id");
    CHECK(ids.size() <= 3);
    seen.insert(seen.end(), ids.begin(), ids.end());
    token = page.text("/next_page_token");
    REQUIRE(++pages <= 4);
  } while (!token.empty());
  CHECK(pages == 3);
  CHECK(seen == Ids{"ana", "beto", "s00", "s01", "s02", "s03", "s04", "s05", "s06"});
  CHECK(ids_of(d.get("/v1/sites?limit=1"), "site_id") == Ids{"cusco"});
  CHECK(ids_of(d.get("/v1/sites?limit=1&page_token=cusco"), "site_id") == Ids{"lima"});
}

TEST_CASE("directory: retired and departed are left out of lists, found by id, marked") {
  TestServer server;
  Directory d(server);
  d.furnish();
  d.ok(server.post("/v1/services/consult/retire", "", d.admin));
  d.ok(server.post("/v1/staff/beto/depart", "", d.admin));
  d.ok(server.post("/v1/sites/cusco/retire", "", d.admin));
  server.wait_for_views();

  CHECK(ids_of(d.get("/v1/sites"), "site_id") == Ids{"lima"});
  CHECK(ids_of(d.get("/v1/sites?include_retired=true"), "site_id") == Ids{"cusco", "lima"});
  CHECK(ids_of(d.get("/v1/services"), "service_id") == Ids{"chat", "derm"});
  CHECK(ids_of(d.get("/v1/services?include_retired=true"), "service_id") ==
        Ids{"chat", "consult", "derm"});
  CHECK(ids_of(d.get("/v1/staff?site_id=lima"), "staff_id") == Ids{"ana"});
  CHECK(ids_of(d.get("/v1/staff?site_id=lima&include_retired=true"), "staff_id") ==
        Ids{"ana", "beto"});

  const Reply consult = d.get("/v1/services/consult");
  REQUIRE(consult.status == 200);
  CHECK(consult.raw.body().find(R"("retired":true)") != std::string::npos);
  CHECK(d.get("/v1/sites/cusco").raw.body().find(R"("retired":true)") != std::string::npos);
  const Reply beto = d.get("/v1/staff/beto");
  REQUIRE(beto.status == 200);
  CHECK(beto.raw.body().find(R"("departed":true)") != std::string::npos);
  CHECK_FALSE(beto.has("/services/0"));  // books nothing now
  const Reply ana = d.get("/v1/staff/ana");
  CHECK(ana.raw.body().find(R"("departed":false)") != std::string::npos);
  CHECK(ana.text("/services/0/service_id") == "chat");
  CHECK_FALSE(ana.has("/services/1"));  // consult is retired
}

TEST_CASE("directory: a tenant sees only its own catalog; another's ids are 404") {
  TestServer server;
  Directory d(server);
  seed_tenant(server, "t2", "b-");
  server.wait_for_views();
  const std::string other = server.token(v1::ROLE_CLIENT, "t2", "c1");
  CHECK(ids_of(server.get("/v1/sites", other), "site_id") == Ids{"b-cusco", "b-lima"});
  CHECK(ids_of(server.get("/v1/services", other), "service_id") == Ids{"b-consult"});
  CHECK(ids_of(server.get("/v1/staff", other), "staff_id") == Ids{"b-ana", "b-beto", "b-carla"});
  CHECK(ids_of(d.get("/v1/staff"), "staff_id") == Ids{"ana", "beto", "carla"});
  CHECK(server.get("/v1/sites/lima", other).status == 404);
  CHECK(server.get("/v1/services/consult", other).status == 404);
  CHECK(server.get("/v1/staff/ana", other).status == 404);
  CHECK(server.get("/v1/staff?site_id=lima", other).status == 404);
  CHECK(server.get("/v1/staff?service_id=consult", other).status == 404);
  // A tenant nobody registered has no catalog.
  CHECK(server.get("/v1/sites", server.token(v1::ROLE_CLIENT, "t9", "c1")).status == 404);
}

TEST_CASE("profiles: staff edit their own, not a colleague's; admins anyone's; it is an event") {
  TestServer server;
  Directory d(server);
  server.wait_for_views();  // the colleague is known to the node's catalog
  const std::uint64_t before = server.last_seq();
  const Reply colleague =
      d.put("/v1/staff/beto/profile", R"({"specialty":"Not mine to say"})", d.ana);
  CHECK(colleague.status == 403);
  CHECK(colleague.header("Content-Type") == "application/problem+json");
  CHECK(d.put("/v1/staff/beto/profile", R"({"specialty":"x"})", d.client).status == 403);
  // An id the tenant does not have is 404 for a staff member too (it was 403: the engine
  // refuses another's profile before it looks the id up), like any other tenant's id.
  const Reply nobody = d.put("/v1/staff/nobody/profile", R"({"specialty":"x"})", d.ana);
  CHECK(nobody.status == 404);
  CHECK(nobody.text("/field") == "id");
  CHECK(server.last_seq() == before);
  seed_tenant(server, "t2", "b-");
  server.wait_for_views();
  const std::string other_staff = server.token(v1::ROLE_STAFF, "t2", "b-ana", "b-lima", "b-ana");
  CHECK(d.put("/v1/staff/beto/profile", R"({"specialty":"x"})", other_staff).status == 404);
  CHECK(d.put("/v1/staff/beto/profile", R"({"specialty":"x"})", d.admin).status == 200);
  const std::uint64_t after_second_tenant = server.last_seq();
  CHECK(d.put("/v1/staff/b-beto/profile", R"({"specialty":"x"})", d.ana).status == 404);
  CHECK(server.last_seq() == after_second_tenant);

  const Reply own = d.put("/v1/staff/ana/profile", R"({"specialty":"Paediatrics"})", d.ana);
  CHECK(own.status == 200);
  CHECK(own.raw.body().find(R"("changed":true)") != std::string::npos);
  d.ok(
      d.put("/v1/staff/beto/profile", R"({"specialty":"Geriatrics","languages":["en"]})", d.admin));
  CHECK(server.last_seq() == after_second_tenant + 2);
  server.wait_for_views();
  CHECK(d.get("/v1/staff/ana").text("/specialty") == "Paediatrics");
  CHECK(d.get("/v1/staff/beto").text("/specialty") == "Geriatrics");
  CHECK(d.get("/v1/staff/beto").text("/languages/0") == "en");
  CHECK(d.put("/v1/staff/ana/profile", R"({"bio":7})", d.ana).status == 400);
}

TEST_CASE("retirement: no new holds for a retired service or departed staff; bookings stay") {
  TestServer server;
  Directory d(server);
  d.furnish();
  auto hold = [&](const std::string& service, const std::string& staff, int hour) {
    return server.post("/v1/holds",
                       fmt::format(R"({{"site_id":"lima","service_id":"{}","staff_id":"{}",)"
                                   R"("start":"{}"}})",
                                   service, staff, at(tuesday_lima(hour))),
                       d.client);
  };
  const Reply held = hold("consult", "beto", 10);
  REQUIRE(held.status == 201);
  const std::string booking = held.text("/booking_id");
  d.ok(server.post("/v1/bookings", R"({"booking_id":")" + booking + "\"}", d.client));

  d.ok(server.post("/v1/services/consult/retire", "", d.admin));
  const Reply retired = hold("consult", "ana", 11);
  CHECK(retired.status == 422);
  CHECK(retired.text("/type") == "urn:turno:problem:retired");
  CHECK(retired.text("/field") == "service_id");

  d.ok(server.post("/v1/staff/beto/depart", "", d.admin));
  CHECK(hold("chat", "beto", 12).status == 422);
  CHECK(hold("chat", "ana", 12).status == 201);

  // The booking made before both is untouched and still in the client's history.
  const Reply kept = server.get("/v1/bookings/" + booking, d.client);
  CHECK(kept.status == 200);
  CHECK(kept.text("/status") == "pending_payment");
  CHECK(kept.text("/staff_id") == "beto");
  server.wait_for_views();
  const Reply history = server.get("/v1/clients/c1/bookings", d.client);
  REQUIRE(history.status == 200);
  bool listed = false;
  for (int i = 0; history.has(fmt::format("/items/{}", i)); ++i) {
    listed = listed || history.text(fmt::format("/items/{}/booking_id", i)) == booking;
  }
  CHECK(listed);
}

}  // namespace
}  // namespace turno::testing
