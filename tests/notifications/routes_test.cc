// The notification routes over a real server (TestServer runs the notification service on its
// log): a tenant admin sets the channels (secrets never shown back), registers contacts; a
// confirmed booking's notice reaches a loopback webhook receiver; GET /v1/notifications lists it
// for the admin and for the client it was for, not for another client; /metrics counts it; bad
// input names the field; nobody sees or changes another person's contact (404, as if absent); a
// template naming an unknown placeholder is refused (422).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "notification_service.h"
#include "test_server.h"
#include "webhook_receiver.h"

namespace turno::testing {
namespace {

constexpr auto kDeliveryWait = std::chrono::seconds(30);

std::string confirmed_booking(TestServer& server, const Tenant& tenant, const std::string& client) {
  const Reply hold =
      server.post("/v1/holds",
                  R"({"site_id":")" + tenant.site() + R"(","service_id":")" + tenant.service() +
                      R"(","start":")" + at(tuesday_lima(10)) + "\"}",
                  client);
  REQUIRE(hold.status == 201);
  const std::string booking_id = hold.text("/booking_id");
  const Reply booking =
      server.post("/v1/bookings", R"({"booking_id":")" + booking_id + "\"}", client);
  REQUIRE(booking.status == 201);
  REQUIRE(server
              .post("/v1/sandbox/payments/" + booking.text("/payments/0/payment_id") + "/succeed",
                    "", client)
              .status == 200);
  return booking_id;
}

// Runs dispatcher passes and polls GET /v1/notifications?status=sent until it lists something
// or the wait ends.
Reply wait_for_sent(TestServer& server, const std::string& token, const std::string& query) {
  const auto deadline = std::chrono::steady_clock::now() + kDeliveryWait;
  Reply listed;
  do {
    server.notifications().dispatch_once();
    listed = server.get("/v1/notifications?status=sent" + query, token);
    if (listed.has("/items/0")) return listed;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return listed;
}

TEST_CASE("settings, contacts and the delivery list over HTTP") {
  TestServer server;
  WebhookReceiver receiver;
  const Tenant tenant = seed_tenant(server, "t1");
  const std::string admin = server.token(v1::ROLE_ADMIN, "t1", "boss");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "c-1");
  const std::string stranger = server.token(v1::ROLE_CLIENT, "t1", "c-2");

  const Reply before = server.get("/v1/notifications/settings", admin);
  CHECK(before.status == 200);
  CHECK(before.body.find("\"configured\":false") != std::string::npos);

  const Reply put = server.call(
      api::http::verb::put, "/v1/notifications/settings",
      R"({"locale":"en","reminder_offsets_min":[1440,60],"webhook":{"enabled":true,"url":")" +
          receiver.url() + R"(","secret":"s3cret"}})",
      admin);
  INFO(put.body);
  REQUIRE(put.status == 200);
  CHECK(put.body.find("s3cret") == std::string::npos);
  CHECK(put.body.find("\"secret_set\":true") != std::string::npos);
  CHECK(put.number("/settings/reminder_offsets_min/1") == 60);

  // A PUT without the secret keeps it.
  REQUIRE(server
              .call(api::http::verb::put, "/v1/notifications/settings",
                    R"({"locale":"en","webhook":{"enabled":true,"url":")" + receiver.url() + "\"}}",
                    admin)
              .status == 200);
  CHECK(server.get("/v1/notifications/settings", admin).body.find("\"secret_set\":true") !=
        std::string::npos);

  const Reply contact =
      server.call(api::http::verb::put, "/v1/notifications/contacts/client/c-1",
                  R"({"email":"c1@example.com","locale":"es","name":"Cata"})", client);
  CHECK(contact.status == 200);
  CHECK(server.get("/v1/notifications/contacts/client/c-1", admin).text("/email") ==
        "c1@example.com");

  const std::string booking_id = confirmed_booking(server, tenant, client);
  const Reply listed = wait_for_sent(server, admin, "&booking_id=" + booking_id);
  INFO(listed.body);
  REQUIRE(listed.has("/items/0"));
  CHECK(listed.text("/items/0/booking_id") == booking_id);
  CHECK(listed.text("/items/0/status") == "sent");
  CHECK(listed.number("/items/0/attempts") >= 1);

  const Reply own = wait_for_sent(server, client, "");
  CHECK(own.text("/items/0/recipient/id") == "c-1");
  CHECK(!server.get("/v1/notifications", stranger).has("/items/0"));

  bool signed_with_secret = false;
  for (const auto& request : receiver.received()) {
    signed_with_secret |= request.headers.count("turno-signature") == 1 &&
                          request.body.find(booking_id) != std::string::npos;
  }
  CHECK(signed_with_secret);
  CHECK(server.get("/metrics", admin)
            .body.find("turno_notifications_sent_total{channel=\"webhook\"}") != std::string::npos);
}

