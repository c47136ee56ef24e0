// Rate limits over a real loopback server (api/rate_limit.h). Time is the server's ManualClock,
// moved by hand, so every count below is exact; nothing here measures time.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "test_server.h"

namespace turno::testing {
namespace {

namespace http = api::http;

api::RateLimitOptions limits(api::RateLimit client, api::RateLimit tenant) {
  api::RateLimitOptions options;
  options.defaults = {client, tenant};
  return options;
}

// A tenant with site lima, service consult and staff ana working weekdays 09:00-17:00; the
// admin's commands a minute apart, so no limit of these tests stands in their way.
void seed_slowly(TestServer& server, const std::string& tenant) {
  const std::string platform = server.token(v1::ROLE_PLATFORM, "", "ops");
  const std::string admin = server.token(v1::ROLE_ADMIN, tenant, "boss");
  auto ok = [&](const Reply& reply) {
    INFO(reply.body);
    REQUIRE(reply.status / 100 == 2);
    server.clock().advance(60'000);
  };
  ok(server.post("/v1/tenants",
                 R"({"tenant_id":")" + tenant +
                     R"(","name":"C","currency":"PEN","tax_rate_bp":0,"invoice_series":"F1"})",
                 platform));
  ok(server.post("/v1/sites", R"({"site_id":"lima","name":"L","time_zone":"America/Lima"})",
                 admin));
  ok(server.post("/v1/services",
                 R"({"service_id":"consult","name":"C","duration_min":30,"price_minor":5000})",
                 admin));
  ok(server.post("/v1/staff", R"({"staff_id":"ana","site_id":"lima","name":"Ana"})", admin));
  ok(server.call(http::verb::put, "/v1/staff/ana/schedule",
                 R"({"intervals":[{"weekday":2,"start_min":540,"end_min":1020}]})", admin));
}

// A hold with ana on Tuesday at 09:00 Lima plus `slot` half hours.
Reply hold(TestServer& server, const std::string& token, int slot) {
  const std::int64_t start = tuesday_lima(9) + slot * 30 * kMsPerMinute;
  return server.post(
      "/v1/holds",
      R"({"site_id":"lima","service_id":"consult","staff_id":"ana","start":")" + at(start) + "\"}",
      token);
}

TEST_CASE("rate limits: one client over its limit gets 429; another client is unaffected") {
  TestServer server({}, limits({400, 3}, {}));  // a token every 2.5 s, 3 at once
  seed_slowly(server, "t1");
  const std::string c1 = server.token(v1::ROLE_CLIENT, "t1", "c1");
  const std::string c2 = server.token(v1::ROLE_CLIENT, "t1", "c2");
  for (int slot = 0; slot < 3; ++slot) CHECK(hold(server, c1, slot).status == 201);

  const std::uint64_t before = server.last_seq();
  const Reply refused = hold(server, c1, 3);
  CHECK(refused.status == 429);
  CHECK(refused.header("Retry-After") == "3");  // 2.5 s, rounded up
  CHECK(refused.header("Content-Type") == "application/problem+json");
  CHECK(refused.text("/type") == "urn:turno:problem:rate_limited");
  CHECK(refused.text("/limit") == "client");
  CHECK(refused.number("/status") == 429);
  CHECK(refused.text("/detail").find("burst 3") != std::string::npos);
  CHECK(server.last_seq() == before);  // nothing reached the writer
  CHECK(server
            .call(http::verb::put, "/v1/staff/ana/profile", R"({"bio":"x"})",
                  server.token(v1::ROLE_STAFF, "t1", "c1", "lima", "ana"))
            .status == 429);  // the same `sub` of the tenant, whatever its role

  CHECK(hold(server, c2, 4).status == 201);  // c2 has its own bucket
  server.wait_for_views();
  CHECK(server.get("/v1/sites", c1).status == 200);  // reads are not limited
  CHECK(server.get("/v1/availability?site_id=lima&service_id=consult", c1).status == 429);

  server.clock().advance(2'500);  // one token back
  CHECK(hold(server, c1, 5).status == 201);
  CHECK(hold(server, c1, 6).status == 429);

  const Reply metrics = server.get("/metrics", "");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("turno_rate_limit_rejections_total{scope=\"client\",tenant=\"t1\"} 4") !=
        std::string::npos);
  CHECK(metrics.body.find("turno_rate_limit_rate_per_second{scope=\"client\",tenant=\"*\"} 0.4") !=
        std::string::npos);
  CHECK(metrics.body.find("turno_rate_limit_burst{scope=\"client\",tenant=\"*\"} 3") !=
        std::string::npos);
  CHECK(metrics.body.find("turno_rate_limit_buckets{scope=\"client\"} ") != std::string::npos);
}

