#include "engine.h"

namespace turno {

Result<std::unique_ptr<Engine>> Engine::open(const std::string& directory, const Clock& clock,
                                             EngineOptions options) {
  Result<std::unique_ptr<EventLog>> log = EventLog::open(directory, options.log);
  if (!log.is_ok()) return log.status();
  std::unique_ptr<Engine> engine(new Engine());
  engine->log_ = std::move(log).value();
  std::shared_ptr<SnapshotStore> store;
  if (options.model_snapshots) {
    Result<std::shared_ptr<SnapshotStore>> opened = open_model_store(*options.model_snapshots);
    if (!opened.is_ok()) return opened.status();
    store = std::move(opened).value();
  }
  ModelLoader loader =
      options.loader ? options.loader : [](const EventLog& source) { return replay_log(source); };
  // Without a loader of the caller's: the newest valid snapshot (if any) and the tail.
  Result<Model> model = options.loader
                            ? loader(*engine->log_)
                            : load_model(*engine->log_, store.get(), engine->load_report_);
  if (!model.is_ok()) return model.status();
  report_skipped_snapshots(engine->load_report_);
  if (store && !options.loader) loader = snapshot_model_loader(store);
  if (store) {
    engine->snapshotter_ =
        std::make_unique<ModelSnapshotter>(*engine->log_, store, *options.model_snapshots);
  }
  engine->writer_ = std::make_unique<Writer>(*engine->log_, std::move(model).value(), clock,
                                             options.writer, loader);
  engine->writer_->start();
  if (engine->snapshotter_) engine->snapshotter_->start();
  return engine;
}

void Engine::stop() {
  if (writer_) writer_->stop();
  if (snapshotter_) snapshotter_->stop();
}

Engine::~Engine() {
  stop();
}

}  // namespace turno
