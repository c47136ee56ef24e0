// Payment routes: provider webhooks (signed, Stripe-compatible) and the sandbox provider's
// "make this intent succeed / fail" switches, which deliver a signed webhook to this server.
#include "booking_view.h"
#include "command_call.h"
#include "json_writer.h"
#include "route_groups.h"
#include "sandbox.h"
#include "shard_routing.h"
#include "webhook.h"

namespace turno::api {
namespace {

Problem signature_problem(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::kStale:
      return make_problem(http::status::bad_request, "invalid_signature",
                          "the signature's timestamp is outside the tolerance window",
                          std::string(kSignatureHeader));
    case SignatureCheck::kMismatch:
      return make_problem(http::status::bad_request, "invalid_signature",
                          "the signature does not match the body", std::string(kSignatureHeader));
    default:
      return make_problem(http::status::bad_request, "invalid_signature",
                          "the signature header is missing or malformed",
                          std::string(kSignatureHeader));
  }
}

// The command a verified provider event asks for. The actor is the provider, as the platform.
v1::Command payment_command(const Call& call, std::string_view provider,
                            const PaymentEvent& event) {
  v1::Command command;
  command.set_tenant_id(event.tenant);
  command.set_command_id("webhook/" + std::string(provider) + "/" + event.event_id);
  command.set_correlation_id(call.request_id);
  command.mutable_actor()->set_id("provider:" + std::string(provider));
  command.mutable_actor()->set_role(v1::ROLE_PLATFORM);
  if (event.type == kSucceededType) {
    auto& out = *command.mutable_record_payment_succeeded();
    out.set_payment_id(event.payment_id);
    out.set_provider(std::string(provider));
    out.set_provider_event_id(event.event_id);
    out.set_amount_minor(event.amount_minor);
    out.set_currency(event.currency);
  } else {
    auto& out = *command.mutable_record_payment_failed();
    out.set_payment_id(event.payment_id);
    out.set_provider(std::string(provider));
    out.set_provider_event_id(event.event_id);
    out.set_reason(event.failure_reason);
  }
  return command;
}

Response received(std::string_view event_id, std::size_t events_appended, bool ignored) {
  JsonWriter json;
  json.begin_object()
      .field("received", true)
      .field("event_id", event_id)
      .field("events_appended", std::uint64_t{events_appended})
      .field("ignored", ignored)
      .end_object();
  return json_response(http::status::ok, json.take());
}

void webhook(Call& call) {
  const std::string provider(call.param("provider"));
  const std::string* secret = call.api.webhook_secret(provider);
  if (secret == nullptr) {
    return call.respond(make_problem(http::status::not_found, "unknown_provider",
                                     "no payment provider " + provider + " is configured"));
  }
  const std::string_view body = call.request.body();
  const SignatureCheck check = check_webhook_signature(call.request[kSignatureHeader], *secret,
                                                       body, call.api.clock().now_ms() / 1000);
  if (check != SignatureCheck::kOk) return call.respond(signature_problem(check));
  FieldError error;
  const std::optional<PaymentEvent> event = parse_payment_event(body, error);
  if (!event) return call.respond(invalid_request(error));
  // Events Turno does not act on are acknowledged, so the provider stops sending them.
  if (!event->handled()) return call.respond(received(event->event_id, 0, true));
  submit(call, payment_command(call, provider, *event),
         [event_id = event->event_id](const CommandResult& result) {
           return received(event_id, result.replayed ? 0 : result.events.size(), false);
         });
}

// The intent, when it exists in the caller's tenant and its booking is visible to the caller
// (clients: their own; staff: their site's).
std::optional<SandboxIntent> visible_intent(Call& call) {
  std::optional<SandboxIntent> intent = call.api.sandbox().find(call.param("intent"));
  if (!intent || intent->tenant != call.who().tenant) return std::nullopt;
  // Another shard's booking: this node cannot check who may see it, so it does not deliver.
  const ShardRouting* shards = call.api.find<ShardRouting>();
  if (shards != nullptr && !shards->owns(intent->tenant)) return std::nullopt;
  auto booking = read_booking(call.api.engine().log(), intent->tenant, intent->booking_id);
  if (!booking.is_ok() || !booking.value() || !visible_to(*booking.value(), call.who())) {
    return std::nullopt;
  }
  return intent;
}

// The webhook's answers that say the payment's state refused the outcome (409 conflict, 422
// domain rule): a client error. Anything else that is not 2xx is the delivery failing (502).
bool refused_by_state(unsigned webhook_status) {
  return webhook_status == static_cast<unsigned>(http::status::conflict) ||
         webhook_status == static_cast<unsigned>(http::status::unprocessable_entity);
}

template <bool kSucceeded>
void sandbox_outcome(Call& call) {
  const std::optional<SandboxIntent> intent = visible_intent(call);
  if (!intent) {
    return call.respond(
        make_problem(http::status::not_found, "unknown_id",
                     "no sandbox payment intent " + std::string(call.param("intent")), "intent"));
  }
  std::optional<JsonBody> body = read_body(call, true);
  if (!body) return;
  std::string reason = body->root().string("reason", Presence::kOptional, kTextBytesMax);
  body->root().finish();
  if (answer_if_invalid(call, *body)) return;
  if (!kSucceeded && reason.empty()) reason = "card_declined";
  call.api.sandbox().deliver(
      call.executor, *intent, kSucceeded, std::move(reason),
      [reply = call.responder(), payment_id = intent->payment_id](unsigned status,
                                                                  std::string webhook_body) {
        if (refused_by_state(status)) {
          // The intent's state refused the outcome (a failure after a success): the caller's
          // request is at fault, so it gets the webhook's own problem, not a 502.
          return reply(make_response(static_cast<http::status>(status), kProblemType,
                                     std::move(webhook_body)));
        }
        if (status < 200 || status > 299) {
          return reply(problem_response(make_problem(
              http::status::bad_gateway, "webhook_failed",
              "the webhook answered " + std::to_string(status) + ": " + webhook_body)));
        }
        JsonWriter json;
        json.begin_object()
            .field("payment_id", payment_id)
            .field("outcome", kSucceeded ? "succeeded" : "failed")
            .field("webhook_status", std::uint64_t{status})
            .end_object();
        reply(json_response(http::status::ok, json.take()));
      });
}

}  // namespace

void add_payments_routes(RouteTable& table) {
  const RoleSet payers = roles({v1::ROLE_CLIENT, v1::ROLE_STAFF, v1::ROLE_ADMIN});
  table.add({http::verb::post, "/v1/webhooks/payments/{provider}", kPublic, webhook});
  table.add(
      {http::verb::post, "/v1/sandbox/payments/{intent}/succeed", payers, sandbox_outcome<true>});
  table.add(
      {http::verb::post, "/v1/sandbox/payments/{intent}/fail", payers, sandbox_outcome<false>});
}

}  // namespace turno::api
