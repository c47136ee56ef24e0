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

namespace {

// One group for whichever log comes first (QuerySide::start_nats, `turno project`).
class SingleLog final : public LogGroups {
 public:
  explicit SingleLog(ProjectorGroup& group) : group_(group) {}
  Result<ProjectorGroup*> group_for_log(const std::string& log_id) override {
    if (log_id_.empty()) log_id_ = log_id;
    if (log_id != log_id_) {
      return Status::invalid_argument("nats: events of a second log (" + log_id +
                                      ") on a feed of one log (" + log_id_ + ")");
    }
    return &group_;
  }

 private:
  ProjectorGroup& group_;
  std::string log_id_;
};

}  // namespace

NatsFeed::NatsFeed(LogGroups& groups, Progress& progress, NatsFeedOptions options)
    : groups_(groups), progress_(progress), options_(std::move(options)) {
  thread_ = std::thread([this] { run(); });
}

NatsFeed::NatsFeed(ProjectorGroup& group, Progress& progress, NatsFeedOptions options)
    : single_log_(std::make_unique<SingleLog>(group)),
      groups_(*single_log_),
      progress_(progress),
      options_(std::move(options)) {
  head_seq_.store(group.min_applied().value);
  thread_ = std::thread([this] { run(); });
}

Seq NatsFeed::head_seq(const std::string& log_id) const {
  std::lock_guard lock(logs_mutex_);
  const auto it = logs_.find(log_id);
  return it == logs_.end() ? Seq{} : it->second.head;
}

Result<NatsFeed::Log*> NatsFeed::log(const std::string& log_id) {
  {
    std::lock_guard lock(logs_mutex_);
    if (auto it = logs_.find(log_id); it != logs_.end()) return &it->second;
  }
  Result<ProjectorGroup*> group = groups_.group_for_log(log_id);
  if (!group.is_ok()) return group.status();
  std::lock_guard lock(logs_mutex_);
  Log& state = logs_[log_id];
  state.group = group.value();
  state.head = state.group->min_applied();
  return &state;
}

Status NatsFeed::checkpoint(bool quiet, bool force) {
  Status first_error;
  std::lock_guard lock(logs_mutex_);
  for (auto& [id, state] : logs_) {
    Status status = state.group->checkpoint(quiet, force);
    if (!status.is_ok() && first_error.is_ok()) first_error = std::move(status);
  }
  return first_error;
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
  set_error(checkpoint(/*quiet=*/true, /*force=*/true));
}

Status NatsFeed::open_session(Session& session) {
  Result<NatsConnection> connection = nats_connect({options_.url,
                                                    "turno-query-" + options_.durable,
                                                    options_.request_timeout,
                                                    {},
                                                    Reconnect::kNever});
  if (!connection.is_ok()) return connection.status();
  session.connection = std::move(connection).value();
  Result<JetStream> js = jetstream(session.connection.get());
  if (!js.is_ok()) return js.status();
  session.js = std::move(js).value();
  if (Status status = ensure_event_stream(session.js.get(), options_.stream_replicas);
      !status.is_ok())
    return status;
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
  const natsStatus status = js_PullSubscribe(&subscription, session.js.get(), subjects.c_str(),
                                             options_.durable.c_str(), nullptr, &subscribe, &error);
  if (status != NATS_OK) return nats_status(status, "nats: pull consumer " + options_.durable);
  session.subscription.reset(subscription);
  return Status::ok();
}

