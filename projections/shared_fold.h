// Several views fed the same events, with the state they all keep folded once instead of once
// per view: the catalog (the catalog view and the views that keep bookings) and the bookings
// (booking_fold_view.h). A rebuild folds its views this way from scratch (rebuild.h); a
// process's projector group does once its views stand at the same seq (projector_group.h).
// Encoded states do not change: each view still encodes the catalog and table it reads.
#pragma once

#include <memory>
#include <vector>

#include "events.pb.h"
#include "view.h"

namespace turno::projections {

class BookingFoldView;
class BookingTable;
class CatalogState;
class CatalogView;

class SharedFold {
 public:
  // The views must have folded the same events (all empty, or all at one seq): the first
  // one's catalog and table become everyone's, the others' copies are dropped. Until this
  // object is gone the views are applied only through it; afterwards they are ordinary views,
  // each getting its own copy of what it next changes alone.
  explicit SharedFold(const std::vector<View*>& views);
  // Applies `event` (the next seq) to every view.
  void apply(const v1::Envelope& event);

  // Whether `view` keeps what this folds once for all (the catalog, perhaps the bookings).
  static bool shares(const View& view);

 private:
  std::shared_ptr<CatalogState> catalog_;   // null when no view keeps the catalog
  std::shared_ptr<BookingTable> bookings_;  // null when no view keeps bookings
  std::vector<BookingFoldView*> booking_views_;
  std::vector<CatalogView*> catalog_views_;
  std::vector<View*> plain_;  // keep neither: applied one by one
};

}  // namespace turno::projections
