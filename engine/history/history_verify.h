// Checks history: the log's whole chain (`turno verify --data`), and an export file offline,
// with nothing of the engine (`turno verify --file`), optionally anchored to a log.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <vector>

#include "event_log.h"
#include "history_export.h"
#include "history_format.h"
#include "history_signing.h"
#include "status.h"

namespace turno::history {

// A run of consecutive seqs in an export, with the hash of its last record: the records of a
// run are chained to each other, so that one hash ties the whole run to the log.
struct Run {
  Seq first;
  Seq last;
  Hash last_hash{};
};

struct ExportCheck {
  Status status;                     // OK, or the first problem found (kCorruption)
  std::optional<Seq> first_bad_seq;  // with a problem: the first seq it concerns, when one does
  std::uint64_t records = 0;         // records read (the summary not counted)
  std::uint64_t links_checked = 0;   // pairs n, n+1 whose prev_hash link was checked
  std::vector<Run> runs;             // what the export covers, ascending
  std::optional<v1::ExportSummary> summary;
  // The summary's filter selects by seq range only, so every seq from its from_seq to its
  // to_seq was checked present, in one chained run.
  bool gapless = false;
  // authenticate_export() found the summary signed by the key it was given.
  bool authenticated = false;
};

// Verifies an export read from `in`, in any format. Each record must hash to the hash it
// carries, seqs must increase, consecutive seqs must be linked by prev_hash, and the summary
// must come last (anything after it is an error naming that record) and agree with what was
// read: the seqs present as its ranges, their count, the digest of their hashes, the head's
// hash when the head is among them; and for a summary whose filter selects by seq range only,
// every seq from its from_seq to its to_seq, no gap (so a removed, added, reordered or
// cut-off record is found even with the summary edited to match). A record whose JSON holds a
// raw control character fails, named by its seq. Stops at the first problem. `progress` is
// told the number of records read now and then. Says nothing about who wrote the export:
// authenticate_export() does.
ExportCheck verify_export(std::istream& in, Format format,
                          const std::function<void(std::uint64_t records)>& progress = {});

// Checks that a verified export's summary is signed by `key` (history_signing.h): with the
// digest and head it covers, this ties every record to the node that holds the key. Sets
// check.authenticated, or check.status (unsigned, another key, a forged or altered summary).
void authenticate_export(ExportCheck& check, const PublicKey& key);

// Ties a verified export to `log`: the last record of every run must have the log's hash at
// that seq (and the export's log id must be the log's). Sets check.status and first_bad_seq on
// the first difference. Without this, a verified export proves its runs are consistent, not
// that they are the log's: an anchor (this, or hashes published elsewhere) does that.
void anchor_export(ExportCheck& check, const EventLog& log);

struct LogCheck {
  Status status;                     // OK, or the first problem
  std::optional<Seq> first_bad_seq;  // with a problem: where the chain first fails
  std::uint64_t records = 0;         // records verified
  Seq last_seq;                      // the last record verified, and its hash
  Hash last_hash{};
};

// Recomputes every SHA-256 link of `log` from `from` to `to` (capped at the tail).
LogCheck verify_log(const EventLog& log, Seq from = Seq{1}, Seq to = Seq{UINT64_MAX},
                    const Progress& progress = {});

}  // namespace turno::history
