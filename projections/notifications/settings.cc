#include "settings.h"

#include <algorithm>
#include <set>

#include "codec.h"
#include "durable_rocksdb.h"
#include "reminder_plan.h"
#include "store_copy.h"
#include "templates.h"

namespace turno::projections::notifications {
namespace {

constexpr std::uint64_t kSettingsFormatVersion = 1;
constexpr std::string_view kTenantPrefix = "t/";
constexpr std::string_view kContactPrefix = "c/";
constexpr std::size_t kTemplatesMax = 4 * (kMessageKindMax + 1);

std::string contact_key(std::string_view tenant_id, const Recipient& who) {
  std::string key(kContactPrefix);
  key.append(tenant_id).push_back('\0');
  key.append(to_string(who.role)).push_back('\0');
  key.append(who.id);
  return key;
}

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](std::string_view prefix) { return text.starts_with(prefix); });
}

void encode_settings(Encoder& out, const TenantSettings& s) {
  out.u64(kSettingsFormatVersion);
  out.str(s.locale);
  out.u64(s.reminder_offsets_min.size());
  for (std::int32_t offset : s.reminder_offsets_min) out.i64(offset);
  out.boolean(s.recalls_enabled);
  out.boolean(s.webhook.enabled);
  out.str(s.webhook.url);
  out.str(s.webhook.secret);
  out.boolean(s.email.enabled);
  for (const std::string* text : {&s.email.smtp_url, &s.email.from_address, &s.email.from_name,
                                  &s.email.username, &s.email.password}) {
    out.str(*text);
  }
  out.boolean(s.email.require_tls);
  out.u64(s.templates.size());
  for (const TemplateOverride& t : s.templates) {
    out.u64(static_cast<std::uint64_t>(t.kind));
    out.str(t.locale);
    out.str(t.subject);
    out.str(t.body);
  }
  out.i64(s.rate_per_minute);
  out.i64(s.burst);
}

std::optional<TenantSettings> decode_settings(std::string_view bytes) {
  Decoder in(bytes);
  if (in.u64() != kSettingsFormatVersion) return std::nullopt;
  TenantSettings s;
  s.locale = in.str();
  for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
    s.reminder_offsets_min.push_back(in.i32());
  }
  s.recalls_enabled = in.boolean();
  s.webhook.enabled = in.boolean();
  s.webhook.url = in.str();
  s.webhook.secret = in.str();
  s.email.enabled = in.boolean();
  for (std::string* text : {&s.email.smtp_url, &s.email.from_address, &s.email.from_name,
                            &s.email.username, &s.email.password}) {
    *text = in.str();
  }
  s.email.require_tls = in.boolean();
  for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
    TemplateOverride t;
    t.kind = static_cast<MessageKind>(std::min<std::uint64_t>(in.u64(), kMessageKindMax));
    t.locale = in.str();
    t.subject = in.str();
    t.body = in.str();
    s.templates.push_back(std::move(t));
  }
  s.rate_per_minute = in.i32();
  s.burst = in.i32();
  if (in.failed() || !in.at_end()) return std::nullopt;
  return s;
}

std::string encode_contact(const Contact& contact) {
  Encoder out;
  out.u64(kSettingsFormatVersion);
  for (const std::string* text : {&contact.email, &contact.phone, &contact.locale, &contact.name}) {
    out.str(*text);
  }
  return out.take();
}

std::optional<Contact> decode_contact(std::string_view bytes) {
  Decoder in(bytes);
  if (in.u64() != kSettingsFormatVersion) return std::nullopt;
  Contact contact;
  for (std::string* text : {&contact.email, &contact.phone, &contact.locale, &contact.name}) {
    *text = in.str();
  }
  if (in.failed() || !in.at_end()) return std::nullopt;
  return contact;
}

Status check_length(std::string_view field, std::string_view value, std::size_t max) {
  if (value.size() > max) return Status::invalid_argument(std::string(field) + " is too long");
  return Status::ok();
}

