// Several views fed the same events, with the bookings they all keep (booking_fold_view.h)
// folded once instead of once per view. A rebuild folds its views this way from scratch
// (rebuild.h); a process's projector group does once its views stand at the same seq
// (projector_group.h). Encoded states do not change: each view still encodes the table.
#pragma once

#include <memory>
#include <vector>

#include "events.pb.h"
#include "view.h"

namespace turno::projections {

class BookingFoldView;
class BookingTable;

class SharedFold {
 public:
  // The views must have folded the same events (all empty, or all at one seq): the first
  // one's table becomes everyone's, the others' copies are dropped. Until this object is gone
  // the views are applied only through it; afterwards they are ordinary views, each getting
  // its own copy of the bookings when next changed alone.
  explicit SharedFold(const std::vector<View*>& views);
  // Applies `event` (the next seq) to every view.
  void apply(const v1::Envelope& event);

  // Whether `view` keeps what this folds once for all (the bookings).
  static bool shares(const View& view);

 private:
  std::shared_ptr<BookingTable> bookings_;  // null when no view keeps bookings
  std::vector<BookingFoldView*> booking_views_;
  std::vector<View*> plain_;  // keep no bookings: applied one by one
};

}  // namespace turno::projections
