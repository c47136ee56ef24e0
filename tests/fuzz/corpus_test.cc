// Every fuzz target over its committed corpus (tests/fuzz/corpus/<target>/): the seeds, and
// every input a fuzzing campaign once found to crash, so a fixed crash stays fixed in every
// build (the Release one too, without libFuzzer).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "targets.h"

namespace turno::fuzz {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_CASE("every fuzz target handles every input of its corpus") {
  for (const Target& target : targets()) {
    const std::filesystem::path folder =
        std::filesystem::path(TURNO_FUZZ_CORPUS) / std::string(target.name);
    REQUIRE_MESSAGE(std::filesystem::is_directory(folder), folder.string());
    std::size_t inputs = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      INFO(entry.path().string());
      target.run(read_file(entry.path()));  // aborts on a failed oracle
      ++inputs;
    }
    INFO(target.name);
    CHECK(inputs > 0);  // every target has a seed corpus
  }
}

}  // namespace
}  // namespace turno::fuzz
