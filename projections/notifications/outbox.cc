#include "outbox.h"

#include <rocksdb/write_batch.h>

#include "big_endian.h"
#include "codec.h"
#include "durable_rocksdb.h"
#include "store_copy.h"
#include "string_map.h"
#include "types.h"

namespace turno::projections::notifications {
namespace {

constexpr std::uint64_t kDeliveryFormatVersion = 1;
constexpr std::string_view kDecidedPrefix = "d/";
constexpr std::string_view kRecordPrefix = "r/";
constexpr std::string_view kQueuePrefix = "q/";
constexpr std::string_view kTenantPrefix = "t/";
constexpr std::string_view kBookingPrefix = "b/";
const std::string kNoticeSeqKey = "k/notice_seq";
const std::string kTickKey = "k/tick_ms";

using big_endian::append_u64;
using big_endian::read_u64;

std::string queue_key(const Delivery& d) {
  std::string key(kQueuePrefix);
  append_u64(key, static_cast<std::uint64_t>(d.next_attempt_ms));
  append_u64(key, d.cause_seq);
  return key + d.id;
}

std::string order_suffix(const Delivery& d) {
  std::string suffix;
  append_u64(suffix, static_cast<std::uint64_t>(d.created_at_ms));
  append_u64(suffix, d.cause_seq);
  return suffix + d.id;
}

std::string tenant_prefix(std::string_view tenant_id) {
  return std::string(kTenantPrefix) + tenant_key(tenant_id, "");
}

std::string booking_prefix(std::string_view tenant_id, std::string_view booking_id) {
  return std::string(kBookingPrefix) + tenant_key(tenant_id, booking_id) + '\0';
}

std::string encode_delivery(const Delivery& d) {
  Encoder out;
  out.u64(kDeliveryFormatVersion);
  for (const std::string* text :
       {&d.id, &d.message_id, &d.tenant_id, &d.booking_id, &d.recipient.id, &d.address, &d.locale,
        &d.subject, &d.body, &d.payload, &d.document_id, &d.last_error}) {
    out.str(*text);
  }
  out.u64(static_cast<std::uint64_t>(d.channel));
  out.u64(static_cast<std::uint64_t>(d.kind));
  out.u64(static_cast<std::uint64_t>(d.recipient.role));
  out.u64(static_cast<std::uint64_t>(d.status));
  out.u64(d.cause_seq);
  out.u64(d.attempts);
  for (std::int64_t instant :
       {d.due_at_ms, d.useful_until_ms, d.created_at_ms, d.next_attempt_ms, d.finished_at_ms}) {
    out.i64(instant);
  }
  return out.take();
}

std::optional<Delivery> decode_delivery(std::string_view bytes) {
  Decoder in(bytes);
  if (in.u64() != kDeliveryFormatVersion) return std::nullopt;
  Delivery d;
  for (std::string* text :
       {&d.id, &d.message_id, &d.tenant_id, &d.booking_id, &d.recipient.id, &d.address, &d.locale,
        &d.subject, &d.body, &d.payload, &d.document_id, &d.last_error}) {
    *text = in.str();
  }
  d.channel = static_cast<Channel>(std::min<std::uint64_t>(in.u64(), 2));
  d.kind = static_cast<MessageKind>(std::min<std::uint64_t>(in.u64(), kMessageKindMax));
  d.recipient.role = in.u64() == 1 ? RecipientRole::kStaff : RecipientRole::kClient;
  d.status = static_cast<DeliveryStatus>(std::min<std::uint64_t>(in.u64(), 3));
  d.cause_seq = in.u64();
  d.attempts = static_cast<std::uint32_t>(in.u64());
  for (std::int64_t* instant : {&d.due_at_ms, &d.useful_until_ms, &d.created_at_ms,
                                &d.next_attempt_ms, &d.finished_at_ms}) {
    *instant = in.i64();
  }
  if (in.failed() || !in.at_end()) return std::nullopt;
  return d;
}

std::string encode_u64(std::uint64_t value) {
  Encoder out;
  out.u64(value);
  return out.take();
}

Status io_error(const rocksdb::Status& status) {
  if (status.IsCorruption()) return Status::corruption("notification outbox: " + status.ToString());
  return Status::io_error("notification outbox: " + status.ToString());
}

bool matches(const Delivery& d, const DeliveryListRequest& request) {
  if (request.status && d.status != *request.status) return false;
  if (!request.client_id.empty() &&
      (d.recipient.role != RecipientRole::kClient || d.recipient.id != request.client_id)) {
    return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(Channel channel) {
  switch (channel) {
    case Channel::kWebhook:
      return "webhook";
    case Channel::kEmail:
      return "email";
    default:
      return "none";
  }
}

std::string_view to_string(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kPending:
      return "pending";
    case DeliveryStatus::kSent:
      return "sent";
    case DeliveryStatus::kDead:
      return "dead";
    default:
      return "skipped";
  }
}

std::optional<DeliveryStatus> parse_delivery_status(std::string_view text) {
  for (DeliveryStatus status : {DeliveryStatus::kPending, DeliveryStatus::kSent,
                                DeliveryStatus::kDead, DeliveryStatus::kSkipped}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

Message Delivery::message_ref() const {
  Message message;
  message.id = message_id;
  message.kind = kind;
  message.tenant_id = tenant_id;
  message.booking_id = booking_id;
  message.recipient = recipient;
  message.cause_seq = cause_seq;
  message.due_at_ms = due_at_ms;
  message.useful_until_ms = useful_until_ms;
  return message;
}

OutboxStore::~OutboxStore() {
  if (db_) flush_before_close(*db_).PermitUncheckedError();
}

Result<std::unique_ptr<OutboxStore>> OutboxStore::open(const std::string& directory, bool sync) {
  rocksdb::Options options;
  make_durable(options);
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(options, directory, &db);
  if (opened.IsCorruption()) return refuse_damaged_store(directory, opened.ToString());
  if (!opened.ok()) return io_error(opened);
  std::unique_ptr<OutboxStore> store(new OutboxStore());
  store->db_.reset(db);
  store->write_options_.sync = sync;
  if (Status loaded = store->load(); !loaded.is_ok()) {
    if (loaded.code() == Status::Code::kCorruption) {
      return refuse_damaged_store(directory, loaded.message());
    }
    return loaded;
  }
  return store;
}

Status OutboxStore::load() {
  std::string value;
  if (db_->Get(rocksdb::ReadOptions(), kNoticeSeqKey, &value).ok()) {
    Decoder in(value);
    cursors_.notice_seq = in.u64();
  }
  if (db_->Get(rocksdb::ReadOptions(), kTickKey, &value).ok()) {
    Decoder in(value);
    cursors_.tick_ms = static_cast<std::int64_t>(in.u64());
  }
  std::uint64_t pending = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(kQueuePrefix)); it->Valid() && it->key().starts_with(kQueuePrefix);
       it->Next()) {
    ++pending;
  }
  if (!it->status().ok()) return io_error(it->status());
  pending_count_.store(pending);
  return Status::ok();
}

Result<bool> OutboxStore::decided(std::string_view message_id) const {
  std::string value;
  const rocksdb::Status got = db_->Get(
      rocksdb::ReadOptions(), std::string(kDecidedPrefix) + std::string(message_id), &value);
  if (got.IsNotFound()) return false;
  if (!got.ok()) return io_error(got);
  return true;
}

Status OutboxStore::record(const std::vector<std::string>& message_ids,
                           const std::vector<Delivery>& deliveries,
                           const std::optional<OutboxCursors>& cursors) {
  rocksdb::WriteBatch batch;
  for (const std::string& id : message_ids) batch.Put(std::string(kDecidedPrefix) + id, "");
  std::uint64_t pending = 0;
  for (const Delivery& d : deliveries) {
    batch.Put(std::string(kRecordPrefix) + d.id, encode_delivery(d));
    batch.Put(tenant_prefix(d.tenant_id) + order_suffix(d), "");
    batch.Put(booking_prefix(d.tenant_id, d.booking_id) + order_suffix(d), "");
    if (d.status == DeliveryStatus::kPending) {
      batch.Put(queue_key(d), "");
      ++pending;
    }
  }
  if (cursors) {
    batch.Put(kNoticeSeqKey, encode_u64(cursors->notice_seq));
    batch.Put(kTickKey, encode_u64(static_cast<std::uint64_t>(cursors->tick_ms)));
  }
  const rocksdb::Status written = db_->Write(write_options_, &batch);
  if (!written.ok()) return io_error(written);
  pending_count_.fetch_add(pending);
  if (cursors) {
    std::lock_guard lock(cursors_mutex_);
    cursors_ = *cursors;
  }
  return Status::ok();
}

Status OutboxStore::update(const Delivery& before, const Delivery& after) {
  rocksdb::WriteBatch batch;
  batch.Put(std::string(kRecordPrefix) + after.id, encode_delivery(after));
  if (before.status == DeliveryStatus::kPending) batch.Delete(queue_key(before));
  if (after.status == DeliveryStatus::kPending) batch.Put(queue_key(after), "");
  const rocksdb::Status written = db_->Write(write_options_, &batch);
  if (!written.ok()) return io_error(written);
  const bool was = before.status == DeliveryStatus::kPending;
  const bool is = after.status == DeliveryStatus::kPending;
  if (was && !is) pending_count_.fetch_sub(1);
  if (!was && is) pending_count_.fetch_add(1);
  return Status::ok();
}

Result<std::optional<Delivery>> OutboxStore::find(std::string_view delivery_id) const {
  std::string value;
  const rocksdb::Status got = db_->Get(
      rocksdb::ReadOptions(), std::string(kRecordPrefix) + std::string(delivery_id), &value);
  if (got.IsNotFound()) return std::optional<Delivery>();
  if (!got.ok()) return io_error(got);
  std::optional<Delivery> delivery = decode_delivery(value);
  if (!delivery)
    return Status::corruption("notification outbox: delivery " + std::string(delivery_id) +
                              " does not decode");
  return delivery;
}

Result<std::vector<Delivery>> OutboxStore::due(std::int64_t now_ms, std::size_t max) const {
  std::vector<Delivery> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  constexpr std::size_t kIdAt = 2 + 8 + 8;  // prefix, next attempt, cause seq
  for (it->Seek(std::string(kQueuePrefix));
       it->Valid() && it->key().starts_with(kQueuePrefix) && out.size() < max; it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (key.size() <= kIdAt) continue;
    if (static_cast<std::int64_t>(read_u64(key.substr(2))) > now_ms) break;
    Result<std::optional<Delivery>> delivery = find(key.substr(kIdAt));
    if (!delivery.is_ok()) return delivery.status();
    if (delivery.value()) out.push_back(std::move(*delivery.value()));
  }
  if (!it->status().ok()) return io_error(it->status());
  return out;
}

OutboxCursors OutboxStore::cursors() const {
  std::lock_guard lock(cursors_mutex_);
  return cursors_;
}

Result<DeliveryPage> OutboxStore::list(const DeliveryListRequest& request) const {
  if (request.limit < 1 || request.limit > kDeliveryPageMax) {
    return Status::invalid_argument("limit must be 1 to " + std::to_string(kDeliveryPageMax));
  }
  const std::string prefix = request.booking_id.empty()
                                 ? tenant_prefix(request.tenant_id)
                                 : booking_prefix(request.tenant_id, request.booking_id);
  std::string start = prefix + std::string(1, '\xff');
  if (!request.page_token.empty()) {
    std::optional<std::string> suffix = from_hex(request.page_token);
    if (!suffix) return Status::invalid_argument("malformed page_token");
    start = prefix + *suffix;
  }
  DeliveryPage page;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(start);
  // A token names the last entry returned: continue below it.
  if (!request.page_token.empty() && it->Valid() && it->key().ToStringView() == start) it->Prev();
  std::size_t scanned = 0;
  std::string last_suffix;  // of the last entry read: where the next page continues
  constexpr std::size_t kOrderBytes = 16;
  for (; it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (page.items.size() == static_cast<std::size_t>(request.limit) || scanned == kListScanMax) {
      page.next_page_token = to_hex(last_suffix);
      break;
    }
    ++scanned;
    const std::string_view key = it->key().ToStringView();
    last_suffix.assign(key.substr(prefix.size()));
    if (key.size() < prefix.size() + kOrderBytes) continue;
    Result<std::optional<Delivery>> delivery = find(key.substr(prefix.size() + kOrderBytes));
    if (!delivery.is_ok()) return delivery.status();
    if (delivery.value() && matches(*delivery.value(), request)) {
      page.items.push_back(std::move(*delivery.value()));
    }
  }
  if (!it->status().ok()) return io_error(it->status());
  return page;
}

}  // namespace turno::projections::notifications
