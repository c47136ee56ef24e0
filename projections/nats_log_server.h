// The command node's answer to query nodes that found a gap: records of the log over NATS
// request/reply on turno.log.<log id>.read (format: nats_format.h). Served from the RocksDB
// log on the NATS library's thread; the connection reconnects and resubscribes by itself.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "event_log.h"

struct __natsConnection;
struct __natsSubscription;

namespace turno::projections {

class NatsLogServer {
 public:
  // Connects and subscribes; when NATS is not there yet, keeps trying in the background.
  static Result<std::unique_ptr<NatsLogServer>> start(const EventLog& log, const std::string& url);
  ~NatsLogServer();
  NatsLogServer(const NatsLogServer&) = delete;
  NatsLogServer& operator=(const NatsLogServer&) = delete;

  std::uint64_t requests_served() const { return requests_served_.load(); }
  // Answers one request's bytes (also the unit under test).
  std::string answer(std::string_view request) const;
  void count_request() { requests_served_.fetch_add(1); }

 private:
  explicit NatsLogServer(const EventLog& log) : log_(log) {}
  const EventLog& log_;
  __natsConnection* connection_ = nullptr;
  __natsSubscription* subscription_ = nullptr;
  std::atomic<std::uint64_t> requests_served_{0};
};

}  // namespace turno::projections
