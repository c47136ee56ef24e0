// Thin RAII over NATS.c for the bus: a connection, a JetStream context, the event stream.
// Internal to projections/ (the public headers do not include nats.h).
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "status.h"

namespace turno::projections {

struct NatsConnectionDeleter {
  void operator()(natsConnection* connection) const {
    natsConnection_Close(connection);
    natsConnection_Destroy(connection);
  }
};
struct JetStreamDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
struct NatsSubscriptionDeleter {
  void operator()(natsSubscription* subscription) const { natsSubscription_Destroy(subscription); }
};
struct NatsMsgDeleter {
  void operator()(natsMsg* msg) const { natsMsg_Destroy(msg); }
};
using NatsConnection = std::unique_ptr<natsConnection, NatsConnectionDeleter>;
using JetStream = std::unique_ptr<jsCtx, JetStreamDeleter>;
using NatsSubscription = std::unique_ptr<natsSubscription, NatsSubscriptionDeleter>;
using NatsMsg = std::unique_ptr<natsMsg, NatsMsgDeleter>;

// How a component wants its connection to behave when the server goes away.
enum class Reconnect {
  kNever,   // fail fast; the caller reconnects (publisher, feed: they resume from checkpoints)
  kAlways,  // the library reconnects and resubscribes (the log server's subscription)
};

struct NatsConnectOptions {
  std::string url;   // one, or a cluster's comma-separated (the client fails over between them)
  std::string name;  // shown by the server (connz)
  std::chrono::milliseconds connect_timeout{2'000};
  std::chrono::milliseconds reconnect_wait{500};
  Reconnect reconnect = Reconnect::kNever;
  // Deliver async subscriptions' messages from the library's shared pool instead of one
  // thread per subscription (a responder subscribes once per tenant).
  bool global_delivery = false;
};

// `what`: the NATS status's text and the library's last error.
Status nats_status(natsStatus status, std::string_view what);

Result<NatsConnection> nats_connect(const NatsConnectOptions& options);

// A JetStream context on `connection`; `options` may be null.
Result<JetStream> jetstream(natsConnection* connection, jsOptions* options = nullptr);

// Creates stream TURNO_EVENTS (file storage, subjects turno.evt.>, dedup window, `replicas`
// copies: 3 on a JetStream cluster) when it is not there; leaves an existing one as it is.
Status ensure_event_stream(jsCtx* js, int replicas);

// The value of `header` on `msg`, or empty.
std::string_view header_of(natsMsg* msg, const char* header);

}  // namespace turno::projections
