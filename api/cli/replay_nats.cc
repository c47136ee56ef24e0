#include "replay_nats.h"

#include <nats/nats.h>

namespace turno::cli {
namespace {

Status nats_error(std::string_view what, natsStatus status) {
  return Status::io_error("nats: " + std::string(what) + ": " + natsStatus_GetText(status));
}

void append_token(std::string_view token, std::string& subject) {
  subject.push_back('.');
  if (token.empty()) {
    subject.push_back('_');
    return;
  }
  for (char c : token) {
    const bool reserved =
        c == '.' || c == '*' || c == '>' || std::isspace(static_cast<unsigned char>(c));
    subject.push_back(reserved ? '_' : c);
  }
}

}  // namespace

std::string replay_subject(std::string_view prefix, const v1::Envelope& envelope) {
  std::string subject(prefix);
  append_token(envelope.tenant_id(), subject);
  append_token(envelope.site_id(), subject);
  append_token(history::event_type_name(envelope), subject);
  return subject;
}

Result<std::unique_ptr<NatsReplaySink>> NatsReplaySink::connect(const std::string& url,
                                                                std::string subject_prefix,
                                                                std::string log_id) {
  natsOptions* options = nullptr;
  natsStatus status = natsOptions_Create(&options);
  if (status == NATS_OK) status = natsOptions_SetURL(options, url.c_str());
  if (status == NATS_OK) status = natsOptions_SetTimeout(options, kConnectTimeoutMs);
  natsConnection* connection = nullptr;
  if (status == NATS_OK) status = natsConnection_Connect(&connection, options);
  natsOptions_Destroy(options);
  if (status != NATS_OK) return nats_error("connect to " + url, status);
  return std::unique_ptr<NatsReplaySink>(
      new NatsReplaySink(connection, std::move(subject_prefix), std::move(log_id)));
}

NatsReplaySink::NatsReplaySink(natsConnection* connection, std::string subject_prefix,
                               std::string log_id)
    : connection_(connection),
      subject_prefix_(std::move(subject_prefix)),
      log_id_(std::move(log_id)) {}

NatsReplaySink::~NatsReplaySink() {
  natsConnection_Destroy(connection_);
}

Status NatsReplaySink::publish(const LogRecord& record) {
  payload_.clear();
  if (Status status = encoder_.append_record(record, payload_); !status.is_ok()) return status;
  payload_.pop_back();  // the line break: a message is one record
  const std::string subject = replay_subject(subject_prefix_, record.envelope);
  const std::string message_id = log_id_ + "-" + std::to_string(record.seq.value);
  const std::string seq = std::to_string(record.seq.value);
  natsMsg* message = nullptr;
  natsStatus status = natsMsg_Create(&message, subject.c_str(), nullptr, payload_.data(),
                                     static_cast<int>(payload_.size()));
  if (status == NATS_OK) status = natsMsgHeader_Set(message, "Nats-Msg-Id", message_id.c_str());
  if (status == NATS_OK) status = natsMsgHeader_Set(message, "Turno-Seq", seq.c_str());
  if (status == NATS_OK) status = natsConnection_PublishMsg(connection_, message);
  natsMsg_Destroy(message);
  return status == NATS_OK ? Status::ok() : nats_error("publish seq " + seq, status);
}

Status NatsReplaySink::finish() {
  const natsStatus status = natsConnection_FlushTimeout(connection_, kFlushTimeoutMs);
  return status == NATS_OK ? Status::ok() : nats_error("flush", status);
}

}  // namespace turno::cli
