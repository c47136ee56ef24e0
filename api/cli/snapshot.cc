// `turno snapshot`: takes a write-model snapshot now (the model of the log's tail, from the
// newest valid snapshot plus the events after it), or lists the snapshots with --list.
//
// A running server holds the snapshot store (RocksDB's lock) and takes its own snapshots every
// N events and at shutdown, so taking one needs the server stopped; --list works either way.
#include <cstdio>

#include "data_layout.h"
#include "history_cli.h"
#include "model_snapshots.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

std::vector<FlagSpec> snapshot_flags() {
  return {
      {"data", "the data directory of a stopped server"},
      {"keep", "snapshots to keep after taking this one", true, "3"},
      {"list", "list the snapshots and whether each one validates; take none", false},
      {"help", "show this help", false},
  };
}

int list_snapshots(const std::string& directory) {
  SnapshotStoreOptions options;
  options.read_only = true;
  Result<std::unique_ptr<SnapshotStore>> store = SnapshotStore::open(directory, options);
  if (!store.is_ok()) return report_failure("snapshot", store.status().message(), 1);
  Result<std::vector<Seq>> seqs = store.value()->list();
  if (!seqs.is_ok()) return report_failure("snapshot", seqs.status().message(), 1);
  for (Seq seq : seqs.value()) {
    Result<SnapshotStore::Snapshot> snapshot = store.value()->read(seq);
    std::printf("seq %llu: %s\n", static_cast<unsigned long long>(seq.value),
                snapshot.is_ok()
                    ? (std::to_string(snapshot.value().payload.size()) + " bytes, valid").c_str()
                    : snapshot.status().message().c_str());
  }
  if (seqs.value().empty()) std::printf("no snapshots in %s\n", directory.c_str());
  return 0;
}

int take_snapshot(const std::string& data, std::size_t keep) {
  Result<std::shared_ptr<SnapshotStore>> store = open_model_store(model_snapshot_options_for(data));
  if (!store.is_ok()) {
    return report_failure("snapshot",
                          store.status().message() +
                              "\n(a running server holds the store and takes snapshots itself; "
                              "stop it first, or use --list)",
                          1);
  }
  Result<std::unique_ptr<EventLog>> log = open_log_for_reading(data);
  if (!log.is_ok()) return report_failure("snapshot", log.status().message(), 1);
  ModelLoadReport report;
  Result<Model> model = load_model(*log.value(), store.value().get(), report);
  report_skipped_snapshots(report);
  if (!model.is_ok()) return report_failure("snapshot", model.status().message(), 1);
  Status written = write_model_snapshot(*store.value(), *log.value(), model.value(),
                                        log.value()->last_hash(), keep);
  if (!written.is_ok()) return report_failure("snapshot", written.message(), 1);
  std::printf("snapshot at seq %llu (from %s, %llu events replayed), %zu kept\n",
              static_cast<unsigned long long>(model.value().last_seq.value),
              report.snapshot_seq
                  ? ("the snapshot at seq " + std::to_string(report.snapshot_seq->value)).c_str()
                  : "a full replay",
              static_cast<unsigned long long>(report.replayed_events), keep);
  return 0;
}

int run_snapshot(int argc, char** argv) {
  Flags flags(argc, argv, snapshot_flags());
  if (flags.has("help")) return std::printf("%s", flags.usage("snapshot").c_str()), 0;
  const std::optional<std::string> data = flags.get("data");
  const std::optional<std::int64_t> keep = flags.get_int("keep");
  if (!flags.ok() || !data || !keep || *keep < 1) {
    const std::string why = !flags.ok() ? flags.error()
                            : !data     ? "--data is required"
                                        : "--keep must be at least 1";
    return report_failure("snapshot", why + "\n" + flags.usage("snapshot"), 2);
  }
  if (flags.has("list")) return list_snapshots(data_layout::model_snapshot_directory(*data));
  return take_snapshot(*data, static_cast<std::size_t>(*keep));
}

}  // namespace

TURNO_SUBCOMMAND("snapshot", "take a write-model snapshot now, or list them", run_snapshot);

}  // namespace turno::cli
