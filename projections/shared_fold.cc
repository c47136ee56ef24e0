#include "shared_fold.h"

#include "booking_fold_view.h"

namespace turno::projections {

SharedFold::SharedFold(const std::vector<View*>& views) {
  for (View* view : views) {
    if (auto* booking_view = dynamic_cast<BookingFoldView*>(view)) {
      if (bookings_ == nullptr) bookings_ = booking_view->shared_bookings();
      booking_view->share_bookings(bookings_);
      booking_views_.push_back(booking_view);
    } else {
      plain_.push_back(view);
    }
  }
}

bool SharedFold::shares(const View& view) {
  return dynamic_cast<const BookingFoldView*>(&view) != nullptr;
}

void SharedFold::apply(const v1::Envelope& event) {
  for (View* view : plain_) view->apply(event);
  if (bookings_ == nullptr) return;
  const std::optional<BookingChange> change = bookings_->fold(event);
  for (BookingFoldView* view : booking_views_) view->apply_folded(event, change);
}

}  // namespace turno::projections
