// Regressions for defects found from outside (issue 11, points 11, 14, 15 and 16): a URL that
// is not UTF-8, a sandbox outcome the payment's state refuses, /metrics on the public listener,
// and a query node asked for what only a command node does. Each check failed before its fix.
#include <doctest/doctest.h>

#include "sandbox.h"
#include "test_server.h"

namespace turno::testing {
namespace {

namespace http = api::http;

Reply send_to(const api::tcp::endpoint& endpoint, http::verb method, const std::string& target,
              const std::string& body = {}, const std::string& token = {}) {
  api::BlockingClient client(endpoint);
  return to_reply(client.send(make_request(method, target, body, token)));
}

TEST_CASE("a URL that is not UTF-8 is answered with a problem body that is valid JSON") {
  TestServer server;
  seed_tenant(server, "t1");
  const std::string admin = server.token(v1::ROLE_ADMIN, "t1", "boss");
  // Raw bytes in the target (the HTTP parser passes them on), and %-escapes of them.
  for (const std::string target : {"/v1/sites/\xff\xfe", "/v1/staff/\xc3\x28", "/v1/nope/\xff",
                                   "/v1/sites/%ff%fe", "/v1/sites/\xed\xa0\x80"}) {
    INFO(target);
    const Reply reply = server.get(target, admin);
    INFO(reply.body);
    CHECK(reply.status == 404);
    CHECK(reply.header("Content-Type") == "application/problem+json");
    // Reply::text parses with simdjson, which refuses invalid UTF-8: before the fix the detail
    // carried the raw bytes and nothing could be read back.
    CHECK(reply.text("/type") == "urn:turno:problem:not_found");
    CHECK(!reply.text("/detail").empty());
  }
  CHECK(server.get("/v1/sites/\xff\xfe", admin).text("/detail") ==
        "no site \xef\xbf\xbd\xef\xbf\xbd");
}

std::string hold_body(const Tenant& tenant, std::int64_t start_ms) {
  return R"({"site_id":")" + tenant.site() + R"(","service_id":")" + tenant.service() +
         R"(","start":")" + at(start_ms) + "\"}";
}

TEST_CASE("sandbox: failing a payment that already succeeded is a 409 problem, not a 502") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "client-1");
  const std::string booking_id =
      server.post("/v1/holds", hold_body(tenant, tuesday_lima(11)), client).text("/booking_id");
  const Reply booking =
      server.post("/v1/bookings", R"({"booking_id":")" + booking_id + "\"}", client);
  REQUIRE(booking.status == 201);
  const std::string intent = "/v1/sandbox/payments/" + booking.text("/payments/0/payment_id");
  REQUIRE(server.post(intent + "/succeed", "", client).status == 200);
  const std::uint64_t before = server.last_seq();
  const Reply failed = server.post(intent + "/fail", "", client);
  INFO(failed.body);
  CHECK(failed.status == 409);
  CHECK(failed.header("Content-Type") == "application/problem+json");
  CHECK(failed.text("/type") == "urn:turno:problem:invalid_transition");
  CHECK(failed.text("/detail").find("already succeeded") != std::string::npos);
  CHECK(server.last_seq() == before);
  CHECK(server.get("/v1/bookings/" + booking_id, client).text("/payments/0/status") == "succeeded");
  // Succeeding again is the same event again: acknowledged, nothing appended.
  CHECK(server.post(intent + "/succeed", "", client).status == 200);
  CHECK(server.last_seq() == before);
}

TEST_CASE("sandbox: the webhook secret it makes up has 256 random bits") {
  TestServer first;
  TestServer second;
  const std::string* one = first.api().webhook_secret(api::kSandboxProvider);
  const std::string* two = second.api().webhook_secret(api::kSandboxProvider);
  REQUIRE(one != nullptr);
  REQUIRE(two != nullptr);
  CHECK(one->size() == 2 * api::kSandboxSecretBytes);  // hex
  CHECK(api::kSandboxSecretBytes * 8 >= 256);
  CHECK(*one != *two);
}

