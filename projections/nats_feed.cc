#include "nats_feed.h"

#include <algorithm>

#include "nats_client.h"
#include "nats_format.h"

namespace turno::projections {
namespace {

// Acknowledged messages the server lets a consumer have outstanding: above any fetch batch.
constexpr std::int64_t kMaxAckPending = 65'536;
constexpr std::int64_t kAckWaitNs = 30'000'000'000;

struct MsgList {
  natsMsgList list{nullptr, 0};
  ~MsgList() {
    if (list.Msgs != nullptr) natsMsgList_Destroy(&list);
  }
};

}  // namespace

struct NatsFeed::Session {
  NatsConnection connection;
  JetStream js;
  NatsSubscription subscription;
};

NatsFeed::NatsFeed(ProjectorGroup& group, Progress& progress, NatsFeedOptions options)
    : group_(group), progress_(progress), options_(std::move(options)) {
  head_seq_.store(group_.min_applied().value);
  thread_ = std::thread([this] { run(); });
}

void NatsFeed::stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

Status NatsFeed::last_error() const {
  std::lock_guard lock(error_mutex_);
  return error_;
}

void NatsFeed::set_error(Status status) {
  std::lock_guard lock(error_mutex_);
  error_ = std::move(status);
}

void NatsFeed::run() {
  while (!stopping_.load()) {
    Session session;
    Status status = open_session(session);
    if (status.is_ok()) status = consume(session);
    set_error(std::move(status));
    if (!stopping_.load()) std::this_thread::sleep_for(options_.retry_wait);
  }
  set_error(group_.checkpoint(/*quiet=*/true, /*force=*/true));
}

Status NatsFeed::open_session(Session& session) {
  Result<NatsConnection> connection =
      nats_connect({options_.url, "turno-query-" + options_.durable, options_.request_timeout,
                    {}, Reconnect::kNever});
  if (!connection.is_ok()) return connection.status();
  session.connection = std::move(connection).value();
  Result<JetStream> js = jetstream(session.connection.get());
  if (!js.is_ok()) return js.status();
  session.js = std::move(js).value();
  if (Status status = ensure_event_stream(session.js.get()); !status.is_ok()) return status;
  const std::string stream(nats_format::kStream);
  const std::string subjects(nats_format::kEventSubjects);
  jsSubOptions subscribe;
  jsSubOptions_Init(&subscribe);
  subscribe.Stream = stream.c_str();
  subscribe.Config.AckPolicy = js_AckAll;
  subscribe.Config.DeliverPolicy = js_DeliverAll;
  subscribe.Config.MaxAckPending = kMaxAckPending;
  subscribe.Config.AckWait = kAckWaitNs;
  natsSubscription* subscription = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  const natsStatus status =
      js_PullSubscribe(&subscription, session.js.get(), subjects.c_str(),
                       options_.durable.c_str(), nullptr, &subscribe, &error);
  if (status != NATS_OK) return nats_status(status, "nats: pull consumer " + options_.durable);
  session.subscription.reset(subscription);
  return Status::ok();
}

Status NatsFeed::consume(Session& session) {
  std::vector<v1::Envelope> events;
  while (!stopping_.load()) {
    MsgList fetched;
    jsErrCode error = static_cast<jsErrCode>(0);
    const natsStatus status =
        natsSubscription_Fetch(&fetched.list, session.subscription.get(),
                               static_cast<int>(options_.fetch_batch_max),
                               options_.fetch_wait.count(), &error);
    if (status == NATS_TIMEOUT) {  // nothing new: a quiet moment
      set_error(group_.checkpoint(/*quiet=*/true));
      group_.observe_head(head_seq());
      continue;
    }
    if (status != NATS_OK) return nats_status(status, "nats: fetch");
    events.clear();
    std::string log_id;
    for (int i = 0; i < fetched.list.Count; ++i) {
      natsMsg* msg = fetched.list.Msgs[i];
      v1::Envelope& event = events.emplace_back();
      if (!event.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)) ||
          event.seq() == 0) {
        events.pop_back();  // not an event of ours: whatever it hid shows up as a gap
        continue;
      }
      if (const auto id = nats_format::parse_msg_id(header_of(msg, "Nats-Msg-Id"))) log_id = id->first;
      head_seq_.store(std::max(head_seq_.load(), event.seq()));
    }
    group_.observe_head(head_seq());
    if (Status applied = apply(session, events, log_id); !applied.is_ok()) return applied;
    if (fetched.list.Count > 0) {
      natsMsg* last = fetched.list.Msgs[fetched.list.Count - 1];
      if (natsStatus acked = natsMsg_Ack(last, nullptr); acked != NATS_OK) {
        return nats_status(acked, "nats: ack");
      }
    }
    progress_.advanced();
    set_error(group_.checkpoint(/*quiet=*/false));
  }
  return Status::ok();
}

