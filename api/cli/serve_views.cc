#include "serve_views.h"

#include <cstdio>

#include "nats_requests.h"

namespace turno::cli {
namespace {

void print_report(const std::vector<std::string>& report) {
  for (const std::string& line : report) {
    std::fprintf(stderr, "{\"msg\":\"view snapshot skipped\",\"detail\":\"%s\"}\n", line.c_str());
  }
}

}  // namespace

std::vector<FlagSpec> node_flags() {
  return {
      {"role", "both (writer and views), command (writer only) or query (views only)", true,
       "both"},
      {"nats",
       "NATS url, nats://host:port (a cluster: several, comma-separated): a command node "
       "publishes every committed event to JetStream; a query node's views are fed from "
       "there (required for query)"},
      {"nats-consumer", "a query node's durable JetStream consumer: one name per node", true,
       "turno-query"},
      {"nats-replicas",
       "copies of stream TURNO_EVENTS when this node creates it (3 on a "
       "JetStream cluster)",
       true, "1"},
      {"shard",
       "a command node's shard id in --shard-map: it runs that shard's tenants' "
       "commands and forwards the others'"},
      {"shard-map", "JSON file assigning tenants to shards (api/shard_map.h); with --shard"},
      {"forward-timeout-ms", "longest wait for the owning shard's answer to a forwarded command",
       true, "5000"},
  };
}

Result<NodeRole> node_role(const Flags& flags) {
  const std::string role = flags.get_or("role", "both");
  if (role == "query" && !flags.has("nats")) {
    return Status::invalid_argument("--role query needs --nats: its views are fed from there");
  }
  if (flags.has("shard") != flags.has("shard-map")) {
    return Status::invalid_argument("--shard and --shard-map go together");
  }
  if (flags.has("shard-map") && role != "command") {
    return Status::invalid_argument(
        "--shard-map is for --role command (query nodes serve "
        "every shard's tenants; a 'both' node would serve only its "
        "own shard's views)");
  }
  if (role == "both") return NodeRole::kBoth;
  if (role == "command") return NodeRole::kCommand;
  if (role == "query") return NodeRole::kQuery;
  return Status::invalid_argument("--role is both, command or query");
}

Result<std::unique_ptr<ReadSide>> ReadSide::start(NodeRole role, const std::string& data,
                                                  Flags& flags, const EventLog* log) {
  std::unique_ptr<ReadSide> side(new ReadSide());
  side->nats_ = flags.get("nats");
  const int replicas = static_cast<int>(flags.get_int("nats-replicas").value_or(1));
  if (!flags.ok() || replicas < 1 || replicas > 5) {
    return Status::invalid_argument("--nats-replicas is 1 to 5");
  }
  if (Status sharded = side->start_shards(flags); !sharded.is_ok()) return sharded;
  if (role != NodeRole::kQuery && side->nats_ && log != nullptr) {
    auto bus = projections::CommandBus::start(
        *log, *side->nats_, projections::publisher_checkpoint_directory(data), replicas);
    if (!bus.is_ok()) return bus.status();
    side->bus_ = std::move(bus).value();
  }
  if (role == NodeRole::kCommand) return side;
  projections::QuerySideOptions options;
  options.views_directory = projections::views_directory(data);
  std::vector<std::string> report;
  if (role == NodeRole::kQuery) {
    projections::NatsFeedOptions feed;
    feed.url = *side->nats_;
    feed.durable = flags.get_or("nats-consumer", "turno-query");
    feed.stream_replicas = replicas;
    auto views = projections::LogViews::open(options, feed, report);
    print_report(report);
    if (!views.is_ok()) return views.status();
    side->log_views_ = std::move(views).value();
    return side;
  }
  auto views = projections::QuerySide::open(options, report);
  print_report(report);
  if (!views.is_ok()) return views.status();
  side->views_ = std::move(views).value();
  side->views_->start_embedded(*log);
  return side;
}

Status ReadSide::start_shards(Flags& flags) {
  const std::optional<std::string> path = flags.get("shard-map");
  if (!path) return Status::ok();
  Result<api::ShardMap> map = api::ShardMap::load(*path);
  if (!map.is_ok()) return map.status();
  const std::string shard = flags.get_or("shard", "");
  if (map.value().find(shard) == nullptr) {
    return Status::invalid_argument("--shard " + shard + " is not in " + *path);
  }
  std::unique_ptr<projections::NatsRequester> requester;
  if (nats_) {
    auto started = projections::NatsRequester::start(*nats_, "turno-forward-" + shard);
    if (!started.is_ok()) return started.status();
    requester = std::move(started).value();
  }
  api::ShardRoutingOptions options;
  const std::int64_t timeout_ms = flags.get_int("forward-timeout-ms").value_or(5'000);
  if (timeout_ms < 1) return Status::invalid_argument("--forward-timeout-ms is at least 1");
  options.forward_timeout = std::chrono::milliseconds(timeout_ms);
  shards_ = std::make_shared<api::ShardRouting>(std::move(map).value(), shard, std::move(requester),
                                                options);
  return Status::ok();
}

Status ReadSide::attach(api::Api& api) {
  if (views_) {
    api.provide(views_);
    api.add_metrics_source([views = views_](std::string& out) { out += views->metrics_text(); });
  }
  if (log_views_) {
    api.provide(log_views_);
    api.add_metrics_source(
        [views = log_views_](std::string& out) { out += views->metrics_text(); });
  }
  if (bus_) {
    api.add_metrics_source([bus = bus_](std::string& out) { out += bus->metrics_text(); });
  }
  if (!shards_) return Status::ok();
  api.provide(shards_);
  api.add_metrics_source([shards = shards_](std::string& out) { out += shards->metrics_text(); });
  if (!nats_ || !api.has_engine()) return Status::ok();
  auto responder =
      api::CommandResponder::start(*nats_, shards_->map(), shards_->shard_id(), api.engine());
  if (!responder.is_ok()) return responder.status();
  responder_ = std::move(responder).value();
  return Status::ok();
}

void ReadSide::stop() {
  responder_.reset();
  if (views_) views_->stop();
  if (log_views_) log_views_->stop();
  if (bus_) bus_->stop();
}

}  // namespace turno::cli
