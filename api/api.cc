#include "api.h"

#include <atomic>
#include <chrono>

#include "access_log.h"
#include "crypto.h"
#include "route_groups.h"
#include "sandbox.h"
#include "verify.h"

namespace turno::api {
namespace {

constexpr std::size_t kRequestIdBytesMax = 64;

bool safe_id(std::string_view id) {
  if (id.empty() || id.size() > kRequestIdBytesMax) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// The bearer token of the Authorization header, or empty.
std::string_view bearer_token(const Request& request) {
  const auto header = request[http::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size()) return {};
  if (!std::equal(kScheme.begin(), kScheme.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      })) {
    return {};
  }
  return header.substr(kScheme.size());
}

std::uint64_t micros_since(std::chrono::steady_clock::time_point start) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - start)
                                        .count());
}

std::string random_hex_prefix() {
  return random_hex(4) + "-";
}

}  // namespace

std::string request_id_for(const Request& request) {
  const auto given = request[kRequestIdHeader];
  if (safe_id(given)) return std::string(given);
  static const std::string prefix = random_hex_prefix();
  static std::atomic<std::uint64_t> counter{0};
  return prefix + std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

Api::Api(Engine& engine, const Clock& clock, ApiOptions options)
    : Api(&engine, clock, std::move(options)) {}

Api::Api(const Clock& clock, ApiOptions options) : Api(nullptr, clock, std::move(options)) {}

Api::Api(Engine* engine, const Clock& clock, ApiOptions options)
    : engine_(engine), clock_(clock), options_(std::move(options)) {
  if (engine_ != nullptr) {
    add_route_groups(routes_);
  } else {
    add_query_route_groups(routes_);
    command_routes_ = std::make_unique<RouteTable>();
    add_route_groups(*command_routes_);
  }
  metrics_ = std::make_unique<RequestMetrics>(routes_);
  if (!options_.webhook_secrets.contains(kSandboxProvider)) {
    options_.webhook_secrets.emplace(std::string(kSandboxProvider),
                                     random_hex(kSandboxSecretBytes));
  }
  sandbox_ = std::make_unique<Sandbox>(*this);
  if (options_.rate_limits.enabled()) {
    rate_limiter_ = std::make_unique<RateLimiter>(options_.rate_limits);
    add_metrics_source(
        [limiter = rate_limiter_.get()](std::string& out) { limiter->metrics_text(out); });
  }
}

Api::~Api() = default;

const std::string* Api::webhook_secret(std::string_view provider) const {
  const auto it = options_.webhook_secrets.find(provider);
  return it == options_.webhook_secrets.end() ? nullptr : &it->second;
}

void Api::set_listen_endpoint(const boost::asio::ip::tcp::endpoint& endpoint) {
  std::lock_guard lock(endpoint_mutex_);
  listen_endpoint_ = endpoint;
}

boost::asio::ip::tcp::endpoint Api::listen_endpoint() const {
  std::lock_guard lock(endpoint_mutex_);
  return listen_endpoint_;
}

bool Api::ready() const {
  if (draining_.load()) return false;
  return engine_ == nullptr || (engine_->writer().running() && engine_->writer().healthy());
}

std::optional<Response> Api::authenticate(const Request& request, const Route& route,
                                          std::optional<Principal>& principal) const {
  if (route.roles == kPublic) return std::nullopt;
  const std::string_view token = bearer_token(request);
  if (token.empty() || !options_.jwt) {
    return problem_response(
        make_problem(http::status::unauthorized, "unauthorized", "a Bearer token is required"));
  }
  Result<Principal> verified = options_.jwt->verify(token, clock_.now_ms() / 1000);
  if (!verified.is_ok()) {
    return problem_response(
        make_problem(http::status::unauthorized, "unauthorized", verified.status().message()));
  }
  principal = std::move(verified).value();
  if (!admits(route.roles, principal->role)) {
    return problem_response(
        make_problem(http::status::forbidden, "forbidden",
                     "role " + std::string(role_name(principal->role)) + " may not do this"));
  }
  return std::nullopt;
}

std::optional<Response> Api::rate_limit(const Route& route, const Principal& principal) {
  // Platform tokens name no tenant: the operator's own tooling is not limited.
  if (!rate_limiter_ || principal.tenant.empty() || !rate_limited_route(route)) {
    return std::nullopt;
  }
  const auto refused = rate_limiter_->admit(principal.tenant, principal.subject);
  if (!refused) return std::nullopt;
  return problem_response(rate_limit_problem(*refused, principal.tenant));
}

namespace {

// A query node's answer to a route that only a command node serves: not a 404, which reads
// like a wrong URL, but where to go (the notifications README promises the 503).
Problem on_command_node(std::string_view pattern) {
  if (pattern.starts_with("/v1/notifications")) {
    return make_problem(http::status::service_unavailable, "notifications_unavailable",
                        "this is a query node: notifications (deliveries, settings, contacts) "
                        "run on the command node; send this request there")
        .with("node_role", "query");
  }
  return make_problem(http::status::misdirected_request, "misdirected",
                      "this is a query node: it serves the read views only; send commands and "
                      "reads of the log to a command node (turno serve --role both or command)")
      .with("node_role", "query");
}

// /metrics names tenants, so once it has a listener of its own the main one does not serve it;
// the metrics listener serves it and the probes only.
std::optional<Response> wrong_listener(Listener listener, std::string_view path,
                                       bool metrics_listener) {
  if (listener == Listener::kMain) {
    if (!metrics_listener || path != kMetricsPath) return std::nullopt;
    return problem_response(make_problem(
        http::status::not_found, "not_found",
        "/metrics is served on the internal metrics listener (turno serve --metrics-listen)"));
  }
  if (path == kMetricsPath || path == "/healthz" || path == "/readyz") return std::nullopt;
  return problem_response(make_problem(
      http::status::not_found, "not_found",
      "the metrics listener serves /metrics, /healthz and /readyz only; no " + std::string(path)));
}

// `command_routes`: on a query node, the routes a command node serves; else null.
Response no_route(const Request& request, std::string_view path, const RouteTable::Match& match,
                  const RouteTable* command_routes) {
  if (command_routes != nullptr) {
    const RouteTable::Match elsewhere = command_routes->match(request.method(), path);
    if (elsewhere.route != nullptr) {
      return problem_response(on_command_node(elsewhere.route->pattern));
    }
  }
  if (match.allowed_methods.empty()) {
    return problem_response(
        make_problem(http::status::not_found, "not_found", "no route for " + std::string(path)));
  }
  Response response = problem_response(make_problem(
      http::status::method_not_allowed, "method_not_allowed",
      std::string(request.method_string()) + " is not allowed on " + std::string(path)));
  response.set(http::field::allow, match.allowed_methods);
  return response;
}

}  // namespace

void Api::handle(const Request& request, const std::string& request_id, Executor executor,
                 Replier reply, Listener listener) {
  const auto started = std::chrono::steady_clock::now();
  const std::string_view path = path_of(request.target());
  RouteTable::Match match = routes_.match(request.method(), path);
  std::optional<Principal> principal;
  std::optional<Response> refusal = wrong_listener(listener, path, metrics_listener_.load());
  if (!refusal) {
    refusal = match.route ? authenticate(request, *match.route, principal)
                          : no_route(request, path, match, command_routes_.get());
  }
  if (!refusal && principal) refusal = rate_limit(*match.route, *principal);
  AccessLine line{request_id,
                  std::string(request.method_string()),
                  std::string(path),
                  match.route ? std::string(match.route->pattern) : "unmatched",
                  principal ? principal->tenant : std::string(),
                  principal ? principal->subject : std::string()};
  auto finish = [this, started, index = match.route ? match.index : metrics_->unmatched(),
                 line = std::move(line), reply = std::move(reply)](Response&& response) mutable {
    const std::uint64_t latency_us = micros_since(started);
    metrics_->record(index, response.result_int(), latency_us);
    write_access_line(options_.access_log, line, response.result_int(), latency_us);
    reply(std::move(response));
  };
  if (refusal) return finish(std::move(*refusal));
  Call call(*this, request, *match.route, std::move(match.params), std::move(principal), request_id,
            std::move(executor), std::move(finish));
  try {
    match.route->handler(call);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "turno api: handler of %s threw: %s\n",
                 std::string(match.route->pattern).c_str(), error.what());
    if (!call.responded()) {
      call.respond(make_problem(http::status::internal_server_error, "internal",
                                "the server failed to answer; this is a bug"));
    }
  }
}

void Call::respond(Response&& response) {
  VERIFY(!responded_, "a call is answered once");
  responded_ = true;
  reply_(std::move(response));
}

Replier Call::responder() {
  VERIFY(!responded_, "a call is answered once");
  responded_ = true;
  return std::move(reply_);
}

const Principal& Call::who() const {
  VERIFY(principal.has_value(), "who() on an authenticated route only");
  return *principal;
}

}  // namespace turno::api
