// The log's head, anchored outside RocksDB's own files.
//
// RocksDB can only tell that what it still has is whole; it cannot tell that something is
// missing when the damage removed every trace (a WAL cut at a record boundary, a MANIFEST
// rolled back, a restored old copy). So whoever sees the log durably at some head — the log
// itself, a model snapshot, the NATS publisher, a backup — also writes that head (seq and the
// hash at it) into a small fsynced file of its own beside the log:
//
//   DIR/heads/<witness>      text, one "key value" per line, written atomically
//     turno-head 1
//     witness <name>          the file's own name: [a-z0-9-], at most 64 characters
//     log_id <32 hex>         the log it saw
//     seq <decimal>           a committed (fsynced) seq of that log
//     hash <64 hex>           hash(seq)
//     written_at_ms <decimal> Unix ms UTC, for the operator
//     check <64 hex>          SHA-256 of every line above, newline included
//
// At every open the log compares itself with every anchor: a log whose last seq is below an
// anchor's has lost acknowledged events (seqs last+1..anchor), and a log whose hash at an
// anchor's seq differs has been forked or rewritten; both are refused with a message naming
// the seqs and what to do (turno repair). A damaged anchor file is refused too: it cannot be
// trusted to say nothing was lost. Anchors are read before the database is opened, so a tool's
// read-only open of a live log never sees an anchor newer than the log it opened.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "status.h"
#include "types.h"

namespace turno {

inline constexpr std::string_view kHeadsDirectoryName = "heads";
inline constexpr std::size_t kWitnessNameBytesMax = 64;
inline constexpr std::size_t kHeadAnchorBytesMax = 1024;  // a larger file is not an anchor

// The witnesses Turno itself writes.
inline constexpr std::string_view kLogWitness = "log";                       // event_log.h
inline constexpr std::string_view kModelSnapshotWitness = "model-snapshot";  // model_snapshots.h
inline constexpr std::string_view kNatsPublisherWitness = "nats-publisher";  // projections/
inline constexpr std::string_view kBackupWitness = "backup";                 // backup.h

struct HeadAnchor {
  std::string witness;
  std::string log_id;
  Seq seq;
  Hash hash{};
  std::int64_t written_at_ms = 0;
};

std::string heads_directory(const std::string& log_directory);

// The file's text, check line included.
std::string render_head_anchor(const HeadAnchor& anchor);
// Parses and checks one anchor file's text; `witness` is the file's name.
Result<HeadAnchor> parse_head_anchor(std::string_view text, std::string_view witness);

// Writes DIR/heads/<anchor.witness> atomically and durably (creating DIR/heads).
[[nodiscard]] Status write_head_anchor(const std::string& log_directory, const HeadAnchor& anchor);

// Every anchor in DIR/heads, by witness name; none when the folder does not exist. A file that
// does not parse or fails its check is a corruption error naming it.
Result<std::vector<HeadAnchor>> read_head_anchors(const std::string& log_directory);

// The hash stored at a seq of the log being checked.
using HashAtSeq = std::function<Result<Hash>(Seq)>;

// OK when the log (its id, its last seq, its hashes) is consistent with every anchor; else a
// corruption error for the first anchor it contradicts, naming the lost seqs or the seq where
// the chain disagrees, and how to repair.
[[nodiscard]] Status check_head_anchors(const std::vector<HeadAnchor>& anchors,
                                        std::string_view log_id, Seq last_seq,
                                        const HashAtSeq& hash_at, const std::string& log_directory);

}  // namespace turno
