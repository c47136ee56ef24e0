// Request bodies of every route, in process: the first byte picks a route of the API's table,
// the second the caller (no token, or a token of each role; one from another tenant), the
// third the path parameters' values, then a query string and the body. Routes run against a
// real engine over a temporary log with one tenant seeded (so ids resolve and bodies reach
// the deciders), the read views and the notification service, as `turno serve` has them.
// Oracles: every request is answered, never with a 500, and a JSON answer is valid JSON.
#include <simdjson.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "api.h"
#include "engine.h"
#include "fuzz_input.h"
#include "notification_service.h"
#include "query_side.h"
#include "targets.h"
#include "verify.h"

namespace turno::fuzz {
namespace {

namespace http = api::http;
namespace notifications = projections::notifications;

constexpr std::string_view kSecret = "fuzz-secret";
constexpr std::int64_t kStartMs = 1'772'438'400'000;  // Monday 2026-03-02 08:00 UTC
constexpr auto kAnswerTimeout = std::chrono::seconds(30);

// Values for path parameters: the seeded ids, then ones no route should choke on (the held
// booking's id and its payment intent are added when seeded).
const std::vector<std::string> kParamValues = {
    "lima",
    "ana",
    "consult",
    "c1",
    "F001-00000001",
    "sandbox",
    "client",
    "staff",
    "t1",
    "x",
    "%ff%fe",
    "..",
    "%00",
    "a%2Fb",
    std::string("\xff\xfe", 2),
    "0123456789012345678901234567890123456789012345678901234567890123456789"};

struct Caller {
  v1::Role role;
  std::string tenant;
  std::string subject;
  std::string site;
  std::string staff;
};

const Caller kCallers[] = {
    {v1::ROLE_PLATFORM, "", "platform-ops", "", ""},    {v1::ROLE_ADMIN, "t1", "admin-t1", "", ""},
    {v1::ROLE_STAFF, "t1", "staff-ana", "lima", "ana"}, {v1::ROLE_CLIENT, "t1", "c1", "", ""},
    {v1::ROLE_AUDITOR, "t1", "auditor-t1", "", ""},     {v1::ROLE_ADMIN, "t2", "admin-t2", "", ""},
};

class Harness {
 public:
  Harness() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base ? base : "/tmp") + "/turno-fuzz-XXXXXX";
    VERIFY(mkdtemp(pattern.data()) != nullptr, "a temporary directory");
    directory_ = pattern;
    EngineOptions engine_options;
    engine_options.log.sync = false;
    auto engine = Engine::open(directory_ + "/log", clock_, engine_options);
    VERIFY(engine.is_ok(), "the engine opens");
    engine_ = std::move(engine).value();
    api::ApiOptions api_options;
    auto verifier = api::JwtVerifier::create({std::string(kSecret), {}, {}});
    VERIFY(verifier.is_ok(), "an HS256 verifier");
    api_options.jwt = verifier.value();
    api_options.access_log = nullptr;
    api_ = std::make_unique<api::Api>(*engine_, clock_, std::move(api_options));
    std::vector<std::string> report;
    auto views = projections::QuerySide::open({}, report);
    VERIFY(views.is_ok(), "the views open");
    views_ = std::move(views).value();
    views_->start_embedded(engine_->log());
    api_->provide(views_);
    notifications::NotificationOptions notify_options;
    notify_options.directory = directory_ + "/notifications";
    notify_options.sync = false;
    notify_options.deliver_in_background = false;
    auto service = notifications::NotificationService::open(notify_options, clock_, report);
    VERIFY(service.is_ok(), "the notification service opens");
    notifications_ = std::move(service).value();
    notifications_->start(engine_->log());
    api_->provide(notifications_);
    for (const Caller& caller : kCallers) {
      const api::Principal principal{caller.subject, caller.tenant, caller.role,
                                     caller.site,    caller.staff,  kStartMs / 1000 + 86'400};
      tokens_.push_back(api::sign_hs256(principal, kSecret));
    }
    seed();
  }

