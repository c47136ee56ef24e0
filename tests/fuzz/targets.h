// The fuzz targets: each takes arbitrary bytes, drives one parser or writer of Turno with them,
// and aborts (VERIFY) when an oracle fails; returning means the input was handled. The same
// functions run under libFuzzer (fuzz_main.cc, `ops/fuzz`) and over the committed corpus in
// fuzz_corpus_test, so every input once found stays a test.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace turno::fuzz {

using TargetFunction = void (*)(std::string_view input);

struct Target {
  std::string_view name;  // also the corpus folder: tests/fuzz/corpus/<name>/
  TargetFunction run;
};

void query_string(std::string_view input);
void jwt(std::string_view input);
void log_record(std::string_view input);
void model_snapshot(std::string_view input);
void view_snapshot(std::string_view input);
void export_verify(std::string_view input);
void ical(std::string_view input);
void invoice_pdf(std::string_view input);
void routes(std::string_view input);
// "POST /v1/holds", ...: the routes as the routes target numbers them (its first byte).
std::vector<std::string> route_names();

inline const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"query_string", query_string},
      {"jwt", jwt},
      {"log_record", log_record},
      {"model_snapshot", model_snapshot},
      {"view_snapshot", view_snapshot},
      {"export_verify", export_verify},
      {"ical", ical},
      {"invoice_pdf", invoice_pdf},
      {"routes", routes},
  };
  return all;
}

}  // namespace turno::fuzz
