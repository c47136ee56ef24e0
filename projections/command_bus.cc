#include "command_bus.h"

#include <filesystem>

namespace turno::projections {

Result<std::unique_ptr<CommandBus>> CommandBus::start(const EventLog& log, const std::string& url,
                                                      const std::string& checkpoint_directory,
                                                      int stream_replicas) {
  std::error_code error;
  std::filesystem::create_directories(checkpoint_directory, error);
  if (error) return Status::io_error("nats: cannot create " + checkpoint_directory);
  std::unique_ptr<CommandBus> bus(new CommandBus());
  Result<std::unique_ptr<NatsLogServer>> server = NatsLogServer::start(log, url);
  if (!server.is_ok()) return server.status();
  bus->log_server_ = std::move(server).value();
  NatsPublisherOptions options;
  options.url = url;
  options.checkpoint_directory = checkpoint_directory;
  options.stream_replicas = stream_replicas;
  Result<std::unique_ptr<NatsPublisher>> publisher = NatsPublisher::start(log, options);
  if (!publisher.is_ok()) return publisher.status();
  bus->publisher_ = std::move(publisher).value();
  return bus;
}

void CommandBus::stop() {
  if (publisher_) publisher_->stop();
  log_server_.reset();
}

std::string publisher_checkpoint_directory(const std::string& data_directory) {
  return data_directory + "/nats/publisher";
}

std::string views_directory(const std::string& data_directory) {
  return data_directory + "/views";
}

}  // namespace turno::projections
