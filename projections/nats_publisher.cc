#include "nats_publisher.h"

#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "nats_client.h"
#include "nats_format.h"

namespace turno::projections {
namespace {

constexpr std::size_t kSnapshotsKept = 2;
constexpr int kPublisherNice = 10;

void on_ack_error(jsCtx*, jsPubAckErr* error, void* closure) {
  static_cast<NatsPublisher*>(closure)->on_publish_failed(
      error->ErrText ? error->ErrText : natsStatus_GetText(error->Err));
}

}  // namespace

// One connection to JetStream, following the log from the published seq while it lasts.
struct NatsPublisher::Session final : LogSubscriber {
  explicit Session(NatsPublisher& owner) : publisher(owner) {}

  Seq applied() const override { return publisher.published_seq(); }
  Status apply(LogBatch batch) override { return publisher.publish_batch(*this, batch.records); }
  void checkpoint(Checkpoint when) override {
    publisher.persist_checkpoint(/*force=*/false);
    // An acknowledged batch clears the last error (after its checkpoint, as it always did).
    if (when == Checkpoint::kAfterBatch) publisher.set_error(Status::ok());
  }
  void read_failed(const Status& error) override { publisher.set_error(error); }

  NatsPublisher& publisher;
  NatsConnection connection;
  JetStream js;
  bool published = false;  // js_PublishAsyncGetPendingList crashes (3.4.1) before any publish
};

NatsPublisher::NatsPublisher(const EventLog& log, NatsPublisherOptions options,
                             std::unique_ptr<SnapshotStore> store)
    : log_(log),
      options_(std::move(options)),
      store_(std::move(store)),
      subscription_(log, {options_.batch_events_max, options_.idle_wait, options_.retry_wait}) {}

Result<std::unique_ptr<NatsPublisher>> NatsPublisher::start(const EventLog& log,
                                                            NatsPublisherOptions options) {
  // Derived: without its checkpoint the publisher starts again from seq 1; JetStream drops
  // repeats within its dedup window and query nodes skip every seq they already have.
  std::vector<std::string> warnings;
  Result<std::unique_ptr<SnapshotStore>> store = SnapshotStore::open_derived(
      options.checkpoint_directory, SnapshotStoreOptions{false, false}, warnings);
  if (!store.is_ok()) return store.status();
  SnapshotStore::Report report;
  Result<std::optional<SnapshotStore::Snapshot>> newest = store.value()->load_newest(report);
  if (!newest.is_ok()) return newest.status();
  std::unique_ptr<NatsPublisher> publisher(
      new NatsPublisher(log, std::move(options), std::move(store).value()));
  // A checkpoint of another log (the data directory was replaced) counts for nothing.
  if (newest.value() && newest.value()->payload == log.log_id()) {
    publisher->published_seq_.store(std::min(newest.value()->seq, log.last_seq()).value);
  }
  publisher->persisted_seq_ = publisher->published_seq();
  publisher->thread_ = std::thread([raw = publisher.get()] { raw->run(); });
  return publisher;
}

NatsPublisher::~NatsPublisher() {
  stop();
}

void NatsPublisher::stop() {
  subscription_.stop();
  if (thread_.joinable()) thread_.join();
}

Status NatsPublisher::last_error() const {
  std::lock_guard lock(error_mutex_);
  return error_;
}

void NatsPublisher::set_error(Status status) {
  std::lock_guard lock(error_mutex_);
  error_ = std::move(status);
}

void NatsPublisher::on_publish_failed(std::string reason) {
  {
    std::lock_guard lock(error_mutex_);
    failure_ = std::move(reason);
  }
  batch_failed_.store(true);
}

void NatsPublisher::run() {
  // Below the writer: on a busy machine the writer keeps its CPU and the publisher catches up
  // in the gaps (a thread's nice value is its own on Linux).
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kPublisherNice) != 0) {
    set_error(Status::io_error("nats: could not lower the publisher's priority"));
  }
  while (!subscription_.stopping()) {
    Session session(*this);
    jsOptions js_options;
    jsOptions_Init(&js_options);
    js_options.PublishAsync.MaxPending = static_cast<std::int64_t>(2 * options_.batch_events_max);
    js_options.PublishAsync.ErrHandler = on_ack_error;
    js_options.PublishAsync.ErrHandlerClosure = this;
    Result<NatsConnection> connection =
        nats_connect({options_.url, "turno-publisher", options_.ack_wait, {}, Reconnect::kNever});
    Status status = connection.status();
    if (status.is_ok()) {
      session.connection = std::move(connection).value();
      Result<JetStream> js = jetstream(session.connection.get(), &js_options);
      status = js.status();
      if (status.is_ok()) session.js = std::move(js).value();
    }
    if (status.is_ok()) status = ensure_event_stream(session.js.get(), options_.stream_replicas);
    if (status.is_ok()) status = rewind_to_stream(session);
    if (status.is_ok()) {
      connected_.store(true);
      status = subscription_.follow(session);  // returns on a NATS failure or stop
      connected_.store(false);
      if (!subscription_.stopping()) reconnects_.fetch_add(1);
    }
    set_error(std::move(status));
    if (session.published) {
      natsMsgList pending;
      if (js_PublishAsyncGetPendingList(&pending, session.js.get()) == NATS_OK) {
        natsMsgList_Destroy(&pending);
      }
    }
    subscription_.wait_for_stop(options_.retry_wait);
  }
  persist_checkpoint(/*force=*/true);
}