TEST_CASE("rate limits: a tenant's clients share its limit; other tenants have their own") {
  TestServer server({}, limits({}, {1'000, 2}));
  seed_slowly(server, "t1");
  seed_slowly(server, "t2");
  auto client = [&](const std::string& tenant, const std::string& subject) {
    return server.token(v1::ROLE_CLIENT, tenant, subject);
  };
  CHECK(hold(server, client("t1", "c1"), 0).status == 201);
  CHECK(hold(server, client("t1", "c2"), 1).status == 201);
  const Reply refused = hold(server, client("t1", "c3"), 2);
  CHECK(refused.status == 429);
  CHECK(refused.text("/limit") == "tenant");
  CHECK(refused.header("Retry-After") == "1");
  CHECK(hold(server, client("t2", "c1"), 0).status == 201);  // t2's bucket is its own
  server.clock().advance(1'000);
  CHECK(hold(server, client("t1", "c3"), 2).status == 201);
  const Reply metrics = server.get("/metrics", "");
  CHECK(metrics.body.find("turno_rate_limit_rejections_total{scope=\"tenant\",tenant=\"t1\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("tenant=\"t2\"} ") == std::string::npos);  // t2 was never refused
}

TEST_CASE("rate limits: per-tenant overrides replace the defaults") {
  api::RateLimitOptions options = limits({1'000, 1}, {});
  options.overrides.emplace("vip", api::TenantRateLimits{{1'000, 3}, {}});
  TestServer server({}, std::move(options));
  seed_slowly(server, "t1");
  seed_slowly(server, "vip");
  const std::string plain = server.token(v1::ROLE_CLIENT, "t1", "c1");
  const std::string vip = server.token(v1::ROLE_CLIENT, "vip", "c1");
  CHECK(hold(server, plain, 0).status == 201);
  CHECK(hold(server, plain, 1).status == 429);
  for (int slot = 0; slot < 3; ++slot) CHECK(hold(server, vip, slot).status == 201);
  CHECK(hold(server, vip, 3).status == 429);
}

TEST_CASE("rate limits: webhooks, health, metrics, the contract and platform tokens are exempt") {
  TestServer server({}, limits({1, 1}, {1, 1}));  // one request, then ~17 minutes
  const std::string platform = server.token(v1::ROLE_PLATFORM, "", "ops");
  for (int i = 0; i < 5; ++i) {
    for (const std::string path : {"/healthz", "/readyz", "/metrics", "/openapi.yaml"}) {
      CHECK(server.get(path, "").status == 200);
    }
    const Reply webhook = server.post("/v1/webhooks/payments/sandbox", R"({"id":"evt"})", "",
                                      {{"Stripe-Signature", "t=1,v1=00"}});
    CHECK(webhook.status != 429);
    CHECK(server
              .post("/v1/tenants",
                    fmt::format(R"({{"tenant_id":"t{}","name":"C","currency":"PEN",)"
                                R"("tax_rate_bp":0,"invoice_series":"F1"}})",
                                i),
                    platform)
              .status == 201);
  }
  const std::string admin = server.token(v1::ROLE_ADMIN, "t0", "boss");
  CHECK(server.post("/v1/sites", R"({"site_id":"a","name":"A","time_zone":"UTC"})", admin).status ==
        201);
  CHECK(server.post("/v1/sites", R"({"site_id":"b","name":"B","time_zone":"UTC"})", admin).status ==
        429);
}

}  // namespace
}  // namespace turno::testing
