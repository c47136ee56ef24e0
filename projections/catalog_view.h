// The catalog view: the directory a booking app lists — sites, services with prices, staff
// with skills and profiles — per tenant. Its queries are catalog_query.h's, over state().
#pragma once

#include <string_view>

#include "catalog_query.h"
#include "catalog_state.h"
#include "view.h"

namespace turno::projections {

class CatalogView final : public View {
 public:
  std::string_view name() const override { return "catalog"; }

  const CatalogState& state() const { return catalog_; }

 protected:
  void fold(const v1::Envelope& event) override { catalog_.fold(event); }
  void encode_state(Encoder& out) const override { catalog_.encode(out); }
  void decode_state(Decoder& in) override { catalog_.decode(in); }
  void clear() override { catalog_.clear(); }

 private:
  CatalogState catalog_;
};

}  // namespace turno::projections
