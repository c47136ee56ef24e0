// The NATS JetStream path against a real nats-server: events arrive in order, once; the
// server is killed mid-stream and restarted; a query node fed from JetStream converges to the
// same view digests as an embedded node over the same log, filling any gap from the log.
#include <doctest/doctest.h>
#include <nats/nats.h>

#include <atomic>
#include <thread>

#include "command_bus.h"
#include "engine_support.h"
#include "nats_format.h"
#include "nats_server.h"
#include "query_side.h"
#include "temp_dir.h"
#include "view_support.h"
#include "views.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;

namespace {

constexpr std::chrono::seconds kConverge{60};

std::unique_ptr<QuerySide> open_side(const std::string& views_directory) {
  std::vector<std::string> report;
  QuerySideOptions options;
  options.views_directory = views_directory;
  auto side = QuerySide::open(options, report);
  REQUIRE(side.is_ok());
  return std::move(side).value();
}

NatsFeedOptions feed_options(const std::string& url, const std::string& durable = "query-1") {
  NatsFeedOptions options;
  options.url = url;
  options.durable = durable;
  options.fetch_wait = std::chrono::milliseconds(100);
  options.retry_wait = std::chrono::milliseconds(100);
  return options;
}

void check_same_views(const QuerySide& embedded, const QuerySide& remote) {
  for (std::string_view name : view_names()) {
    INFO("view ", name);
    CHECK(embedded.digest(name).value() == remote.digest(name).value());
  }
}

// Reads the whole stream with a fresh pull consumer: (msg id, subject, payload) in order.
struct StoredMessage {
  std::string id;
  std::string subject;
  std::string payload;
};
std::vector<StoredMessage> read_stream(const std::string& url, std::size_t expected) {
  natsConnection* connection = nullptr;
  REQUIRE(natsConnection_ConnectTo(&connection, url.c_str()) == NATS_OK);
  jsCtx* js = nullptr;
  REQUIRE(natsConnection_JetStream(&js, connection, nullptr) == NATS_OK);
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = "TURNO_EVENTS";
  natsSubscription* subscription = nullptr;
  REQUIRE(js_PullSubscribe(&subscription, js, "turno.evt.>", "probe", nullptr, &options, nullptr) ==
          NATS_OK);
  std::vector<StoredMessage> messages;
  while (messages.size() < expected) {
    natsMsgList list;
    if (natsSubscription_Fetch(&list, subscription, 256, 2'000, nullptr) != NATS_OK) break;
    for (int i = 0; i < list.Count; ++i) {
      const char* id = nullptr;
      natsMsgHeader_Get(list.Msgs[i], "Nats-Msg-Id", &id);
      messages.push_back(
          {id ? id : "", natsMsg_GetSubject(list.Msgs[i]),
           std::string(natsMsg_GetData(list.Msgs[i]),
                       static_cast<std::size_t>(natsMsg_GetDataLength(list.Msgs[i])))});
      natsMsg_Ack(list.Msgs[i], nullptr);
    }
    natsMsgList_Destroy(&list);
  }
  natsSubscription_Destroy(subscription);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  return messages;
}

// A command node: a nats-server of its own, an engine with the standard clinic, the bus.
struct CommandNode {
  TempDir dir;
  NatsServer nats{dir.sub("nats")};
  ManualClock clock{kMonday2026_03_02 - 7 * kMsPerDay};
  std::unique_ptr<Engine> engine;
  std::unique_ptr<CommandBus> bus;

  CommandNode() {
    REQUIRE(NatsServer::available());
    REQUIRE(nats.start());
    engine = open_engine(dir.sub("log"), clock);
    bus = start_bus();
    clinic_on(engine->writer());
  }
  std::unique_ptr<CommandBus> start_bus() {
    auto started = CommandBus::start(engine->log(), nats.url(), dir.sub("publisher"));
    REQUIRE(started.is_ok());
    return std::move(started).value();
  }
  Writer& writer() { return engine->writer(); }
  const EventLog& log() const { return engine->log(); }
};

bool wait_for(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace

TEST_CASE("JetStream: every committed event once, in seq order, with its id, subject and bytes") {
  CommandNode node;
  bookings_on(node.writer(), "a", 30);
  const Seq tail = node.log().last_seq();
  REQUIRE(wait_for([&] { return node.bus->publisher().published_seq() == tail; }, kConverge));
  // Restarting the publisher from its checkpoint publishes nothing twice.
  node.bus.reset();
  node.bus = node.start_bus();
  CHECK(node.bus->publisher().published_seq() == tail);

  const std::vector<StoredMessage> stored = read_stream(node.nats.url(), tail.value);
  REQUIRE(stored.size() == tail.value);
  for (std::uint64_t seq = 1; seq <= tail.value; ++seq) {
    const StoredMessage& message = stored[seq - 1];
    INFO("seq ", seq);
    CHECK(message.id == node.log().log_id() + "-" + std::to_string(seq));
    const LogRecord record = node.log().read_one(Seq{seq}).value();
    CHECK(message.payload == record.envelope_bytes);
    CHECK(message.subject == nats_format::event_subject(record.envelope));
  }
  CHECK(stored[0].subject == "turno.evt.t1._.tenant_registered");
  node.bus->stop();
  CHECK(node.bus->metrics_text().find("turno_nats_publish_lag_events 0") != std::string::npos);
}

TEST_CASE("JetStream: NATS killed mid-stream and restarted; the query node converges") {
  CommandNode node;
  auto embedded = open_side(node.dir.sub("embedded-views"));
  embedded->start_embedded(node.log());
  auto remote = open_side(node.dir.sub("query-views"));
  REQUIRE(remote->start_nats(feed_options(node.nats.url())).is_ok());

  bookings_on(node.writer(), "a", 40);
  node.nats.kill();
  // The writer does not wait for NATS: commands keep being answered while it is down.
  bookings_on(node.writer(), "b", 40, 10);
  CHECK(node.bus->publisher().published_seq() < node.log().last_seq());
  REQUIRE(node.nats.start());
  bookings_on(node.writer(), "c", 40, 20);

  const Seq tail = node.log().last_seq();
  REQUIRE(embedded->wait_until_applied(tail, kConverge));
  REQUIRE(remote->wait_until_applied(tail, kConverge));
  check_same_views(*embedded, *remote);

  // The query node restarts from its snapshots and catches up with what came meanwhile.
  remote->stop();
  remote.reset();
  bookings_on(node.writer(), "d", 20, 30);
  remote = open_side(node.dir.sub("query-views"));
  REQUIRE(remote->start_nats(feed_options(node.nats.url())).is_ok());
  REQUIRE(embedded->wait_until_applied(node.log().last_seq(), kConverge));
  REQUIRE(remote->wait_until_applied(node.log().last_seq(), kConverge));
  check_same_views(*embedded, *remote);
}

TEST_CASE("JetStream: messages lost by NATS are read from the command node's log") {
  CommandNode node;
  bookings_on(node.writer(), "a", 20);
  const Seq tail = node.log().last_seq();
  REQUIRE(wait_for([&] { return node.bus->publisher().published_seq() == tail; }, kConverge));

  // Lose three messages in the middle of the stream, as an unsynced crash could.
  natsConnection* connection = nullptr;
  REQUIRE(natsConnection_ConnectTo(&connection, node.nats.url().c_str()) == NATS_OK);
  jsCtx* js = nullptr;
  REQUIRE(natsConnection_JetStream(&js, connection, nullptr) == NATS_OK);
  for (std::uint64_t stream_seq : {10, 11, 30}) {
    REQUIRE(js_DeleteMsg(js, "TURNO_EVENTS", stream_seq, nullptr, nullptr) == NATS_OK);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);

  auto remote = open_side(node.dir.sub("query-views"));
  REQUIRE(remote->start_nats(feed_options(node.nats.url(), "query-gaps")).is_ok());
  REQUIRE(remote->wait_until_applied(tail, kConverge));
  CHECK(remote->metrics_text().find("turno_feed_gaps_filled_total 2") != std::string::npos);
  auto embedded = open_side(node.dir.sub("embedded-views"));
  embedded->start_embedded(node.log());
  REQUIRE(embedded->wait_until_applied(tail, kConverge));
  check_same_views(*embedded, *remote);
}
