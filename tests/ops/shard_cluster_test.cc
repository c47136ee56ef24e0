// Scale out by tenant, on one machine, all on loopback, with the real `turno` binary: a 3-node
// NATS JetStream cluster (stream replicas 3), two command nodes owning different tenants (shard
// map), two query nodes. Catalog and bookings of both tenants go through either command node,
// so half of them are forwarded over NATS (turno.cmd.<tenant>) to the owning shard; one NATS
// node is killed mid-run and one query node is killed and restarted. At the end every
// acknowledged booking is visible on both query nodes, and each query node's views of each
// log have the digests of a from-scratch replay of that log.
//
// No timing is asserted: every wait polls with a generous deadline, and a request that meets
// the NATS failover (503, or no answer) is retried with its Idempotency-Key, as a client would.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "../api/test_server.h"
#include "../projections/nats_server.h"
#include "jwt.h"
#include "log_views.h"
#include "rebuild.h"
#include "views.h"

using namespace turno;
using namespace turno::testing;
using std::chrono::seconds;

namespace {

constexpr seconds kStartDeadline{30};
constexpr seconds kRequestDeadline{60};   // one logical request, its retries included
constexpr seconds kConvergeDeadline{90};  // every booking on both query nodes
constexpr seconds kStopDeadline{30};
constexpr int kBookingsPerTenant = 40;
constexpr const char* kSecret = "shard-test-secret";

// A child process (the real binary), its output in a log file; SIGKILLed with the test.
class Child {
 public:
  Child(std::string name, std::vector<std::string> args, std::string log_file)
      : name_(std::move(name)), args_(std::move(args)), log_file_(std::move(log_file)) {}
  ~Child() { kill(); }

