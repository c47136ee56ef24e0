#include "nats_requests.h"

#include "nats_client.h"

namespace turno::projections {
namespace {
// How long stopping waits for the handlers already running (draining the subscriptions).
constexpr std::int64_t kDrainWaitMs = 5'000;
}  // namespace

struct NatsResponder::State {
  std::shared_ptr<natsConnection> connection;
  std::vector<natsSubscription*> subscriptions;
  Handler handler;
};

namespace {

void on_request(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) {
  NatsMsg msg(raw);
  auto* state = static_cast<NatsResponder::State*>(closure);
  const char* reply_to = natsMsg_GetReply(msg.get());
  if (reply_to == nullptr) return;  // a request without a reply subject cannot be answered
  NatsResponder::Reply reply = [connection = state->connection,
                                subject = std::string(reply_to)](std::string_view bytes) {
    natsConnection_Publish(connection.get(), subject.c_str(), bytes.data(),
                           static_cast<int>(bytes.size()));
  };
  state->handler(
      {natsMsg_GetData(msg.get()), static_cast<std::size_t>(natsMsg_GetDataLength(msg.get()))},
      std::move(reply));
}

}  // namespace

Result<std::unique_ptr<NatsResponder>> NatsResponder::start(
    const std::string& url, const std::string& name, const std::vector<std::string>& subjects,
    const std::string& queue_group, Handler handler) {
  NatsConnectOptions options{url, name};
  options.reconnect = Reconnect::kAlways;
  options.global_delivery = true;  // one delivery pool, not a thread per tenant's subscription
  Result<NatsConnection> connection = nats_connect(options);
  if (!connection.is_ok()) return connection.status();
  std::unique_ptr<NatsResponder> responder(new NatsResponder());
  responder->state_ = std::make_shared<State>();
  State& state = *responder->state_;
  state.connection =
      std::shared_ptr<natsConnection>(connection.value().release(), NatsConnectionDeleter{});
  state.handler = std::move(handler);
  for (const std::string& subject : subjects) {
    natsSubscription* subscription = nullptr;
    const natsStatus status =
        natsConnection_QueueSubscribe(&subscription, state.connection.get(), subject.c_str(),
                                      queue_group.c_str(), on_request, &state);
    if (status != NATS_OK) return nats_status(status, "nats: subscribe " + subject);
    state.subscriptions.push_back(subscription);
  }
  return responder;
}

NatsResponder::~NatsResponder() {
  if (!state_) return;
  // Drain, so no handler still runs on `state_` once it is gone; unsubscribe when NATS is away.
  for (natsSubscription* subscription : state_->subscriptions) {
    if (natsSubscription_Drain(subscription) != NATS_OK ||
        natsSubscription_WaitForDrainCompletion(subscription, kDrainWaitMs) != NATS_OK) {
      natsSubscription_Unsubscribe(subscription);
    }
    natsSubscription_Destroy(subscription);
  }
  // The connection closes when the last pending reply lets go of it.
}

struct NatsRequester::State {
  NatsConnection connection;
};

Result<std::unique_ptr<NatsRequester>> NatsRequester::start(const std::string& url,
                                                            const std::string& name) {
  NatsConnectOptions options{url, name};
  options.reconnect = Reconnect::kAlways;
  Result<NatsConnection> connection = nats_connect(options);
  if (!connection.is_ok()) return connection.status();
  std::unique_ptr<NatsRequester> requester(new NatsRequester());
  requester->state_ = std::make_unique<State>();
  requester->state_->connection = std::move(connection).value();
  return requester;
}

NatsRequester::~NatsRequester() = default;

bool NatsRequester::connected() const {
  return natsConnection_Status(state_->connection.get()) == NATS_CONN_STATUS_CONNECTED;
}

Result<std::string> NatsRequester::request(const std::string& subject, std::string_view bytes,
                                           std::chrono::milliseconds timeout) const {
  // While reconnecting the library would buffer the request and send it later: refuse it
  // instead, so "not sent" stays distinguishable from "sent, no answer".
  if (!connected()) return Status::io_error("nats: not connected");
  natsMsg* raw = nullptr;
  const natsStatus status =
      natsConnection_Request(&raw, state_->connection.get(), subject.c_str(), bytes.data(),
                             static_cast<int>(bytes.size()), timeout.count());
  NatsMsg reply(raw);
  if (status == NATS_NO_RESPONDERS) return Status::not_found("nats: no responders on " + subject);
  if (status == NATS_TIMEOUT) return Status::busy("nats: no reply on " + subject + " in time");
  if (status != NATS_OK) return nats_status(status, "nats: request on " + subject);
  return std::string(natsMsg_GetData(reply.get()),
                     static_cast<std::size_t>(natsMsg_GetDataLength(reply.get())));
}

}  // namespace turno::projections
