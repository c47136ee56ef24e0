#include "booking_fold_view.h"

namespace turno::projections {

void BookingFoldView::apply_folded(const v1::Envelope& event,
                                   const std::optional<BookingChange>& change) {
  folded_ = &change;
  apply(event);
  folded_ = nullptr;
}

void BookingFoldView::fold(const v1::Envelope& event) {
  on_event(event);
  if (catalog_.fold(event)) return on_catalog(event);
  if (folded_ != nullptr) {
    if (*folded_) on_booking(**folded_, event);
    return;
  }
  // Still sharing a rebuild's table: this view gets its own copy before it changes.
  if (bookings_.use_count() > 1) bookings_ = std::make_shared<BookingTable>(*bookings_);
  if (const auto change = bookings_->fold(event)) on_booking(*change, event);
}

void BookingFoldView::encode_state(Encoder& out) const {
  catalog_.encode(out);
  bookings_->encode(out);
  encode_own(out);
}

void BookingFoldView::decode_state(Decoder& in) {
  catalog_.decode(in);
  bookings_ = std::make_shared<BookingTable>();
  bookings_->decode(in);
  decode_own(in);
  rebuild_indexes();
}

void BookingFoldView::clear() {
  catalog_.clear();
  bookings_ = std::make_shared<BookingTable>();
  clear_own();
}

}  // namespace turno::projections
