// Drives the pure core (decide + evolve) without a log: what the writer does, minus the disk.
#pragma once

#include <string>

#include "commands.h"
#include "decide.h"
#include "model.h"
#include "model_codec.h"
#include "sha256.h"

namespace turno::testing {

// 2026-03-02 is a Monday. All instants below are UTC.
inline constexpr std::int64_t kMonday2026_03_02 = 1'772'409'600'000;

class Harness {
 public:
  explicit Harness(std::int64_t now_ms = kMonday2026_03_02 - 7 * kMsPerDay) : now_ms_(now_ms) {}

  // Decides and, when accepted, folds the events in (numbering them like the log would).
  Decision run(const v1::Command& command) {
    Decision decision = decide(model_, command, DecideContext{now_ms_, model_.last_seq.next()});
    for (v1::Envelope& event : decision.events) {
      event.set_seq(model_.last_seq.value + 1);
      evolve(model_, event);
      log_.push_back(event);
    }
    return decision;
  }

  // Runs and requires acceptance; returns the events.
  std::vector<v1::Envelope> ok(const v1::Command& command);

  Model& model() { return model_; }
  const Model& model() const { return model_; }
  const Tenant& tenant(const std::string& id) const { return *model_.find_tenant(id); }
  const Booking& booking(const std::string& tenant_id, const std::string& id) const {
    return *tenant(tenant_id).find_booking(id);
  }
  const std::vector<v1::Envelope>& log() const { return log_; }
  std::int64_t now() const { return now_ms_; }
  void set_now(std::int64_t now_ms) { now_ms_ = now_ms; }
  void advance(std::int64_t delta_ms) { now_ms_ += delta_ms; }

  // A tenant "t1" with site "lima" (America/Lima), service "consult" (30 min, 100.00 PEN,
  // skill "general", 5 min buffer after), staff "ana" and "ben" (general) working Mon-Fri
  // 09:00-17:00 local.
  void standard_clinic(const std::string& tenant = "t1", const std::string& zone = "America/Lima");

 private:
  Model model_;
  std::int64_t now_ms_;
  std::vector<v1::Envelope> log_;
};

// Replays a harness's events into a fresh model.
Model replay(const std::vector<v1::Envelope>& events);

}  // namespace turno::testing
