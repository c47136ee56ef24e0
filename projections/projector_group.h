// The projectors of one process, fed together by one source (the log, or JetStream). Each
// projector skips what it already has, so views restored from snapshots of different ages
// catch up from the oldest one's seq.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "projector.h"

namespace turno::projections {

class ProjectorGroup {
 public:
  explicit ProjectorGroup(std::vector<std::unique_ptr<Projector>> projectors);

  // The lowest applied seq: the source resumes after it.
  Seq min_applied() const;
  // Offers the batch to every projector. The result's `applied` is the lowest seq reached,
  // `gap` whether any projector found one.
  OfferResult offer(std::span<const v1::Envelope> events);
  // Tells every projector how far the source has seen (for lag_ms).
  void observe_head(Seq head);
  // Checkpoints every projector that is due; returns the first error.
  Status checkpoint(bool quiet, bool force = false);

  // The projector of view `name`, or null when this process does not run it.
  const Projector* find(std::string_view name) const;
  const std::vector<std::unique_ptr<Projector>>& projectors() const { return projectors_; }

 private:
  std::vector<std::unique_ptr<Projector>> projectors_;
};

}  // namespace turno::projections

namespace turno::projections {
// Milliseconds on the steady clock (lag measurements).
inline std::int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace turno::projections
