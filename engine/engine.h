// The command side in one object: the log opened, the model loaded, the writer running.
#pragma once

#include <memory>
#include <string>

#include "clock.h"
#include "event_log.h"
#include "writer.h"

namespace turno {

struct EngineOptions {
  LogOptions log;
  WriterOptions writer;
  ModelLoader loader;  // empty: replay the whole log
};

class Engine {
 public:
  // Opens the log in `directory`, rebuilds the model and starts the writer.
  static Result<std::unique_ptr<Engine>> open(const std::string& directory, const Clock& clock,
                                              EngineOptions options = {});
  ~Engine();

  EventLog& log() { return *log_; }
  Writer& writer() { return *writer_; }
  // Stops the writer after the queued commands; the log stays open for reads.
  void stop() { writer_->stop(); }

 private:
  Engine() = default;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Writer> writer_;
};

}  // namespace turno
