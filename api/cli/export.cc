// `turno export`: the log's history, or a filtered part of it, in jsonl, csv or protobuf, with
// every record's hash, to stdout or a file (history_format.h), its summary signed with the
// node's key (history_signing.h; created in the data directory on first use). Exit status 1
// if the log fails its chain check on the way (the output then lacks its summary and never
// verifies).
#include <unistd.h>

#include <cstdio>

#include "history_cli.h"
#include "history_codec.h"
#include "history_export.h"
#include "history_signing.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

std::vector<FlagSpec> export_flags() {
  std::vector<FlagSpec> flags = {
      {"data", "the server's data directory (the log is read, never written)"},
      {"format", "jsonl, csv or protobuf (length-delimited Envelopes)", true, "jsonl"},
      {"out", "write to this file (atomically, when complete) instead of stdout"},
      {"help", "show this help", false},
  };
  for (FlagSpec& spec : history_filter_flags()) flags.push_back(spec);
  return flags;
}

// Where the export goes: stdout, or FILE.partial renamed to FILE once complete.
class Output {
 public:
  static Result<Output> open(const std::optional<std::string>& path) {
    Output output;
    if (!path) return output;
    output.path_ = *path;
    output.file_ = std::fopen(output.partial_path().c_str(), "wb");
    if (output.file_ == nullptr) return Status::io_error("cannot create " + output.partial_path());
    return output;
  }
  Output(Output&& other) noexcept
      : file_(std::exchange(other.file_, stdout)), path_(std::move(other.path_)) {}
  ~Output() {
    if (file_ != stdout) {
      std::fclose(file_);
      std::remove(partial_path().c_str());  // not committed: never leave half an export
    }
  }

  Status write(std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      return Status::io_error("write failed");
    }
    return Status::ok();
  }

  // Flushes, syncs and (for a file) renames into place.
  Status commit() {
    if (std::fflush(file_) != 0) return Status::io_error("write failed");
    if (file_ == stdout) return Status::ok();
    if (fsync(fileno(file_)) != 0) return Status::io_error("fsync failed");
    std::fclose(file_);
    file_ = stdout;
    if (std::rename(partial_path().c_str(), path_.c_str()) != 0) {
      return Status::io_error("cannot rename to " + path_);
    }
    return Status::ok();
  }

 private:
  Output() = default;
  std::string partial_path() const { return path_ + ".partial"; }
  std::FILE* file_ = stdout;
  std::string path_;
};

int run_export(int argc, char** argv) {
  Flags flags(argc, argv, export_flags());
  if (flags.has("help")) return std::printf("%s", flags.usage("export").c_str()), 0;
  const std::optional<std::string> data = flags.get("data");
  const std::optional<history::Format> format = history::parse_format(flags.get_or("format", ""));
  if (!flags.ok() || !data || !format) {
    const std::string why = !flags.ok() ? flags.error()
                            : !data     ? "--data is required"
                                        : "--format must be jsonl, csv or protobuf";
    return report_failure("export", why + "\n" + flags.usage("export"), 2);
  }
  Result<history::EventFilter> filter = history_filter_from(flags);
  if (!filter.is_ok()) return report_failure("export", filter.status().message(), 2);
  Result<std::unique_ptr<EventLog>> log = open_log_for_reading(*data);
  if (!log.is_ok()) return report_failure("export", log.status().message(), 1);
  Result<history::SigningKey> key = history::load_or_create_node_key(*data);
  if (!key.is_ok()) return report_failure("export", key.status().message(), 1);
  Result<Output> output = Output::open(flags.get("out"));
  if (!output.is_ok()) return report_failure("export", output.status().message(), 1);

  ProgressBar progress("export", "events");
  Result<v1::ExportSummary> summary = history::export_history(
      *log.value(), filter.value(), *format,
      [&](std::string_view bytes) { return output.value().write(bytes); },
      [&](Seq scanned, Seq last) { progress.update(scanned.value, last.value); }, {}, &key.value());
  Status committed = summary.is_ok() ? output.value().commit() : summary.status();
  if (!committed.is_ok()) return report_failure("export", committed.message(), 1);
  const v1::ExportSummary& done = summary.value();
  std::fprintf(stderr,
               "turno export: %llu records of log %s, seq %llu-%llu scanned%s%s, signed by key "
               "%s\n",
               static_cast<unsigned long long>(done.record_count()), done.log_id().c_str(),
               static_cast<unsigned long long>(done.from_seq()),
               static_cast<unsigned long long>(done.to_seq()),
               done.filter().empty() ? "" : ", filter: ", done.filter().c_str(),
               done.key_fingerprint().c_str());
  return 0;
}

}  // namespace

TURNO_SUBCOMMAND("export", "write the verified history (jsonl, csv, protobuf)", run_export);

}  // namespace turno::cli
