// Streams the log's history out in an export format (history_format.h): `turno export`,
// GET /v1/events. Reads with bounded memory: one record and one output chunk at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "event_log.h"
#include "history_filter.h"
#include "history_format.h"
#include "history_signing.h"
#include "status.h"

namespace turno::history {

// Receives the export in chunks of about kExportChunkBytes; an error stops the export.
using Sink = std::function<Status(std::string_view bytes)>;
// Told now and then how far the scan has come: the seq just read, and the last seq it will.
using Progress = std::function<void(Seq scanned, Seq last)>;

inline constexpr std::size_t kExportChunkBytes = 64 * 1024;
inline constexpr std::uint64_t kProgressEveryRecords = 16 * 1024;

// Collects output and hands it to a sink in chunks of about kExportChunkBytes.
class ChunkedOutput {
 public:
  explicit ChunkedOutput(Sink sink);
  // Append here, then call flush_if_full().
  std::string& buffer() { return buffer_; }
  Status flush_if_full();
  // Hands over whatever is buffered.
  Status flush();

 private:
  Sink sink_;
  std::string buffer_;
};

// Where an export may stop early (a page of GET /v1/events): after this many records
// written, or this many records scanned, whichever comes first.
struct ExportLimits {
  std::uint64_t records_max = UINT64_MAX;
  std::uint64_t scanned_max = UINT64_MAX;
};

// Exports every record of `log` that `filter` selects, from filter.from_seq to filter.to_seq
// capped at the tail as it was when the export began, in seq order, then the summary. Every
// record is read with its SHA-256 link recomputed: a log that fails its chain check stops the
// export with that error (kCorruption naming the seq) after the records before it, and no
// summary is written, so the partial export does not verify. When `limits` stop it early the
// summary's to_seq is the last seq scanned: the page is a complete, verifiable export of that
// range, and the next page starts at to_seq + 1. The summary carries the digest of the
// records' hashes and, with `signing_key`, its fingerprint and signature (history_signing.h);
// every export a node hands out is signed, an unsigned one is for benchmarks and tests.
// Returns the summary written.
Result<v1::ExportSummary> export_history(const EventLog& log, const EventFilter& filter,
                                         Format format, const Sink& sink,
                                         const Progress& progress = {},
                                         const ExportLimits& limits = {},
                                         const SigningKey* signing_key = nullptr);

// Appends seq to `ranges` (kept as runs of consecutive seqs, ascending).
void add_to_ranges(google::protobuf::RepeatedPtrField<v1::SeqRange>& ranges, Seq seq);

}  // namespace turno::history
