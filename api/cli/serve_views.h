// What `turno serve` runs besides the writer and the HTTP API: the read views (in-process on
// the log, or fed from NATS on a query node) and the NATS bus of a command node, by --role:
//   both     (default) the writer, the views on the log, every route; with --nats also the bus
//   command  the writer and the command routes; with --nats the bus (publisher + log reads)
//   query    the views only, fed from --nats (required), and their routes; no writer
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api.h"
#include "command_bus.h"
#include "flags.h"
#include "query_side.h"

namespace turno::cli {

enum class NodeRole { kBoth, kCommand, kQuery };

// --role, --nats, --nats-consumer.
std::vector<FlagSpec> node_flags();
// The role the flags ask for; invalid_argument naming the flag when they do not fit together.
Result<NodeRole> node_role(const Flags& flags);

class ReadSide {
 public:
  // Starts what `role` needs under `data`: views in DATA/views (fed from `log` for kBoth, from
  // NATS for kQuery) and, with a NATS url and a `log`, the command bus.
  static Result<std::unique_ptr<ReadSide>> start(NodeRole role, const std::string& data,
                                                 const Flags& flags, const EventLog* log);
  // Hands the views to the API's routes and adds the views' and the bus's /metrics.
  void attach(api::Api& api);
  // Stops feeding the views (checkpointing them) and the bus. Idempotent.
  void stop();

 private:
  ReadSide() = default;
  std::shared_ptr<projections::QuerySide> views_;
  std::shared_ptr<projections::CommandBus> bus_;
};

}  // namespace turno::cli
