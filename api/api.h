// The API behind the server: routes a request, checks its token and roles, runs the handler and
// answers exactly once, recording metrics and an access-log line. Transport (sockets, timeouts,
// keep-alive) is server.h's; this file knows requests and responses only.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "clock.h"
#include "engine.h"
#include "http_types.h"
#include "jwt.h"
#include "problem.h"
#include "rate_limit.h"
#include "request_metrics.h"
#include "router.h"

namespace turno::api {

inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";
inline constexpr std::string_view kMetricsPath = "/metrics";

// Which listener a request came in on (server.h): the main one, or the internal metrics
// listener, which answers only kMetricsPath and the probes.
enum class Listener { kMain, kMetrics };

class Sandbox;
using Executor = boost::asio::any_io_executor;
// Delivers the response; called once, on the connection's executor.
using Replier = std::function<void(Response&&)>;

struct ApiOptions {
  std::shared_ptr<const JwtVerifier> jwt;  // null: every authenticated route answers 401
  // Webhook signing secret per provider name ("stripe", "sandbox"). The sandbox gets a random
  // one when none is given.
  std::map<std::string, std::string, std::less<>> webhook_secrets;
  std::FILE* access_log = stderr;  // one JSON line per request; null for none
  RateLimitOptions rate_limits;    // off unless set (rate_limit.h)
};

class Api {
 public:
  // `engine` and `clock` must outlive the Api.
  Api(Engine& engine, const Clock& clock, ApiOptions options);
  // A query node (`turno serve --role query`): no engine, only the ops and read-view routes
  // (add_query_route_groups); the views come from provide<projections::QuerySide>().
  Api(const Clock& clock, ApiOptions options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Answers `request` by calling `reply` exactly once on `executor` (the connection's strand),
  // possibly before handle() returns. Must be called on `executor`. Never throws. Once a
  // metrics listener is set, the main listener answers kMetricsPath 404.
  void handle(const Request& request, const std::string& request_id, Executor executor,
              Replier reply, Listener listener = Listener::kMain);

  // Counts an answer the transport gave itself (413, 431, 400 for unparsable HTTP, 503 when
  // over the connection limit).
  void record_transport_answer(unsigned status) {
    metrics_->record(metrics_->unmatched(), status, 0);
  }

  Engine& engine() {
    VERIFY(engine_ != nullptr, "command routes run on a node with an engine");
    return *engine_;
  }
  bool has_engine() const { return engine_ != nullptr; }
  const Clock& clock() const { return clock_; }
  const RouteTable& routes() const { return routes_; }
  const RequestMetrics& metrics() const { return *metrics_; }
  Sandbox& sandbox() { return *sandbox_; }
  const ApiOptions& options() const { return options_; }
  // The provider's webhook secret, or null when the provider is unknown.
  const std::string* webhook_secret(std::string_view provider) const;

  // Where the server listens; the sandbox provider delivers its webhooks there.
  void set_listen_endpoint(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint listen_endpoint() const;
  // The server has a metrics listener: from now on the main listener does not serve /metrics.
  void serve_metrics_apart() { metrics_listener_.store(true); }

  // Services that route groups need beyond the engine (the read views, a notification
  // service): provided once by whoever builds the Api (`turno serve`, tests) before the server
  // starts, found by type in handlers (null when not provided).
  template <typename T>
  void provide(std::shared_ptr<T> service) {
    services_[std::type_index(typeid(T))] = std::move(service);
  }
  template <typename T>
  T* find() const {
    const auto it = services_.find(std::type_index(typeid(T)));
    return it == services_.end() ? nullptr : static_cast<T*>(it->second.get());
  }
  // Appends more Prometheus text to GET /metrics; add before the server starts.
  void add_metrics_source(std::function<void(std::string& out)> source) {
    metrics_sources_.push_back(std::move(source));
  }
  const std::vector<std::function<void(std::string&)>>& metrics_sources() const {
    return metrics_sources_;
  }

  // Ready: the log is open, the writer runs and is healthy, and the server is not draining.
  bool ready() const;
  void set_draining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

 private:
  Api(Engine* engine, const Clock& clock, ApiOptions options);
  // A 401/403 answer, or nullopt with `principal` set (or left empty on public routes).
  std::optional<Response> authenticate(const Request& request, const Route& route,
                                       std::optional<Principal>& principal) const;
  // A 429 when `route` counts against the rate limits and `principal` is over one.
  std::optional<Response> rate_limit(const Route& route, const Principal& principal);

  Engine* engine_;  // null on a query node
  const Clock& clock_;
  ApiOptions options_;
  RouteTable routes_;
  // A query node: every route of a command node, to answer those it lacks with where to go.
  std::unique_ptr<RouteTable> command_routes_;
  std::unique_ptr<RequestMetrics> metrics_;
  std::unique_ptr<Sandbox> sandbox_;
  std::unique_ptr<RateLimiter> rate_limiter_;  // null when no limit is set
  std::atomic<bool> draining_{false};
  std::unordered_map<std::type_index, std::shared_ptr<void>> services_;
  std::vector<std::function<void(std::string&)>> metrics_sources_;
  mutable std::mutex endpoint_mutex_;
  boost::asio::ip::tcp::endpoint listen_endpoint_;
  std::atomic<bool> metrics_listener_{false};  // /metrics is served on the metrics listener
};

// One request being answered: what a handler sees.
class Call {
 public:
  Call(Api& owner, const Request& incoming, const Route& matched, PathParams captured,
       std::optional<Principal> caller, const std::string& id, Executor strand, Replier reply)
      : api(owner),
        request(incoming),
        route(matched),
        params(std::move(captured)),
        principal(std::move(caller)),
        request_id(id),
        executor(std::move(strand)),
        reply_(std::move(reply)) {}

  Api& api;
  const Request& request;  // valid during the handler's synchronous part only
  const Route& route;
  PathParams params;
  std::optional<Principal> principal;  // set on every route that is not kPublic
  const std::string& request_id;
  Executor executor;

  // Answers now (on the executor). Exactly one answer per call, sync or async.
  void respond(Response&& response);
  void respond(const Problem& problem) { respond(problem_response(problem)); }
  // For answering later: call the result on `executor`, once.
  Replier responder();
  bool responded() const { return responded_; }

  const Principal& who() const;
  std::string_view param(std::string_view name) const { return params.get(name); }

 private:
  Replier reply_;
  bool responded_ = false;
};

// The request's X-Request-Id when it is 1 to 64 of [A-Za-z0-9._-], else a fresh unique id.
std::string request_id_for(const Request& request);

}  // namespace turno::api
