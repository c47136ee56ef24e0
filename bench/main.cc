// `turno-bench`: dispatches to the registered benchmarks (bench.h).
#include <cstdio>
#include <string_view>

#include "bench.h"

namespace turno::bench {
namespace {
std::vector<Benchmark>& registry() {
  static std::vector<Benchmark> all;
  return all;
}
}  // namespace

bool register_benchmark(const Benchmark& benchmark) {
  registry().push_back(benchmark);
  return true;
}

const std::vector<Benchmark>& benchmarks() {
  return registry();
}

}  // namespace turno::bench

int main(int argc, char** argv) {
  const std::string_view name = argc > 1 ? argv[1] : "";
  for (const auto& benchmark : turno::bench::benchmarks()) {
    if (benchmark.name == name) return benchmark.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "usage: turno-bench <benchmark> [flags]\n");
  for (const auto& benchmark : turno::bench::benchmarks()) {
    std::fprintf(stderr, "  %-8.*s %.*s\n", int(benchmark.name.size()), benchmark.name.data(),
                 int(benchmark.summary.size()), benchmark.summary.data());
  }
  return 2;
}
