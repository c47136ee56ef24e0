// The whole story over HTTP: a tenant, its catalog, a hold, a booking, a sandbox payment whose
// signed webhook confirms it, a staff cancellation refunded in full; a client's late
// cancellation refunded per policy; idempotent retries; the operations endpoints.
#include <doctest/doctest.h>

#include "test_server.h"

namespace turno::testing {
namespace {

namespace http = api::http;

std::string hold_body(const Tenant& tenant, std::int64_t start_ms, const std::string& staff = {}) {
  std::string body = R"({"site_id":")" + tenant.site() + R"(","service_id":")" + tenant.service() +
                     R"(","start":")" + at(start_ms) + "\"";
  if (!staff.empty()) body += R"(,"staff_id":")" + staff + "\"";
  return body + "}";
}

// Holds, books and pays (sandbox) as `client`; returns the confirmed booking's id.
std::string confirmed_booking(TestServer& server, const Tenant& tenant, const std::string& client,
                              std::int64_t start_ms) {
  const Reply hold = server.post("/v1/holds", hold_body(tenant, start_ms), client);
  REQUIRE(hold.status == 201);
  const std::string booking_id = hold.text("/booking_id");
  const Reply booking =
      server.post("/v1/bookings", R"({"booking_id":")" + booking_id + "\"}", client);
  REQUIRE(booking.status == 201);
  const Reply paid = server.post(
      "/v1/sandbox/payments/" + booking.text("/payments/0/payment_id") + "/succeed", "", client);
  INFO(paid.body);
  REQUIRE(paid.status == 200);
  return booking_id;
}

TEST_CASE(
    "a booking is held, paid through a signed sandbox webhook, and refunded in full when staff "
    "cancel") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "client-7");

  const Reply hold = server.post("/v1/holds", hold_body(tenant, tuesday_lima(10)), client);
  INFO(hold.body);
  REQUIRE(hold.status == 201);
  CHECK(hold.text("/status") == "held");
  CHECK(hold.text("/client_id") == "client-7");
  CHECK(hold.text("/start") == "2026-03-03T15:00:00Z");
  CHECK(hold.text("/end") == "2026-03-03T15:30:00Z");
  const std::string booking_id = hold.text("/booking_id");
  const std::string staff_id = hold.text("/staff_id");
  CHECK((staff_id == tenant.staff() || staff_id == tenant.staff2()));

  const Reply booking =
      server.post("/v1/bookings", R"({"booking_id":")" + booking_id + "\"}", client);
  INFO(booking.body);
  REQUIRE(booking.status == 201);
  CHECK(booking.text("/status") == "pending_payment");
  CHECK(booking.number("/payments/0/amount_minor") == 5000);
  CHECK(booking.number("/payments/0/platform_fee_minor") == 150);
  CHECK(booking.text("/payments/0/provider") == "sandbox");
  const std::string payment_id = booking.text("/payments/0/payment_id");

  const Reply paid = server.post("/v1/sandbox/payments/" + payment_id + "/succeed", "", client);
  INFO(paid.body);
  REQUIRE(paid.status == 200);
  CHECK(paid.number("/webhook_status") == 200);

  const Reply confirmed = server.get("/v1/bookings/" + booking_id, client);
  CHECK(confirmed.text("/status") == "confirmed");
  CHECK(confirmed.number("/paid_minor") == 5000);
  CHECK(confirmed.text("/payments/0/status") == "succeeded");

  const std::string staff = server.token(v1::ROLE_STAFF, "t1", staff_id, tenant.site(), staff_id);
  const Reply cancelled =
      server.post("/v1/bookings/" + booking_id + "/cancel", R"({"reason":"doctor ill"})", staff);
  INFO(cancelled.body);
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.text("/status") == "cancelled");
  CHECK(cancelled.text("/cancellation/by") == "staff");
  CHECK(cancelled.number("/refunded_minor") == 5000);
  CHECK(cancelled.number("/refunds/0/amount_minor") == 5000);
  CHECK(server.get("/v1/bookings/" + booking_id, client).number("/refunded_minor") == 5000);
}

