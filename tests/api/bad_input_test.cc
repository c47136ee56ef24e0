// The bad-input corpus: malformed JSON, wrong types, huge numbers, missing and unknown fields,
// unknown ids, invalid times, bodies over the limit, bad tokens, forged and replayed webhook
// signatures, broken HTTP. Each gets the right 4xx problem body, and the log stays unchanged.
#include <doctest/doctest.h>

#include "crypto.h"
#include "test_server.h"
#include "webhook.h"

namespace turno::testing {
namespace {

namespace http = api::http;

struct Case {
  std::string name;
  http::verb method;
  std::string target;
  std::string body;
  std::string token;  // "admin", "client", "none" or a literal token
  std::vector<Header> headers;
  unsigned status;
  std::string type;   // the problem's code
  std::string field;  // expected `field`, or empty for "any"
};

void check_problem(const Reply& reply, const Case& c) {
  INFO(c.name);
  INFO(reply.body);
  CHECK(reply.status == c.status);
  CHECK(reply.header("Content-Type") == "application/problem+json");
  CHECK(reply.text("/type") == "urn:turno:problem:" + c.type);
  CHECK(!reply.text("/title").empty());
  CHECK(!reply.text("/detail").empty());
  CHECK(reply.number("/status") == c.status);
  if (!c.field.empty()) CHECK(reply.text("/field") == c.field);
}

std::string token_for(TestServer& server, const std::string& which) {
  if (which == "admin") return server.token(v1::ROLE_ADMIN, "t1", "boss");
  if (which == "client") return server.token(v1::ROLE_CLIENT, "t1", "client-1");
  if (which == "none") return {};
  return which;
}

std::string alg_none_token() {
  return api::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
         api::base64url_encode(R"({"sub":"x","tenant":"t1","role":"admin","exp":9999999999})") +
         ".";
}

std::vector<Case> corpus(TestServer& server, const Tenant& tenant) {
  const std::string hold = "/v1/holds";
  const std::string good_start = at(tuesday_lima(10));
  auto hold_with = [&](const std::string& start) {
    return R"({"site_id":")" + tenant.site() + R"(","service_id":")" + tenant.service() +
           R"(","start":)" + start + "}";
  };
  api::Principal expired{"boss", "t1", v1::ROLE_ADMIN, {}, {}, kStartMs / 1000 - 3600};
  const std::string wrong_secret = api::sign_hs256(
      api::Principal{"boss", "t1", v1::ROLE_ADMIN, {}, {}, kStartMs / 1000 + 3600}, "other");
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  const std::string huge_body(api::ServerOptions{}.body_bytes_max + 1024, ' ');
  return {
      {"malformed JSON",
       http::verb::post,
       hold,
       R"({"site_id":)",
       "client",
       {},
       400,
       "validation",
       ""},
      {"not an object", http::verb::post, hold, "[1,2,3]", "client", {}, 400, "validation", ""},
      {"empty body", http::verb::post, hold, "", "client", {}, 400, "validation", ""},
      {"deeply nested", http::verb::post, hold, deep, "client", {}, 400, "validation", ""},
      {"invalid UTF-8",
       http::verb::post,
       "/v1/sites",
       "{\"name\":\"\xff\xfe\"}",
       "admin",
       {},
       400,
       "validation",
       ""},
      {"start is a number",
       http::verb::post,
       hold,
       hold_with("1772550000000"),
       "client",
       {},
       400,
       "validation",
       "start"},
      {"start has no offset",
       http::verb::post,
       hold,
       hold_with("\"2026-03-03T10:00:00\""),
       "client",
       {},
       400,
       "validation",
       "start"},
      {"start on Feb 30",
       http::verb::post,
       hold,
       hold_with("\"2026-02-30T10:00:00Z\""),
       "client",
       {},
       400,
       "validation",
       "start"},
      {"start is words",
       http::verb::post,
       hold,
       hold_with("\"tomorrow at ten\""),
       "client",
       {},
       400,
       "validation",
       "start"},
      {"start hour 25",
       http::verb::post,
       hold,
       hold_with("\"2026-03-03T25:00:00Z\""),
       "client",
       {},
       400,
       "validation",
       "start"},
      {"start in year 1900",
       http::verb::post,
       hold,
       hold_with("\"1900-03-03T10:00:00Z\""),
       "client",
       {},
       400,
       "validation",
       "start"},
      {"missing service",
       http::verb::post,
       hold,
       R"({"site_id":"lima","start":")" + good_start + "\"}",
       "client",
       {},
       400,
       "validation",
       "service_id"},
      {"unknown field",
       http::verb::post,
       "/v1/sites",
       R"({"name":"A","time_zone":"America/Lima","colour":"red"})",
       "admin",
       {},
       400,
       "validation",
       "colour"},
      {"field given twice",
       http::verb::post,
       "/v1/sites",
       R"({"name":"A","name":"B","time_zone":"America/Lima"})",
       "admin",
       {},
       400,
       "validation",
       "name"},
      {"unknown time zone",
       http::verb::post,
       "/v1/sites",
       R"({"name":"A","time_zone":"Mars/Olympus"})",
       "admin",
       {},
       400,
       "validation",
       "time_zone"},
      {"unknown currency",
       http::verb::post,
       "/v1/tenants",
       R"({"tenant_id":"t9","name":"X","currency":"ZZ1","tax_rate_bp":0,"invoice_series":"F1"})",
       server.token(v1::ROLE_PLATFORM, "", "ops"),
       {},
       400,
       "validation",
       "currency"},
      {"duration is text",
       http::verb::post,
       "/v1/services",
       R"({"name":"A","duration_min":"30","price_minor":100})",
       "admin",
       {},
       400,
       "validation",
       "duration_min"},
      {"duration has a fraction",
       http::verb::post,
       "/v1/services",
       R"({"name":"A","duration_min":30.5,"price_minor":100})",
       "admin",
       {},
       400,
       "validation",
       "duration_min"},
      {"price beyond int64",
       http::verb::post,
       "/v1/services",
       R"({"name":"A","duration_min":30,"price_minor":18446744073709551615})",
       "admin",
       {},
       400,
       "validation",
       "price_minor"},
      {"price beyond uint64",
       http::verb::post,
       "/v1/services",
       R"({"name":"A","duration_min":30,"price_minor":999999999999999999999999999})",
       "admin",
       {},
       400,
       "validation",
       ""},
      {"negative price",
       http::verb::post,
       "/v1/services",
       R"({"name":"A","duration_min":30,"price_minor":-5})",
       "admin",
       {},
       400,
       "validation",
       "price_minor"},
      {"duration beyond int32",
       http::verb::post,
       "/v1/services",
       R"({"name":"A","duration_min":4294967326,"price_minor":5})",
       "admin",
       {},
       400,
       "validation",
       "duration_min"},
      {"weekday 8",
       http::verb::put,
       "/v1/staff/" + tenant.staff() + "/schedule",
       R"({"intervals":[{"weekday":8,"start_min":0,"end_min":60}]})",
       "admin",
       {},
       400,
       "validation",
       "intervals[0].weekday"},
      {"interval is not an object",
       http::verb::put,
       "/v1/staff/" + tenant.staff() + "/schedule",
       R"({"intervals":[3]})",
       "admin",
       {},
       400,
       "validation",
       "intervals[0]"},
      {"policy misses a field",
       http::verb::put,
       "/v1/policy",
       R"({"hold_ttl_s":600})",
       "admin",
       {},
       400,
       "validation",
       "free_cancel_window_min"},
      {"boolean as string",
       http::verb::put,
       "/v1/policy",
       R"({"hold_ttl_s":600,"free_cancel_window_min":1,"late_cancel_refund_pct":1,"no_show_grace_min":1,"min_notice_min":0,"horizon_days":9,"prepayment_required":"yes","slot_step_min":15})",
       "admin",
       {},
       400,
       "validation",
       "prepayment_required"},
      {"unknown site",
       http::verb::post,
       hold,
       R"({"site_id":"nowhere","service_id":")" + tenant.service() + R"(","start":")" + good_start +
           "\"}",
       "client",
       {},
       404,
       "unknown_id",
       "site_id"},
      {"unknown booking",
       http::verb::get,
       "/v1/bookings/nope",
       "",
       "client",
       {},
       404,
       "unknown_id",
       "booking_id"},
      {"unknown booking to cancel",
       http::verb::post,
       "/v1/bookings/nope/cancel",
       "",
       "client",
       {},
       404,
       "unknown_id",
       "booking_id"},
      {"malformed booking id",
       http::verb::post,
       "/v1/bookings/a%20b/cancel",
       "",
       "client",
       {},
       400,
       "validation",
       "booking_id"},
      {"unknown sandbox intent",
       http::verb::post,
       "/v1/sandbox/payments/pay_999/succeed",
       "",
       "client",
       {},
       404,
       "unknown_id",
       "intent"},
      {"body over the limit",
       http::verb::post,
       hold,
       huge_body,
       "client",
       {},
       413,
       "payload_too_large",
       ""},
      {"not JSON content",
       http::verb::post,
       hold,
       hold_with("\"" + good_start + "\""),
       "client",
       {{"Content-Type", "text/plain"}},
       415,
       "unsupported_media_type",
       ""},
      {"Idempotency-Key too long",
       http::verb::post,
       hold,
       hold_with("\"" + good_start + "\""),
       "client",
       {{"Idempotency-Key", std::string(300, 'k')}},
       400,
       "validation",
       "Idempotency-Key"},
      {"no token",
       http::verb::post,
       hold,
       hold_with("\"" + good_start + "\""),
       "none",
       {},
       401,
       "unauthorized",
       ""},
      {"garbage token",
       http::verb::post,
       hold,
       hold_with("\"" + good_start + "\""),
       "abc.def",
       {},
       401,
       "unauthorized",
       ""},
      {"expired token",
       http::verb::post,
       hold,
       hold_with("\"" + good_start + "\""),
       api::sign_hs256(expired, kJwtSecret),
       {},
       401,
       "unauthorized",
       ""},
      {"token of another secret",
       http::verb::post,
       hold,
       hold_with("\"" + good_start + "\""),
       wrong_secret,
       {},
       401,
       "unauthorized",
       ""},
      {"alg none",
       http::verb::post,
       hold,
       hold_with("\"" + good_start + "\""),
       alg_none_token(),
       {},
       401,
       "unauthorized",
       ""},
      {"role may not",
       http::verb::post,
       "/v1/sites",
       R"({"name":"A","time_zone":"America/Lima"})",
       "client",
       {},
       403,
       "forbidden",
       ""},
      {"unknown route", http::verb::get, "/v1/nothing", "", "client", {}, 404, "not_found", ""},
      {"wrong method",
       http::verb::delete_,
       "/v1/holds",
       "",
       "client",
       {},
       405,
       "method_not_allowed",
       ""},
  };
}

