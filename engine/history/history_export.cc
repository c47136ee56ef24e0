#include "history_export.h"

#include "history_codec.h"
#include "sha256.h"

namespace turno::history {
namespace {

v1::ExportSummary start_summary(const EventLog& log, const EventFilter& filter, Seq head) {
  v1::ExportSummary summary;
  summary.set_log_id(log.log_id());
  summary.set_filter(filter.describe());
  summary.set_from_seq(std::max<std::uint64_t>(filter.from_seq.value, 1));
  summary.set_to_seq(std::min(filter.to_seq, head).value);
  summary.set_head_seq(head.value);
  return summary;
}

}  // namespace

ChunkedOutput::ChunkedOutput(Sink sink) : sink_(std::move(sink)) {
  buffer_.reserve(2 * kExportChunkBytes);
}

Status ChunkedOutput::flush_if_full() {
  return buffer_.size() >= kExportChunkBytes ? flush() : Status::ok();
}

Status ChunkedOutput::flush() {
  if (buffer_.empty()) return Status::ok();
  Status status = sink_(buffer_);
  buffer_.clear();
  return status;
}

void add_to_ranges(google::protobuf::RepeatedPtrField<v1::SeqRange>& ranges, Seq seq) {
  if (!ranges.empty() && ranges.rbegin()->last() + 1 == seq.value) {
    ranges.rbegin()->set_last(seq.value);
    return;
  }
  v1::SeqRange& range = *ranges.Add();
  range.set_first(seq.value);
  range.set_last(seq.value);
}

Result<v1::ExportSummary> export_history(const EventLog& log, const EventFilter& filter,
                                         Format format, const Sink& sink, const Progress& progress,
                                         const ExportLimits& limits,
                                         const SigningKey* signing_key) {
  const Seq head = log.last_seq();
  v1::ExportSummary summary = start_summary(log, filter, head);
  RecordEncoder encoder(format);
  ChunkedOutput output(sink);
  encoder.append_preamble(output.buffer());
  LogCursor cursor = log.read(Seq{summary.from_seq()}, Seq{summary.to_seq()},
                              /*verify_hashes=*/true);
  std::uint64_t scanned = 0;
  Sha256 records_digest;
  while (cursor.next()) {
    const LogRecord& record = cursor.record();
    ++scanned;
    if (progress && scanned % kProgressEveryRecords == 0) progress(record.seq, head);
    if (record.seq == head) summary.set_head_hash(std::string(as_bytes(record.hash)));
    if (filter.matches(record.envelope)) {
      if (Status status = encoder.append_record(record, output.buffer()); !status.is_ok()) {
        return status;
      }
      records_digest.update(record.hash);
      add_to_ranges(*summary.mutable_ranges(), record.seq);
      summary.set_record_count(summary.record_count() + 1);
      if (Status status = output.flush_if_full(); !status.is_ok()) return status;
    }
    if (summary.record_count() == limits.records_max || scanned == limits.scanned_max) {
      summary.set_to_seq(record.seq.value);  // a page: the scan stopped here
      break;
    }
  }
  if (!cursor.status().is_ok()) {
    output.flush().ignore();  // the records before the bad one; the read error is the answer
    return cursor.status();
  }
  if (summary.head_hash().empty() && head.value > 0) {
    Result<LogRecord> at_head = log.read_one(head);
    if (!at_head.is_ok()) return at_head.status();
    summary.set_head_hash(std::string(as_bytes(at_head.value().hash)));
  }
  if (progress) progress(Seq{summary.to_seq()}, head);
  summary.set_records_digest(std::string(as_bytes(records_digest.finish())));
  if (signing_key != nullptr) sign_summary(summary, *signing_key);
  encoder.append_summary(summary, output.buffer());
  if (Status status = output.flush(); !status.is_ok()) return status;
  return summary;
}

}  // namespace turno::history
