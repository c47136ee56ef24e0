// The dispatcher's delivery half: attempts, back-off, dead letter, rate limit (dispatcher.h).
#include "dispatcher.h"
#include "json.h"
#include "local_time.h"

namespace turno::projections::notifications {
namespace {

std::string truncated(std::string text) {
  if (text.size() > kDeliveryErrorBytesMax) text.resize(kDeliveryErrorBytesMax);
  return text;
}

std::string utc_or_empty(std::int64_t instant_ms) {
  return instant_ms == 0 ? std::string() : format_utc(instant_ms);
}

void write_facts(JsonWriter& json, const MessageFacts& f) {
  json.key("data")
      .begin_object()
      .field("tenant_name", f.tenant_name)
      .field("site_name", f.site_name)
      .field("site_address", f.site_address)
      .field("time_zone", f.time_zone)
      .field("client_id", f.client_id)
      .field("patient", f.patient)
      .field("staff_id", f.staff_id)
      .field("staff_name", f.staff_name)
      .field("service_id", f.service_id)
      .field("service_name", f.service_name)
      .field("start", utc_or_empty(f.start_ms))
      .field("end", utc_or_empty(f.end_ms))
      .field("previous_start", utc_or_empty(f.previous_start_ms))
      .field("amount_minor", f.amount_minor)
      .field("currency", f.currency)
      .field("cancelled_by", f.cancelled_by)
      .field("document_id", f.document_id)
      .field("offset_min", f.offset_min);
  json.key("alternatives").begin_array();
  for (const AlternativeFact& option : f.alternatives) {
    json.begin_object()
        .field("staff_id", option.staff_id)
        .field("staff_name", option.staff_name)
        .field("start", format_utc(option.start_ms))
        .field("end", format_utc(option.end_ms))
        .end_object();
  }
  json.end_array().end_object();
}

}  // namespace

std::string webhook_payload(const Message& message, const Delivery& delivery,
                            const std::optional<Contact>& contact) {
  JsonWriter json;
  json.begin_object()
      .field("message_id", message.id)
      .field("kind", to_string(message.kind))
      .field("tenant_id", message.tenant_id)
      .field("site_id", message.site_id)
      .field("booking_id", message.booking_id)
      .field("due_at", format_utc(message.due_at_ms));
  json.key("recipient")
      .begin_object()
      .field("role", to_string(message.recipient.role))
      .field("id", message.recipient.id)
      .field("email", contact ? contact->email : std::string())
      .field("phone", contact ? contact->phone : std::string())
      .field("name", contact ? contact->name : std::string())
      .end_object();
  json.field("locale", delivery.locale)
      .field("subject", delivery.subject)
      .field("text", delivery.body);
  write_facts(json, message.facts);
  json.end_object();
  return json.take();
}

Status Dispatcher::deliver(std::int64_t now_ms, PassReport& report) {
  Result<std::vector<Delivery>> due = outbox_.due(now_ms, limits_.deliveries_per_tick_max);
  if (!due.is_ok()) return due.status();
  for (Delivery& delivery : due.value()) {
    if (Status attempted = attempt(std::move(delivery), now_ms, report); !attempted.is_ok()) {
      return attempted;
    }
  }
  return Status::ok();
}

Status Dispatcher::attempt(Delivery delivery, std::int64_t now_ms, PassReport& report) {
  const Delivery before = delivery;
  const Validity validity = read_view(
      [&](const NotificationsView& view) { return view.validate(delivery.message_ref()); });
  std::string skip_reason = validity.valid ? std::string() : validity.reason;
  if (skip_reason.empty() && now_ms > delivery.useful_until_ms) skip_reason = "no longer useful";
  const std::optional<TenantSettings> settings = settings_.tenant(delivery.tenant_id);
  if (skip_reason.empty()) {
    const bool enabled =
        settings && (delivery.channel == Channel::kWebhook ? settings->webhook.enabled
                                                           : settings->email.enabled);
    if (!enabled) skip_reason = "channel disabled";
  }
  if (!skip_reason.empty()) {
    delivery.status = DeliveryStatus::kSkipped;
    delivery.finished_at_ms = now_ms;
    delivery.last_error = skip_reason;
    metrics_.skipped[static_cast<std::size_t>(delivery.channel)].fetch_add(1);
    return finish(before, std::move(delivery));
  }
  if (!buckets_.take(delivery.tenant_id, settings->rate_per_minute, settings->burst, now_ms)) {
    metrics_.rate_limited.fetch_add(1);
    delivery.next_attempt_ms = now_ms + limits_.rate_limited_delay_ms;
    return finish(before, std::move(delivery));
  }
  ++report.attempted;
  const SendResult result = send(delivery, *settings, now_ms);
  ++delivery.attempts;
  const auto channel = static_cast<std::size_t>(delivery.channel);
  if (result.outcome == SendOutcome::kSent) {
    delivery.status = DeliveryStatus::kSent;
    delivery.finished_at_ms = now_ms;
    metrics_.sent[channel].fetch_add(1);
    return finish(before, std::move(delivery));
  }
  metrics_.failed_attempts[channel].fetch_add(1);
  delivery.last_error = truncated(result.detail);
  if (result.outcome == SendOutcome::kPermanent || delivery.attempts >= limits_.attempts_max) {
    delivery.status = DeliveryStatus::kDead;
    delivery.finished_at_ms = now_ms;
    metrics_.dead[channel].fetch_add(1);
  } else {
    delivery.next_attempt_ms = now_ms + backoff_ms(limits_, delivery.attempts);
  }
  return finish(before, std::move(delivery));
}

SendResult Dispatcher::send(const Delivery& delivery, const TenantSettings& settings,
                            std::int64_t now_ms) {
  if (delivery.channel == Channel::kWebhook) {
    return transport_.send(
        WebhookRequest{settings.webhook.url, settings.webhook.secret, delivery.message_id,
                       std::string(to_string(delivery.kind)), delivery.attempts + 1,
                       now_ms / kMsPerSecond, delivery.payload});
  }
  EmailRequest request;
  request.server = settings.email;
  request.to_address = delivery.address;
  request.subject = delivery.subject;
  request.body = delivery.body;
  request.message_id = delivery.message_id;
  request.now_ms = now_ms;
  if (!delivery.document_id.empty()) {
    Result<InvoiceDetail> document = read_view([&](const NotificationsView& view) {
      return view.document(delivery.tenant_id, delivery.document_id);
    });
    if (!document.is_ok()) return {SendOutcome::kRetry, "document not available yet"};
    request.attachment =
        Attachment{delivery.document_id + ".pdf", "application/pdf", invoice_pdf(document.value())};
    request.sender_name = document.value().tenant_name;
  }
  if (!settings.email.from_name.empty()) request.sender_name = settings.email.from_name;
  return transport_.send(request);
}

Status Dispatcher::finish(const Delivery& before, Delivery after) {
  return outbox_.update(before, after);
}

}  // namespace turno::projections::notifications
