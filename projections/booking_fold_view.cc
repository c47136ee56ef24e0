#include "booking_fold_view.h"

#include "verify.h"

namespace turno::projections {

void BookingFoldView::before_folded(const v1::Envelope& event) {
  on_event(event);
  before_folded_seq_ = event.seq();
}

void BookingFoldView::apply_folded(const v1::Envelope& event, const SharedChange& change) {
  // Skipping it would let on_event() miss the event: the availability window would not move.
  VERIFY(before_folded_seq_ == event.seq(), "before_folded() comes before the shared fold");
  folded_ = &change;
  apply(event);
  folded_ = nullptr;
}

void BookingFoldView::fold(const v1::Envelope& event) {
  if (folded_ != nullptr) {
    if (folded_->catalog) return on_catalog(event);
    if (folded_->booking) on_booking(*folded_->booking, event);
    return;
  }
  on_event(event);
  if (catalog_.fold_alone(event)) return on_catalog(event);
  // Still sharing a table: this view gets its own copy before it changes.
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
