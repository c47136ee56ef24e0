// `turno repair`: rebuilds a damaged or shortened event log from a backup and/or the JetStream
// stream (engine/log/log_repair.h says what it checks and what it never does). The node must be
// stopped. Exit status 0 when the log is whole (repaired or already so), 1 when it could not
// be made whole (nothing changed then), 2 for a usage error.
#include <cstdio>

#include "clock.h"
#include "data_layout.h"
#include "flags.h"
#include "log_repair.h"
#include "nats_repair_source.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int run_repair(int argc, char** argv) {
  Flags flags(argc, argv,
              {{"data", "data directory of the damaged log (the server must be stopped)"},
               {"from-backup", "a directory written by turno backup: restore from it first"},
               {"from-nats", "NATS url: restore what is still missing from JetStream"},
               {"help", "show this help", false}});
  if (flags.has("help")) return std::printf("%s", flags.usage("repair").c_str()), 0;
  const auto data = flags.get("data");
  const auto backup = flags.get("from-backup");
  const auto nats = flags.get("from-nats");
  if (!flags.ok() || !data) {
    std::fprintf(stderr, "turno repair: %s\n%s",
                 flags.ok() ? "--data is required" : flags.error().c_str(),
                 flags.usage("repair").c_str());
    return kExitUsage;
  }
  std::vector<std::unique_ptr<RecordSource>> owned;
  if (backup) {
    auto source = backup_record_source(*backup);
    if (!source.is_ok()) {
      std::fprintf(stderr, "turno repair: backup %s: %s\n", backup->c_str(),
                   source.status().message().c_str());
      return kExitFailed;
    }
    owned.push_back(std::move(source).value());
  }
  if (nats) {
    projections::NatsRecordSourceOptions options;
    options.url = *nats;
    auto source = projections::nats_record_source(options);
    if (!source.is_ok()) {
      std::fprintf(stderr, "turno repair: %s\n", source.status().message().c_str());
      return kExitFailed;
    }
    owned.push_back(std::move(source).value());
  }
  std::vector<RecordSource*> sources;
  for (auto& source : owned) sources.push_back(source.get());
  RepairOptions options;
  options.now_ms = SystemClock().now_ms();
  options.on_progress = [](const std::string& line) {
    std::fprintf(stderr, "turno repair: %s\n", line.c_str());
  };
  auto report = repair_log(data_layout::log_directory(*data), sources, options);
  if (!report.is_ok()) {
    std::fprintf(stderr, "turno repair: %s\n", report.status().message().c_str());
    return kExitFailed;
  }
  const RepairReport& done = report.value();
  std::printf(
      "{\"log_id\":\"%s\",\"changed\":%s,\"salvaged_to\":%llu,\"restored_to\":%llu,"
      "\"outcomes_kept\":%llu,\"outcomes_rebuilt\":%llu,\"damaged_files\":\"%s\"}\n",
      done.log_id.c_str(), done.changed ? "true" : "false",
      static_cast<unsigned long long>(done.salvaged_to.value),
      static_cast<unsigned long long>(done.restored_to.value),
      static_cast<unsigned long long>(done.outcomes_kept),
      static_cast<unsigned long long>(done.outcomes_rebuilt), done.damaged_directory.c_str());
  return 0;
}

}  // namespace
}  // namespace turno::cli

TURNO_SUBCOMMAND("repair", "rebuild a damaged log in --data from --from-backup and/or --from-nats",
                 turno::cli::run_repair);