TEST_CASE("notification routes refuse bad input with the field, and other people's contacts") {
  TestServer server;
  seed_tenant(server, "t1");
  const std::string admin = server.token(v1::ROLE_ADMIN, "t1", "boss");
  const std::string client = server.token(v1::ROLE_CLIENT, "t1", "c-1");
  const std::string staff = server.token(v1::ROLE_STAFF, "t1", "u-ana", "lima", "ana");
  const auto put = [&](const std::string& target, const std::string& body,
                       const std::string& token) {
    return server.call(api::http::verb::put, target, body, token);
  };

  Reply bad = server.get("/v1/notifications?status=lost", admin);
  CHECK(bad.status == 400);
  CHECK(bad.text("/field") == "status");
  CHECK(server.get("/v1/notifications?limit=0", admin).text("/field") == "limit");
  CHECK(server.get("/v1/notifications?colour=red", admin).text("/field") == "colour");
  CHECK(server.get("/v1/notifications", staff).status == 403);

  bad = put("/v1/notifications/settings", R"({"reminder_offsets_min":[0]})", admin);
  CHECK(bad.status == 400);
  CHECK(bad.text("/field") == "reminder_offsets_min");
  bad = put("/v1/notifications/settings",
            R"({"webhook":{"enabled":true,"url":"ftp://x","secret":"k"}})", admin);
  CHECK(bad.status == 400);
  CHECK(bad.text("/field") == "webhook.url");
  bad = put("/v1/notifications/settings",
            R"({"templates":[{"kind":"gossip","locale":"en","subject":"s","body":"b"}]})", admin);
  CHECK(bad.status == 400);
  CHECK(bad.text("/field") == "templates[0].kind");
  CHECK(put("/v1/notifications/settings", R"({"locale":"fr"})", admin).text("/field") == "locale");
  // A placeholder that is not one is refused, naming it (it used to render as empty text).
  bad = put("/v1/notifications/settings",
            R"({"templates":[{"kind":"reminder","locale":"en","subject":"Soon: {{service}}",)"
            R"("body":"Your {{service_name}} is at {{start}}"}]})",
            admin);
  CHECK(bad.status == 422);
  CHECK(bad.text("/type") == "urn:turno:problem:unknown_placeholder");
  CHECK(bad.text("/field") == "templates[0].body");
  CHECK(bad.text("/placeholder") == "service_name");
  CHECK(bad.text("/detail").find("previous_start") != std::string::npos);  // the known ones
  bad = put("/v1/notifications/settings",
            R"({"templates":[{"kind":"reminder","locale":"en","subject":"{{when}}","body":""}]})",
            admin);
  CHECK(bad.text("/field") == "templates[0].subject");
  CHECK(bad.text("/placeholder") == "when");
  CHECK(put("/v1/notifications/settings", "{}", client).status == 403);
  CHECK(server.get("/v1/notifications/settings", admin).body.find("\"configured\":false") !=
        std::string::npos);  // nothing half-stored

  // Someone else's contact is 404 to a client or staff member, as if it did not exist (it was
  // 403, which tells a caller of another tenant that the id means something).
  server.wait_for_views();
  CHECK(
      put("/v1/notifications/contacts/client/c-2", R"({"email":"x@example.com"})", client).status ==
      404);
  CHECK(server.get("/v1/notifications/contacts/client/c-2", client).status == 404);
  CHECK(put("/v1/notifications/contacts/staff/ana", R"({"phone":"+51999"})", staff).status == 200);
  CHECK(put("/v1/notifications/contacts/staff/beto", R"({"phone":"+51999"})", staff).status == 404);
  CHECK(server.get("/v1/notifications/contacts/staff/ana", client).status == 404);
  // An admin registers contacts only for staff members the tenant has.
  CHECK(put("/v1/notifications/contacts/staff/beto", R"({"phone":"+51998"})", admin).status == 200);
  bad = put("/v1/notifications/contacts/staff/nobody", R"({"phone":"+51999"})", admin);
  CHECK(bad.status == 404);
  CHECK(bad.text("/field") == "id");
  CHECK(server.get("/v1/notifications/contacts/staff/nobody", admin).status == 404);
  // Across tenants: another tenant's people are 404 to its admin and its clients alike.
  const std::string other_admin = server.token(v1::ROLE_ADMIN, "t2", "boss");
  const std::string other_client = server.token(v1::ROLE_CLIENT, "t2", "c-9");
  CHECK(put("/v1/notifications/contacts/staff/ana", R"({"phone":"+1"})", other_admin).status ==
        404);
  CHECK(server.get("/v1/notifications/contacts/client/c-1", other_admin).status == 404);
  CHECK(server.get("/v1/notifications/contacts/client/c-1", other_client).status == 404);
  CHECK(put("/v1/notifications/contacts/client/c-1", R"({"phone":"+1"})", other_client).status ==
        404);
  bad = put("/v1/notifications/contacts/robot/c-1", "{}", admin);
  CHECK(bad.status == 400);
  CHECK(bad.text("/field") == "role");
  bad = put("/v1/notifications/contacts/client/c-1", R"({"email":"nope"})", client);
  CHECK(bad.status == 400);
  CHECK(bad.text("/field") == "email");
  CHECK(server.get("/v1/notifications/contacts/client/c-9", admin).status == 404);
}

}  // namespace
}  // namespace turno::testing
