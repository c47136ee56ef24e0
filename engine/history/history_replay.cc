#include "history_replay.h"

#include <thread>

namespace turno::history {

Status EncodedSink::publish(const LogRecord& record) {
  if (Status status = encoder_.append_record(record, output_.buffer()); !status.is_ok()) {
    return status;
  }
  return output_.flush_if_full();
}

void Pacer::wait_turn() {
  if (rate_per_s_ == 0) return;
  constexpr std::uint64_t kNanosecondsPerSecond = 1'000'000'000;
  if (sent_ == 0) start_ = std::chrono::steady_clock::now();
  const auto due = start_ + std::chrono::nanoseconds(sent_ * kNanosecondsPerSecond / rate_per_s_);
  std::this_thread::sleep_until(due);
  ++sent_;
}

Result<std::uint64_t> replay_history(const EventLog& log, const ReplayOptions& options,
                                     ReplaySink& sink, const Progress& progress) {
  const Seq head = log.last_seq();
  LogCursor cursor = log.read(options.filter.from_seq, std::min(options.filter.to_seq, head),
                              /*verify_hashes=*/true);
  Pacer pacer(options.rate_per_s);
  std::uint64_t published = 0;
  std::uint64_t scanned = 0;
  while (cursor.next()) {
    const LogRecord& record = cursor.record();
    if (progress && ++scanned % kProgressEveryRecords == 0) progress(record.seq, head);
    if (!options.filter.matches(record.envelope)) continue;
    pacer.wait_turn();
    if (Status status = sink.publish(record); !status.is_ok()) return status;
    ++published;
  }
  if (!cursor.status().is_ok()) return cursor.status();
  if (Status status = sink.finish(); !status.is_ok()) return status;
  return published;
}

}  // namespace turno::history
