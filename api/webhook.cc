#include "webhook.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "crypto.h"
#include "field_bounds.h"
#include "json_writer.h"

namespace turno::api {
namespace {

constexpr std::size_t kSignaturesMax = 8;

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::string sign_webhook(std::string_view secret, std::int64_t timestamp_s, std::string_view body) {
  const std::string timestamp = std::to_string(timestamp_s);
  std::string message = timestamp;
  message += '.';
  message += body;
  return "t=" + timestamp + ",v1=" + hex_encode(hmac_sha256(secret, message));
}

SignatureCheck check_webhook_signature(std::string_view header, std::string_view secret,
                                       std::string_view body, std::int64_t now_s) {
  std::optional<std::int64_t> timestamp;
  std::string_view timestamp_text;
  std::vector<std::string> signatures;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.starts_with("t=")) {
      timestamp_text = part.substr(2);
      std::int64_t value = 0;
      const auto [end, error] =
          std::from_chars(timestamp_text.begin(), timestamp_text.end(), value);
      if (error != std::errc() || end != timestamp_text.end()) return SignatureCheck::kMalformed;
      timestamp = value;
    } else if (part.starts_with("v1=")) {
      const auto raw = hex_decode(part.substr(3));
      if (!raw || signatures.size() == kSignaturesMax) return SignatureCheck::kMalformed;
      signatures.push_back(*raw);
    }
  }
  if (!timestamp || signatures.empty()) return SignatureCheck::kMalformed;
  std::string message(timestamp_text);
  message += '.';
  message += body;
  const std::string expected = hmac_sha256(secret, message);
  const bool matched = std::any_of(signatures.begin(), signatures.end(), [&](const std::string& s) {
    return constant_time_equal(s, expected);
  });
  if (!matched) return SignatureCheck::kMismatch;
  const std::int64_t age_s = now_s - *timestamp;
  if (age_s > kWebhookToleranceS || age_s < -kWebhookToleranceS) return SignatureCheck::kStale;
  return SignatureCheck::kOk;
}

std::optional<PaymentEvent> parse_payment_event(std::string_view body, FieldError& error) {
  JsonBody json(body);
  PaymentEvent event;
  JsonObject& root = json.root();
  event.event_id = root.string("id", Presence::kRequired, kProviderEventIdBytesMax);
  event.type = root.string("type", Presence::kRequired, 128);
  JsonObject intent =
      root.object("data", Presence::kRequired).object("object", Presence::kRequired);
  event.payment_id = intent.string("id", Presence::kRequired, kIdBytesMax);
  event.amount_minor = intent.integer("amount", Presence::kRequired, 0, INT64_MAX);
  event.currency = upper(intent.string("currency", Presence::kRequired, 3));
  event.tenant = intent.object("metadata", Presence::kRequired)
                     .string("tenant", Presence::kRequired, kIdBytesMax);
  JsonObject failure = intent.object("last_payment_error", Presence::kOptional);
  event.failure_reason = failure.string("message", Presence::kOptional, kTextBytesMax);
  if (!json.ok()) {
    error = json.error();
    return std::nullopt;
  }
  return event;
}

std::string payment_event_payload(const PaymentEvent& event, std::int64_t created_s) {
  JsonWriter json;
  json.begin_object()
      .field("id", event.event_id)
      .field("object", "event")
      .field("type", event.type)
      .field("created", created_s)
      .key("data")
      .begin_object()
      .key("object")
      .begin_object()
      .field("id", event.payment_id)
      .field("object", "payment_intent")
      .field("amount", event.amount_minor)
      .field("currency", lower(event.currency))
      .key("metadata")
      .begin_object()
      .field("tenant", event.tenant)
      .end_object();
  if (!event.failure_reason.empty()) {
    json.key("last_payment_error")
        .begin_object()
        .field("message", event.failure_reason)
        .end_object();
  }
  json.end_object().end_object().end_object();
  return json.take();
}

}  // namespace turno::api