TEST_CASE("a client who cancels inside the free window gets the policy's share back") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string admin = server.token(v1::ROLE_ADMIN, "t1", "boss");
  const Reply policy = server.call(
      http::verb::put, "/v1/policy",
      R"({"hold_ttl_s":600,"free_cancel_window_min":1440,"late_cancel_refund_pct":40,)"
      R"("no_show_grace_min":15,"min_notice_min":0,"horizon_days":90,"prepayment_required":true,)"
      R"("slot_step_min":15})",
      admin);
  INFO(policy.body);
  REQUIRE(policy.status == 200);
  CHECK(policy.number("/late_cancel_refund_pct") == 40);

  const std::string booking_id = confirmed_booking(
      server, tenant, server.token(v1::ROLE_CLIENT, "t1", "client-9"), tuesday_lima(11));
  server.clock().set(tuesday_lima(11) - 2 * kMsPerHour);  // two hours before: late
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "client-9");
  const Reply cancelled = server.post("/v1/bookings/" + booking_id + "/cancel", "", client);
  INFO(cancelled.body);
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.text("/cancellation/by") == "client");
  CHECK(cancelled.number("/cancellation/minutes_before_start") == 120);
  CHECK(cancelled.number("/cancellation/refund_due_minor") == 2000);
  CHECK(cancelled.number("/refunded_minor") == 2000);
}

TEST_CASE("a failed sandbox payment leaves the hold for another try") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "client-1");
  const std::string booking_id =
      server.post("/v1/holds", hold_body(tenant, tuesday_lima(12)), client).text("/booking_id");
  const Reply booking =
      server.post("/v1/bookings", R"({"booking_id":")" + booking_id + "\"}", client);
  const Reply failed =
      server.post("/v1/sandbox/payments/" + booking.text("/payments/0/payment_id") + "/fail",
                  R"({"reason":"insufficient_funds"})", client);
  INFO(failed.body);
  REQUIRE(failed.status == 200);
  const Reply after = server.get("/v1/bookings/" + booking_id, client);
  CHECK(after.text("/status") == "held");
  CHECK(after.text("/payments/0/status") == "failed");
  CHECK(after.text("/payments/0/failure_reason") == "insufficient_funds");
}

TEST_CASE("the same Idempotency-Key with the same body answers the same, with another body 422") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "client-1");
  const std::vector<Header> key = {{"Idempotency-Key", "hold-once-42"}};
  const Reply first = server.post("/v1/holds", hold_body(tenant, tuesday_lima(9)), client, key);
  REQUIRE(first.status == 201);
  const std::uint64_t seq_after_first = server.last_seq();
  const Reply again = server.post("/v1/holds", hold_body(tenant, tuesday_lima(9)), client, key);
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(again.header("Idempotent-Replayed") == "true");
  CHECK(server.last_seq() == seq_after_first);
  const Reply other = server.post("/v1/holds", hold_body(tenant, tuesday_lima(14)), client, key);
  CHECK(other.status == 422);
  CHECK(other.text("/type") == "urn:turno:problem:idempotency_key_reused");
  CHECK(server.last_seq() == seq_after_first);
}

TEST_CASE(
    "a replayed Idempotency-Key after a later command gets the first body, and no command's "
    "answer reads the log") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "client-1");
  const std::uint64_t reads_before = server.log().stream_reads();
  const Reply hold = server.post("/v1/holds", hold_body(tenant, tuesday_lima(9)), client);
  REQUIRE(hold.status == 201);
  const std::string booking_id = hold.text("/booking_id");
  const std::string book_body = R"({"booking_id":")" + booking_id + "\"}";
  const std::vector<Header> key = {{"Idempotency-Key", "book-once-7"}};
  const Reply booked = server.post("/v1/bookings", book_body, client, key);
  INFO(booked.body);
  REQUIRE(booked.status == 201);
  CHECK(booked.text("/status") == "pending_payment");
  const Reply cancelled = server.post("/v1/bookings/" + booking_id + "/cancel", "", client);
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.text("/status") == "cancelled");
  // The answers were rendered from the booking the writer returned: no stream was read.
  CHECK(server.log().stream_reads() == reads_before);

  const Reply again = server.post("/v1/bookings", book_body, client, key);
  CHECK(again.status == 201);
  CHECK(again.header("Idempotent-Replayed") == "true");
  CHECK(again.body == booked.body);
  CHECK(again.text("/status") == "pending_payment");
  // The replay's booking was folded from the log on the writer's thread; a GET reads the
  // stream too: the counter sees the reads it is there to catch.
  const std::uint64_t reads_after_replay = server.log().stream_reads();
  CHECK(reads_after_replay > reads_before);
  CHECK(server.get("/v1/bookings/" + booking_id, client).text("/status") == "cancelled");
  CHECK(server.log().stream_reads() > reads_after_replay);
}

