// The catalog view: the directory a booking app lists — sites, services with prices, staff
// with skills and profiles — per tenant. Its queries are catalog_query.h's, over state().
//
// Like the views that keep bookings, it may share its catalog with them once they stand at
// the same seq (shared_fold.h): a process then folds the catalog once, not once per view.
#pragma once

#include <memory>
#include <string_view>

#include "catalog_query.h"
#include "catalog_state.h"
#include "view.h"

namespace turno::projections {

class CatalogView final : public View {
 public:
  std::string_view name() const override { return "catalog"; }

  const CatalogState& state() const { return catalog_.get(); }

  // From now on this view reads `catalog`, which the caller folds (apply_folded) for it.
  void share_catalog(std::shared_ptr<CatalogState> catalog) { catalog_.share(std::move(catalog)); }
  // The catalog this view reads, to share with others that folded the same events.
  const std::shared_ptr<CatalogState>& shared_catalog() const { return catalog_.shared(); }
  // Applies `event` whose catalog part the caller folded into the shared catalog already.
  // Same contract as apply() otherwise.
  void apply_folded(const v1::Envelope& event) {
    folded_ = true;
    apply(event);
    folded_ = false;
  }

 protected:
  void fold(const v1::Envelope& event) override {
    if (!folded_) catalog_.fold_alone(event);
  }
  void encode_state(Encoder& out) const override { catalog_.encode(out); }
  void decode_state(Decoder& in) override { catalog_.decode(in); }
  void clear() override { catalog_.clear(); }

 private:
  ViewCatalog catalog_;
  bool folded_ = false;  // during apply_folded()
};

}  // namespace turno::projections
