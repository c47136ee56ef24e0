// Each input a fuzzing campaign found to crash, with the behaviour it now has. The inputs stay
// in tests/fuzz/corpus/ (corpus_test.cc runs them through their targets too); these cases say
// what was wrong and check the answer, not only the absence of a crash.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "model_codec.h"
#include "views.h"
#include "write_model.pb.h"

namespace turno::fuzz {
namespace {

std::string corpus_input(const std::string& target, const std::string& name) {
  const auto path = std::filesystem::path(TURNO_FUZZ_CORPUS) / target / name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_CASE("a model image whose booking has buffers out of range is corruption, not an abort") {
  // Found by model_snapshot: a negative buffer made the booking's blocked interval empty and
  // Calendar::add VERIFY-aborted while loading the snapshot.
  v1::ModelSnapshot image;
  REQUIRE(image.ParseFromString(
      corpus_input("model_snapshot", "crash-640ed4e294e62fc7ff37c8327fb47f919b45778f")));
  const Result<Model> model = decode_model(image.model());
  REQUIRE_FALSE(model.is_ok());
  CHECK(model.status().code() == Status::Code::kCorruption);
}

TEST_CASE("an invoice view state with document number 0 does not decode") {
  // Found by view_snapshot: number 0 indexed by_number[-1], writing before the vector.
  const std::string input =
      corpus_input("view_snapshot", "crash-67d1f5de0dc06e276faee5142577d85a3bd1e597");
  const auto& names = projections::view_names();
  const std::string_view name = names[static_cast<unsigned char>(input[0]) % names.size()];
  REQUIRE(name == "invoices");
  const auto view = projections::make_view(name);
  const Status status = view->decode(std::string_view(input).substr(1));
  CHECK(status.code() == Status::Code::kCorruption);
  CHECK(view->applied_seq() == Seq{});
}

TEST_CASE("a KPI view state whose counters overflow when summed does not decode") {
  // Found by view_snapshot: a day's counter of INT64_MIN made rebuild_indexes() overflow a
  // signed sum (undefined behaviour) while restoring the snapshot.
  const std::string input =
      corpus_input("view_snapshot", "crash-a4e2ae2752b509d333d62120e1155ca9eba8cb77");
  const auto& names = projections::view_names();
  const std::string_view name = names[static_cast<unsigned char>(input[0]) % names.size()];
  REQUIRE(name == "kpis");
  const auto view = projections::make_view(name);
  CHECK(view->decode(std::string_view(input).substr(1)).code() == Status::Code::kCorruption);
  CHECK(view->applied_seq() == Seq{});
}

}  // namespace
}  // namespace turno::fuzz