TEST_CASE("/metrics is served on the internal metrics listener only, once there is one") {
  api::ServerOptions options;
  options.metrics_listen = "127.0.0.1:0";
  TestServer server(options);
  seed_tenant(server, "t1");
  const Reply public_metrics = server.get("/metrics", "");
  CHECK(public_metrics.status == 404);
  CHECK(public_metrics.header("Content-Type") == "application/problem+json");
  CHECK(public_metrics.body.find("turno_") == std::string::npos);

  const api::tcp::endpoint internal = server.server().metrics_endpoint();
  REQUIRE(internal.port() != 0);
  REQUIRE(internal.port() != server.endpoint().port());
  const Reply metrics = send_to(internal, http::verb::get, "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("turno_events_appended_total") != std::string::npos);
  CHECK(send_to(internal, http::verb::get, "/healthz").status == 200);
  CHECK(send_to(internal, http::verb::get, "/readyz").status == 200);
  // Nothing of the API on the internal listener, even with a token.
  const std::string admin = server.token(v1::ROLE_ADMIN, "t1", "boss");
  CHECK(send_to(internal, http::verb::get, "/v1/sites", {}, admin).status == 404);
  CHECK(send_to(internal, http::verb::get, "/openapi.yaml").status == 404);
  CHECK(server.get("/v1/sites", admin).status == 200);
  CHECK(server.get("/healthz", "").status == 200);
}

TEST_CASE("without a metrics listener (in-process servers) /metrics stays on the main one") {
  TestServer server;
  CHECK(server.server().metrics_endpoint().port() == 0);
  CHECK(server.get("/metrics", "").status == 200);
}

TEST_CASE("a query node answers command routes 421 and notification routes 503, naming its role") {
  TestServer command_node;  // for its clock and tokens
  const std::string admin = command_node.token(v1::ROLE_ADMIN, "t1", "boss");
  api::ApiOptions options;
  options.jwt = api::JwtVerifier::create({std::string(kJwtSecret), {}, {}}).value();
  options.access_log = nullptr;
  api::Api query_api(command_node.clock(), std::move(options));
  api::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  api::Server query_server(query_api, server_options);
  REQUIRE(query_server.start().is_ok());
  const auto call = [&](http::verb method, const std::string& target,
                        const std::string& body = {}) {
    return send_to(query_server.endpoint(), method, target, body, admin);
  };

  struct Expected {
    http::verb method;
    std::string target;
    unsigned status;
    std::string code;
  };
  for (const Expected& expected : std::vector<Expected>{
           {http::verb::post, "/v1/holds", 421, "misdirected"},
           {http::verb::post, "/v1/staff", 421, "misdirected"},  // GET /v1/staff is served here
           {http::verb::get, "/v1/bookings/b-1", 421, "misdirected"},
           {http::verb::get, "/v1/events", 421, "misdirected"},
           {http::verb::get, "/v1/notifications", 503, "notifications_unavailable"},
           {http::verb::put, "/v1/notifications/settings", 503, "notifications_unavailable"},
           {http::verb::get, "/v1/notifications/contacts/client/c1", 503,
            "notifications_unavailable"},
       }) {
    INFO(expected.target);
    const Reply reply = call(expected.method, expected.target, "{}");
    INFO(reply.body);
    CHECK(reply.status == expected.status);
    CHECK(reply.header("Content-Type") == "application/problem+json");
    CHECK(reply.text("/type") == "urn:turno:problem:" + expected.code);
    CHECK(reply.text("/node_role") == "query");
    CHECK(reply.text("/detail").find("command node") != std::string::npos);
  }
  // A path no node has is still 404, and what the query node serves is served.
  CHECK(call(http::verb::get, "/v1/nowhere").status == 404);
  CHECK(call(http::verb::get, "/healthz").status == 200);
  query_server.stop();
}

}  // namespace
}  // namespace turno::testing
