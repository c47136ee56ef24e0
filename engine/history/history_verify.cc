#include "history_verify.h"

#include "history_codec.h"
#include "sha256.h"

namespace turno::history {
namespace {

std::optional<Hash> hash_from(std::string_view bytes) {
  if (bytes.size() != Hash().size()) return std::nullopt;
  Hash hash{};
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

std::string seq_text(Seq seq) {
  return std::to_string(seq.value);
}

// The smallest seq in one list of runs but not the other, and whether it is in `claimed`.
std::optional<std::pair<Seq, bool>> first_difference(
    const std::vector<Run>& observed,
    const google::protobuf::RepeatedPtrField<v1::SeqRange>& claimed) {
  std::size_t i = 0;
  int j = 0;
  while (i < observed.size() && j < claimed.size()) {
    const Run& run = observed[i];
    const v1::SeqRange& range = claimed[j];
    if (run.first.value == range.first() && run.last.value == range.last()) {
      ++i;
      ++j;
      continue;
    }
    if (run.first.value != range.first()) {
      const bool in_claimed = range.first() < run.first.value;
      return std::pair(Seq{std::min(run.first.value, range.first())}, in_claimed);
    }
    const bool in_claimed = range.last() > run.last.value;
    return std::pair(Seq{std::min(run.last.value, range.last()) + 1}, in_claimed);
  }
  if (i < observed.size()) return std::pair(observed[i].first, false);
  if (j < claimed.size()) return std::pair(Seq{claimed[j].first()}, true);
  return std::nullopt;
}

class ExportVerifier {
 public:
  explicit ExportVerifier(ExportCheck& check) : check_(check) {}

  bool on_envelope(v1::Envelope& envelope, std::uint64_t position) {
    if (check_.summary) {
      return fail(std::nullopt, position_text(position) + ": records after the export summary");
    }
    if (envelope.has_export_summary()) {
      check_.summary = envelope.export_summary();
      return true;
    }
    return on_record(envelope);
  }

  // After the last envelope: the summary must be there and agree with what was read.
  void finish() {
    if (!check_.status.is_ok()) return;
    const Seq after = check_.runs.empty() ? Seq{0} : check_.runs.back().last;
    if (!check_.summary) {
      fail(after.next(),
           "the export ends without its summary after seq " + seq_text(after) + " (cut short?)");
      return;
    }
    const v1::ExportSummary& summary = *check_.summary;
    if (auto difference = first_difference(check_.runs, summary.ranges())) {
      const auto [seq, claimed] = *difference;
      fail(seq, claimed ? "record " + seq_text(seq) + " is missing"
                        : "record " + seq_text(seq) + " is not in the export summary");
      return;
    }
    if (summary.record_count() != check_.records) {
      fail(std::nullopt, "the summary counts " + std::to_string(summary.record_count()) +
                             " records, the export holds " + std::to_string(check_.records));
      return;
    }
    if (!check_.runs.empty() && (check_.runs.front().first.value < summary.from_seq() ||
                                 check_.runs.back().last.value > summary.to_seq())) {
      fail(std::nullopt, "records outside the range the summary says was scanned");
    }
  }

 private:
  bool on_record(v1::Envelope& envelope) {
    const Seq seq{envelope.seq()};
    const Seq previous = check_.runs.empty() ? Seq{0} : check_.runs.back().last;
    if (seq.value == 0)
      return fail(std::nullopt, "a record without a seq after seq " + seq_text(previous));
    if (seq == previous) return fail(seq, "seq " + seq_text(seq) + " appears twice");
    if (seq < previous) {
      return fail(
          seq, "seq " + seq_text(seq) + " is out of order (after seq " + seq_text(previous) + ")");
    }
    const std::optional<Hash> carried = hash_from(envelope.hash());
    const std::optional<Hash> prev_hash = hash_from(envelope.prev_hash());
    if (!carried || !prev_hash) {
      return fail(seq, "seq " + seq_text(seq) + " lacks its hash or prev_hash");
    }
    envelope.clear_hash();
    bytes_.clear();
    VERIFY(envelope.SerializeToString(&bytes_), "an envelope serializes");
    if (chain_hash(*prev_hash, bytes_) != *carried) {
      return fail(seq, "hash mismatch at seq " + seq_text(seq));
    }
    if (seq == previous.next() && !check_.runs.empty()) {
      if (*prev_hash != check_.runs.back().last_hash) {
        return fail(seq, "chain broken at seq " + seq_text(seq));
      }
      ++check_.links_checked;
      check_.runs.back().last = seq;
      check_.runs.back().last_hash = *carried;
    } else {
      check_.runs.push_back(Run{seq, seq, *carried});
    }
    ++check_.records;
    return true;
  }

  std::string position_text(std::uint64_t position) const {
    return "position " + std::to_string(position);
  }

  bool fail(std::optional<Seq> seq, const std::string& why) {
    check_.status = Status::corruption(why);
    check_.first_bad_seq = seq;
    return false;
  }

  ExportCheck& check_;
  std::string bytes_;
};

}  // namespace

ExportCheck verify_export(std::istream& in, Format format,
                          const std::function<void(std::uint64_t records)>& progress) {
  ExportCheck check;
  ExportVerifier verifier(check);
  RecordReader reader(in, format);
  while (reader.next()) {
    v1::Envelope envelope = reader.envelope();
    if (!verifier.on_envelope(envelope, reader.position())) return check;
    if (progress && check.records % kProgressEveryRecords == 0) progress(check.records);
  }
  if (!reader.status().is_ok()) {
    const Seq after = check.runs.empty() ? Seq{0} : check.runs.back().last;
    check.status =
        Status::corruption(reader.status().message() + " (after seq " + seq_text(after) + ")");
    check.first_bad_seq = after.next();
    return check;
  }
  verifier.finish();
  return check;
}

void anchor_export(ExportCheck& check, const EventLog& log) {
  if (!check.status.is_ok()) return;
  if (check.summary && check.summary->log_id() != log.log_id()) {
    check.status = Status::corruption("the export is of log " + check.summary->log_id() +
                                      ", not of " + log.log_id());
    return;
  }
  for (const Run& run : check.runs) {
    Result<LogRecord> record = log.read_one(run.last);
    if (!record.is_ok() || record.value().hash != run.last_hash) {
      check.status =
          Status::corruption("seq " + seq_text(run.last) + " differs from the log" +
                             (record.is_ok() ? std::string() : ": " + record.status().message()));
      check.first_bad_seq = run.last;
      return;
    }
  }
}

LogCheck verify_log(const EventLog& log, Seq from, Seq to, const Progress& progress) {
  LogCheck check;
  const Seq last = std::min(to, log.last_seq());
  LogCursor cursor = log.read(from, last, /*verify_hashes=*/true);
  while (cursor.next()) {
    ++check.records;
    check.last_seq = cursor.record().seq;
    check.last_hash = cursor.record().hash;
    if (progress && check.records % kProgressEveryRecords == 0) progress(check.last_seq, last);
  }
  check.status = cursor.status();
  if (!check.status.is_ok()) {
    check.first_bad_seq = Seq{std::max<std::uint64_t>(from.value, 1) + check.records};
  }
  return check;
}

}  // namespace turno::history
