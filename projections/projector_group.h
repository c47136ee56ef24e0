// The projectors of one process, fed together by one source (the log, or JetStream). Each
// projector skips what it already has, so views restored from snapshots of different ages
// catch up from the oldest one's seq.
//
// One fold of the catalog and the bookings: once every view that keeps them (the catalog view,
// and the views of booking_fold_view.h that keep both) stands at the same seq, the group makes
// them share one catalog and one BookingTable and folds each event into them once, then hands
// the change to each view (shared_fold.h) — all under the exclusive locks of those views, so
// no query reads them while they change. A process then holds one copy of the catalog and of
// each booking for its views instead of one per view. Their snapshots are as before (each
// encodes the catalog and the table), so digests and stored snapshots do not change.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "projector.h"
#include "shared_fold.h"

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

  // Whether the views that keep the catalog (and the bookings) share them now, after they
  // stood at the same seq.
  bool bookings_shared() const { return shared_ != nullptr; }

  // The projector of view `name`, or null when this process does not run it.
  const Projector* find(std::string_view name) const;
  const std::vector<std::unique_ptr<Projector>>& projectors() const { return projectors_; }

 private:
  // Shares one catalog and table among the sharing views once they stand at the same seq.
  void share_when_aligned();
  OfferResult offer_shared(std::span<const v1::Envelope> events);

  std::vector<std::unique_ptr<Projector>> projectors_;
  std::vector<Projector*> sharing_;     // the projectors of the views that keep the catalog
  std::unique_ptr<SharedFold> shared_;  // their one fold, once they stood at the same seq
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
