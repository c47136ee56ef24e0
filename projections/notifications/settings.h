// Per-tenant notification settings and the contact directory, in the component's own RocksDB
// (DATA/notifications/settings). Settings are not events: they say how and where to deliver,
// never what exists, so they can change without a command and a view rebuild ignores them.
//
// Keys (values are codec.h fields, first a format version):
//   "t/" tenant                      TenantSettings
//   "c/" tenant \0 role \0 id        Contact   (role: "client" or "staff")
//
// Contacts: the log knows clients by id (the JWT `sub`) only, so an e-mail address, phone and
// language are registered here by the tenant (PUT of a contact), for clients and staff alike.
// Secrets (webhook signing secret, SMTP password) are stored as given: protect the directory.
#pragma once

#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "message.h"
#include "status.h"

namespace turno::projections::notifications {

inline constexpr std::size_t kTemplateBytesMax = 16 * 1024;
inline constexpr std::size_t kSettingBytesMax = 2048;  // a URL, an address, a secret
inline constexpr std::int32_t kRatePerMinuteMax = 100'000;
inline constexpr std::int32_t kBurstMax = 10'000;

// Languages with built-in templates.
bool is_supported_locale(std::string_view locale);

struct WebhookChannel {
  bool enabled = false;
  std::string url;     // http:// or https://
  std::string secret;  // HMAC-SHA256 key for Turno-Signature
};

struct EmailChannel {
  bool enabled = false;
  std::string smtp_url;      // smtp://host:port or smtps://host:port
  std::string from_address;  // envelope and From: address
  std::string from_name;     // shown in From:; the tenant's name when empty
  std::string username;      // SMTP AUTH, both empty for none
  std::string password;
  bool require_tls = false;  // STARTTLS required on smtp://
};

// A tenant's own text for one kind in one language; {{placeholders}} as in templates.h.
struct TemplateOverride {
  MessageKind kind = MessageKind::kBookingConfirmed;
  std::string locale;
  std::string subject;
  std::string body;
};

struct TenantSettings {
  std::string locale = "es";                       // for recipients without a language of their own
  std::vector<std::int32_t> reminder_offsets_min;  // empty: the defaults (24 h, 2 h, 30 min)
  bool recalls_enabled = true;
  WebhookChannel webhook;
  EmailChannel email;
  std::vector<TemplateOverride> templates;
  std::int32_t rate_per_minute = 600;  // deliveries per minute, all channels (token bucket)
  std::int32_t burst = 100;            // bucket capacity

  // The offsets in force.
  const std::vector<std::int32_t>& offsets_min() const;
  const TemplateOverride* find_template(MessageKind kind, std::string_view locale) const;
};

// invalid_argument naming the first bad field.
Status validate(const TenantSettings& settings);

struct Contact {
  std::string email;
  std::string phone;   // E.164, passed on in webhooks for SMS/WhatsApp providers
  std::string locale;  // empty: the tenant's
  std::string name;
};
Status validate(const Contact& contact);

class SettingsStore {
 public:
  // Opens (creating) the store in `directory` and loads every tenant's settings.
  static Result<std::unique_ptr<SettingsStore>> open(const std::string& directory, bool sync);
  ~SettingsStore();

  // Validates and stores (synced when opened so) the tenant's settings, replacing them.
  Status put_tenant(const std::string& tenant_id, const TenantSettings& settings);
  // The tenant's settings; nullopt when never set (then nothing is delivered).
  std::optional<TenantSettings> tenant(std::string_view tenant_id) const;
  // Every offset any tenant uses (or the defaults), without duplicates.
  std::vector<std::int32_t> all_offsets_min() const;

  Status put_contact(const std::string& tenant_id, const Recipient& who, const Contact& contact);
  // nullopt when not registered; an error when the store cannot be read.
  Result<std::optional<Contact>> contact(const std::string& tenant_id, const Recipient& who) const;

 private:
  SettingsStore() = default;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
  mutable std::mutex mutex_;  // guards tenants_
  std::map<std::string, TenantSettings, std::less<>> tenants_;
};

}  // namespace turno::projections::notifications
