// Export verification (`turno verify --file`) in every format: the first byte picks jsonl,
// csv or protobuf, the rest is the file. Any bytes verify or give kCorruption (with the first
// bad seq when a record is at fault), never a crash; a verified export has its summary and
// covers its runs in ascending order.
#include <sstream>

#include "fuzz_input.h"
#include "history_verify.h"
#include "targets.h"
#include "verify.h"

namespace turno::fuzz {

void export_verify(std::string_view input) {
  FuzzInput in(input);
  constexpr history::Format kFormats[] = {history::Format::kJsonl, history::Format::kCsv,
                                          history::Format::kProtobuf};
  const history::Format format = kFormats[in.byte() % 3];
  std::istringstream file{std::string(in.rest())};
  const history::ExportCheck check = history::verify_export(file, format);
  if (!check.status.is_ok()) {
    VERIFY(check.status.code() == Status::Code::kCorruption, "a bad export is corruption");
    return;
  }
  VERIFY(check.summary.has_value(), "a verified export has its summary");
  for (std::size_t i = 0; i < check.runs.size(); ++i) {
    VERIFY(check.runs[i].first <= check.runs[i].last, "a run is ascending");
    VERIFY(i == 0 || check.runs[i - 1].last.value + 1 < check.runs[i].first.value,
           "runs are apart and in order");
  }
}

}  // namespace turno::fuzz