Status NatsFeed::consume(Session& session) {
  std::map<std::string, std::vector<v1::Envelope>> batch;  // per log id, in arrival order
  while (!stopping_.load()) {
    MsgList fetched;
    jsErrCode error = static_cast<jsErrCode>(0);
    const natsStatus status = natsSubscription_Fetch(&fetched.list, session.subscription.get(),
                                                     static_cast<int>(options_.fetch_batch_max),
                                                     options_.fetch_wait.count(), &error);
    if (status == NATS_TIMEOUT) {  // nothing new: a quiet moment
      set_error(checkpoint(/*quiet=*/true));
      std::lock_guard lock(logs_mutex_);
      for (auto& [id, state] : logs_) state.group->observe_head(state.head);
      continue;
    }
    if (status != NATS_OK) return nats_status(status, "nats: fetch");
    for (auto& [id, events] : batch) events.clear();
    for (int i = 0; i < fetched.list.Count; ++i) {
      natsMsg* msg = fetched.list.Msgs[i];
      const auto id = nats_format::parse_msg_id(header_of(msg, "Nats-Msg-Id"));
      if (!id) continue;  // not an event of ours: whatever it hid shows up as a gap
      v1::Envelope& event = batch[id->first].emplace_back();
      if (!event.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)) ||
          event.seq() == 0 || event.seq() != id->second.value) {
        batch[id->first].pop_back();
        continue;
      }
      head_seq_.store(std::max(head_seq_.load(), event.seq()));
    }
    for (auto& [id, events] : batch) {
      if (events.empty()) continue;
      Result<Log*> state = log(id);
      if (!state.is_ok()) return state.status();
      {
        std::lock_guard lock(logs_mutex_);
        for (const v1::Envelope& event : events) {
          state.value()->head = std::max(state.value()->head, Seq{event.seq()});
        }
        state.value()->group->observe_head(state.value()->head);
      }
      if (Status applied = apply(session, *state.value()->group, events, id); !applied.is_ok()) {
        return applied;
      }
    }
    if (fetched.list.Count > 0) {
      natsMsg* last = fetched.list.Msgs[fetched.list.Count - 1];
      if (natsStatus acked = natsMsg_Ack(last, nullptr); acked != NATS_OK) {
        return nats_status(acked, "nats: ack");
      }
    }
    progress_.advanced();
    set_error(checkpoint(/*quiet=*/false));
  }
  return Status::ok();
}

Status NatsFeed::apply(Session& session, ProjectorGroup& group, std::vector<v1::Envelope>& events,
                       const std::string& log_id) {
  std::sort(events.begin(), events.end(),
            [](const auto& a, const auto& b) { return a.seq() < b.seq(); });
  for (;;) {
    const OfferResult offered = group.offer(events);
    if (!offered.gap) return Status::ok();
    // The slowest view stopped before a missing range: fetch it from the command node.
    const Seq applied = group.min_applied();
    auto past = std::find_if(events.begin(), events.end(),
                             [&](const auto& event) { return event.seq() > applied.value + 1; });
    if (past == events.end()) return Status::ok();
    if (Status filled = fill_gap(session, group, log_id, Seq{past->seq() - 1}); !filled.is_ok()) {
      return filled;
    }
  }
}

Status NatsFeed::fill_gap(Session& session, ProjectorGroup& group, const std::string& log_id,
                          Seq up_to) {
  if (log_id.empty()) return Status::corruption("nats: a gap, and no log id to ask for it");
  const std::string subject = nats_format::log_read_subject(log_id);
  std::vector<v1::Envelope> events;
  while (group.min_applied() < up_to) {
    if (stopping_.load()) return Status::busy("nats: stopped while filling a gap");
    const Seq from = group.min_applied().next();
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
            ? nats_format::decode_read_reply(
                  {natsMsg_GetData(reply.get()),
                   static_cast<std::size_t>(natsMsg_GetDataLength(reply.get()))})
            : Result<nats_format::ReadReply>(nats_status(status, "nats: log read " + subject));
    if (!records.is_ok() || records.value().envelopes.empty()) {
      set_error(records.is_ok()
                    ? Status::not_found("nats: the command node's log ends before seq " +
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
    group.offer(events);
    events_from_log_.fetch_add(events.size());
  }
  gaps_filled_.fetch_add(1);
  return Status::ok();
}

}  // namespace turno::projections
