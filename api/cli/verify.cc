// `turno verify`: the log's whole hash chain (--data), or an export offline (--file), or an
// export against the log it came from (both). An export's summary is authenticated with
// --public-key (or, with --data, the node's own key); without one the output says plainly
// that it was not. Exit status 0 when everything checks, 1 with the first bad seq otherwise,
// 2 for a usage error.
#include <cstdio>
#include <fstream>

#include "data_layout.h"
#include "history_cli.h"
#include "history_codec.h"
#include "history_verify.h"
#include "subcommand.h"

namespace turno::cli {
namespace {

constexpr std::size_t kRangesShownMax = 20;

std::vector<FlagSpec> verify_flags() {
  return {
      {"data", "the server's data directory: check the log's chain (read-only)"},
      {"file", "an export to check offline (with --data: also against that log)"},
      {"format", "the export's format: jsonl, csv, protobuf (default: detected)"},
      {"public-key",
       "with --file: the node's public key (PEM, from `turno signing-key` or GET "
       "/v1/events/signing-key) its summary must be signed by"},
      {"from-seq", "with --data alone: first seq to check", true, "1"},
      {"to-seq", "with --data alone: last seq to check"},
      {"help", "show this help", false},
  };
}

std::string ranges_text(const std::vector<history::Run>& runs) {
  std::string out;
  for (std::size_t i = 0; i < runs.size() && i < kRangesShownMax; ++i) {
    out += (i > 0 ? ", " : "") + std::to_string(runs[i].first.value);
    if (runs[i].last != runs[i].first) out += "-" + std::to_string(runs[i].last.value);
  }
  if (runs.size() > kRangesShownMax) {
    out += ", ... (" + std::to_string(runs.size() - kRangesShownMax) + " more)";
  }
  return out.empty() ? "nothing" : out;
}

int failed(const Status& status, const std::optional<Seq>& first_bad_seq) {
  std::printf("FAILED: %s\n", status.message().c_str());
  if (first_bad_seq) std::printf("first bad seq: %llu\n", (unsigned long long)first_bad_seq->value);
  return 1;
}

int verify_log_chain(const EventLog& log, Seq from, Seq to) {
  ProgressBar progress("verify", "events");
  const history::LogCheck check = history::verify_log(
      log, from, to, [&](Seq done, Seq last) { progress.update(done.value, last.value); });
  if (!check.status.is_ok()) return failed(check.status, check.first_bad_seq);
  std::printf("OK: log %s, %llu records, seq %llu-%llu, every hash recomputed\n",
              log.log_id().c_str(), (unsigned long long)check.records,
              (unsigned long long)std::max<std::uint64_t>(from.value, 1),
              (unsigned long long)check.last_seq.value);
  std::printf("hash at seq %llu: %s\n", (unsigned long long)check.last_seq.value,
              to_hex(check.last_hash).c_str());
  return 0;
}

void print_export_check(const history::ExportCheck& check, bool anchored) {
  const v1::ExportSummary& summary = *check.summary;
  std::printf("OK: %llu records, %llu links checked, log %s\n", (unsigned long long)check.records,
              (unsigned long long)check.links_checked, summary.log_id().c_str());
  std::printf("scanned seq %llu-%llu, filter: %s\n", (unsigned long long)summary.from_seq(),
              (unsigned long long)summary.to_seq(),
              summary.filter().empty() ? "none" : summary.filter().c_str());
  std::printf("covers seq %s (%zu run%s)\n", ranges_text(check.runs).c_str(), check.runs.size(),
              check.runs.size() == 1 ? "" : "s");
  std::printf("log head at export: seq %llu, hash %s\n", (unsigned long long)summary.head_seq(),
              to_hex(summary.head_hash()).c_str());
  if (check.gapless) {
    std::printf("gapless: every seq from %llu to %llu is present\n",
                (unsigned long long)summary.from_seq(), (unsigned long long)summary.to_seq());
  }
  if (anchored) {
    std::printf("anchored: the last record of every run has the log's hash at its seq\n");
  } else if (!check.runs.empty()) {
    std::printf(
        "not anchored: compare the hash of each run's last record with the log "
        "(turno verify --file F --data DIR does)\n");
  }
}

// The key an export must be signed by: --public-key, else with --data the node's own key
// (read, never created). Null with the reason when there is none.
struct TrustedKey {
  std::optional<history::PublicKey> key;
  std::string source;  // where it came from, or why there is none
};

Result<TrustedKey> trusted_key(const Flags& flags) {
  if (const std::optional<std::string> path = flags.get("public-key")) {
    Result<history::PublicKey> key = history::PublicKey::read_file(*path);
    if (!key.is_ok()) return key.status();
    return TrustedKey{key.value(), "--public-key " + *path};
  }
  const std::optional<std::string> data = flags.get("data");
  if (!data) return TrustedKey{std::nullopt, "no --public-key given"};
  Result<history::SigningKey> node_key =
      history::SigningKey::load(data_layout::export_signing_key_path(*data));
  if (!node_key.is_ok()) {
    return TrustedKey{std::nullopt, "no --public-key given, and no node key in --data (" +
                                        node_key.status().message() + ")"};
  }
  return TrustedKey{node_key.value().public_key(), "the node's key in " + *data};
}

void print_authenticity(const history::ExportCheck& check, const TrustedKey& trusted) {
  if (check.authenticated) {
    std::printf(
        "authentic: the summary is signed by key %s (%s); it covers the records' "
        "digest and the head\n",
        check.summary->key_fingerprint().c_str(), trusted.source.c_str());
    return;
  }
  const std::string claimed = check.summary->signature().empty()
                                  ? "the summary is not signed"
                                  : "the summary names key " + check.summary->key_fingerprint();
  std::printf(
      "NOT AUTHENTICATED: %s; %s, and its signature was not checked: the export is "
      "consistent, but anyone could have written it (pass --public-key K)\n",
      trusted.source.c_str(), claimed.c_str());
}

int verify_export_file(const std::string& path, const Flags& flags, const EventLog* log) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return report_failure("verify", "cannot read " + path, 1);
  std::optional<history::Format> format = history::detect_format(in);
  if (const auto named = flags.get("format")) format = history::parse_format(*named);
  if (!format) return report_failure("verify", "--format must be jsonl, csv or protobuf", 2);
  Result<TrustedKey> trusted = trusted_key(flags);
  if (!trusted.is_ok()) return report_failure("verify", trusted.status().message(), 2);
  ProgressBar progress("verify", "records");
  history::ExportCheck check =
      history::verify_export(in, *format, [&](std::uint64_t records) { progress.update(records); });
  if (trusted.value().key) history::authenticate_export(check, *trusted.value().key);
  if (log != nullptr) history::anchor_export(check, *log);
  if (!check.status.is_ok()) return failed(check.status, check.first_bad_seq);
  print_export_check(check, log != nullptr);
  print_authenticity(check, trusted.value());
  return 0;
}

int run_verify(int argc, char** argv) {
  Flags flags(argc, argv, verify_flags());
  if (flags.has("help")) return std::printf("%s", flags.usage("verify").c_str()), 0;
  const std::optional<std::string> data = flags.get("data");
  const std::optional<std::string> file = flags.get("file");
  const std::optional<std::int64_t> from = flags.get_int("from-seq");
  const std::optional<std::int64_t> to = flags.get_int("to-seq");
  if (!flags.ok() || (!data && !file) || from.value_or(1) < 0 || to.value_or(0) < 0) {
    const std::string why = flags.ok() ? "--data or --file is required" : flags.error();
    return report_failure("verify", why + "\n" + flags.usage("verify"), 2);
  }
  std::unique_ptr<EventLog> log;
  if (data) {
    Result<std::unique_ptr<EventLog>> opened = open_log_for_reading(*data);
    if (!opened.is_ok()) return report_failure("verify", opened.status().message(), 1);
    log = std::move(opened).value();
  }
  if (file) return verify_export_file(*file, flags, log.get());
  return verify_log_chain(*log, Seq{std::uint64_t(from.value_or(1))},
                          to ? Seq{std::uint64_t(*to)} : Seq{UINT64_MAX});
}

}  // namespace

TURNO_SUBCOMMAND("verify", "check the log's hash chain, or an export offline", run_verify);

}  // namespace turno::cli
