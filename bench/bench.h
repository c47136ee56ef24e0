// `turno-bench <name>`: each benchmark lives in its own file in bench/ and registers itself
// with TURNO_BENCH. Benchmarks print one JSON object per line; they assert nothing about time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace turno::bench {

struct Benchmark {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, char** argv);  // argv[0] is the benchmark's name
};

bool register_benchmark(const Benchmark& benchmark);
const std::vector<Benchmark>& benchmarks();

// The q-quantile (0..1) of `samples` (sorted in place), or 0 when empty.
inline std::uint64_t quantile(std::vector<std::uint64_t>& samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto index = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1));
  return samples[index];
}

}  // namespace turno::bench

#define TURNO_BENCH_CONCAT_INNER(a, b) a##b
#define TURNO_BENCH_CONCAT(a, b) TURNO_BENCH_CONCAT_INNER(a, b)
#define TURNO_BENCH(name, summary, function)                                \
  static const bool TURNO_BENCH_CONCAT(turno_bench_registered_, __LINE__) = \
      ::turno::bench::register_benchmark({name, summary, function})
