#include "nats_repair_source.h"

#include <map>

#include "nats_client.h"
#include "nats_format.h"

namespace turno::projections {
namespace {

class NatsRecordSource final : public RecordSource {
 public:
  NatsRecordSource(NatsRecordSourceOptions options, NatsConnection connection, JetStream js)
      : options_(std::move(options)), connection_(std::move(connection)), js_(std::move(js)) {}

  std::string describe() const override {
    return "JetStream " + std::string(nats_format::kStream) + " at " + options_.url;
  }

  Result<std::vector<LogRecord>> read(const std::string& log_id, Seq from,
                                      std::size_t count_max) override {
    if (!subscription_) {
      if (Status status = subscribe(); !status.is_ok()) return status;
      next_ = from;
    }
    if (log_id_.empty()) log_id_ = log_id;
    std::vector<LogRecord> records;
    if (log_id != log_id_ || from != next_) return records;  // one log, read forward once
    while (records.size() < count_max) {
      if (auto held = held_back_.find(next_.value); held != held_back_.end()) {
        records.push_back(std::move(held->second));
        held_back_.erase(held);
        next_ = next_.next();
        continue;
      }
      if (exhausted_) break;
      if (Status status = receive_one(); !status.is_ok()) return status;
    }
    return records;
  }

 private:
  Status subscribe() {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    const std::string stream(nats_format::kStream);
    options.Stream = stream.c_str();
    options.Ordered = true;
    natsSubscription* raw = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    const std::string subjects(nats_format::kEventSubjects);
    const natsStatus status =
        js_SubscribeSync(&raw, js_.get(), subjects.c_str(), nullptr, &options, &error);
    if (status != NATS_OK) return nats_status(status, "nats: read stream " + stream);
    subscription_.reset(raw);
    return Status::ok();
  }

  // Takes one message off the stream: the next seq goes to held_back_ like any other, so
  // read() hands everything out of one place.
  Status receive_one() {
    natsMsg* raw = nullptr;
    const natsStatus status =
        natsSubscription_NextMsg(&raw, subscription_.get(), options_.message_wait.count());
    if (status == NATS_TIMEOUT) {
      exhausted_ = true;
      return Status::ok();
    }
    if (status != NATS_OK) return nats_status(status, "nats: read stream");
    NatsMsg msg(raw);
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg.get()) == NATS_OK) {
      if (meta->NumPending == 0) exhausted_ = true;
      jsMsgMetaData_Destroy(meta);
    }
    const auto id = nats_format::parse_msg_id(header_of(msg.get(), "Nats-Msg-Id"));
    if (!id || id->first != log_id_ || id->second < next_) return Status::ok();
    if (held_back_.size() >= options_.out_of_order_max) {
      exhausted_ = true;  // a gap too long to wait across: stop there
      return Status::ok();
    }
    LogRecord record;
    record.seq = id->second;
    record.envelope_bytes.assign(natsMsg_GetData(msg.get()),
                                 static_cast<std::size_t>(natsMsg_GetDataLength(msg.get())));
    if (!record.envelope.ParseFromString(record.envelope_bytes) ||
        record.envelope.seq() != record.seq.value) {
      return Status::corruption("nats: message " +
                                std::string(header_of(msg.get(), "Nats-Msg-Id")) +
                                " is not that event");
    }
    held_back_.try_emplace(record.seq.value, std::move(record));
    return Status::ok();
  }

  NatsRecordSourceOptions options_;
  NatsConnection connection_;
  JetStream js_;
  NatsSubscription subscription_;
  std::string log_id_;
  Seq next_;
  std::map<std::uint64_t, LogRecord> held_back_;
  bool exhausted_ = false;
};

}  // namespace

Result<std::unique_ptr<RecordSource>> nats_record_source(NatsRecordSourceOptions options) {
  NatsConnectOptions connect;
  connect.url = options.url;
  connect.name = "turno-repair";
  connect.connect_timeout = options.connect_timeout;
  Result<NatsConnection> connection = nats_connect(connect);
  if (!connection.is_ok()) return connection.status();
  Result<JetStream> js = jetstream(connection.value().get());
  if (!js.is_ok()) return js.status();
  return std::unique_ptr<RecordSource>(new NatsRecordSource(
      std::move(options), std::move(connection).value(), std::move(js).value()));
}

}  // namespace turno::projections
