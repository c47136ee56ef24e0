// The engine's clock. decide() never reads a clock: the writer reads this one once per batch
// and passes the time in, so tests can drive time by hand (ManualClock).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace turno {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix milliseconds, UTC.
  virtual std::int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms) : now_ms_(start_ms) {}
  std::int64_t now_ms() const override { return now_ms_.load(); }
  void set(std::int64_t now_ms) { now_ms_.store(now_ms); }
  void advance(std::int64_t delta_ms) { now_ms_.fetch_add(delta_ms); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace turno
