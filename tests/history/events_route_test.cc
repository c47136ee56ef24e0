// GET /v1/events, /v1/events/verify and /v1/events/signing-key on a real server: pages that
// verify offline, signed by the published key, and cover the log; the auditor's own-tenant
// restriction, roles, bad parameters.
#include <doctest/doctest.h>

#include <sstream>

#include "history_codec.h"
#include "history_fixture.h"
#include "history_signing.h"
#include "history_verify.h"
#include "test_server.h"

using namespace turno;
using namespace turno::testing;

namespace {

void write_history(TestServer& server, std::uint64_t events) {
  write_workload_events(server.api().engine().writer(), events);
}

history::ExportCheck verify_page(const std::string& body) {
  std::istringstream in(body);
  return history::verify_export(in, history::Format::kJsonl);
}

}  // namespace

TEST_CASE("GET /v1/events pages through the log; every page verifies offline") {
  TestServer server;
  write_history(server, 300);
  const std::string token = server.token(v1::ROLE_PLATFORM, "t0", "platform");
  std::uint64_t records = 0;
  std::string next = "1";
  int pages = 0;
  while (!next.empty()) {
    const Reply reply = server.get("/v1/events?limit=100&from-seq=" + next, token);
    REQUIRE(reply.status == 200);
    CHECK(reply.header("Content-Type") == "application/x-ndjson");
    const history::ExportCheck check = verify_page(reply.body);
    REQUIRE_MESSAGE(check.status.is_ok(), check.status.message());
    CHECK(check.records <= 100);
    records += check.records;
    next = reply.header("Turno-Next-From-Seq");
    ++pages;
  }
  CHECK(pages >= 3);
  CHECK(records == server.last_seq());
}

TEST_CASE("an auditor reads their own tenant's events only") {
  TestServer server;
  write_history(server, 200);
  const std::string auditor = server.token(v1::ROLE_AUDITOR, "t1", "auditor-1");
  const Reply own = server.get("/v1/events?type=slot_held,SlotHeld&limit=10000", auditor);
  REQUIRE(own.status == 200);
  const history::ExportCheck check = verify_page(own.body);
  REQUIRE(check.status.is_ok());
  CHECK(check.records > 0);
  CHECK(own.body.find("\"tenantId\":\"t0\"") == std::string::npos);
  CHECK(check.summary->filter().find("tenant=t1") != std::string::npos);
  CHECK(server.get("/v1/events?tenant=t0", auditor).status == 403);
  CHECK(server.get("/v1/events?tenant=t1", auditor).status == 200);
  CHECK(server.get("/v1/events", server.token(v1::ROLE_ADMIN, "t1", "admin")).status == 403);
  CHECK(server.get("/v1/events", "").status == 401);
}

TEST_CASE("bad parameters are 400 naming the parameter") {
  TestServer server;
  const std::string token = server.token(v1::ROLE_PLATFORM, "t0", "platform");
  for (const std::string query : {"type=slot_grabbed", "limit=0", "limit=20000", "since=soon",
                                  "colour=red", "from-seq=%zz"}) {
    INFO(query);
    const Reply reply = server.get("/v1/events?" + query, token);
    CHECK(reply.status == 400);
  }
  CHECK(server.get("/v1/events/verify?from-seq=x", token).status == 400);
}

TEST_CASE("GET /v1/events/verify checks the chain, range by range") {
  TestServer server;
  write_history(server, 150);
  const std::string token = server.token(v1::ROLE_AUDITOR, "t1", "auditor-1");
  const Reply whole = server.get("/v1/events/verify", token);
  REQUIRE(whole.status == 200);
  CHECK(whole.body.find("\"ok\":true") != std::string::npos);
  CHECK(whole.number("/records") == std::int64_t(server.last_seq()));
  CHECK(whole.text("/lastHash") == to_hex(server.log().last_hash()));
  CHECK_FALSE(whole.has("/nextFromSeq"));
  const Reply part = server.get("/v1/events/verify?from-seq=20&to-seq=40", token);
  REQUIRE(part.status == 200);
  CHECK(part.number("/records") == 21);
  CHECK(part.number("/toSeq") == 40);
}

TEST_CASE("GET /v1/events/signing-key publishes the key that signs every page") {
  TestServer server;
  write_history(server, 120);
  const std::string platform = server.token(v1::ROLE_PLATFORM, "t0", "platform");
  const Reply key = server.get("/v1/events/signing-key", platform);
  REQUIRE(key.status == 200);
  CHECK(key.text("/algorithm") == "Ed25519");
  Result<history::PublicKey> public_key = history::PublicKey::from_pem(key.text("/publicKeyPem"));
  REQUIRE(public_key.is_ok());
  CHECK(public_key.value().fingerprint() == key.text("/fingerprint"));

  for (const std::string query : {"limit=50", "limit=50&from-seq=51", "type=slot_held"}) {
    INFO(query);
    const Reply page = server.get("/v1/events?" + query, platform);
    REQUIRE(page.status == 200);
    history::ExportCheck check = verify_page(page.body);
    history::authenticate_export(check, public_key.value());
    REQUIRE_MESSAGE(check.status.is_ok(), check.status.message());
    CHECK(check.authenticated);
    CHECK(check.gapless == (query.find("type=") == std::string::npos));
  }
  const std::string auditor = server.token(v1::ROLE_AUDITOR, "t1", "auditor-1");
  CHECK(server.get("/v1/events/signing-key", auditor).text("/fingerprint") ==
        key.text("/fingerprint"));
  CHECK(server.get("/v1/events/signing-key", server.token(v1::ROLE_CLIENT, "t1", "c1")).status ==
        403);
  CHECK(server.get("/v1/events/signing-key", "").status == 401);
}
