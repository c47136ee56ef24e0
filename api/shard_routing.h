// Commands in a sharded deployment (shard_map.h): a command node runs the commands of the
// tenants its shard owns and forwards every other tenant's over NATS to the shard that owns it
// (request/reply on turno.cmd.<tenant>, nats_format.h), then answers HTTP as if it were local.
//
// Contract.
//  * What travels is the already-validated v1.Command (tenant and actor from the token,
//    command_id = the Idempotency-Key), so the owner's writer decides exactly what a local
//    writer would. The owner answers only once the command's events are durable in its log.
//  * NATS away, no node of the owner subscribed, or no answer within forward_timeout: 503 with
//    Retry-After (problem type "shard_unavailable"), never a 500. After a timeout the command
//    may have been applied; a retry with the same Idempotency-Key gets the stored answer
//    (the engine's idempotency index), never a second application.
//  * Without NATS, or for what only the owner's log can answer (GET /v1/bookings/{id},
//    /v1/events, sandbox intents): 421 Misdirected Request, problem+json with `tenant`,
//    `shard` and `shard_url` (the owner's advertised URL, also in header Turno-Shard-Url).
//    A tenant in no shard of the map: 421 naming no shard.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "command_call.h"
#include "engine.h"
#include "shard_map.h"

namespace turno::projections {
class NatsRequester;
class NatsResponder;
}  // namespace turno::projections

namespace turno::api {

inline constexpr std::string_view kShardHeader = "Turno-Shard";
inline constexpr std::string_view kShardUrlHeader = "Turno-Shard-Url";

struct ShardRoutingOptions {
  std::chrono::milliseconds forward_timeout{5'000};  // one forwarded command, sent to answered
  std::size_t forward_threads = 16;           // forwarded commands awaiting their answers at once
  std::size_t forwards_in_flight_max = 4096;  // queued or awaiting; beyond: 503 at once
};

class ShardRouting {
 public:
  // `requester` null: no NATS; commands for other shards are answered 421.
  ShardRouting(ShardMap map, std::string shard_id,
               std::unique_ptr<projections::NatsRequester> requester,
               ShardRoutingOptions options = {});
  ~ShardRouting();  // waits for the forwards in flight (each ends by its timeout)
  ShardRouting(const ShardRouting&) = delete;
  ShardRouting& operator=(const ShardRouting&) = delete;

  bool owns(std::string_view tenant_id) const;
  const std::string& shard_id() const { return shard_id_; }
  const ShardMap& map() const { return map_; }

  // Sends `command` (another shard's tenant) to its owner and answers `call` as submit() would.
  void forward(Call& call, v1::Command command, Render render);
  // 421 for `tenant_id`, naming its owner when it has one.
  Response misdirected(std::string_view tenant_id) const;
  // Prometheus text: forwarded commands by outcome, forwards in flight.
  std::string metrics_text() const;

 private:
  Response answer(const Result<std::string>& reply, const Render& render) const;

  ShardMap map_;
  std::string shard_id_;
  std::unique_ptr<projections::NatsRequester> requester_;
  ShardRoutingOptions options_;
  boost::asio::thread_pool pool_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::uint64_t> forwarded_{0};
  mutable std::atomic<std::uint64_t> unavailable_{0};  // 503: NATS away, no responders, full
  mutable std::atomic<std::uint64_t> timed_out_{0};
};

// On a sharded command node, answers 421 when another shard owns `tenant_id`; true when it
// answered. For routes that read this node's own log.
bool answer_if_not_owned(Call& call, std::string_view tenant_id);

// The owner's side: answers the commands forwarded to this shard's tenants, through `engine`'s
// writer, in queue group turno-shard-<id> (every node of a shard shares the work; a restarted
// node joins again). Stop it before the engine.
class CommandResponder {
 public:
  static Result<std::unique_ptr<CommandResponder>> start(const std::string& nats_url,
                                                         const ShardMap& map,
                                                         const std::string& shard_id,
                                                         Engine& engine);
  ~CommandResponder();
  CommandResponder(const CommandResponder&) = delete;
  CommandResponder& operator=(const CommandResponder&) = delete;

  std::uint64_t commands_answered() const { return answered_.load(); }

  // The reply to a forwarded command once decided: `result`, with the stream of its first
  // event before that event read from `log`.
  static std::string reply_bytes(const EventLog& log, const std::string& shard_id,
                                 const CommandResult& result);

 private:
  CommandResponder(Engine& engine, ShardMap map, std::string shard_id);
  void handle(std::string_view request, std::function<void(std::string_view)> reply);

  Engine& engine_;
  ShardMap map_;
  std::string shard_id_;
  boost::asio::thread_pool replies_;  // builds replies off the writer's thread
  std::unique_ptr<projections::NatsResponder> responder_;
  std::atomic<std::uint64_t> answered_{0};
};

}  // namespace turno::api