Status NatsFeed::apply(Session& session, std::vector<v1::Envelope>& events,
                       const std::string& log_id) {
  std::sort(events.begin(), events.end(),
            [](const auto& a, const auto& b) { return a.seq() < b.seq(); });
  for (;;) {
    const OfferResult offered = group_.offer(events);
    if (!offered.gap) return Status::ok();
    // The slowest view stopped before a missing range: fetch it from the command node.
    const Seq applied = group_.min_applied();
    auto past = std::find_if(events.begin(), events.end(),
                             [&](const auto& event) { return event.seq() > applied.value + 1; });
    if (past == events.end()) return Status::ok();
    if (Status filled = fill_gap(session, log_id, Seq{past->seq() - 1}); !filled.is_ok()) {
      return filled;
    }
  }
}

Status NatsFeed::fill_gap(Session& session, const std::string& log_id, Seq up_to) {
  if (log_id.empty()) return Status::corruption("nats: a gap, and no log id to ask for it");
  const std::string subject = nats_format::log_read_subject(log_id);
  std::vector<v1::Envelope> events;
  while (group_.min_applied() < up_to) {
    if (stopping_.load()) return Status::busy("nats: stopped while filling a gap");
    const Seq from = group_.min_applied().next();
    const auto count = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(up_to.value - from.value + 1, nats_format::kReadRecordsMax));
    const std::string request = nats_format::encode_read_request(from, count);
    natsMsg* raw = nullptr;
    const natsStatus status =
        natsConnection_Request(&raw, session.connection.get(), subject.c_str(), request.data(),
                               static_cast<int>(request.size()), options_.request_timeout.count());
    NatsMsg reply(raw);
    Result<nats_format::ReadReply> records =
        status == NATS_OK
            ? nats_format::decode_read_reply({natsMsg_GetData(reply.get()),
                                              static_cast<std::size_t>(natsMsg_GetDataLength(reply.get()))})
            : Result<nats_format::ReadReply>(nats_status(status, "nats: log read " + subject));
    if (!records.is_ok() || records.value().envelopes.empty()) {
      set_error(records.is_ok() ? Status::not_found("nats: the command node's log ends before seq " +
                                                    std::to_string(from.value))
                                : records.status());
      if (natsConnection_IsClosed(session.connection.get())) return last_error();
      std::this_thread::sleep_for(options_.retry_wait);
      continue;
    }
    events.clear();
    for (const std::string& bytes : records.value().envelopes) {
      if (!events.emplace_back().ParseFromString(bytes)) {
        return Status::corruption("nats: a log record read over NATS does not decode");
      }
    }
    if (events.front().seq() != from.value) {
      return Status::corruption("nats: log read answered another range");
    }
    group_.offer(events);
    events_from_log_.fetch_add(events.size());
  }
  gaps_filled_.fetch_add(1);
  return Status::ok();
}

}  // namespace turno::projections
