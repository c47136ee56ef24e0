// Payment provider webhooks, Stripe-compatible: the signature header
// `Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` and a PaymentIntent
// event payload whose metadata names the tenant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json_reader.h"

namespace turno::api {

inline constexpr std::int64_t kWebhookToleranceS = 300;  // |now - t| beyond this is stale
inline constexpr std::string_view kSignatureHeader = "Stripe-Signature";
inline constexpr std::string_view kSucceededType = "payment_intent.succeeded";
inline constexpr std::string_view kFailedType = "payment_intent.payment_failed";

enum class SignatureCheck { kOk, kMalformed, kMismatch, kStale };

// The header value signing `body` at `timestamp_s`.
std::string sign_webhook(std::string_view secret, std::int64_t timestamp_s, std::string_view body);

// Checks `header` against `body`: any v1 signature may match; the timestamp must be within
// kWebhookToleranceS of `now_s`.
SignatureCheck check_webhook_signature(std::string_view header, std::string_view secret,
                                       std::string_view body, std::int64_t now_s);

// What Turno needs of a provider's event.
struct PaymentEvent {
  std::string event_id;    // the provider's event id: deduplicates deliveries
  std::string type;        // kSucceededType, kFailedType or another (ignored) type
  std::string payment_id;  // the intent: data.object.id
  std::string tenant;      // data.object.metadata.tenant
  std::int64_t amount_minor = 0;
  std::string currency;  // upper case
  std::string failure_reason;

  bool handled() const { return type == kSucceededType || type == kFailedType; }
};

// Reads a provider event from `body`; members Turno does not use are allowed.
std::optional<PaymentEvent> parse_payment_event(std::string_view body, FieldError& error);

// The payload a provider would send for `event` (the sandbox provider's deliveries).
std::string payment_event_payload(const PaymentEvent& event, std::int64_t created_s);

}  // namespace turno::api
