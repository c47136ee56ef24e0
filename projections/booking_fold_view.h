// The base of the views that keep the catalog and the bookings (agenda, availability, client
// history, invoices, KPIs): it folds both and calls the view's hooks with what changed, and
// encodes both before the view's own fields.
//
// A rebuild, and a process's projector group once its views stand at the same seq, fold one
// BookingTable for all such views at once (share_bookings, apply_folded) instead of one per
// view: the views then share it, and an event applied to one of them alone (apply) gives it
// its own copy first (copy on write). Views are applied by one thread at a time; several
// views sharing a table may be read and copied concurrently, never while it is folded.
#pragma once

#include <memory>
#include <optional>

#include "booking_table.h"
#include "catalog_state.h"
#include "view.h"

namespace turno::projections {

class BookingFoldView : public View {
 public:
  // From now on this view reads `table`, which the caller folds (apply_folded) for it.
  void share_bookings(std::shared_ptr<BookingTable> table) { bookings_ = std::move(table); }
  // The table this view reads, to share with others that folded the same events.
  const std::shared_ptr<BookingTable>& shared_bookings() const { return bookings_; }
  // Applies `event` whose booking part the caller folded into the shared table already, with
  // what that fold returned. Same contract as apply() otherwise.
  void apply_folded(const v1::Envelope& event, const std::optional<BookingChange>& change);

 protected:
  BookingFoldView() : bookings_(std::make_shared<BookingTable>()) {}
  const CatalogState& catalog() const { return catalog_; }
  const BookingTable& bookings() const { return *bookings_; }

  // Every event, before it is folded (the availability index moves its window with time).
  virtual void on_event(const v1::Envelope& event) { (void)event; }
  // A catalog event, after catalog() has it.
  virtual void on_catalog(const v1::Envelope& event) { (void)event; }
  // A booking event, after bookings() has it.
  virtual void on_booking(const BookingChange& change, const v1::Envelope& event) = 0;
  // The view's own state after catalog and bookings, and its derived indexes (after decode).
  virtual void encode_own(Encoder& out) const { (void)out; }
  virtual void decode_own(Decoder& in) { (void)in; }
  virtual void rebuild_indexes() = 0;
  virtual void clear_own() = 0;

 private:
  void fold(const v1::Envelope& event) final;
  void encode_state(Encoder& out) const final;
  void decode_state(Decoder& in) final;
  void clear() final;

  CatalogState catalog_;
  std::shared_ptr<BookingTable> bookings_;
  const std::optional<BookingChange>* folded_ = nullptr;  // set during apply_folded()
};

}  // namespace turno::projections
