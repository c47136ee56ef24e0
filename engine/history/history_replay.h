// Replays the log's history in seq order into a sink, for analysis (`turno replay`): at full
// speed or paced to a rate. The sinks here write an export format (jsonl on stdout); the CLI
// adds NATS. Replay reads the log only: it never touches the writer or the views.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "event_log.h"
#include "history_codec.h"
#include "history_export.h"
#include "history_filter.h"
#include "status.h"

namespace turno::history {

// Where replayed records go, in seq order.
class ReplaySink {
 public:
  virtual ~ReplaySink() = default;
  virtual Status publish(const LogRecord& record) = 0;
  // After the last record: flush, wait for acknowledgements.
  virtual Status finish() = 0;
};

// Encodes records in an export format (records only: a replay has no summary) into chunks.
class EncodedSink final : public ReplaySink {
 public:
  EncodedSink(Format format, Sink out) : encoder_(format), output_(std::move(out)) {}
  Status publish(const LogRecord& record) override;
  Status finish() override { return output_.flush(); }

 private:
  RecordEncoder encoder_;
  ChunkedOutput output_;
};

// Spaces events `1 s / rate_per_s` apart on a schedule fixed at the first one (integer
// nanoseconds, so no drift accumulates); rate 0 never waits.
class Pacer {
 public:
  explicit Pacer(std::uint64_t rate_per_s) : rate_per_s_(rate_per_s) {}
  // Sleeps until the next event's turn.
  void wait_turn();

 private:
  std::uint64_t rate_per_s_;
  std::uint64_t sent_ = 0;
  std::chrono::steady_clock::time_point start_;
};

struct ReplayOptions {
  EventFilter filter;
  std::uint64_t rate_per_s = 0;  // 0: as fast as the sink takes them
};

// Replays the records `options.filter` selects, up to the tail as it was at the start, each
// read with its SHA-256 link recomputed (a log failing its chain stops the replay with that
// error). Returns the number of records published.
Result<std::uint64_t> replay_history(const EventLog& log, const ReplayOptions& options,
                                     ReplaySink& sink, const Progress& progress = {});

}  // namespace turno::history
