// The built-in `sandbox` payment provider, for demos and tests. It keeps the intents the
// engine requested from it (in memory: an intent is forgotten at restart) and, when told that
// one succeeded or failed, delivers a correctly signed webhook to this very server over HTTP,
// exactly as a real provider would.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api.h"
#include "event_kinds.h"
#include "events.pb.h"

namespace turno::api {

using turno::kSandboxProvider;  // the engine's name for it (event_kinds.h)
inline constexpr std::size_t kSandboxIntentsMax = 1'000'000;
inline constexpr std::chrono::milliseconds kSandboxDeliveryTimeout{10'000};
// The sandbox's webhook signing secret when none is configured: 256 random bits.
inline constexpr std::size_t kSandboxSecretBytes = 32;

struct SandboxIntent {
  std::string tenant;
  std::string payment_id;
  std::string booking_id;
  std::int64_t amount_minor = 0;
  std::string currency;
};

class Sandbox {
 public:
  explicit Sandbox(Api& api) : api_(api) {}

  // Records an intent the engine requested from the sandbox (other providers are ignored).
  // Beyond kSandboxIntentsMax the oldest intents are forgotten.
  void remember(const std::string& tenant, const v1::PaymentRequested& requested);
  std::optional<SandboxIntent> find(std::string_view payment_id) const;

  // Signs the provider's event for `intent` and POSTs it to this server's webhook route;
  // `done(status, body)` runs on `executor` (status 0: the delivery itself failed).
  void deliver(Executor executor, const SandboxIntent& intent, bool succeeded,
               std::string failure_reason,
               std::function<void(unsigned status, std::string body)> done);

 private:
  Api& api_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, SandboxIntent> intents_;  // guarded by mutex_
  std::vector<std::string> order_;                          // guarded by mutex_; oldest first
  std::size_t oldest_ = 0;                                  // guarded by mutex_
};

}  // namespace turno::api