// Publishes the batch and waits until JetStream acknowledged all of it.
Status NatsPublisher::publish_batch(Session& session, std::span<const LogRecord> records) {
  batch_failed_.store(false);
  std::string subject;
  std::string id;
  for (const LogRecord& record : records) {
    subject = nats_format::event_subject(record.envelope);
    id = nats_format::msg_id(log_.log_id(), record.seq);
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = id.c_str();
    const natsStatus status =
        js_PublishAsync(session.js.get(), subject.c_str(), record.envelope_bytes.data(),
                        static_cast<int>(record.envelope_bytes.size()), &options);
    if (status != NATS_OK) {
      return nats_status(status, "nats: publish seq " + std::to_string(record.seq.value));
    }
    session.published = true;
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = options_.ack_wait.count();
  if (natsStatus status = js_PublishAsyncComplete(session.js.get(), &wait); status != NATS_OK) {
    return nats_status(status, "nats: waiting for acknowledgements");
  }
  if (batch_failed_.load()) {
    std::lock_guard lock(error_mutex_);
    return Status::io_error("nats: JetStream refused a message: " + failure_);
  }
  published_seq_.store(records.back().seq.value);
  events_published_.fetch_add(records.size());
  return Status::ok();
}

// The newest message of this log in the stream; below the checkpoint means NATS lost some.
Status NatsPublisher::rewind_to_stream(Session& session) {
  const std::string stream(nats_format::kStream);
  jsStreamInfo* info = nullptr;
  natsStatus status = js_GetStreamInfo(&info, session.js.get(), stream.c_str(), nullptr, nullptr);
  if (status != NATS_OK) return nats_status(status, "nats: stream info");
  const std::uint64_t last_stream_seq = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  Seq in_stream;
  if (last_stream_seq > 0) {
    natsMsg* raw = nullptr;
    status = js_GetMsg(&raw, session.js.get(), stream.c_str(), last_stream_seq, nullptr, nullptr);
    if (status != NATS_OK) return nats_status(status, "nats: last message");
    NatsMsg msg(raw);
    const auto id = nats_format::parse_msg_id(header_of(msg.get(), "Nats-Msg-Id"));
    if (!id || id->first != log_.log_id()) return Status::ok();  // not ours to judge
    in_stream = id->second;
  }
  if (in_stream < published_seq()) published_seq_.store(in_stream.value);
  return Status::ok();
}

// JetStream acknowledged the log up to `seq`: one more witness the log may never fall below
// (engine/log/log_anchor.h), as the stream now holds those events.
Status NatsPublisher::anchor_published_head(Seq seq) {
  if (seq.value == 0) return Status::ok();
  Result<LogRecord> record = log_.read_one(seq);
  if (!record.is_ok()) return record.status();
  HeadAnchor anchor;
  anchor.witness = std::string(kNatsPublisherWitness);
  anchor.log_id = log_.log_id();
  anchor.seq = seq;
  anchor.hash = record.value().hash;
  anchor.written_at_ms = SystemClock().now_ms();
  return write_head_anchor(log_.directory(), anchor);
}

void NatsPublisher::persist_checkpoint(bool force) {
  const Seq seq = published_seq();
  const auto now = std::chrono::steady_clock::now();
  if (seq == persisted_seq_) return;
  if (!force && now - persisted_at_ < options_.checkpoint_interval) return;
  Status status = store_->write(seq, log_.log_id());
  if (status.is_ok()) status = store_->prune(kSnapshotsKept);
  if (status.is_ok()) status = anchor_published_head(seq);
  if (!status.is_ok()) return set_error(std::move(status));
  persisted_seq_ = seq;
  persisted_at_ = now;
}

std::string NatsPublisher::metrics_text() const {
  const std::uint64_t published = published_seq().value;
  const std::uint64_t tail = log_.last_seq().value;
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, std::uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(value) + "\n";
  };
  metric("turno_nats_published_seq", "gauge", "Seq up to which JetStream acknowledged every event.",
         published);
  metric("turno_nats_publish_lag_events", "gauge",
         "Committed events not yet acknowledged by JetStream.",
         tail > published ? tail - published : 0);
  metric("turno_nats_events_published_total", "counter", "Events published and acknowledged.",
         events_published());
  metric("turno_nats_reconnects_total", "counter", "Connections to NATS lost.", reconnects());
  metric("turno_nats_connected", "gauge", "1 while connected to NATS.", connected() ? 1 : 0);
  return out;
}

}  // namespace turno::projections