  void start() {
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      std::vector<char*> argv;
      for (std::string& arg : args_) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // A graceful stop: SIGTERM (views and checkpoints are written), then wait_exit().
  void terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  // Waits for the exit after terminate(); true on exit status 0 (SIGKILL after the deadline).
  bool wait_exit() {
    if (pid_ <= 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + kStopDeadline;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return kill(), false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  const std::string& name() const { return name_; }
  std::string log_text() const {
    std::ifstream in(log_file_);
    return {std::istreambuf_iterator<char>(in), {}};
  }

 private:
  std::string name_;
  std::vector<std::string> args_;
  std::string log_file_;
  pid_t pid_ = -1;
};

// A `turno serve` node on its own port and data directory.
struct Node {
  int port = NatsServer::free_port();
  std::string data;
  std::unique_ptr<Child> child;

  api::tcp::endpoint endpoint() const {
    return {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)};
  }
  Reply call(api::http::verb method, const std::string& target, const std::string& body,
             const std::string& token, const std::vector<Header>& headers = {}) const {
    api::BlockingClient client(endpoint());
    if (!client.ok()) return {};
    return to_reply(client.send(make_request(method, target, body, token, headers)));
  }
  bool ready() const { return call(api::http::verb::get, "/readyz", {}, {}).status == 200; }
};

std::string token(v1::Role role, const std::string& tenant, const std::string& subject) {
  const std::int64_t now_s =
      std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return api::sign_hs256({subject, tenant, role, {}, {}, now_s + 3600}, kSecret);
}

// POSTs (or PUTs) until an answer that is not 503, 429 or a transport failure, with the same
// Idempotency-Key every time: the owner applies it once whatever the retries.
Reply send_until_answered(const Node& node, api::http::verb method, const std::string& target,
                          const std::string& body, const std::string& bearer,
                          const std::string& key) {
  const auto deadline = std::chrono::steady_clock::now() + kRequestDeadline;
  Reply reply;
  do {
    reply = node.call(method, target, body, bearer, {{"Idempotency-Key", key}});
    if (reply.status != 0 && reply.status != 503 && reply.status != 429) return reply;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() < deadline);
  return reply;
}

Reply send_once(const Node& node, const std::string& target, const std::string& body,
                const std::string& bearer, const std::string& key) {
  return node.call(api::http::verb::post, target, body, bearer, {{"Idempotency-Key", key}});
}

bool wait_until(const std::function<bool()>& done, seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

// The start of the `index`th bookable half hour from three days on: Mon-Fri 09:00-17:00 Lima
// (UTC-5, no daylight saving), 16 per day.
std::int64_t slot_ms(int index) {
  constexpr std::int64_t kDayMs = 86'400'000;
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  std::int64_t day = now_ms / kDayMs + 3;
  int days_left = index / 16;
  for (;;) {
    const std::int64_t weekday = (day + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
    if (weekday != 0 && weekday != 6 && days_left-- == 0) break;
    ++day;
  }
  return day * kDayMs + 14 * 3'600'000 + (index % 16) * 1'800'000;  // 09:00 Lima = 14:00 UTC
}

struct AckedBooking {
  std::string tenant;
  std::string client;
  std::string booking_id;
};

class Cluster {
 public:
  Cluster() : nats_(dir_.path()) {}

  void start_nats() { REQUIRE(nats_.start()); }

  Node& add_node(std::vector<std::string> role_args) {
    auto node = std::make_unique<Node>();
    node->data = dir_.sub("node" + std::to_string(nodes_.size()));
    std::vector<std::string> args = {TURNO_BINARY,      "serve",
                                     "--data",          node->data,
                                     "--listen",        "127.0.0.1:" + std::to_string(node->port),
                                     "--jwt-secret",    kSecret,
                                     "--access-log",    "off",
                                     "--nats",          nats_.urls(),
                                     "--nats-replicas", "3"};
    // /metrics on the main port: views_at() reads it there, and four nodes cannot all have
    // the default metrics listener.
    args.insert(args.end(), {"--metrics-listen", "main"});
    args.insert(args.end(), role_args.begin(), role_args.end());
    node->child =
        std::make_unique<Child>("node" + std::to_string(nodes_.size()), args, node->data + ".log");
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }

  void start(Node& node) {
    node.child->start();
    const bool up = wait_until([&] { return node.ready(); }, kStartDeadline);
    INFO(node.child->log_text());
    REQUIRE(up);
  }

  NatsCluster& nats() { return nats_; }
  std::string shard_map_file(const std::string& json) {
    const std::string path = dir_.sub("shards.json");
    std::ofstream(path) << json;
    return path;
  }

 private:
  TempDir dir_;  // first member: removed after every process below is gone
  NatsCluster nats_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// The catalog of a tenant, each request through `nodes[i % 2]`.
void seed(const std::vector<Node*>& nodes, const std::string& tenant) {
  const std::string platform = token(v1::ROLE_PLATFORM, "", "platform-ops");
  const std::string admin = token(v1::ROLE_ADMIN, tenant, "admin-" + tenant);
  int step = 0;
  auto ok = [&](api::http::verb method, const std::string& target, const std::string& body,
                const std::string& bearer) {
    const Node& node = *nodes[static_cast<std::size_t>(step % 2)];
    const Reply reply = send_until_answered(node, method, target, body, bearer,
                                            fmt::format("seed-{}-{}", tenant, step++));
    INFO(target << " -> " << reply.status << " " << reply.body);
    REQUIRE(reply.status / 100 == 2);
  };
  ok(api::http::verb::post, "/v1/tenants",
     fmt::format(R"({{"tenant_id":"{}","name":"Clinic {}","currency":"PEN","tax_rate_bp":1800,)"
                 R"("invoice_series":"F001","platform_fee_bp":300}})",
                 tenant, tenant),
     platform);
  ok(api::http::verb::post, "/v1/sites",
     R"({"site_id":"lima","name":"Lima","time_zone":"America/Lima"})", admin);
  ok(api::http::verb::post, "/v1/services",
     R"({"service_id":"consult","name":"Consultation","duration_min":30,"price_minor":5000,)"
     R"("required_skill":"gp"})",
     admin);
  std::string intervals;
  for (int weekday = 1; weekday <= 5; ++weekday) {
    intervals += fmt::format(R"({}{{"weekday":{},"start_min":540,"end_min":1020}})",
                             intervals.empty() ? "" : ",", weekday);
  }
  for (const char* staff : {"ana", "beto"}) {
    ok(api::http::verb::post, "/v1/staff",
       fmt::format(R"({{"staff_id":"{}","site_id":"lima","name":"Dr. {}","skills":["gp"]}})", staff,
                   staff),
       admin);
    ok(api::http::verb::put, fmt::format("/v1/staff/{}/schedule", staff),
       R"({"intervals":[)" + intervals + "]}", admin);
  }
}

// Books slot `index` of `tenant` through `node`; every fifth one is then cancelled through the
// other node. Returns the booking when the hold was acknowledged.
std::optional<AckedBooking> book(const Node& node, const Node& other, const std::string& tenant,
                                 int index) {
  // One caller per booking: the API's per-caller rate limit is not what this test is about.
  const std::string admin =
      token(v1::ROLE_ADMIN, tenant, fmt::format("admin-{}-{}", tenant, index));
  const std::string client = fmt::format("client-{}", index % 4);
  const std::string staff = index % 2 ? "ana" : "beto";
  const Reply held = send_until_answered(
      node, api::http::verb::post, "/v1/holds",
      fmt::format(R"({{"site_id":"lima","service_id":"consult","staff_id":"{}",)"
                  R"("client_id":"{}","start":"{}"}})",
                  staff, client, at(slot_ms(index / 2))),
      admin, fmt::format("hold-{}-{}", tenant, index));
  INFO(tenant << " booking " << index << ": " << held.status << " " << held.body);
  CHECK(held.status == 201);
  if (held.status != 201) return std::nullopt;
  AckedBooking booking{tenant, client, held.text("/booking_id")};
  if (index % 5 == 0) {
    const Reply cancelled = send_until_answered(
        other, api::http::verb::post, "/v1/bookings/" + booking.booking_id + "/cancel",
        R"({"reason":"changed plans"})", admin, fmt::format("cancel-{}-{}", tenant, index));
    INFO(cancelled.body);
    CHECK(cancelled.status == 200);
    // Rendered on the node that forwarded it, from the owner's stream: the whole booking.
    CHECK(cancelled.text("/booking_id") == booking.booking_id);
    CHECK(cancelled.text("/status") == "cancelled");
  }
  return booking;
}

// The booking ids a query node shows for each (tenant, client).
int readers = 0;  // each read as its own caller (see book())
std::set<std::string> visible(const Node& query, const std::vector<AckedBooking>& bookings) {
  std::set<std::string> seen;
  std::set<std::pair<std::string, std::string>> asked;
  for (const AckedBooking& booking : bookings) {
    if (!asked.emplace(booking.tenant, booking.client).second) continue;
    const Reply page = query.call(
        api::http::verb::get, fmt::format("/v1/clients/{}/bookings?limit=100", booking.client), {},
        token(v1::ROLE_ADMIN, booking.tenant, fmt::format("reader-{}", readers++)));
    if (page.status != 200) continue;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(page.body).get(root) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element item : root["items"].get_array()) {
      std::string_view id;
      if (item["booking_id"].get(id) == simdjson::SUCCESS) {
        seen.insert(booking.tenant + "/" + std::string(id));
      }
    }
  }
  return seen;
}

bool all_visible(const Node& query, const std::vector<AckedBooking>& bookings) {
  const std::set<std::string> seen = visible(query, bookings);
  for (const AckedBooking& booking : bookings) {
    if (!seen.contains(booking.tenant + "/" + booking.booking_id)) return false;
  }
  return true;
}

// Every view of `log_id` on the query node at `seq` (from its /metrics).
bool views_at(const Node& query, const std::string& log_id, Seq seq) {
  const Reply metrics = query.call(api::http::verb::get, "/metrics", {}, {});
  if (metrics.status != 200) return false;
  int views = 0;
  const std::string label = fmt::format("log=\"{}\"}} ", log_id);
  for (std::size_t at = 0;
       (at = metrics.body.find("turno_view_applied_seq{", at)) != std::string::npos;) {
    const std::size_t end = metrics.body.find('\n', at);
    const std::string line = metrics.body.substr(at, end - at);
    at = end;
    const std::size_t labelled = line.find(label);
    if (labelled == std::string::npos) continue;
    if (std::stoull(line.substr(labelled + label.size())) != seq.value) return false;
    ++views;
  }
  return views == static_cast<int>(projections::view_names().size());
}

}  // namespace

TEST_CASE("two shards behind a NATS cluster: any node takes any tenant, query nodes see all") {
  if (!NatsServer::available()) {
    MESSAGE("nats-server is not installed: skipped");
    return;
  }
  Cluster cluster;
  cluster.start_nats();
  const std::string map = cluster.shard_map_file(R"({"shards":[
    {"id":"s1","url":"http://shard-one.example:8080","tenants":["acme"]},
    {"id":"s2","url":"http://shard-two.example:8080","tenants":["vetco"]}]})");
  Node& one = cluster.add_node({"--role", "command", "--shard", "s1", "--shard-map", map});
  Node& two = cluster.add_node({"--role", "command", "--shard", "s2", "--shard-map", map});
  Node& query_a = cluster.add_node({"--role", "query", "--nats-consumer", "query-a"});
  Node& query_b = cluster.add_node({"--role", "query", "--nats-consumer", "query-b"});
  for (Node* node : {&one, &two, &query_a, &query_b}) cluster.start(*node);

  // Each tenant's catalog alternately through its own node and the other one.
  seed({&one, &two}, "acme");
  seed({&one, &two}, "vetco");

  // A read only the owner's log can answer is redirected, naming the owner.
  const Reply misdirected = one.call(api::http::verb::get, "/v1/bookings/nope", {},
                                     token(v1::ROLE_ADMIN, "vetco", "admin-vetco"));
  CHECK(misdirected.status == 421);
  CHECK(misdirected.text("/shard") == "s2");
  CHECK(misdirected.text("/shard_url") == "http://shard-two.example:8080");

  std::vector<AckedBooking> bookings;
  auto book_round = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      for (const std::string tenant : {"acme", "vetco"}) {
        const bool via_one = (i + (tenant == "acme" ? 0 : 1)) % 2 == 0;
        if (auto booked = book(via_one ? one : two, via_one ? two : one, tenant, i)) {
          bookings.push_back(*booked);
        }
      }
    }
  };
  book_round(0, kBookingsPerTenant / 4);
  cluster.nats().server(1).kill();  // a NATS node dies; the cluster keeps its quorum
  book_round(kBookingsPerTenant / 4, kBookingsPerTenant / 2);
  query_b.child->kill();  // a query node crashes ...
  book_round(kBookingsPerTenant / 2, 3 * kBookingsPerTenant / 4);
  cluster.start(query_b);  // ... and comes back on the same data and durable consumer
  book_round(3 * kBookingsPerTenant / 4, kBookingsPerTenant);
  REQUIRE(bookings.size() == 2 * kBookingsPerTenant);

