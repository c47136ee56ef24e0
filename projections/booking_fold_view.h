// The base of the views that keep the catalog and the bookings (agenda, availability, client
// history, invoices, KPIs): it folds both and calls the view's hooks with what changed, and
// encodes both before the view's own fields.
//
// A rebuild, and a process's projector group once its views stand at the same seq, fold one
// catalog and one BookingTable for all such views (and the catalog view) at once instead of
// one per view (shared_fold.h): the views then share them, and an event applied to one of
// them alone (apply) first gives it its own copy of what that event changes (copy on write).
// Views are applied by one thread at a time; several views sharing a catalog or a table may be
// read and copied concurrently, never while it is folded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "booking_table.h"
#include "catalog_state.h"
#include "view.h"

namespace turno::projections {

// What the caller's fold of one event into the shared catalog and table did.
struct SharedChange {
  bool catalog = false;                  // a catalog event: the shared catalog has it
  std::optional<BookingChange> booking;  // otherwise what the shared table's fold returned
};

class BookingFoldView : public View {
 public:
  // From now on this view reads `table`, which the caller folds (apply_folded) for it.
  void share_bookings(std::shared_ptr<BookingTable> table) { bookings_ = std::move(table); }
  // The table this view reads, to share with others that folded the same events.
  const std::shared_ptr<BookingTable>& shared_bookings() const { return bookings_; }
  // From now on this view reads `catalog`, which the caller folds (apply_folded) for it.
  void share_catalog(std::shared_ptr<CatalogState> catalog) { catalog_.share(std::move(catalog)); }
  // The catalog this view reads, to share with others that folded the same events.
  const std::shared_ptr<CatalogState>& shared_catalog() const { return catalog_.shared(); }

  // Applies `event` whose catalog and booking parts the caller folds into the shared catalog
  // and table, in two steps around that fold: before_folded() while the shared catalog is
  // still as it was before the event (on_event() reads it so when a view folds alone), then
  // apply_folded() with what the fold did. Same contract as apply() otherwise.
  void before_folded(const v1::Envelope& event);
  void apply_folded(const v1::Envelope& event, const SharedChange& change);

 protected:
  BookingFoldView() : bookings_(std::make_shared<BookingTable>()) {}
  const CatalogState& catalog() const { return catalog_.get(); }
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

  ViewCatalog catalog_;
  std::shared_ptr<BookingTable> bookings_;
  std::uint64_t before_folded_seq_ = 0;   // the event before_folded() last saw
  const SharedChange* folded_ = nullptr;  // set during apply_folded()
};

}  // namespace turno::projections
