// VERIFY: an invariant check that stays on in release builds (TigerBeetle's assert, Redpanda's
// vassert). A failed VERIFY is a programmer error: it prints where and why, then aborts, so a
// broken invariant never reaches the log. Operating errors (bad input, full disk) are values,
// never VERIFYs.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace turno::detail {
[[noreturn]] inline void verify_failed(const char* condition, const char* message, const char* file,
                                       int line) {
  std::fprintf(stderr, "VERIFY failed at %s:%d: %s (%s)\n", file, line, message, condition);
  std::fflush(stderr);
  std::abort();
}
}  // namespace turno::detail

#define VERIFY(condition, message)                                             \
  do {                                                                         \
    if (!(condition)) [[unlikely]]                                             \
      ::turno::detail::verify_failed(#condition, message, __FILE__, __LINE__); \
  } while (false)