Status validate_channels(const TenantSettings& s) {
  for (const auto& [field, value] :
       {std::pair<std::string_view, const std::string*>{"webhook.url", &s.webhook.url},
        {"webhook.secret", &s.webhook.secret},
        {"email.smtp_url", &s.email.smtp_url},
        {"email.from_address", &s.email.from_address},
        {"email.from_name", &s.email.from_name},
        {"email.username", &s.email.username},
        {"email.password", &s.email.password}}) {
    if (Status length = check_length(field, *value, kSettingBytesMax); !length.is_ok()) {
      return length;
    }
  }
  if (s.webhook.enabled) {
    if (!starts_with_any(s.webhook.url, {"http://", "https://"})) {
      return Status::invalid_argument("webhook.url must be an http:// or https:// URL");
    }
    if (s.webhook.secret.empty()) return Status::invalid_argument("webhook.secret is required");
  }
  if (s.email.enabled) {
    if (!starts_with_any(s.email.smtp_url, {"smtp://", "smtps://"})) {
      return Status::invalid_argument("email.smtp_url must be an smtp:// or smtps:// URL");
    }
    if (s.email.from_address.find('@') == std::string::npos) {
      return Status::invalid_argument("email.from_address must be an e-mail address");
    }
  }
  return Status::ok();
}

}  // namespace

bool is_supported_locale(std::string_view locale) {
  return locale == "es" || locale == "en";
}

const std::vector<std::int32_t>& TenantSettings::offsets_min() const {
  return reminder_offsets_min.empty() ? default_reminder_offsets_min() : reminder_offsets_min;
}

const TemplateOverride* TenantSettings::find_template(MessageKind kind,
                                                      std::string_view wanted) const {
  for (const TemplateOverride& t : templates) {
    if (t.kind == kind && t.locale == wanted) return &t;
  }
  return nullptr;
}

Status validate(const TenantSettings& s) {
  if (!is_supported_locale(s.locale)) return Status::invalid_argument("locale must be es or en");
  if (s.reminder_offsets_min.size() > kReminderOffsetsMax) {
    return Status::invalid_argument("at most " + std::to_string(kReminderOffsetsMax) +
                                    " reminder offsets");
  }
  for (std::int32_t offset : s.reminder_offsets_min) {
    if (offset < kReminderOffsetMinMin || offset > kReminderOffsetMaxMin) {
      return Status::invalid_argument("reminder offsets must be 1 to " +
                                      std::to_string(kReminderOffsetMaxMin) + " minutes");
    }
  }
  if (s.rate_per_minute < 1 || s.rate_per_minute > kRatePerMinuteMax || s.burst < 1 ||
      s.burst > kBurstMax) {
    return Status::invalid_argument("rate_per_minute or burst out of range");
  }
  if (s.templates.size() > kTemplatesMax) return Status::invalid_argument("too many templates");
  for (const TemplateOverride& t : s.templates) {
    if (!is_supported_locale(t.locale)) {
      return Status::invalid_argument("template locale must be es or en");
    }
    if (t.subject.size() > kSettingBytesMax || t.body.size() > kTemplateBytesMax) {
      return Status::invalid_argument("template too long");
    }
    for (const std::string* text : {&t.subject, &t.body}) {
      if (const auto unknown = unknown_placeholder(*text)) {
        return Status::invalid_argument("template names an unknown placeholder {{" + *unknown +
                                        "}}");
      }
    }
  }
  return validate_channels(s);
}

