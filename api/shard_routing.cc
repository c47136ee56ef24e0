#include "shard_routing.h"

#include <boost/asio/post.hpp>

#include "json_writer.h"
#include "nats_format.h"
#include "nats_requests.h"

namespace turno::api {
namespace {

namespace nats_format = projections::nats_format;

// A reply carries the command's events and its stream before them; NATS's default
// max_payload is 1 MiB. A bigger stream is left out (the forwarding node renders what it has).
constexpr std::size_t kStreamBeforeBytesMax = 512 * 1024;
constexpr std::string_view kUnavailableCode = "shard_unavailable";

Response unavailable(std::string detail) {
  Problem problem = make_problem(http::status::service_unavailable, std::string(kUnavailableCode),
                                 std::move(detail));
  problem.retry_after_s = kRetryAfterS;
  return problem_response(problem);
}

CommandResult result_of(const v1::CommandReply& reply) {
  CommandResult result;
  if (!reply.rejection().empty()) {
    const auto code = rejection_code_from_string(reply.rejection());
    result.rejection =
        Rejection{code.value_or(RejectionCode::kStorageFailed), reply.field(), reply.detail()};
  }
  result.events.assign(reply.events().begin(), reply.events().end());
  result.replayed = reply.replayed();
  result.stream_before.emplace(reply.stream_before().begin(), reply.stream_before().end());
  return result;
}

}  // namespace

ShardRouting::ShardRouting(ShardMap map, std::string shard_id,
                           std::unique_ptr<projections::NatsRequester> requester,
                           ShardRoutingOptions options)
    : map_(std::move(map)),
      shard_id_(std::move(shard_id)),
      requester_(std::move(requester)),
      options_(options),
      pool_(options.forward_threads) {}

ShardRouting::~ShardRouting() {
  pool_.join();
}

bool ShardRouting::owns(std::string_view tenant_id) const {
  const Shard* owner = map_.owner(tenant_id);
  return owner != nullptr && owner->id == shard_id_;
}

Response ShardRouting::misdirected(std::string_view tenant_id) const {
  const Shard* owner = map_.owner(tenant_id);
  JsonWriter json;
  json.begin_object()
      .field("type", "urn:turno:problem:misdirected")
      .field("title", "Misdirected Request")
      .field("status", std::int64_t{421})
      .field("detail", owner == nullptr
                           ? "tenant " + std::string(tenant_id) + " is in no shard of the shard map"
                           : "tenant " + std::string(tenant_id) + " belongs to shard " + owner->id +
                                 "; send it there")
      .field("tenant", tenant_id);
  if (owner != nullptr) json.field("shard", owner->id).field("shard_url", owner->url);
  json.end_object();
  Response response = make_response(http::status::misdirected_request, kProblemType, json.take());
  if (owner != nullptr) {
    response.set(kShardHeader, owner->id);
    if (!owner->url.empty()) response.set(kShardUrlHeader, owner->url);
  }
  return response;
}

void ShardRouting::forward(Call& call, v1::Command command, Render render) {
  const Shard* owner = map_.owner(command.tenant_id());
  if (owner == nullptr || requester_ == nullptr) {
    return call.respond(misdirected(command.tenant_id()));
  }
  if (in_flight_.fetch_add(1) >= options_.forwards_in_flight_max) {
    in_flight_.fetch_sub(1);
    unavailable_.fetch_add(1);
    return call.respond(unavailable("too many commands are being forwarded to other shards"));
  }
  boost::asio::post(pool_, [this, subject = nats_format::command_subject(command.tenant_id()),
                            bytes = command.SerializeAsString(), owner = owner->id,
                            executor = call.executor, reply = call.responder(),
                            render = std::move(render)]() mutable {
    Result<std::string> answered = requester_->request(subject, bytes, options_.forward_timeout);
    in_flight_.fetch_sub(1);
    forwarded_.fetch_add(1);
    boost::asio::post(executor, [this, answered = std::move(answered), owner = std::move(owner),
                                 reply = std::move(reply), render = std::move(render)]() {
      Response response = answer(answered, render);
      response.set(kShardHeader, owner);
      reply(std::move(response));
    });
  });
}

Response ShardRouting::answer(const Result<std::string>& reply, const Render& render) const {
  if (!reply.is_ok()) {
    if (reply.status().code() == Status::Code::kBusy) {
      timed_out_.fetch_add(1);
      return unavailable(
          "the shard owning this tenant did not answer in time; the command may "
          "have been applied: retry with the same Idempotency-Key");
    }
    unavailable_.fetch_add(1);
    return unavailable("the shard owning this tenant cannot be reached (" +
                       reply.status().message() + "); nothing was applied");
  }
  v1::CommandReply decoded;
  if (!decoded.ParseFromString(reply.value())) {
    return unavailable(
        "the owning shard's answer did not decode; retry with the same "
        "Idempotency-Key");
  }
  return answer_command(result_of(decoded), render);
}

std::string ShardRouting::metrics_text() const {
  std::string out =
      "# HELP turno_shard_forwards_total Commands forwarded to the shard owning their tenant, "
      "by outcome.\n# TYPE turno_shard_forwards_total counter\n";
  out += "turno_shard_forwards_total{outcome=\"answered\"} " +
         std::to_string(forwarded_.load() - timed_out_.load()) + "\n";
  out += "turno_shard_forwards_total{outcome=\"timed_out\"} " + std::to_string(timed_out_.load()) +
         "\n";
  out += "turno_shard_forwards_total{outcome=\"unavailable\"} " +
         std::to_string(unavailable_.load()) + "\n";
  out +=
      "# HELP turno_shard_forwards_in_flight Forwarded commands awaiting their answer.\n"
      "# TYPE turno_shard_forwards_in_flight gauge\nturno_shard_forwards_in_flight " +
      std::to_string(in_flight_.load()) + "\n";
  return out;
}

bool answer_if_not_owned(Call& call, std::string_view tenant_id) {
  const ShardRouting* routing = call.api.find<ShardRouting>();
  if (routing == nullptr || routing->owns(tenant_id)) return false;
  call.respond(routing->misdirected(tenant_id));
  return true;
}

// ------------------------------------------------------------------------- the owner's side

Result<std::unique_ptr<CommandResponder>> CommandResponder::start(const std::string& nats_url,
                                                                  const ShardMap& map,
                                                                  const std::string& shard_id,
                                                                  Engine& engine) {
  const Shard* shard = map.find(shard_id);
  if (shard == nullptr) {
    return Status::invalid_argument("--shard " + shard_id + " is not in the shard map");
  }
  std::unique_ptr<CommandResponder> responder(new CommandResponder(engine, map, shard_id));
  std::vector<std::string> subjects;
  for (const std::string& tenant : shard->tenants) {
    subjects.push_back(nats_format::command_subject(tenant));
  }
  auto started = projections::NatsResponder::start(
      nats_url, "turno-shard-" + shard_id, subjects, nats_format::command_queue_group(shard_id),
      [self = responder.get()](std::string_view request, projections::NatsResponder::Reply reply) {
        self->handle(request, std::move(reply));
      });
  if (!started.is_ok()) return started.status();
  responder->responder_ = std::move(started).value();
  return responder;
}

CommandResponder::CommandResponder(Engine& engine, ShardMap map, std::string shard_id)
    : engine_(engine), map_(std::move(map)), shard_id_(std::move(shard_id)), replies_(1) {}

CommandResponder::~CommandResponder() {
  responder_.reset();  // no new requests
  replies_.join();
}

void CommandResponder::handle(std::string_view request,
                              std::function<void(std::string_view)> reply) {
  v1::Command command;
  if (!command.ParseFromArray(request.data(), static_cast<int>(request.size()))) {
    CommandResult bad;
    bad.rejection = Rejection{RejectionCode::kValidation, "", "the command does not decode"};
    return reply(reply_bytes(engine_.log(), shard_id_, bad));
  }
  const Shard* owner = map_.owner(command.tenant_id());
  if (owner == nullptr || owner->id != shard_id_) {
    // Only a stale map on the sender gets here (subjects are per tenant): say it, retryable.
    CommandResult refused;
    refused.rejection =
        Rejection{RejectionCode::kShuttingDown, "tenant_id",
                  "shard " + shard_id_ + " does not own tenant " + command.tenant_id()};
    return reply(reply_bytes(engine_.log(), shard_id_, refused));
  }
  engine_.writer().submit(
      std::move(command), [this, reply = std::move(reply)](CommandResult&& result) mutable {
        // On the writer's thread: hand over and return at once.
        boost::asio::post(replies_, [this, reply = std::move(reply), result = std::move(result)]() {
          reply(reply_bytes(engine_.log(), shard_id_, result));
          answered_.fetch_add(1);
        });
      });
}

std::string CommandResponder::reply_bytes(const EventLog& log, const std::string& shard_id,
                                          const CommandResult& result) {
  v1::CommandReply reply;
  reply.set_shard_id(shard_id);
  if (result.rejection) {
    reply.set_rejection(std::string(to_string(result.rejection->code)));
    reply.set_field(result.rejection->field);
    reply.set_detail(result.rejection->detail);
  }
  for (const v1::Envelope& event : result.events) *reply.add_events() = event;
  reply.set_replayed(result.replayed);
  if (result.events.empty() || result.events.front().stream_version() <= 1) {
    return reply.SerializeAsString();
  }
  const v1::Envelope& first = result.events.front();
  Result<std::vector<Seq>> seqs = log.stream_seqs(first.stream());
  std::size_t bytes = 0;
  for (const Seq seq : seqs.is_ok() ? seqs.value() : std::vector<Seq>{}) {
    Result<LogRecord> record = log.read_one(seq);
    if (!record.is_ok() || record.value().envelope.stream_version() >= first.stream_version()) {
      break;
    }
    bytes += record.value().envelope_bytes.size();
    if (bytes > kStreamBeforeBytesMax) break;
    *reply.add_stream_before() = record.value().envelope;
  }
  return reply.SerializeAsString();
}

}  // namespace turno::api
