// turno-bench http: the HTTP API under load, against a trivial Beast endpoint measured in the
// same run. Closed loop: C keep-alive connections each send a request, wait for its answer and
// send the next, for S seconds per scenario, from one client I/O thread in this process.
//   baseline   a minimal Beast server answering "ok" (same I/O thread count as the API server)
//   healthz    GET /healthz through the whole API stack (routing, metrics, no auth)
//   holds      POST /v1/holds, each on a free slot (JWT, JSON, a command through the writer
//              with an fsync per group commit, the booking rendered from its stream)
//   flow       hold -> POST /v1/bookings -> sandbox succeed (which POSTs a signed webhook to the
//              server over loopback, confirming the booking): latency per whole flow
// Prints one JSON object per line: req/s, p50 and p99 (microseconds), ratio to the baseline.
// Flags: --connections C (64) --seconds S (5) --io-threads T (2) --dir DIR --no-sync.
#include <fmt/format.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "api.h"
#include "bench.h"
#include "engine.h"
#include "http_client.h"
#include "jwt.h"
#include "rfc3339.h"
#include "server.h"

namespace turno::bench {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kSecret = "bench-secret";
constexpr int kStaffCount = 8;
constexpr int kSlotsPerDay = 24 * 12;  // 5-minute appointments around the clock

struct Settings {
  int connections = 64;
  int seconds = 5;
  int io_threads = 2;
  std::string dir;
  bool sync = true;
};

// ----------------------------------------------------------------------- the baseline server

// A minimal Beast keep-alive session answering 200 "ok" to every request.
class TrivialSession : public std::enable_shared_from_this<TrivialSession> {
 public:
  explicit TrivialSession(tcp::socket socket) : stream_(std::move(socket)) {}
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       if (error) return;
                       self->response_ = {http::status::ok, self->request_.version()};
                       self->response_.set(http::field::content_type, "text/plain");
                       self->response_.keep_alive(self->request_.keep_alive());
                       self->response_.body() = "ok";
                       self->response_.prepare_payload();
                       http::async_write(self->stream_, self->response_,
                                         [self](beast::error_code write_error, std::size_t) {
                                           if (!write_error) self->read();
                                         });
                     });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

class TrivialServer {
 public:
  explicit TrivialServer(int threads)
      : acceptor_(context_, {net::ip::make_address("127.0.0.1"), 0}) {
    accept();
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { context_.run(); });
  }
  ~TrivialServer() {
    context_.stop();
    for (auto& thread : threads_) thread.join();
  }
  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void accept() {
    acceptor_.async_accept(net::make_strand(context_),
                           [this](beast::error_code error, tcp::socket socket) {
                             if (error) return;
                             socket.set_option(tcp::no_delay(true));
                             std::make_shared<TrivialSession>(std::move(socket))->read();
                             accept();
                           });
  }
  net::io_context context_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

// ----------------------------------------------------------------------- the load generator

// What one connection does next; `previous` is the last answer (null at the start). Returns
// the next request and whether answering it completes a flow.
struct ConnectionState {
  int index = 0;
  std::uint64_t iteration = 0;
  int phase = 0;
  std::string booking_id;
  std::string payment_id;
  SteadyClock::time_point flow_started;
};
using Script = std::function<api::Request(ConnectionState& state, const api::Response* previous,
                                          bool& ends_flow)>;

struct Tally {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint64_t flows = 0;
  std::vector<std::uint64_t> latency_us;       // per request
  std::vector<std::uint64_t> flow_latency_us;  // per completed flow
};

