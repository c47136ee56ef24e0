// The "ids" index of the event log (log_format.h): which booking introduced a payment id, a
// refund id or a provider event key. The write model forgets finished bookings (recall.h);
// this is how the writer finds the one a command names by one of those ids.
#include <rocksdb/write_batch.h>

#include "durable_rocksdb.h"
#include "event_kinds.h"
#include "event_log.h"
#include "verify.h"

namespace turno {
namespace {

using log_format::IdKind;

// Events per write while an open fills the index of a log written before it existed.
constexpr std::size_t kIdsBackfillBatchEvents = 4096;

// Calls `put(kind, id)` for each id `event` introduces.
template <typename Put>
void ids_of(const v1::Envelope& event, Put&& put) {
  switch (event.event_case()) {
    case v1::Envelope::kPaymentRequested:
      put(IdKind::kPayment, event.payment_requested().payment_id());
      break;
    case v1::Envelope::kRefundIssued:
      put(IdKind::kRefund, event.refund_issued().refund_id());
      break;
    case v1::Envelope::kPaymentSucceeded:
      put(IdKind::kProviderEvent,
          provider_event_key(event.payment_succeeded().provider(),
                             event.payment_succeeded().provider_event_id()));
      break;
    case v1::Envelope::kPaymentFailed:
      put(IdKind::kProviderEvent, provider_event_key(event.payment_failed().provider(),
                                                     event.payment_failed().provider_event_id()));
      break;
    default:
      break;
  }
}

// `key` is the caller's buffer for the keys built.
void stage_ids(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family,
               const v1::Envelope& event, std::string& key) {
  ids_of(event, [&](IdKind kind, std::string_view id) {
    const std::string_view booking = booking_id_of(event);
    log_format::assign_id_key(key, event.tenant_id(), kind, id);
    VERIFY(batch.Put(family, key, rocksdb::Slice(booking.data(), booking.size())).ok(),
           "batch put");
  });
}

}  // namespace

void AppendBatch::index_ids(const v1::Envelope& envelope) {
  if (log_->ids_ == nullptr) return;  // a read-only log stages nothing anyway
  stage_ids(batch_, log_->ids_, envelope, key_);
}

Result<std::optional<std::string>> EventLog::find_id_owner(std::string_view tenant_id, IdKind kind,
                                                           std::string_view id) const {
  if (ids_ == nullptr) return Status::invalid_argument("log: the ids index is read-write only");
  std::string booking;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), ids_, log_format::id_key(tenant_id, kind, id), &booking);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return from_rocksdb(status, "log: read the ids index");
  return std::optional<std::string>(std::move(booking));
}

Status EventLog::complete_ids_index() {
  std::string marker;
  const std::string complete_key(log_format::kIdsCompleteKey);
  rocksdb::Status found = db_->Get(rocksdb::ReadOptions(), ids_, complete_key, &marker);
  if (found.ok()) return Status::ok();
  if (!found.IsNotFound()) return from_rocksdb(found, "log: read the ids index");
  // Entries of committed events only: a rewrite of an existing entry writes the same value.
  LogCursor cursor = read(Seq{1}, last_seq());
  rocksdb::WriteBatch batch;
  std::string key;
  std::size_t staged = 0;
  while (cursor.next()) {
    stage_ids(batch, ids_, cursor.record().envelope, key);
    if (++staged % kIdsBackfillBatchEvents != 0) continue;
    if (Status status = from_rocksdb(db_->Write(write_options_, &batch), "log: fill the ids index");
        !status.is_ok()) {
      return status;
    }
    batch.Clear();
  }
  if (!cursor.status().is_ok()) return cursor.status();
  VERIFY(batch.Put(ids_, complete_key, "1").ok(), "batch put");
  return from_rocksdb(db_->Write(write_options_, &batch), "log: fill the ids index");
}

}  // namespace turno
