// The command node's side of the NATS bus: the publisher (every committed event to JetStream)
// and the log server (ranges of the log for query nodes that found a gap). `turno serve
// --nats URL` (roles command and both) starts one next to the engine.
#pragma once

#include <memory>
#include <string>

#include "nats_log_server.h"
#include "nats_publisher.h"

namespace turno::projections {

class CommandBus {
 public:
  // Starts both on `log` (which outlives this); the publisher's checkpoint lives in
  // `checkpoint_directory`. Neither needs NATS to be up now.
  static Result<std::unique_ptr<CommandBus>> start(const EventLog& log, const std::string& url,
                                                   const std::string& checkpoint_directory,
                                                   int stream_replicas = 1);
  // Stops publishing (persisting the checkpoint) and serving. Idempotent.
  void stop();
  const NatsPublisher& publisher() const { return *publisher_; }
  std::string metrics_text() const { return publisher_->metrics_text(); }

 private:
  CommandBus() = default;
  std::unique_ptr<NatsPublisher> publisher_;
  std::unique_ptr<NatsLogServer> log_server_;
};

// Where the publisher keeps its checkpoint under a data directory: DATA/nats/publisher.
std::string publisher_checkpoint_directory(const std::string& data_directory);
// Where a node keeps its views under a data directory: DATA/views/<view name>.
std::string views_directory(const std::string& data_directory);

}  // namespace turno::projections