  for (Node* query : {&query_a, &query_b}) {
    const bool converged =
        wait_until([&] { return all_visible(*query, bookings); }, kConvergeDeadline);
    INFO(query->child->log_text());
    CHECK(converged);
  }

  // Both logs, read-only beside their running writers: where each ends.
  std::map<std::string, std::pair<std::string, Seq>> logs;  // data dir -> (log id, tail)
  for (Node* node : {&one, &two}) {
    LogOptions read_only;
    read_only.mode = LogOptions::Mode::kReadOnly;
    auto log = EventLog::open(node->data, read_only);
    REQUIRE(log.is_ok());
    logs[node->data] = {log.value()->log_id(), log.value()->last_seq()};
  }
  for (Node* query : {&query_a, &query_b}) {
    for (const auto& entry : logs) {  // no structured binding: clang 14 cannot capture it
      const auto& log = entry.second;
      CHECK(wait_until([&] { return views_at(*query, log.first, log.second); }, kConvergeDeadline));
    }
  }

  // Every NATS node gone: a forwarded command is a 503 to retry, never a 500 or a guess.
  cluster.nats().server(0).kill();
  cluster.nats().server(2).kill();
  const Reply outage = send_once(one, "/v1/sites",
                                 R"({"site_id":"cusco","name":"Cusco","time_zone":"America/Lima"})",
                                 token(v1::ROLE_ADMIN, "vetco", "admin-vetco"), "outage-site");
  INFO(outage.body);
  CHECK(outage.status == 503);
  CHECK(!outage.header("Retry-After").empty());
  CHECK(outage.text("/type") == "urn:turno:problem:shard_unavailable");

