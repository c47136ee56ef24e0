#include "log_anchor.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "durable_file.h"
#include "sha256.h"

namespace turno {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagicLine = "turno-head 1\n";
constexpr std::string_view kCheckKey = "check ";

bool valid_witness(std::string_view name) {
  if (name.empty() || name.size() > kWitnessNameBytesMax) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string body_of(const HeadAnchor& anchor) {
  std::ostringstream out;
  out << kMagicLine << "witness " << anchor.witness << "\n"
      << "log_id " << anchor.log_id << "\n"
      << "seq " << anchor.seq.value << "\n"
      << "hash " << to_hex(anchor.hash) << "\n"
      << "written_at_ms " << anchor.written_at_ms << "\n";
  return out.str();
}

std::optional<std::int64_t> parse_integer(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string what_to_do(const std::string& log_directory) {
  return " Refusing to serve it. Restore the lost events with `turno repair --data " +
         log_directory +
         " --from-backup BACKUP_DIR` or `--from-nats URL` (ops/README.md, \"Repair\"); "
         "`turno verify --data " +
         log_directory + "` reports the same.";
}

}  // namespace

std::string heads_directory(const std::string& log_directory) {
  return log_directory + "/" + std::string(kHeadsDirectoryName);
}

std::string render_head_anchor(const HeadAnchor& anchor) {
  const std::string body = body_of(anchor);
  return body + std::string(kCheckKey) + to_hex(sha256(body)) + "\n";
}

Result<HeadAnchor> parse_head_anchor(std::string_view text, std::string_view witness) {
  const std::string where = "head anchor " + std::string(witness);
  const std::size_t check_at = text.rfind(kCheckKey);
  if (!text.starts_with(kMagicLine) || check_at == std::string_view::npos ||
      !text.ends_with("\n")) {
    return Status::corruption(where + " is not an anchor file");
  }
  const std::string_view body = text.substr(0, check_at);
  const std::string_view check = text.substr(check_at + kCheckKey.size());
  if (check.substr(0, check.size() - 1) != to_hex(sha256(body))) {
    return Status::corruption(where + " fails its check (damaged)");
  }
  std::map<std::string, std::string, std::less<>> fields;
  std::istringstream lines{std::string(body.substr(kMagicLine.size()))};
  std::string key;
  std::string value;
  while (lines >> key >> value) fields[key] = value;
  HeadAnchor anchor;
  anchor.witness = fields["witness"];
  anchor.log_id = fields["log_id"];
  const auto seq = parse_integer(fields["seq"]);
  const auto hash = hash_from_hex(fields["hash"]);
  const auto written = parse_integer(fields["written_at_ms"]);
  if (anchor.witness != witness || anchor.log_id.empty() || !seq || !hash || !written) {
    return Status::corruption(where + " lacks a field or names another witness");
  }
  anchor.seq = Seq{static_cast<std::uint64_t>(*seq)};
  anchor.hash = *hash;
  anchor.written_at_ms = *written;
  return anchor;
}

Status write_head_anchor(const std::string& log_directory, const HeadAnchor& anchor) {
  if (!valid_witness(anchor.witness)) {
    return Status::invalid_argument("head anchor: bad witness name " + anchor.witness);
  }
  const std::string directory = heads_directory(log_directory);
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    fs::create_directories(directory, error);
    if (error) return Status::io_error("head anchor: create " + directory + ": " + error.message());
    if (Status synced = sync_path(log_directory); !synced.is_ok()) return synced;
  }
  return write_file_durably(directory + "/" + anchor.witness, render_head_anchor(anchor));
}

Result<std::vector<HeadAnchor>> read_head_anchors(const std::string& log_directory) {
  std::vector<HeadAnchor> anchors;
  const std::string directory = heads_directory(log_directory);
  std::error_code error;
  if (!fs::is_directory(directory, error)) return anchors;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (!valid_witness(name)) continue;  // e.g. a writer's leftover NAME.tmp
    if (entry.file_size(error) > kHeadAnchorBytesMax || error) {
      return Status::corruption("head anchor " + entry.path().string() + " is not an anchor file");
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::io_error("head anchor: cannot read " + entry.path().string());
    Result<HeadAnchor> anchor = parse_head_anchor(text.str(), name);
    if (!anchor.is_ok()) {
      return Status::corruption(anchor.status().message() + " (" + entry.path().string() +
                                "); if the log itself verifies, remove the file");
    }
    anchors.push_back(std::move(anchor).value());
  }
  if (error) return Status::io_error("head anchor: list " + directory + ": " + error.message());
  std::sort(anchors.begin(), anchors.end(),
            [](const HeadAnchor& a, const HeadAnchor& b) { return a.witness < b.witness; });
  return anchors;
}

Status check_head_anchors(const std::vector<HeadAnchor>& anchors, std::string_view log_id,
                          Seq last_seq, const HashAtSeq& hash_at,
                          const std::string& log_directory) {
  for (const HeadAnchor& anchor : anchors) {
    const std::string seen = "the " + anchor.witness + " head anchor (heads/" + anchor.witness +
                             ", written at " + std::to_string(anchor.written_at_ms) +
                             " ms) saw seq " + std::to_string(anchor.seq.value);
    if (anchor.log_id != log_id) {
      return Status::corruption("log: " + seen + " of log " + anchor.log_id + ", but this is log " +
                                std::string(log_id) + "." + what_to_do(log_directory));
    }
    if (anchor.seq > last_seq) {
      return Status::corruption("log: acknowledged events are missing: the log ends at seq " +
                                std::to_string(last_seq.value) + " but " + seen + ", so seqs " +
                                std::to_string(last_seq.value + 1) + "-" +
                                std::to_string(anchor.seq.value) + " are lost." +
                                what_to_do(log_directory));
    }
    if (anchor.seq.value == 0) continue;
    Result<Hash> hash = hash_at(anchor.seq);
    if (!hash.is_ok()) {
      return Status::corruption("log: cannot read seq " + std::to_string(anchor.seq.value) +
                                " that " + seen + ": " + hash.status().message() + "." +
                                what_to_do(log_directory));
    }
    if (hash.value() != anchor.hash) {
      return Status::corruption("log: the chain disagrees with its anchor at seq " +
                                std::to_string(anchor.seq.value) + ": " + seen + " with hash " +
                                to_hex(anchor.hash) + ", the log has " + to_hex(hash.value()) +
                                " (rewritten or forked history)." + what_to_do(log_directory));
    }
  }
  return Status::ok();
}

}  // namespace turno
