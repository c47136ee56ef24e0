#include "sandbox.h"

#include "http_client.h"
#include "webhook.h"

namespace turno::api {

void Sandbox::remember(const std::string& tenant, const v1::PaymentRequested& requested) {
  if (requested.provider() != kSandboxProvider) return;
  std::lock_guard lock(mutex_);
  const auto [it, inserted] = intents_.try_emplace(
      requested.payment_id(), SandboxIntent{tenant, requested.payment_id(), requested.booking_id(),
                                            requested.amount_minor(), requested.currency()});
  if (!inserted) return;
  order_.push_back(requested.payment_id());
  if (intents_.size() > kSandboxIntentsMax) {
    intents_.erase(order_[oldest_]);
    ++oldest_;
  }
  if (oldest_ > kSandboxIntentsMax) {
    order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(oldest_));
    oldest_ = 0;
  }
}

std::optional<SandboxIntent> Sandbox::find(std::string_view payment_id) const {
  std::lock_guard lock(mutex_);
  const auto it = intents_.find(std::string(payment_id));
  if (it == intents_.end()) return std::nullopt;
  return it->second;
}

void Sandbox::deliver(Executor executor, const SandboxIntent& intent, bool succeeded,
                      std::string failure_reason,
                      std::function<void(unsigned status, std::string body)> done) {
  PaymentEvent event;
  event.type = std::string(succeeded ? kSucceededType : kFailedType);
  // One event id per outcome of an intent: asking twice delivers the same event again.
  event.event_id = "evt_sbx_" + intent.payment_id + (succeeded ? "_succeeded" : "_failed");
  event.payment_id = intent.payment_id;
  event.tenant = intent.tenant;
  event.amount_minor = intent.amount_minor;
  event.currency = intent.currency;
  event.failure_reason = succeeded ? std::string() : std::move(failure_reason);
  const std::int64_t now_s = api_.clock().now_ms() / 1000;
  const std::string body = payment_event_payload(event, now_s);
  Request request{http::verb::post, "/v1/webhooks/payments/sandbox", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, kJsonType);
  request.set(kSignatureHeader, sign_webhook(*api_.webhook_secret(kSandboxProvider), now_s, body));
  request.body() = body;
  tcp::endpoint target = api_.listen_endpoint();
  if (target.address().is_unspecified()) target.address(boost::asio::ip::address_v4::loopback());
  async_request(executor, target, std::move(request), kSandboxDeliveryTimeout,
                [done = std::move(done)](ErrorCode error, Response response) {
                  if (error) return done(0, error.message());
                  done(response.result_int(), std::move(response.body()));
                });
}

}  // namespace turno::api