TEST_CASE("every malformed or unauthorized request gets its 4xx problem and appends nothing") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  for (const Case& c : corpus(server, tenant)) {
    const std::uint64_t before = server.last_seq();
    const Reply reply =
        server.call(c.method, c.target, c.body, token_for(server, c.token), c.headers);
    check_problem(reply, c);
    CHECK(server.last_seq() == before);
  }
}

TEST_CASE("broken HTTP and oversized headers are answered 400 and 431") {
  TestServer server;
  api::BlockingClient garbage(server.endpoint());
  const Reply bad = to_reply(garbage.send_raw("GARBAGE / NOPE\r\n\r\n"));
  CHECK(bad.status == 400);
  CHECK(bad.text("/type") == "urn:turno:problem:malformed_http");
  api::BlockingClient big(server.endpoint());
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                              std::string(api::ServerOptions{}.header_bytes_max, 'a') + "\r\n\r\n";
  CHECK(to_reply(big.send_raw(request)).status == 431);
  CHECK(server.get("/healthz", "").status == 200);
}

// A sandbox-provider event for the tenant's pending payment, signed at `signed_at_s`.
struct SignedEvent {
  std::string body;
  std::string signature;
};

SignedEvent payment_event(TestServer& server, const std::string& payment_id,
                          std::int64_t signed_at_s, std::string_view secret) {
  api::PaymentEvent event{
      "evt_test_1", std::string(api::kSucceededType), payment_id, "t1", 5000, "PEN", {}};
  SignedEvent out;
  out.body = api::payment_event_payload(event, signed_at_s);
  out.signature = api::sign_webhook(secret, signed_at_s, out.body);
  (void)server;
  return out;
}

