#include "shared_fold.h"

#include "booking_fold_view.h"
#include "catalog_view.h"

namespace turno::projections {

SharedFold::SharedFold(const std::vector<View*>& views) {
  for (View* view : views) {
    if (auto* booking_view = dynamic_cast<BookingFoldView*>(view)) {
      if (catalog_ == nullptr) catalog_ = booking_view->shared_catalog();
      if (bookings_ == nullptr) bookings_ = booking_view->shared_bookings();
      booking_view->share_catalog(catalog_);
      booking_view->share_bookings(bookings_);
      booking_views_.push_back(booking_view);
    } else if (auto* catalog_view = dynamic_cast<CatalogView*>(view)) {
      if (catalog_ == nullptr) catalog_ = catalog_view->shared_catalog();
      catalog_view->share_catalog(catalog_);
      catalog_views_.push_back(catalog_view);
    } else {
      plain_.push_back(view);
    }
  }
}

bool SharedFold::shares(const View& view) {
  return dynamic_cast<const BookingFoldView*>(&view) != nullptr ||
         dynamic_cast<const CatalogView*>(&view) != nullptr;
}

void SharedFold::apply(const v1::Envelope& event) {
  for (View* view : plain_) view->apply(event);
  if (catalog_ == nullptr) return;
  // Before the catalog changes: a view folding alone runs on_event() on the catalog as it was.
  for (BookingFoldView* view : booking_views_) view->before_folded(event);
  SharedChange change;
  change.catalog = catalog_->fold(event);
  if (!change.catalog && bookings_ != nullptr) change.booking = bookings_->fold(event);
  for (BookingFoldView* view : booking_views_) view->apply_folded(event, change);
  for (CatalogView* view : catalog_views_) view->apply_folded(event);
}

}  // namespace turno::projections
