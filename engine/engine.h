// The command side in one object: the log opened, the model loaded, the writer running.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "clock.h"
#include "event_log.h"
#include "model_snapshots.h"
#include "writer.h"

namespace turno {

struct EngineOptions {
  LogOptions log;
  WriterOptions writer;
  ModelLoader loader;  // empty: replay the whole log (or snapshot + tail, with model_snapshots)
  // Set: start from the newest valid model snapshot, and keep taking them in the background.
  std::optional<ModelSnapshotOptions> model_snapshots;
};

class Engine {
 public:
  // Opens the log in `directory`, rebuilds the model and starts the writer.
  static Result<std::unique_ptr<Engine>> open(const std::string& directory, const Clock& clock,
                                              EngineOptions options = {});
  ~Engine();

  EventLog& log() { return *log_; }
  Writer& writer() { return *writer_; }
  // Stops the writer after the queued commands, then the snapshotter (which takes its
  // shutdown snapshot); the log stays open for reads. Idempotent.
  void stop();
  // The background model snapshotter; null without EngineOptions::model_snapshots.
  const ModelSnapshotter* snapshotter() const { return snapshotter_.get(); }
  // What start-up loaded the model from (snapshot seq, events replayed, snapshots skipped).
  const ModelLoadReport& load_report() const { return load_report_; }

 private:
  Engine() = default;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<ModelSnapshotter> snapshotter_;
  ModelLoadReport load_report_;
};

}  // namespace turno
