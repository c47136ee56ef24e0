// Request/reply between nodes over core NATS (not JetStream): commands forwarded to the shard
// that owns their tenant, on turno.cmd.<tenant> (nats_format.h). Bytes only: what a request
// and a reply mean is the caller's (api/shard_routing.h). Both sides keep one connection that
// reconnects by itself (to any server of a cluster url list) and resubscribes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace turno::projections {

// The side that answers: one queue-group subscription per subject, so each request is
// answered by one member of the group (a restarted node simply joins it again).
class NatsResponder {
 public:
  // Sends the answer; call it exactly once, from any thread, also after the responder is gone
  // (the connection lives until the last reply was sent or dropped).
  using Reply = std::function<void(std::string_view bytes)>;
  // Runs on the NATS library's delivery thread: must be quick (hand work on, reply later).
  using Handler = std::function<void(std::string_view request, Reply reply)>;

  // Connects and subscribes `subjects` in `queue_group`; when NATS is not there yet the
  // library keeps trying in the background and subscribes on connecting.
  static Result<std::unique_ptr<NatsResponder>> start(const std::string& url,
                                                      const std::string& name,
                                                      const std::vector<std::string>& subjects,
                                                      const std::string& queue_group,
                                                      Handler handler);
  ~NatsResponder();
  NatsResponder(const NatsResponder&) = delete;
  NatsResponder& operator=(const NatsResponder&) = delete;

  struct State;  // the connection, subscriptions and handler (nats_requests.cc)

 private:
  NatsResponder() = default;
  std::shared_ptr<State> state_;
};

// The side that asks. Thread-safe; request() blocks its caller up to the timeout.
class NatsRequester {
 public:
  static Result<std::unique_ptr<NatsRequester>> start(const std::string& url,
                                                      const std::string& name);
  ~NatsRequester();
  NatsRequester(const NatsRequester&) = delete;
  NatsRequester& operator=(const NatsRequester&) = delete;

  // The reply's bytes, or:
  //   io_error   NATS is unavailable; nothing was sent
  //   not_found  nobody subscribes to `subject` (NATS answered "no responders"); not handled
  //   busy       no reply within `timeout`: the request may or may not have been handled
  Result<std::string> request(const std::string& subject, std::string_view bytes,
                              std::chrono::milliseconds timeout) const;
  bool connected() const;

 private:
  struct State;
  NatsRequester() = default;
  std::unique_ptr<State> state_;
};

}  // namespace turno::projections