class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(net::io_context& context, int index, const Script& script, Tally& tally,
                 const std::atomic<bool>& measuring, const std::atomic<bool>& stopping)
      : stream_(context),
        script_(script),
        tally_(tally),
        measuring_(measuring),
        stopping_(stopping) {
    state_.index = index;
  }

  void start(const tcp::endpoint& endpoint) {
    stream_.socket().connect(endpoint);
    stream_.socket().set_option(tcp::no_delay(true));
    send(nullptr);
  }

 private:
  void send(const api::Response* previous) {
    if (stopping_.load()) return;
    if (state_.phase == 0 && state_.booking_id.empty()) state_.flow_started = SteadyClock::now();
    request_ = script_(state_, previous, ends_flow_);
    request_.set(http::field::host, "127.0.0.1");
    request_.prepare_payload();
    sent_ = SteadyClock::now();
    http::async_write(
        stream_, request_, [self = shared_from_this()](beast::error_code error, std::size_t) {
          if (error) return;
          self->response_ = {};
          http::async_read(
              self->stream_, self->buffer_, self->response_,
              [self](beast::error_code read_error, std::size_t) { self->on_answer(read_error); });
        });
  }

  void on_answer(beast::error_code error) {
    if (error) return;
    const auto now = SteadyClock::now();
    const bool ok = response_.result_int() / 100 == 2;
    if (measuring_.load()) {
      ++tally_.requests;
      if (!ok) ++tally_.errors;
      tally_.latency_us.push_back(micros(now - sent_));
      if (ends_flow_ && ok) {
        ++tally_.flows;
        tally_.flow_latency_us.push_back(micros(now - state_.flow_started));
      }
    }
    if (!ok) state_.phase = 0;  // start a fresh flow after an error
    send(&response_);
  }

  static std::uint64_t micros(SteadyClock::duration elapsed) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  const Script& script_;
  Tally& tally_;
  const std::atomic<bool>& measuring_;
  const std::atomic<bool>& stopping_;
  ConnectionState state_;
  api::Request request_;
  api::Response response_;
  bool ends_flow_ = false;
  SteadyClock::time_point sent_;
};

// Runs `script` on `settings.connections` connections: a one-second warm-up, then
// `settings.seconds` measured.
Tally run_load(const tcp::endpoint& endpoint, const Settings& settings, const Script& script) {
  net::io_context context;
  Tally tally;
  std::atomic<bool> measuring{false};
  std::atomic<bool> stopping{false};
  std::vector<std::shared_ptr<LoadConnection>> connections;
  for (int i = 0; i < settings.connections; ++i) {
    connections.push_back(
        std::make_shared<LoadConnection>(context, i, script, tally, measuring, stopping));
    connections.back()->start(endpoint);
  }
  std::thread driver([&] { context.run(); });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  measuring.store(true);
  std::this_thread::sleep_for(std::chrono::seconds(settings.seconds));
  measuring.store(false);
  stopping.store(true);
  context.stop();
  driver.join();
  return tally;
}

void report(std::string_view scenario, Tally& tally, const Settings& settings,
            double baseline_per_s) {
  const double per_s = static_cast<double>(tally.requests) / settings.seconds;
  std::string line = fmt::format(
      R"({{"bench":"http","scenario":"{}","connections":{},"seconds":{},"requests":{},"errors":{},)"
      R"("req_per_s":{:.0f},"p50_us":{},"p99_us":{},"ratio_to_baseline":{:.3f})",
      scenario, settings.connections, settings.seconds, tally.requests, tally.errors, per_s,
      quantile(tally.latency_us, 0.50), quantile(tally.latency_us, 0.99),
      baseline_per_s > 0 ? per_s / baseline_per_s : 1.0);
  if (tally.flows > 0) {
    line +=
        fmt::format(R"(,"flows_per_s":{:.0f},"flow_p50_us":{},"flow_p99_us":{})",
                    static_cast<double>(tally.flows) / settings.seconds,
                    quantile(tally.flow_latency_us, 0.50), quantile(tally.flow_latency_us, 0.99));
  }
  std::printf("%s}\n", line.c_str());
  std::fflush(stdout);
}

// ----------------------------------------------------------------------- the Turno scenarios

api::Request make(http::verb method, std::string target, std::string body,
                  const std::string& token) {
  api::Request request{method, target, 11};
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  return request;
}

