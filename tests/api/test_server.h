// A real Turno server on a free loopback port, in-process, over a temporary log, with a
// ManualClock; and a blocking HTTP client to talk to it.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "api.h"
#include "clock.h"
#include "engine.h"
#include "http_client.h"
#include "notification_service.h"
#include "query_side.h"
#include "server.h"
#include "temp_dir.h"

namespace turno::testing {

inline constexpr std::string_view kJwtSecret = "test-secret";
// Monday 2026-03-02 08:00 UTC: the clock's start. Lima is UTC-5.
inline constexpr std::int64_t kStartMs = 1'772'438'400'000;

struct Reply {
  unsigned status = 0;  // 0: the transport failed
  std::string body;
  api::Response raw;

  // The string or number at a JSON pointer ("/payments/0/payment_id"); empty / 0 if absent.
  std::string text(std::string_view pointer) const;
  std::int64_t number(std::string_view pointer) const;
  bool has(std::string_view pointer) const;
  std::string header(std::string_view name) const { return std::string(raw[name]); }
};

struct Header {
  std::string name;
  std::string value;
};

class TestServer {
 public:
  // `rate_limits` without a clock count time on this server's ManualClock.
  explicit TestServer(api::ServerOptions options = {}, api::RateLimitOptions rate_limits = {});
  ~TestServer();

  api::Api& api() { return *api_; }
  EventLog& log() { return engine_->log(); }
  ManualClock& clock() { return clock_; }
  api::tcp::endpoint endpoint() const { return server_->endpoint(); }
  api::Server& server() { return *server_; }
  // The notification service on the log (no background loop: call dispatch_once()).
  projections::notifications::NotificationService& notifications() { return *notifications_; }

  // An HS256 token valid for an hour of the server's clock.
  std::string token(v1::Role role, const std::string& tenant, const std::string& subject,
                    const std::string& site = {}, const std::string& staff = {}) const;

  // One request on a fresh connection.
  Reply call(api::http::verb method, const std::string& target, const std::string& body = {},
             const std::string& token = {}, const std::vector<Header>& headers = {});
  Reply post(const std::string& target, const std::string& body, const std::string& token,
             const std::vector<Header>& headers = {}) {
    return call(api::http::verb::post, target, body, token, headers);
  }
  Reply get(const std::string& target, const std::string& token) {
    return call(api::http::verb::get, target, {}, token);
  }

  std::uint64_t last_seq() const { return engine_->log().last_seq().value; }
  // Waits until the read views and the notifications view have every event of the log (they
  // follow it after commits).
  void wait_for_views();

 private:
  TempDir dir_;
  ManualClock clock_{kStartMs};
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<projections::QuerySide> views_;  // in memory, following the log
  std::shared_ptr<projections::notifications::NotificationService> notifications_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<api::Server> server_;
};

// Builds an api::Request (for BlockingClient users).
api::Request make_request(api::http::verb method, const std::string& target,
                          const std::string& body, const std::string& token,
                          const std::vector<Header>& headers = {});
Reply to_reply(std::optional<api::Response> response);

// A tenant ready to book: site `lima` (America/Lima) with staff `ana` and `beto` (skill gp,
// Mon-Fri 09:00-17:00), site `cusco` with `carla`; service `consult` (30 min, 5000 PEN, gp).
// Ids get `prefix` in front ("" for the first tenant), so two tenants share none.
struct Tenant {
  std::string id;
  std::string prefix;
  std::string site() const { return prefix + "lima"; }
  std::string other_site() const { return prefix + "cusco"; }
  std::string service() const { return prefix + "consult"; }
  std::string staff() const { return prefix + "ana"; }
  std::string staff2() const { return prefix + "beto"; }
  std::string other_staff() const { return prefix + "carla"; }
};
Tenant seed_tenant(TestServer& server, const std::string& tenant_id,
                   const std::string& prefix = {});

// RFC 3339 of an instant, for request bodies.
std::string at(std::int64_t unix_ms);
// Tuesday 2026-03-03 at `hour`:`minute` Lima time, as Unix ms.
std::int64_t tuesday_lima(int hour, int minute = 0);

}  // namespace turno::testing