Status validate(const Contact& contact) {
  if (!contact.locale.empty() && !is_supported_locale(contact.locale)) {
    return Status::invalid_argument("locale must be es or en");
  }
  if (!contact.email.empty() && contact.email.find('@') == std::string::npos) {
    return Status::invalid_argument("email must be an e-mail address");
  }
  for (const std::string* text : {&contact.email, &contact.phone, &contact.name}) {
    if (text->size() > kSettingBytesMax) return Status::invalid_argument("contact field too long");
    // No line breaks: values end up in mail headers.
    if (text->find_first_of("\r\n") != std::string::npos) {
      return Status::invalid_argument("contact fields are single lines");
    }
  }
  return Status::ok();
}

SettingsStore::~SettingsStore() {
  if (db_) flush_before_close(*db_).PermitUncheckedError();
}

Result<std::unique_ptr<SettingsStore>> SettingsStore::open(const std::string& directory,
                                                           bool sync) {
  rocksdb::Options options;
  make_durable(options);
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(options, directory, &db);
  if (opened.IsCorruption()) return refuse_damaged_store(directory, opened.ToString());
  if (!opened.ok()) return Status::io_error("notification settings: " + opened.ToString());
  std::unique_ptr<SettingsStore> store(new SettingsStore());
  store->db_.reset(db);
  store->write_options_.sync = sync;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(kTenantPrefix)); it->Valid() && it->key().starts_with(kTenantPrefix);
       it->Next()) {
    std::optional<TenantSettings> settings = decode_settings(it->value().ToStringView());
    const std::string tenant_id(it->key().ToStringView().substr(kTenantPrefix.size()));
    if (!settings) return refuse_damaged_store(directory, "settings of " + tenant_id);
    store->tenants_[tenant_id] = std::move(*settings);
  }
  if (it->status().IsCorruption()) return refuse_damaged_store(directory, it->status().ToString());
  if (!it->status().ok())
    return Status::io_error("notification settings: " + it->status().ToString());
  return store;
}

Status SettingsStore::put_tenant(const std::string& tenant_id, const TenantSettings& settings) {
  if (Status valid = validate(settings); !valid.is_ok()) return valid;
  Encoder out;
  encode_settings(out, settings);
  const rocksdb::Status put =
      db_->Put(write_options_, std::string(kTenantPrefix) + tenant_id, out.bytes());
  if (!put.ok()) return Status::io_error("notification settings: " + put.ToString());
  std::lock_guard lock(mutex_);
  tenants_[tenant_id] = settings;
  return Status::ok();
}

std::optional<TenantSettings> SettingsStore::tenant(std::string_view tenant_id) const {
  std::lock_guard lock(mutex_);
  auto it = tenants_.find(tenant_id);
  if (it == tenants_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::int32_t> SettingsStore::all_offsets_min() const {
  std::set<std::int32_t> offsets(default_reminder_offsets_min().begin(),
                                 default_reminder_offsets_min().end());
  std::lock_guard lock(mutex_);
  for (const auto& [tenant_id, settings] : tenants_) {
    offsets.insert(settings.offsets_min().begin(), settings.offsets_min().end());
  }
  return {offsets.begin(), offsets.end()};
}

Status SettingsStore::put_contact(const std::string& tenant_id, const Recipient& who,
                                  const Contact& contact) {
  if (Status valid = validate(contact); !valid.is_ok()) return valid;
  const rocksdb::Status put =
      db_->Put(write_options_, contact_key(tenant_id, who), encode_contact(contact));
  if (!put.ok()) return Status::io_error("notification contacts: " + put.ToString());
  return Status::ok();
}

Result<std::optional<Contact>> SettingsStore::contact(const std::string& tenant_id,
                                                      const Recipient& who) const {
  std::string bytes;
  const rocksdb::Status got = db_->Get(rocksdb::ReadOptions(), contact_key(tenant_id, who), &bytes);
  if (got.IsNotFound()) return std::optional<Contact>();
  if (!got.ok()) return Status::io_error("notification contacts: " + got.ToString());
  std::optional<Contact> contact = decode_contact(bytes);
  if (!contact) return Status::corruption("notification contact of " + who.id);
  return contact;
}

}  // namespace turno::projections::notifications
