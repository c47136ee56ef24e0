// The outbox: delivery state, which events do not determine, in the component's own RocksDB
// (DATA/notifications/outbox), keyed by message id, so rebuilding the view never sends a
// message twice: a message is decided once (its deliveries created, or it is skipped), and
// what a rebuild regenerates is found decided.
//
// Keys (values: codec.h fields; be64: 8 bytes big-endian, so keys sort by number):
//   "d/" message_id                                        ""  the message is decided
//   "r/" delivery_id                                       Delivery
//   "q/" be64(next_attempt_ms) be64(cause_seq) delivery_id ""  pending, by next attempt
//   "t/" tenant \0 be64(created_at_ms) be64(cause_seq) id  ""  listing, per tenant
//   "b/" tenant \0 booking \0 be64(created) be64(seq) id    ""  listing, per booking
//   "k/notice_seq"                                         u64 notices decided up to this seq
//   "k/tick_ms"                                            i64 time-driven messages decided
//                                                              up to this instant
// A delivery id is "<message id>.<channel>": one message may go out on several channels.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "message.h"
#include "status.h"

namespace turno::projections::notifications {

inline constexpr std::int32_t kDeliveryPageMax = 200;
inline constexpr std::size_t kListScanMax = 10'000;  // index entries read for one page
inline constexpr std::size_t kDeliveryErrorBytesMax = 512;

enum class Channel : std::uint8_t { kNone, kWebhook, kEmail };
std::string_view to_string(Channel channel);

// pending: waiting for its next attempt; sent: accepted by the receiver; dead: out of
// attempts or refused for good (dead letter); skipped: never sent, for the reason recorded.
enum class DeliveryStatus : std::uint8_t { kPending, kSent, kDead, kSkipped };
std::string_view to_string(DeliveryStatus status);
std::optional<DeliveryStatus> parse_delivery_status(std::string_view text);

struct Delivery {
  std::string id;
  std::string message_id;
  Channel channel = Channel::kNone;
  MessageKind kind = MessageKind::kBookingConfirmed;
  std::string tenant_id;
  std::string booking_id;
  Recipient recipient;
  std::string address;  // the e-mail address or webhook URL used
  std::string locale;
  std::string subject;  // rendered when the message came due
  std::string body;
  std::string payload;      // webhooks: the JSON body sent (signed per attempt)
  std::string document_id;  // e-mail: the invoice or credit note attached
  std::uint64_t cause_seq = 0;
  std::int64_t due_at_ms = 0;
  std::int64_t useful_until_ms = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t next_attempt_ms = 0;
  std::int64_t finished_at_ms = 0;  // sent, dead or skipped
  std::uint32_t attempts = 0;
  DeliveryStatus status = DeliveryStatus::kPending;
  std::string last_error;  // the last failure; for skipped, the reason

  // The message as the view knows it, enough for NotificationsView::validate().
  Message message_ref() const;
};

struct OutboxCursors {
  std::uint64_t notice_seq = 0;
  std::int64_t tick_ms = 0;  // 0: never ticked
};

struct DeliveryListRequest {
  std::string tenant_id;
  std::string booking_id;                // optional
  std::optional<DeliveryStatus> status;  // optional
  std::string client_id;                 // optional: only deliveries to this client
  std::string page_token;                // from the previous page
  std::int32_t limit = 50;               // 1..kDeliveryPageMax
};

struct DeliveryPage {
  std::vector<Delivery> items;  // newest first
  std::string next_page_token;  // empty on the last page
};

class OutboxStore {
 public:
  static Result<std::unique_ptr<OutboxStore>> open(const std::string& directory, bool sync);
  ~OutboxStore();

  // Whether message `message_id` was decided already.
  Result<bool> decided(std::string_view message_id) const;
  // In one synced write: marks `message_ids` decided, stores `deliveries` (pending ones
  // queued), and stores `cursors` when given.
  Status record(const std::vector<std::string>& message_ids,
                const std::vector<Delivery>& deliveries,
                const std::optional<OutboxCursors>& cursors);
  // Rewrites a delivery after an attempt (`before` as it was stored), moving its queue entry.
  Status update(const Delivery& before, const Delivery& after);
  // Pending deliveries whose next attempt is at or before `now_ms`, soonest first.
  Result<std::vector<Delivery>> due(std::int64_t now_ms, std::size_t max) const;
  Result<std::optional<Delivery>> find(std::string_view delivery_id) const;
  OutboxCursors cursors() const;
  // invalid_argument for a bad limit or token.
  Result<DeliveryPage> list(const DeliveryListRequest& request) const;
  std::uint64_t pending_count() const { return pending_count_.load(); }

 private:
  OutboxStore() = default;
  Status load();

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
  mutable std::mutex cursors_mutex_;  // guards cursors_
  OutboxCursors cursors_;
  std::atomic<std::uint64_t> pending_count_{0};
};

}  // namespace turno::projections::notifications
