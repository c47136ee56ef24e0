// A real log with a booking history in it, for the history tests.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "engine.h"
#include "history_workload.h"
#include "temp_dir.h"

namespace turno::testing {

// Writes at least `events` events of the benchmark's workload through `writer` (whose clock
// reads a time before the workload's first slot).
inline void write_workload_events(Writer& writer, std::uint64_t events) {
  bench::WorkloadOptions workload;
  workload.events_min = events;
  workload.wave_bookings = 32;
  Status status = bench::write_workload(writer, workload);
  REQUIRE_MESSAGE(status.is_ok(), status.message());
}

// Writes about `events` events of the benchmark's workload into a fresh log, then keeps the
// log open (read-write, writer stopped) for the test.
class HistoryFixture {
 public:
  explicit HistoryFixture(std::uint64_t events) : clock_(bench::kWorkloadNowMs) {
    EngineOptions options;
    options.log.sync = false;
    auto engine = Engine::open(log_path(), clock_, options);
    REQUIRE_MESSAGE(engine.is_ok(), engine.status().message());
    engine_ = std::move(engine).value();
    write_workload_events(engine_->writer(), events);
    engine_->stop();
  }

  std::string log_path() const { return dir_.sub("log"); }
  const std::string& data_path() const { return dir_.path(); }
  EventLog& log() { return engine_->log(); }
  // Closes the log (so that another process or a raw RocksDB handle can open it).
  void close() { engine_.reset(); }

 private:
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace turno::testing