  for (Node* node : {&query_a, &query_b, &one, &two}) node->child->terminate();
  for (Node* node : {&query_a, &query_b, &one, &two}) {
    INFO(node->child->name() << ": " << node->child->log_text());
    CHECK(node->child->wait_exit());
  }

  // Offline: each query node's views of each log (restored from what they wrote at stop) have
  // the digests of an embedded single-node replay of that log.
  for (const auto& entry : logs) {  // no structured binding: clang 14 cannot capture it
    const auto& data = entry.first;
    const auto& log = entry.second;
    LogOptions read_only;
    read_only.mode = LogOptions::Mode::kReadOnly;
    auto opened = EventLog::open(data, read_only);
    REQUIRE(opened.is_ok());
    auto rebuilt = projections::rebuild_views(*opened.value(), {});
    REQUIRE(rebuilt.is_ok());
    CHECK(rebuilt.value().last_seq == log.second);
    for (Node* query : {&query_a, &query_b}) {
      projections::QuerySideOptions options;
      options.views_directory =
          projections::LogViews::log_directory(query->data + "/views", log.first);
      std::vector<std::string> report;
      auto side = projections::QuerySide::open(options, report);
      REQUIRE(side.is_ok());
      CHECK(side.value()->applied_seq() == log.second);
      for (const auto& view : rebuilt.value().views) {
        INFO(query->child->name() << " log " << log.first << " view " << view->name());
        CHECK(side.value()->digest(view->name()).value() == view->digest());
      }
    }
  }
}
