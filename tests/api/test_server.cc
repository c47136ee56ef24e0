#include "test_server.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "history_signing.h"
#include "jwt.h"
#include "rfc3339.h"

namespace turno::testing {

namespace http = api::http;

std::string Reply::text(std::string_view pointer) const {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  std::string_view value;
  if (parser.parse(body).get(element) || element.at_pointer(pointer).get_string().get(value)) {
    return {};
  }
  return std::string(value);
}

std::int64_t Reply::number(std::string_view pointer) const {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  std::int64_t value = 0;
  if (parser.parse(body).get(element) || element.at_pointer(pointer).get_int64().get(value))
    return 0;
  return value;
}

bool Reply::has(std::string_view pointer) const {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  simdjson::dom::element found;
  return !parser.parse(body).get(element) && !element.at_pointer(pointer).get(found);
}

TestServer::TestServer(api::ServerOptions options, api::RateLimitOptions rate_limits) {
  EngineOptions engine_options;
  engine_options.log.sync = false;  // these tests do not cut the power
  auto engine = Engine::open(dir_.sub("log"), clock_, engine_options);
  REQUIRE(engine.is_ok());
  engine_ = std::move(engine).value();
  api::ApiOptions api_options;
  auto verifier = api::JwtVerifier::create({std::string(kJwtSecret), {}, {}});
  REQUIRE(verifier.is_ok());
  api_options.jwt = verifier.value();
  api_options.access_log = nullptr;
  if (rate_limits.monotonic_clock == nullptr) rate_limits.monotonic_clock = &clock_;
  api_options.rate_limits = std::move(rate_limits);
  api_ = std::make_unique<api::Api>(*engine_, clock_, std::move(api_options));
  std::vector<std::string> report;
  auto views = projections::QuerySide::open({}, report);
  REQUIRE(views.is_ok());
  views_ = std::move(views).value();
  views_->start_embedded(engine_->log());
  api_->provide(views_);
  projections::notifications::NotificationOptions notify_options;
  notify_options.directory = dir_.sub("notifications");
  notify_options.sync = false;
  notify_options.deliver_in_background = false;  // tests call dispatch_once()
  auto notifications =
      projections::notifications::NotificationService::open(notify_options, clock_, report);
  REQUIRE(notifications.is_ok());
  notifications_ = std::move(notifications).value();
  notifications_->start(engine_->log());
  api_->provide(notifications_);
  auto signing_key = history::load_or_create_node_key(dir_.sub("log"));  // as turno serve does
  REQUIRE(signing_key.is_ok());
  api_->provide(std::make_shared<history::SigningKey>(std::move(signing_key).value()));
  api_->add_metrics_source(
      [service = notifications_](std::string& out) { out += service->metrics_text(); });
  options.listen = "127.0.0.1:0";
  server_ = std::make_unique<api::Server>(*api_, options);
  REQUIRE(server_->start().is_ok());
}

TestServer::~TestServer() {
  server_->stop();
  notifications_->stop();
}

void TestServer::wait_for_views() {
  REQUIRE(views_->wait_until_applied(engine_->log().last_seq(), std::chrono::seconds(10)));
  REQUIRE(notifications_->wait_until_applied(engine_->log().last_seq(), std::chrono::seconds(10)));
}

std::string TestServer::token(v1::Role role, const std::string& tenant, const std::string& subject,
                              const std::string& site, const std::string& staff) const {
  api::Principal principal{subject, tenant, role, site, staff, clock_.now_ms() / 1000 + 3600};
  return api::sign_hs256(principal, kJwtSecret);
}

api::Request make_request(http::verb method, const std::string& target, const std::string& body,
                          const std::string& token, const std::vector<Header>& headers) {
  api::Request request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const Header& header : headers) request.set(header.name, header.value);
  request.body() = body;
  return request;
}

Reply to_reply(std::optional<api::Response> response) {
  Reply reply;
  if (!response) return reply;
  reply.status = response->result_int();
  reply.body = response->body();
  reply.raw = std::move(*response);
  return reply;
}

Reply TestServer::call(http::verb method, const std::string& target, const std::string& body,
                       const std::string& token, const std::vector<Header>& headers) {
  api::BlockingClient client(endpoint());
  return to_reply(client.send(make_request(method, target, body, token, headers)));
}

std::string at(std::int64_t unix_ms) {
  return api::format_rfc3339(unix_ms);
}

std::int64_t tuesday_lima(int hour, int minute) {
  return *api::parse_rfc3339(fmt::format("2026-03-03T{:02}:{:02}:00-05:00", hour, minute));
}

Tenant seed_tenant(TestServer& server, const std::string& tenant_id, const std::string& prefix) {
  Tenant tenant{tenant_id, prefix};
  const std::string platform = server.token(v1::ROLE_PLATFORM, "", "platform-ops");
  const std::string admin = server.token(v1::ROLE_ADMIN, tenant_id, "admin-" + tenant_id);
  auto ok = [](const Reply& reply) {
    INFO(reply.body);
    REQUIRE(reply.status / 100 == 2);
  };
  ok(server.post(
      "/v1/tenants",
      fmt::format(R"({{"tenant_id":"{}","name":"Clinic {}","currency":"PEN",)"
                  R"("tax_rate_bp":1800,"invoice_series":"F001","platform_fee_bp":300}})",
                  tenant_id, tenant_id),
      platform));
  for (const std::string& site : {tenant.site(), tenant.other_site()}) {
    ok(server.post("/v1/sites",
                   fmt::format(R"({{"site_id":"{}","name":"Site {}","time_zone":"America/Lima"}})",
                               site, site),
                   admin));
  }
  ok(server.post("/v1/services",
                 fmt::format(R"({{"service_id":"{}","name":"Consultation","duration_min":30,)"
                             R"("price_minor":5000,"required_skill":"gp"}})",
                             tenant.service()),
                 admin));
  const std::vector<std::pair<std::string, std::string>> staff = {
      {tenant.staff(), tenant.site()},
      {tenant.staff2(), tenant.site()},
      {tenant.other_staff(), tenant.other_site()}};
  for (const auto& [staff_id, site] : staff) {
    ok(server.post(
        "/v1/staff",
        fmt::format(R"({{"staff_id":"{}","site_id":"{}","name":"Dr. {}","skills":["gp"]}})",
                    staff_id, site, staff_id),
        admin));
    std::string intervals;
    for (int weekday = 1; weekday <= 5; ++weekday) {
      if (!intervals.empty()) intervals += ",";
      intervals += fmt::format(R"({{"weekday":{},"start_min":540,"end_min":1020}})", weekday);
    }
    ok(server.call(http::verb::put, "/v1/staff/" + staff_id + "/schedule",
                   R"({"intervals":[)" + intervals + "]}", admin));
  }
  return tenant;
}

}  // namespace turno::testing