std::string token(v1::Role role, const std::string& subject) {
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  return api::sign_hs256(api::Principal{subject, "bench", role, {}, {}, now_s + 3600}, kSecret);
}

// A tenant with kStaffCount staff working around the clock every day, a 5-minute service and a
// horizon long enough for every slot the run can ask for.
void seed(api::tcp::endpoint endpoint) {
  api::BlockingClient client(endpoint);
  const std::string platform = token(v1::ROLE_PLATFORM, "ops");
  const std::string admin = token(v1::ROLE_ADMIN, "boss");
  auto must = [&](api::Request request) {
    auto response = client.send(std::move(request));
    if (!response || response->result_int() / 100 != 2) {
      std::fprintf(stderr, "http bench: seeding failed: %s\n",
                   response ? response->body().c_str() : "no answer");
      std::exit(1);
    }
  };
  must(make(
      http::verb::post, "/v1/tenants",
      R"({"tenant_id":"bench","name":"Bench","currency":"PEN","tax_rate_bp":1800,"invoice_series":"F1","platform_fee_bp":300})",
      platform));
  must(make(
      http::verb::put, "/v1/policy",
      R"({"hold_ttl_s":86400,"free_cancel_window_min":1440,"late_cancel_refund_pct":50,"no_show_grace_min":15,"min_notice_min":0,"horizon_days":700,"prepayment_required":true,"slot_step_min":5})",
      admin));
  must(make(http::verb::post, "/v1/sites", R"({"site_id":"s1","name":"Site","time_zone":"UTC"})",
            admin));
  must(make(http::verb::post, "/v1/services",
            R"({"service_id":"quick","name":"Quick","duration_min":5,"price_minor":5000})", admin));
  std::string week;
  for (int day = 1; day <= 7; ++day)
    week += fmt::format("{}{{\"weekday\":{},\"start_min\":0,\"end_min\":1440}}",
                        day == 1 ? "" : ",", day);
  for (int i = 0; i < kStaffCount; ++i) {
    must(make(http::verb::post, "/v1/staff",
              fmt::format(R"({{"staff_id":"st{}","site_id":"s1","name":"S"}})", i), admin));
    must(make(http::verb::put, fmt::format("/v1/staff/st{}/schedule", i),
              R"({"intervals":[)" + week + "]}", admin));
  }
}

// A free slot for (connection, iteration): staff by connection, then 5-minute steps from
// tomorrow midnight UTC; `round` separates scenarios.
std::string hold_body(const ConnectionState& state, int connections, int round) {
  const std::int64_t day_ms = 24 * 3600 * 1000LL;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::int64_t tomorrow = (now_ms / day_ms + 1) * day_ms + round * 300 * day_ms;
  const std::uint64_t lane =
      state.iteration * static_cast<std::uint64_t>(connections / kStaffCount + 1) +
      static_cast<std::uint64_t>(state.index / kStaffCount);
  const std::int64_t start = tomorrow + static_cast<std::int64_t>(lane) * 5 * 60 * 1000;
  (void)kSlotsPerDay;
  return fmt::format(R"({{"site_id":"s1","service_id":"quick","staff_id":"st{}","start":"{}"}})",
                     state.index % kStaffCount, api::format_rfc3339(start));
}

// The `"name":"value"` string member of a flat JSON text (answers of this server).
std::string member(const std::string& json, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":\"";
  const auto at = json.find(key);
  if (at == std::string::npos) return {};
  const auto start = at + key.size();
  return json.substr(start, json.find('"', start) - start);
}

