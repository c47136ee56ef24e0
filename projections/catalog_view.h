// The catalog view: the directory a booking app lists — sites, services with prices, staff
// with skills — per tenant.
#pragma once

#include <string>
#include <vector>

#include "catalog_state.h"
#include "view.h"

namespace turno::projections {

struct CatalogListing {
  std::string tenant_id;
  std::string tenant_name;
  std::string currency;
  std::vector<SiteInfo> sites;        // by id
  std::vector<ServiceInfo> services;  // by id
  std::vector<StaffInfo> staff;       // by id; `site_id` filter applied
};

class CatalogView final : public View {
 public:
  std::string_view name() const override { return "catalog"; }

  // The tenant's directory, staff limited to `site_id` when given. not_found for an unknown
  // tenant.
  Result<CatalogListing> listing(std::string_view tenant_id, std::string_view site_id = {}) const;
  const CatalogState& state() const { return catalog_; }

 protected:
  void fold(const v1::Envelope& event) override { catalog_.fold(event); }
  void encode_state(Encoder& out) const override { catalog_.encode(out); }
  void decode_state(Decoder& in) override { catalog_.decode(in); }
  void clear() override { catalog_.clear(); }

 private:
  CatalogState catalog_;
};

// {"tenant_id", "name", "currency", "sites": [...], "services": [...], "staff": [...]}
std::string catalog_json(const CatalogListing& listing);

}  // namespace turno::projections
