#include "history_verify.h"

#include "history_codec.h"
#include "history_filter.h"
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

// The first seq of from..to missing from `runs` (ascending); nullopt when none is.
std::optional<Seq> first_gap(const std::vector<Run>& runs, Seq from, Seq to) {
  Seq expected = from;
  for (const Run& run : runs) {
    if (expected > to) return std::nullopt;
    if (run.first != expected) return expected;
    if (run.last >= to) return std::nullopt;  // the end reached (and next() cannot wrap)
    expected = run.last.next();
  }
  return expected <= to ? std::optional<Seq>(expected) : std::nullopt;
}

class ExportVerifier {
 public:
  explicit ExportVerifier(ExportCheck& check) : check_(check) {}

  bool on_envelope(v1::Envelope& envelope, const std::string& where) {
    if (check_.summary) {
      const Seq seq{envelope.seq()};
      if (envelope.has_export_summary()) {
        return fail(std::nullopt, where + ": a second export summary (nothing may follow one)");
      }
      return fail(seq.value == 0 ? std::nullopt : std::optional<Seq>(seq),
                  where + ": seq " + seq_text(seq) +
                      " after the export summary (nothing may follow the summary)");
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
    if (!check_.summary) {
      const Seq after = check_.runs.empty() ? Seq{0} : check_.runs.back().last;
      fail(std::nullopt,
           "the export ends after seq " + seq_text(after) + " without its summary (cut short?)");
      return;
    }
    if (check_ranges() && check_digest() && check_head()) check_gapless();
  }

 private:
  // The seqs present are the ones the summary lists, as many as it counts, in its scan range.
  bool check_ranges() {
    const v1::ExportSummary& summary = *check_.summary;
    if (auto difference = first_difference(check_.runs, summary.ranges())) {
      const auto [seq, claimed] = *difference;
      return fail(seq, claimed ? "record " + seq_text(seq) + " is missing"
                               : "record " + seq_text(seq) + " is not in the export summary");
    }
    if (summary.record_count() != check_.records) {
      return fail(std::nullopt, "the summary counts " + std::to_string(summary.record_count()) +
                                    " records, the export holds " + std::to_string(check_.records));
    }
    if (!check_.runs.empty() && (check_.runs.front().first.value < summary.from_seq() ||
                                 check_.runs.back().last.value > summary.to_seq())) {
      return fail(std::nullopt, "records outside the range the summary says was scanned");
    }
    return true;
  }

  // The summary's digest is of these records' hashes: what binds them to its signature.
  bool check_digest() {
    const std::string digest(as_bytes(records_digest_.finish()));
    if (check_.summary->records_digest() == digest) return true;
    return fail(std::nullopt, check_.summary->records_digest().empty()
                                  ? "the summary has no records digest"
                                  : "the records' digest differs from the summary's: a record "
                                    "was changed, added or removed");
  }

  // The scan ends at or before the head the summary claims, and when the export holds the
  // head, it holds it with the head's hash.
  bool check_head() {
    const v1::ExportSummary& summary = *check_.summary;
    if (summary.to_seq() > summary.head_seq()) {
      return fail(std::nullopt, "the summary's scan range ends after the head it claims");
    }
    const Seq head{summary.head_seq()};
    if (check_.runs.empty() || check_.runs.back().last != head) return true;
    if (as_bytes(check_.runs.back().last_hash) == summary.head_hash()) return true;
    return fail(head,
                "seq " + seq_text(head) + " does not have the head hash the summary claims for it");
  }

  // A summary whose filter selects by seq range only (an unfiltered export, a seq range, a
  // page of one) must hold every seq of its scan range, starting where its filter starts.
  bool check_gapless() {
    const v1::ExportSummary& summary = *check_.summary;
    const std::optional<EventFilter> filter = EventFilter::from_description(summary.filter());
    if (!filter || !filter->selects_every_event()) return true;
    const Seq from{std::max<std::uint64_t>(filter->from_seq.value, 1)};
    if (summary.from_seq() != from.value) {
      return fail(from, "an unfiltered export that starts at seq " +
                            std::to_string(summary.from_seq()) + " instead of seq " +
                            seq_text(from));
    }
    if (const std::optional<Seq> gap = first_gap(check_.runs, from, Seq{summary.to_seq()})) {
      return fail(*gap, "seq " + seq_text(*gap) + " is missing: an unfiltered export holds " +
                            "every seq from " + seq_text(from) + " to " +
                            std::to_string(summary.to_seq()) + " without a gap");
    }
    check_.gapless = true;
    return true;
  }

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
    records_digest_.update(*carried);
    ++check_.records;
    return true;
  }

  bool fail(std::optional<Seq> seq, const std::string& why) {
    check_.status = Status::corruption(why);
    check_.first_bad_seq = seq;
    return false;
  }

  ExportCheck& check_;
  std::string bytes_;
  Sha256 records_digest_;
};

}  // namespace

ExportCheck verify_export(std::istream& in, Format format,
                          const std::function<void(std::uint64_t records)>& progress) {
  ExportCheck check;
  ExportVerifier verifier(check);
  RecordReader reader(in, format);
  while (reader.next()) {
    v1::Envelope envelope = reader.envelope();
    if (!verifier.on_envelope(envelope, reader.where())) return check;
    if (progress && check.records % kProgressEveryRecords == 0) progress(check.records);
  }
  if (!reader.status().is_ok()) {
    const Seq after = check.runs.empty() ? Seq{0} : check.runs.back().last;
    const std::string context = check.summary ? " (after the export summary: nothing may follow it)"
                                              : " (after seq " + seq_text(after) + ")";
    check.status = Status::corruption(reader.status().message() + context);
    check.first_bad_seq = reader.failed_seq();
    return check;
  }
  verifier.finish();
  return check;
}

void authenticate_export(ExportCheck& check, const PublicKey& key) {
  if (!check.status.is_ok() || !check.summary) return;
  check.status = check_summary_signature(*check.summary, key);
  check.authenticated = check.status.is_ok();
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
