#include "serve_views.h"

#include <cstdio>

namespace turno::cli {

std::vector<FlagSpec> node_flags() {
  return {
      {"role", "both (writer and views), command (writer only) or query (views only)", true,
       "both"},
      {"nats", "NATS url, nats://host:port: a command node publishes every committed event to "
               "JetStream; a query node's views are fed from there (required for query)"},
      {"nats-consumer", "a query node's durable JetStream consumer: one name per node", true,
       "turno-query"},
  };
}

Result<NodeRole> node_role(const Flags& flags) {
  const std::string role = flags.get_or("role", "both");
  if (role == "query" && !flags.has("nats")) {
    return Status::invalid_argument("--role query needs --nats: its views are fed from there");
  }
  if (role == "both") return NodeRole::kBoth;
  if (role == "command") return NodeRole::kCommand;
  if (role == "query") return NodeRole::kQuery;
  return Status::invalid_argument("--role is both, command or query");
}

Result<std::unique_ptr<ReadSide>> ReadSide::start(NodeRole role, const std::string& data,
                                                  const Flags& flags, const EventLog* log) {
  std::unique_ptr<ReadSide> side(new ReadSide());
  const std::optional<std::string> nats = flags.get("nats");
  if (role != NodeRole::kQuery && nats && log != nullptr) {
    auto bus = projections::CommandBus::start(
        *log, *nats, projections::publisher_checkpoint_directory(data));
    if (!bus.is_ok()) return bus.status();
    side->bus_ = std::move(bus).value();
  }
  if (role == NodeRole::kCommand) return side;
  projections::QuerySideOptions options;
  options.views_directory = projections::views_directory(data);
  std::vector<std::string> report;
  auto views = projections::QuerySide::open(options, report);
  for (const std::string& line : report) {
    std::fprintf(stderr, "{\"msg\":\"view snapshot skipped\",\"detail\":\"%s\"}\n", line.c_str());
  }
  if (!views.is_ok()) return views.status();
  side->views_ = std::move(views).value();
  if (role == NodeRole::kBoth) {
    side->views_->start_embedded(*log);
    return side;
  }
  projections::NatsFeedOptions feed;
  feed.url = *nats;
  feed.durable = flags.get_or("nats-consumer", "turno-query");
  if (Status started = side->views_->start_nats(feed); !started.is_ok()) return started;
  return side;
}

void ReadSide::attach(api::Api& api) {
  if (views_) {
    api.provide(views_);
    api.add_metrics_source([views = views_](std::string& out) { out += views->metrics_text(); });
  }
  if (bus_) {
    api.add_metrics_source([bus = bus_](std::string& out) { out += bus->metrics_text(); });
  }
}

void ReadSide::stop() {
  if (views_) views_->stop();
  if (bus_) bus_->stop();
}

}  // namespace turno::cli
