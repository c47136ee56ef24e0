// Turning a call into a writer command and the writer's answer into a response.
//
// The command is built only from the token (tenant, actor) and the request (path, body), so
// the same Idempotency-Key with the same request yields the same command: the engine then
// replays the first answer's events and the response is rendered from them again.
#pragma once

#include <functional>
#include <limits>
#include <optional>

#include "api.h"
#include "commands.pb.h"
#include "field_bounds.h"
#include "json_reader.h"
#include "writer.h"

namespace turno::api {

// Request field bounds are the engine's (field_bounds.h): no more is read than it accepts.
inline constexpr std::size_t kIdempotencyKeyBytesMax = kCommandIdBytesMax;
inline constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
inline constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// Renders an accepted command's response; runs on the call's executor.
using Render = std::function<Response(const CommandResult& result)>;

// The command shell for `call`: tenant and actor from the token, command_id from the
// Idempotency-Key header (a fresh key from the request id when there is none), correlation id
// = request id. nullopt after answering 400 for a malformed key.
std::optional<v1::Command> command_for(Call& call);

// Submits `command`; answers a rejection as problem+json and an accepted command with
// render(result), marked `Idempotent-Replayed: true` when answered from the idempotency index.
// On a sharded node, another shard's tenant's command is forwarded there (shard_routing.h).
void submit(Call& call, v1::Command command, Render render);

// That answer for a decided command.
Response answer_command(const CommandResult& result, const Render& render);

// Parses the body as a JSON object (415 unless JSON, 400 when malformed); answers and returns
// nullopt on failure. `empty_is_object` accepts an empty body as {}.
std::optional<JsonBody> read_body(Call& call, bool empty_is_object = false);

// Answers 400 with the reader's first problem when there is one; true if it answered.
bool answer_if_invalid(Call& call, const JsonBody& body);

// The whole life of a command route: read the body (empty counts as {} when
// `empty_is_object`), build the command shell, let `fill(body, command)` read the body into the
// command, refuse unknown fields, answer 400 for the first bad field, else submit.
template <typename Fill>
void run_command(Call& call, Fill fill, Render render, bool empty_is_object = false) {
  std::optional<JsonBody> body = read_body(call, empty_is_object);
  std::optional<v1::Command> command = body ? command_for(call) : std::nullopt;
  if (!command) return;
  fill(body->root(), *command);
  body->root().finish();
  if (answer_if_invalid(call, *body)) return;
  submit(call, std::move(*command), std::move(render));
}

}  // namespace turno::api