// Turno's server on `dir`: healthz, holds, the whole flow. The engine is closed on return.
int run_turno(const Settings& settings, const std::string& dir, double baseline) {
  SystemClock clock;
  EngineOptions engine_options;
  engine_options.log.sync = settings.sync;
  auto engine = Engine::open(dir, clock, engine_options);
  if (!engine.is_ok())
    return std::fprintf(stderr, "http bench: %s\n", engine.status().message().c_str()), 1;
  api::ApiOptions api_options;
  api_options.jwt = api::JwtVerifier::create({std::string(kSecret), {}, {}}).value();
  api_options.access_log = nullptr;
  api::Api api(*engine.value(), clock, std::move(api_options));
  api::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.io_threads = settings.io_threads;
  api::Server server(api, server_options);
  if (!server.start().is_ok()) return std::fprintf(stderr, "http bench: cannot listen\n"), 1;
  seed(server.endpoint());

  Tally healthz =
      run_load(server.endpoint(), settings, [](ConnectionState&, const api::Response*, bool& ends) {
        ends = false;
        return make(http::verb::get, "/healthz", {}, {});
      });
  report("healthz", healthz, settings, baseline);

  std::vector<std::string> clients;
  for (int i = 0; i < settings.connections; ++i)
    clients.push_back(token(v1::ROLE_CLIENT, "client-" + std::to_string(i)));
  const int connections = settings.connections;
  Tally holds = run_load(server.endpoint(), settings,
                         [&](ConnectionState& state, const api::Response*, bool& ends) {
                           ends = false;
                           ++state.iteration;
                           return make(http::verb::post, "/v1/holds",
                                       hold_body(state, connections, 0), clients[state.index]);
                         });
  report("post_holds", holds, settings, baseline);

  Tally flow = run_load(
      server.endpoint(), settings,
      [&](ConnectionState& state, const api::Response* previous, bool& ends) {
        const std::string& client = clients[state.index];
        ends = state.phase == 2;
        if (state.phase == 1 && previous) {
          state.booking_id = member(previous->body(), "booking_id");
          state.phase = 2;
          ends = false;
          return make(http::verb::post, "/v1/bookings",
                      R"({"booking_id":")" + state.booking_id + "\"}", client);
        }
        if (state.phase == 2 && previous) {
          state.payment_id = member(previous->body(), "payment_id");
          state.phase = 0;
          state.booking_id.clear();
          ends = true;
          return make(http::verb::post, "/v1/sandbox/payments/" + state.payment_id + "/succeed", {},
                      client);
        }
        ++state.iteration;
        state.phase = 1;
        ends = false;
        return make(http::verb::post, "/v1/holds", hold_body(state, connections, 1), client);
      });
  report("hold_booking_webhook_flow", flow, settings, baseline);
  server.stop();
  return 0;
}

int run_http(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (flag == "--connections")
      settings.connections = std::stoi(value());
    else if (flag == "--seconds")
      settings.seconds = std::stoi(value());
    else if (flag == "--io-threads")
      settings.io_threads = std::stoi(value());
    else if (flag == "--dir")
      settings.dir = value();
    else if (flag == "--no-sync")
      settings.sync = false;
    else
      return std::fprintf(stderr,
                          "usage: turno-bench http [--connections C] [--seconds S] [--io-threads "
                          "T] [--dir DIR] [--no-sync]\n"),
             2;
  }
  const std::string dir =
      settings.dir.empty() ? (std::filesystem::temp_directory_path() / "turno-http-bench").string()
                           : settings.dir;
  std::filesystem::remove_all(dir);

  double baseline = 0;
  {
    TrivialServer trivial(settings.io_threads);
    Tally tally = run_load(trivial.endpoint(), settings,
                           [](ConnectionState&, const api::Response*, bool& ends) {
                             ends = false;
                             return make(http::verb::get, "/", {}, {});
                           });
    baseline = static_cast<double>(tally.requests) / settings.seconds;
    report("baseline_beast", tally, settings, baseline);
  }

  const int status = run_turno(settings, dir, baseline);
  std::filesystem::remove_all(dir);  // after the engine closed its log there
  return status;
}

}  // namespace

TURNO_BENCH("http", "the HTTP API under load against a trivial Beast endpoint", run_http);

}  // namespace turno::bench
