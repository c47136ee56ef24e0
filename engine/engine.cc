#include "engine.h"

namespace turno {

Result<std::unique_ptr<Engine>> Engine::open(const std::string& directory, const Clock& clock,
                                             EngineOptions options) {
  Result<std::unique_ptr<EventLog>> log = EventLog::open(directory, options.log);
  if (!log.is_ok()) return log.status();
  std::unique_ptr<Engine> engine(new Engine());
  engine->log_ = std::move(log).value();
  ModelLoader loader =
      options.loader ? options.loader : [](const EventLog& source) { return replay_log(source); };
  Result<Model> model = loader(*engine->log_);
  if (!model.is_ok()) return model.status();
  engine->writer_ = std::make_unique<Writer>(*engine->log_, std::move(model).value(), clock,
                                             options.writer, loader);
  engine->writer_->start();
  return engine;
}

Engine::~Engine() {
  if (writer_) writer_->stop();
}

}  // namespace turno
