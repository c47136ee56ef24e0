// `turno rebuild`: views rebuilt from the log from scratch (all, or --view NAME,...), up to the
// tail or as of a seq or an instant, written as each view's only snapshot: into DATA/views
// (where `turno serve` resumes from them), or into --out. With the server stopped; the log is
// only read. Each view's digest is printed, and compared with the snapshot it replaces when
// that one is at the same seq (the incrementally maintained view).
#include "rebuild.h"

#include <cstdio>
#include <sstream>

#include "command_bus.h"
#include "history_cli.h"
#include "history_filter.h"
#include "query_string.h"
#include "snapshot_store.h"
#include "subcommand.h"
#include "views.h"

namespace turno::cli {
namespace {

std::vector<FlagSpec> rebuild_flags() {
  return {
      {"data", "the server's data directory (the log is read, never written)"},
      {"view", "views to rebuild, comma-separated (default: all)"},
      {"as-of-seq", "fold the events up to this seq"},
      {"as-of", "fold the events recorded at or before this instant (RFC 3339 or Unix ms)"},
      {"out", "write the views under this directory (required with --as-of or --as-of-seq)"},
      {"help", "show this help", false},
  };
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// The digest of the newest valid snapshot in `directory` when it is at `seq`, else nothing.
std::optional<Hash> maintained_digest(std::string_view name, const std::string& directory,
                                      Seq seq) {
  auto store = SnapshotStore::open(directory, SnapshotStoreOptions{true, false});
  if (!store.is_ok()) return std::nullopt;
  SnapshotStore::Report report;
  auto newest = store.value()->load_newest(report);
  if (!newest.is_ok() || !newest.value() || newest.value()->seq != seq) return std::nullopt;
  std::unique_ptr<projections::View> view = projections::make_view(name);
  if (!view->decode(newest.value()->payload).is_ok()) return std::nullopt;
  return view->digest();
}

Result<projections::RebuildOptions> options_from(const Flags& flags) {
  projections::RebuildOptions options;
  if (const auto views = flags.get("view")) options.views = split(*views);
  if (const auto seq = flags.get("as-of-seq")) {
    const std::optional<std::uint64_t> parsed = api::whole_number(*seq);
    if (!parsed) return Status::invalid_argument("--as-of-seq is a whole number");
    options.as_of_seq = Seq{*parsed};
  }
  if (const auto instant = flags.get("as-of")) {
    options.as_of_ms = history::parse_instant_ms(*instant);
    if (!options.as_of_ms) return Status::invalid_argument("--as-of is RFC 3339 or Unix ms");
  }
  const bool as_of = flags.has("as-of-seq") || flags.has("as-of");
  if (as_of && !flags.has("out")) {
    return Status::invalid_argument(
        "--as-of and --as-of-seq need --out: a server would otherwise resume from the past");
  }
  return options;
}

int run_rebuild(int argc, char** argv) {
  Flags flags(argc, argv, rebuild_flags());
  if (flags.has("help")) return std::printf("%s", flags.usage("rebuild").c_str()), 0;
  const std::optional<std::string> data = flags.get("data");
  if (!flags.ok() || !data) {
    return report_failure(
        "rebuild",
        (flags.ok() ? "--data is required" : flags.error()) + "\n" + flags.usage("rebuild"), 2);
  }
  Result<projections::RebuildOptions> options = options_from(flags);
  if (!options.is_ok()) return report_failure("rebuild", options.status().message(), 2);
  Result<std::unique_ptr<EventLog>> log = open_log_for_reading(*data);
  if (!log.is_ok()) return report_failure("rebuild", log.status().message(), 1);
  ProgressBar progress("rebuild", "events");
  options.value().progress = [&](Seq done, Seq last) { progress.update(done.value, last.value); };
  Result<projections::RebuildResult> rebuilt =
      projections::rebuild_views(*log.value(), options.value());
  if (!rebuilt.is_ok()) return report_failure("rebuild", rebuilt.status().message(), 1);
  const std::string views_directory =
      flags.has("out") ? *flags.get("out") + "/views" : projections::views_directory(*data);
  for (const auto& view : rebuilt.value().views) {
    const std::string name(view->name());
    const std::string directory = views_directory + "/" + name;
    const Hash digest = view->digest();
    const std::optional<Hash> before = maintained_digest(name, directory, view->applied_seq());
    if (Status status = projections::write_view_snapshot(*view, directory); !status.is_ok()) {
      return report_failure("rebuild", status.message(), 1);
    }
    std::printf("%s: seq %llu, digest %s%s\n", name.c_str(),
                static_cast<unsigned long long>(view->applied_seq().value), to_hex(digest).c_str(),
                !before             ? ""
                : *before == digest ? " (equal to the maintained view it replaced)"
                                    : " (DIFFERENT from the maintained view it replaced)");
  }
  std::printf(
      "%llu events of log %s folded, up to seq %llu, into %s\n",
      static_cast<unsigned long long>(rebuilt.value().events), log.value()->log_id().c_str(),
      static_cast<unsigned long long>(rebuilt.value().last_seq.value), views_directory.c_str());
  return 0;
}

}  // namespace

TURNO_SUBCOMMAND("rebuild", "rebuild read views from the log (from scratch, or as of a time)",
                 run_rebuild);

}  // namespace turno::cli
