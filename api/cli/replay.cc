// `turno replay`: the history in seq order for analysis, as JSON lines on stdout or as NATS
// messages, optionally filtered and paced. Reads the log read-only; the server may be running.
#include <charconv>
#include <cstdio>

#include "history_cli.h"
#include "history_replay.h"
#include "rebuild.h"
#include "replay_nats.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

constexpr std::string_view kNatsScheme = "nats://";
constexpr std::string_view kDefaultSubjectPrefix = "turno.replay";

std::vector<FlagSpec> replay_flags() {
  std::vector<FlagSpec> flags = {
      {"data", "the server's data directory (read-only)"},
      {"to", "stdout, or nats://HOST:PORT", true, "stdout"},
      {"subject", "NATS subject prefix: PREFIX.<tenant>.<site>.<type>", true,
       kDefaultSubjectPrefix},
      {"format", "on stdout: jsonl, csv or protobuf", true, "jsonl"},
      {"rate", "events per second, e.g. 500 or 500/s (default: as fast as possible)"},
      {"as-of", "instead: rebuild every view as it stood at this instant (RFC 3339 or Unix ms)"},
      {"into", "with --as-of: the new data directory; its views go in INTO/views/<name>"},
      {"help", "show this help", false},
  };
  for (FlagSpec& spec : history_filter_flags()) flags.push_back(spec);
  return flags;
}

// "500" or "500/s"; nullopt when malformed.
std::optional<std::uint64_t> parse_rate(std::string_view text) {
  if (text.ends_with("/s")) text.remove_suffix(2);
  std::uint64_t rate = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), rate);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return rate;
}

Result<std::unique_ptr<history::ReplaySink>> open_sink(const Flags& flags, const EventLog& log) {
  const std::string to = flags.get_or("to", "stdout");
  if (to.starts_with(kNatsScheme)) {
    auto sink =
        NatsReplaySink::connect(to, flags.get_or("subject", kDefaultSubjectPrefix), log.log_id());
    if (!sink.is_ok()) return sink.status();
    return std::unique_ptr<history::ReplaySink>(std::move(sink).value());
  }
  if (to != "stdout") return Status::invalid_argument("--to must be stdout or nats://HOST:PORT");
  const auto format = history::parse_format(flags.get_or("format", "jsonl"));
  if (!format) return Status::invalid_argument("--format must be jsonl, csv or protobuf");
  return std::unique_ptr<history::ReplaySink>(
      new history::EncodedSink(*format, [](std::string_view bytes) {
        const bool written = std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
        return written && std::fflush(stdout) == 0 ? Status::ok()
                                                   : Status::io_error("stdout: write failed");
      }));
}

// --as-of: every view folded from the events recorded at or before `as_of_ms`, written as
// one snapshot per view under `into`/views, where a query-role server finds them.
int rebuild_as_of(const EventLog& log, std::int64_t as_of_ms, const std::string& into) {
  projections::RebuildOptions options;
  options.as_of_ms = as_of_ms;
  ProgressBar progress("rebuild", "events");
  options.progress = [&](Seq done, Seq last) { progress.update(done.value, last.value); };
  Result<projections::RebuildResult> rebuilt = projections::rebuild_views(log, options);
  if (!rebuilt.is_ok()) return report_failure("replay", rebuilt.status().message(), 1);
  for (const auto& view : rebuilt.value().views) {
    const std::string directory = into + "/views/" + std::string(view->name());
    if (Status status = projections::write_view_snapshot(*view, directory); !status.is_ok()) {
      return report_failure("replay", status.message(), 1);
    }
    std::printf("%s: seq %llu, digest %s, in %s\n", std::string(view->name()).c_str(),
                static_cast<unsigned long long>(view->applied_seq().value),
                to_hex(view->digest()).c_str(), directory.c_str());
  }
  std::printf(
      "as of %lld: %llu events (up to seq %llu) of log %s\n", static_cast<long long>(as_of_ms),
      static_cast<unsigned long long>(rebuilt.value().events),
      static_cast<unsigned long long>(rebuilt.value().last_seq.value), log.log_id().c_str());
  return 0;
}

int run_replay(int argc, char** argv) {
  Flags flags(argc, argv, replay_flags());
  if (flags.has("help")) return std::printf("%s", flags.usage("replay").c_str()), 0;
  const std::optional<std::string> data = flags.get("data");
  if (!flags.ok() || !data) {
    return report_failure(
        "replay",
        (flags.ok() ? "--data is required" : flags.error()) + "\n" + flags.usage("replay"), 2);
  }
  history::ReplayOptions options;
  if (const auto rate = flags.get("rate")) {
    const std::optional<std::uint64_t> parsed = parse_rate(*rate);
    if (!parsed) return report_failure("replay", "--rate is events per second: N or N/s", 2);
    options.rate_per_s = *parsed;
  }
  Result<history::EventFilter> filter = history_filter_from(flags);
  if (!filter.is_ok()) return report_failure("replay", filter.status().message(), 2);
  options.filter = std::move(filter).value();
  Result<std::unique_ptr<EventLog>> log = open_log_for_reading(*data);
  if (!log.is_ok()) return report_failure("replay", log.status().message(), 1);
  if (const auto as_of = flags.get("as-of")) {
    const std::optional<std::int64_t> as_of_ms = history::parse_instant_ms(*as_of);
    const std::optional<std::string> into = flags.get("into");
    if (!as_of_ms || !into) {
      return report_failure("replay", "--as-of needs an instant and --into DIR", 2);
    }
    return rebuild_as_of(*log.value(), *as_of_ms, *into);
  }
  Result<std::unique_ptr<history::ReplaySink>> sink = open_sink(flags, *log.value());
  if (!sink.is_ok()) {
    const bool usage = sink.status().code() == Status::Code::kInvalidArgument;
    return report_failure("replay", sink.status().message(), usage ? 2 : 1);
  }
  ProgressBar progress("replay", "events");
  Result<std::uint64_t> published =
      history::replay_history(*log.value(), options, *sink.value(),
                              [&](Seq done, Seq last) { progress.update(done.value, last.value); });
  if (!published.is_ok()) return report_failure("replay", published.status().message(), 1);
  std::fprintf(stderr, "turno replay: %llu events to %s\n",
               static_cast<unsigned long long>(published.value()),
               flags.get_or("to", "stdout").c_str());
  return 0;
}

}  // namespace

TURNO_SUBCOMMAND("replay", "stream the history in order (stdout, NATS) for analysis", run_replay);

}  // namespace turno::cli