TEST_CASE(
    "forged, stale and malformed webhook signatures are refused; a replayed event is done once") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "client-1");
  const std::string booking_id =
      server
          .post("/v1/holds",
                R"({"site_id":")" + tenant.site() + R"(","service_id":")" + tenant.service() +
                    R"(","start":")" + at(tuesday_lima(10)) + "\"}",
                client)
          .text("/booking_id");
  const std::string payment_id =
      server.post("/v1/bookings", R"({"booking_id":")" + booking_id + "\"}", client)
          .text("/payments/0/payment_id");
  const std::string secret = *server.api().webhook_secret("sandbox");
  const std::int64_t now_s = server.clock().now_ms() / 1000;
  const std::string hook = "/v1/webhooks/payments/sandbox";

  const SignedEvent forged = payment_event(server, payment_id, now_s, "not-the-secret");
  const SignedEvent stale =
      payment_event(server, payment_id, now_s - api::kWebhookToleranceS - 60, secret);
  const SignedEvent good = payment_event(server, payment_id, now_s, secret);
  const std::vector<Case> refused = {
      {"forged signature",
       http::verb::post,
       hook,
       forged.body,
       "none",
       {{"Stripe-Signature", forged.signature}},
       400,
       "invalid_signature",
       "Stripe-Signature"},
      {"stale signature",
       http::verb::post,
       hook,
       stale.body,
       "none",
       {{"Stripe-Signature", stale.signature}},
       400,
       "invalid_signature",
       "Stripe-Signature"},
      {"body changed after signing",
       http::verb::post,
       hook,
       good.body + " ",
       "none",
       {{"Stripe-Signature", good.signature}},
       400,
       "invalid_signature",
       "Stripe-Signature"},
      {"no signature",
       http::verb::post,
       hook,
       good.body,
       "none",
       {},
       400,
       "invalid_signature",
       "Stripe-Signature"},
      {"malformed signature",
       http::verb::post,
       hook,
       good.body,
       "none",
       {{"Stripe-Signature", "t=abc,v1=zz"}},
       400,
       "invalid_signature",
       "Stripe-Signature"},
      {"unknown provider",
       http::verb::post,
       "/v1/webhooks/payments/acme",
       good.body,
       "none",
       {{"Stripe-Signature", good.signature}},
       404,
       "unknown_provider",
       ""},
  };
  for (const Case& c : refused) {
    const std::uint64_t before = server.last_seq();
    check_problem(server.call(c.method, c.target, c.body, {}, c.headers), c);
    CHECK(server.last_seq() == before);
  }
  CHECK(server.get("/v1/bookings/" + booking_id, client).text("/status") == "pending_payment");

  const Reply first = server.post(hook, good.body, {}, {{"Stripe-Signature", good.signature}});
  INFO(first.body);
  CHECK(first.status == 200);
  CHECK(first.number("/events_appended") == 2);  // paid, confirmed
  const std::uint64_t after_first = server.last_seq();
  const Reply replayed = server.post(hook, good.body, {}, {{"Stripe-Signature", good.signature}});
  CHECK(replayed.status == 200);
  CHECK(replayed.number("/events_appended") == 0);
  CHECK(server.last_seq() == after_first);
  CHECK(server.get("/v1/bookings/" + booking_id, client).text("/status") == "confirmed");
}

}  // namespace
}  // namespace turno::testing
