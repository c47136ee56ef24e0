#include "nats_log_server.h"

#include "nats_client.h"
#include "nats_format.h"

namespace turno::projections {
namespace {

// Every command node of a log answers in one queue group, so each request is answered once.
constexpr const char* kQueueGroup = "turno-log-readers";

void on_request(natsConnection* connection, natsSubscription*, natsMsg* raw, void* closure) {
  NatsMsg msg(raw);
  auto* server = static_cast<NatsLogServer*>(closure);
  const char* reply_to = natsMsg_GetReply(msg.get());
  if (reply_to == nullptr) return;
  const std::string reply = server->answer(
      {natsMsg_GetData(msg.get()), static_cast<std::size_t>(natsMsg_GetDataLength(msg.get()))});
  natsConnection_Publish(connection, reply_to, reply.data(), static_cast<int>(reply.size()));
  server->count_request();
}

}  // namespace

Result<std::unique_ptr<NatsLogServer>> NatsLogServer::start(const EventLog& log,
                                                            const std::string& url) {
  Result<NatsConnection> connection =
      nats_connect({url, "turno-log-server", std::chrono::milliseconds{2'000},
                    std::chrono::milliseconds{500}, Reconnect::kAlways});
  if (!connection.is_ok()) return connection.status();
  std::unique_ptr<NatsLogServer> server(new NatsLogServer(log));
  const std::string subject = nats_format::log_read_subject(log.log_id());
  natsSubscription* subscription = nullptr;
  const natsStatus status =
      natsConnection_QueueSubscribe(&subscription, connection.value().get(), subject.c_str(),
                                    kQueueGroup, on_request, server.get());
  if (status != NATS_OK) return nats_status(status, "nats: subscribe " + subject);
  server->connection_ = connection.value().release();
  server->subscription_ = subscription;
  return server;
}

NatsLogServer::~NatsLogServer() {
  if (subscription_ != nullptr) {
    natsSubscription_Unsubscribe(subscription_);
    natsSubscription_Destroy(subscription_);
  }
  if (connection_ != nullptr) NatsConnectionDeleter{}(connection_);
}

std::string NatsLogServer::answer(std::string_view request) const {
  const auto range = nats_format::decode_read_request(request);
  if (!range || range->first.value == 0) {
    return nats_format::encode_read_error("malformed request");
  }
  const std::uint32_t count = std::min(range->second, nats_format::kReadRecordsMax);
  nats_format::ReadReply reply{log_.last_seq(), {}};
  if (count == 0 || range->first > reply.tail) return nats_format::encode_read_reply(reply);
  LogCursor cursor = log_.read(range->first, Seq{range->first.value + count - 1});
  std::size_t bytes = 0;
  while (cursor.next()) {
    const std::string& envelope = cursor.record().envelope_bytes;
    if (bytes + envelope.size() + 4 > nats_format::kReadReplyBytesMax && !reply.envelopes.empty()) {
      break;
    }
    bytes += envelope.size() + 4;
    reply.envelopes.push_back(envelope);
  }
  if (!cursor.status().is_ok()) return nats_format::encode_read_error(cursor.status().message());
  return nats_format::encode_read_reply(reply);
}

}  // namespace turno::projections
