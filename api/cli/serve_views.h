// What `turno serve` runs besides the writer and the HTTP API: the read views (in-process on
// the log, or fed from NATS on a query node), the NATS bus of a command node, and the shard
// routing of a sharded command node, by --role:
//   both     (default) the writer, the views on the log, every route; with --nats also the bus
//   command  the writer and the command routes; with --nats the bus (publisher + log reads);
//            with --shard and --shard-map, only its shard's tenants' commands run here, the
//            others' are forwarded to their shard over NATS (api/shard_routing.h)
//   query    the views only, fed from --nats (required), and their routes; no writer. The
//            views of each command node's log are kept apart (projections/log_views.h), so
//            one query node serves every shard's tenants
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api.h"
#include "command_bus.h"
#include "flags.h"
#include "log_views.h"
#include "shard_routing.h"

namespace turno::cli {

enum class NodeRole { kBoth, kCommand, kQuery };

// --role, --nats, --nats-consumer, --nats-replicas, --shard, --shard-map, --forward-timeout-ms.
std::vector<FlagSpec> node_flags();
// The role the flags ask for; invalid_argument naming the flag when they do not fit together.
Result<NodeRole> node_role(const Flags& flags);

class ReadSide {
 public:
  // Starts what `role` needs under `data`: views in DATA/views (fed from `log` for kBoth, from
  // NATS for kQuery), with a NATS url and a `log` the command bus, and with a shard map the
  // shard routing (read and checked here).
  static Result<std::unique_ptr<ReadSide>> start(NodeRole role, const std::string& data,
                                                 Flags& flags, const EventLog* log);
  // Hands the views and the shard routing to the API's routes, adds their /metrics, and on a
  // sharded command node starts answering the commands forwarded to this shard.
  Status attach(api::Api& api);
  // Stops answering forwarded commands, feeding the views (checkpointing them) and the bus.
  // Idempotent.
  void stop();

 private:
  ReadSide() = default;
  Status start_shards(Flags& flags);

  std::shared_ptr<projections::QuerySide> views_;     // roles both
  std::shared_ptr<projections::LogViews> log_views_;  // role query: per command node's log
  std::shared_ptr<projections::CommandBus> bus_;
  std::shared_ptr<api::ShardRouting> shards_;
  std::unique_ptr<api::CommandResponder> responder_;
  std::optional<std::string> nats_;
};

}  // namespace turno::cli