TEST_CASE("operations endpoints answer without a token") {
  TestServer server;
  struct Extra {
    int answer = 42;
  };
  CHECK(server.api().find<Extra>() == nullptr);
  server.api().provide(std::make_shared<Extra>());
  REQUIRE(server.api().find<Extra>() != nullptr);
  CHECK(server.api().find<Extra>()->answer == 42);
  server.api().add_metrics_source([](std::string& out) { out += "turno_extra_total 7\n"; });
  CHECK(server.get("/healthz", "").status == 200);
  CHECK(server.get("/readyz", "").status == 200);
  const Reply metrics = server.get("/metrics", "");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("turno_http_requests_total{route=\"/healthz\"") != std::string::npos);
  CHECK(metrics.body.find("turno_writer_commit_us_bucket") != std::string::npos);
  CHECK(metrics.body.find("turno_writer_queue_depth") != std::string::npos);
  CHECK(metrics.body.find("turno_writer_model_bookings") != std::string::npos);
  CHECK(metrics.body.find("turno_writer_bookings_recalled_total 0") != std::string::npos);
  CHECK(metrics.body.find("turno_extra_total 7") != std::string::npos);
  const Reply openapi = server.get("/openapi.yaml", "");
  CHECK(openapi.status == 200);
  CHECK(openapi.body.starts_with("openapi: 3.1"));
  const Reply traced =
      server.call(http::verb::get, "/healthz", {}, {}, {{"X-Request-Id", "abc-123"}});
  CHECK(traced.header("X-Request-Id") == "abc-123");
  CHECK(!server.get("/healthz", "").header("X-Request-Id").empty());
}

TEST_CASE("stopping the server closes idle connections, refuses new ones and is no longer ready") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "client-1");
  api::BlockingClient idle(server.endpoint());  // an idle keep-alive connection must not hold us
  REQUIRE(idle.ok());
  server.server().stop();
  CHECK(server.get("/healthz", "").status == 0);
  CHECK(!server.api().ready());
}

}  // namespace
}  // namespace turno::testing

namespace turno::testing {
namespace {

TEST_CASE("pipelined requests on one connection are answered in order") {
  TestServer server;
  api::BlockingClient client(server.endpoint());
  std::string requests;
  for (const char* path : {"/healthz", "/nothing", "/readyz"}) {
    requests += std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  CHECK(to_reply(client.send_raw(requests)).status == 200);
  CHECK(to_reply(client.receive()).status == 404);
  CHECK(to_reply(client.receive()).status == 200);
}

TEST_CASE("beyond the connection limit a connection is answered 503 with Retry-After") {
  api::ServerOptions options;
  options.connections_max = 2;
  TestServer server(options);
  api::BlockingClient first(server.endpoint());
  api::BlockingClient second(server.endpoint());
  REQUIRE(to_reply(first.send(make_request(api::http::verb::get, "/healthz", {}, {}))).status ==
          200);
  REQUIRE(to_reply(second.send(make_request(api::http::verb::get, "/healthz", {}, {}))).status ==
          200);
  const Reply third = server.get("/healthz", "");
  CHECK(third.status == 503);
  CHECK(third.header("Retry-After") == "1");
  CHECK(third.text("/type") == "urn:turno:problem:too_many_connections");
}

TEST_CASE("a client cannot settle another client's sandbox payment") {
  TestServer server;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string owner = server.token(v1::ROLE_CLIENT, "t1", "client-1");
  const std::string booking_id =
      server.post("/v1/holds", hold_body(tenant, tuesday_lima(15)), owner).text("/booking_id");
  const std::string payment_id =
      server.post("/v1/bookings", R"({"booking_id":")" + booking_id + "\"}", owner)
          .text("/payments/0/payment_id");
  const std::string stranger = server.token(v1::ROLE_CLIENT, "t1", "client-2");
  CHECK(server.post("/v1/sandbox/payments/" + payment_id + "/succeed", "", stranger).status == 404);
  CHECK(server.get("/v1/bookings/" + booking_id, owner).text("/status") == "pending_payment");
}

}  // namespace
}  // namespace turno::testing