  void stop() {
    notifications_->stop();
    engine_->stop();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  const api::RouteTable& routes() const { return api_->routes(); }
  const std::vector<std::string>& param_values() const { return param_values_; }
  const std::string& token(std::size_t caller) const { return tokens_[caller]; }
  std::size_t callers() const { return tokens_.size(); }

  api::Response call(http::verb method, const std::string& target, std::string_view body,
                     const std::string& token) {
    api::Request request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = std::string(body);
    std::optional<api::Response> answer;
    // A fresh request id each time: a command without an Idempotency-Key is keyed by it.
    const std::string request_id = "fuzz-" + std::to_string(++requests_);
    boost::asio::post(io_, [&] {
      api_->handle(request, request_id, io_.get_executor(),
                   [&answer](api::Response&& response) { answer = std::move(response); });
    });
    const auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
    while (!answer) {
      VERIFY(std::chrono::steady_clock::now() < deadline, "every request is answered");
      io_.run_one_for(std::chrono::milliseconds(100));
    }
    return std::move(*answer);
  }

 private:
  // Tenant t1 as the API tests have it: site lima with staff ana (Mon-Fri 09:00-17:00),
  // service consult.
  void seed() {
    const std::string& platform = tokens_[0];
    const std::string& admin = tokens_[1];
    must(http::verb::post, "/v1/tenants",
         R"({"tenant_id":"t1","name":"Clinic","currency":"PEN","tax_rate_bp":1800,)"
         R"("invoice_series":"F001","platform_fee_bp":300})",
         platform);
    must(http::verb::post, "/v1/sites",
         R"({"site_id":"lima","name":"Lima","time_zone":"America/Lima"})", admin);
    must(http::verb::post, "/v1/services",
         R"({"service_id":"consult","name":"Consultation","duration_min":30,)"
         R"("price_minor":5000,"required_skill":"gp"})",
         admin);
    must(http::verb::post, "/v1/staff",
         R"({"staff_id":"ana","site_id":"lima","name":"Dr. Ana","skills":["gp"]})", admin);
    must(http::verb::put, "/v1/staff/ana/schedule",
         R"({"intervals":[{"weekday":1,"start_min":540,"end_min":1020},)"
         R"({"weekday":2,"start_min":540,"end_min":1020}]})",
         admin);
    // A booking waiting for its payment (Tuesday 10:00 Lima), for the booking routes.
    const std::string held = must(http::verb::post, "/v1/holds",
                                  R"({"site_id":"lima","service_id":"consult",)"
                                  R"("start":"2026-03-03T10:00:00-05:00"})",
                                  tokens_[3]);
    const std::string booking_id = string_at(held, "/booking_id");
    const std::string requested = must(http::verb::post, "/v1/bookings",
                                       R"({"booking_id":")" + booking_id + "\"}", tokens_[3]);
    param_values_.insert(param_values_.begin(),
                         {booking_id, string_at(requested, "/payments/0/payment_id")});
  }
  // The answer's body; aborts unless it is a 2xx.
  std::string must(http::verb method, const std::string& target, std::string_view body,
                   const std::string& token) {
    const api::Response response = call(method, target, body, token);
    if (response.result_int() / 100 != 2) {
      std::fprintf(stderr, "fuzz routes: seeding %s answered %u: %s\n", target.c_str(),
                   response.result_int(), response.body().c_str());
      std::abort();
    }
    return response.body();
  }
  static std::string string_at(const std::string& json, std::string_view pointer) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view value;
    VERIFY(!parser.parse(json).get(root) && !root.at_pointer(pointer).get_string().get(value),
           "the seeding answer has the field");
    return std::string(value);
  }

  std::string directory_;
  ManualClock clock_{kStartMs};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<api::Api> api_;
  std::shared_ptr<projections::QuerySide> views_;
  std::shared_ptr<notifications::NotificationService> notifications_;
  std::vector<std::string> tokens_;
  std::uint64_t requests_ = 0;
  std::vector<std::string> param_values_ = kParamValues;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
};

Harness& harness() {
  // Built once per process and stopped at exit (its threads must not outlive the log).
  static Harness* const instance = [] {
    auto* created = new Harness();
    std::atexit([] { harness().stop(); });
    return created;
  }();
  return *instance;
}

// The route's pattern with each {name} (or {name}.suffix) filled in.
std::string path_for(std::string_view pattern, std::uint8_t choice,
                     const std::vector<std::string>& values) {
  std::string path;
  std::size_t index = 0;
  while (!pattern.empty()) {
    const std::size_t open = pattern.find('{');
    path.append(pattern.substr(0, open));
    if (open == std::string_view::npos) break;
    const std::size_t close = pattern.find('}', open);
    path.append(values[(choice + index * 7) % values.size()]);
    ++index;
    pattern.remove_prefix(close + 1);
  }
  return path;
}

bool json_type(std::string_view content_type) {
  return content_type.starts_with(api::kJsonType) || content_type.starts_with(api::kProblemType);
}

}  // namespace

std::vector<std::string> route_names() {
  std::vector<std::string> names;
  for (const api::Route& route : harness().routes().routes()) {
    names.push_back(std::string(http::to_string(route.method)) + " " + std::string(route.pattern));
  }
  return names;
}

void routes(std::string_view input) {
  FuzzInput in(input);
  Harness& h = harness();
  const auto& table = h.routes().routes();
  const api::Route& route = table[in.byte() % table.size()];
  const std::uint8_t caller = in.byte() % (h.callers() + 1);
  const std::string token = caller == 0 ? std::string() : h.token(caller - 1);
  std::string target = path_for(route.pattern, in.byte(), h.param_values());
  const std::string_view query = in.field();
  if (!query.empty()) target.append("?").append(query);
  const api::Response response = h.call(route.method, target, in.rest(), token);
  if (response.result_int() == 500) {
    std::fprintf(stderr, "fuzz routes: %s %s answered 500: %s\n",
                 std::string(http::to_string(route.method)).c_str(), target.c_str(),
                 response.body().c_str());
    std::abort();
  }
  const std::string content_type(response[http::field::content_type]);
  if (json_type(content_type) && !response.body().empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element element;
    if (parser.parse(response.body()).get(element)) {
      std::fprintf(stderr, "fuzz routes: %s %s answered invalid JSON: %s\n",
                   std::string(http::to_string(route.method)).c_str(), target.c_str(),
                   response.body().c_str());
      std::abort();
    }
  }
}

}  // namespace turno::fuzz
