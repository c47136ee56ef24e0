#include "command_call.h"

#include <boost/asio/post.hpp>

#include "shard_routing.h"

namespace turno::api {
namespace {

bool valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > kIdempotencyKeyBytesMax) return false;
  for (const char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool json_content_type(std::string_view type) {
  const std::string_view media = type.substr(0, type.find(';'));
  return media == "application/json" || media.empty();
}

}  // namespace

std::optional<v1::Command> command_for(Call& call) {
  const Principal& who = call.who();
  v1::Command command;
  command.set_tenant_id(who.tenant);
  const auto key_header = call.request.find("Idempotency-Key");
  if (key_header != call.request.end()) {
    if (!valid_idempotency_key(key_header->value())) {
      call.respond(make_problem(http::status::bad_request, "validation",
                                "Idempotency-Key must be 1 to 255 visible ASCII characters",
                                "Idempotency-Key"));
      return std::nullopt;
    }
    command.set_command_id(std::string(key_header->value()));
  } else {
    command.set_command_id("request/" + call.request_id);
  }
  command.set_correlation_id(call.request_id);
  v1::Actor& actor = *command.mutable_actor();
  actor.set_id(who.subject);
  actor.set_role(who.role);
  actor.set_site_id(who.site);
  actor.set_staff_id(who.staff);
  return command;
}

void submit(Call& call, v1::Command command, Render render) {
  if (ShardRouting* shards = call.api.find<ShardRouting>();
      shards != nullptr && !shards->owns(command.tenant_id())) {
    return shards->forward(call, std::move(command), std::move(render));
  }
  Replier reply = call.responder();
  Executor executor = call.executor;
  call.api.engine().writer().submit(
      std::move(command), [executor, reply = std::move(reply),
                           render = std::move(render)](CommandResult&& result) mutable {
        // On the writer thread: hand over and return at once.
        boost::asio::post(executor, [reply = std::move(reply), render = std::move(render),
                                     result = std::move(result)]() mutable {
          reply(answer_command(result, render));
        });
      });
}

Response answer_command(const CommandResult& result, const Render& render) {
  if (!result.accepted()) return problem_response(problem_from_rejection(*result.rejection));
  Response response = render(result);
  if (result.replayed) response.set("Idempotent-Replayed", "true");
  return response;
}

std::optional<JsonBody> read_body(Call& call, bool empty_is_object) {
  if (!json_content_type(call.request[http::field::content_type])) {
    call.respond(make_problem(http::status::unsupported_media_type, "unsupported_media_type",
                              "send the body as application/json"));
    return std::nullopt;
  }
  JsonBody body(call.request.body(), empty_is_object);
  if (answer_if_invalid(call, body)) return std::nullopt;
  return body;
}

bool answer_if_invalid(Call& call, const JsonBody& body) {
  if (body.ok()) return false;
  call.respond(invalid_request(body.error()));
  return true;
}

}  // namespace turno::api
