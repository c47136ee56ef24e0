// The client history view: a client's bookings across all sites of a tenant, newest
// appointment first, each with its payments and refunds; paged with an opaque token.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "booking_fold_view.h"

namespace turno::projections {

inline constexpr std::int32_t kClientPageMax = 100;

struct ClientBooking {
  BookingRecord booking;
  std::string site_name;
  std::string service_name;
  std::string staff_name;
  std::string time_zone;
  const TimeZone* zone = nullptr;
};

struct ClientHistoryRequest {
  std::string tenant_id;
  std::string client_id;
  std::string page_token;   // from the previous page; empty for the first
  std::int32_t limit = 20;  // 1..kClientPageMax
};

struct ClientHistoryPage {
  std::string tenant_id;
  std::string client_id;
  std::vector<ClientBooking> items;  // newest appointment first, then booking id descending
  std::string next_page_token;       // empty on the last page
};

class ClientHistoryView final : public BookingFoldView {
 public:
  std::string_view name() const override { return "clients"; }

  // not_found for an unknown tenant or a client the tenant has no booking of (so another
  // tenant's clients look like nobody); invalid_argument for a bad limit or token.
  Result<ClientHistoryPage> query(const ClientHistoryRequest& request) const;

 protected:
  void on_booking(const BookingChange& change, const v1::Envelope& event) override;
  void rebuild_indexes() override;
  void clear_own() override { by_client_.clear(); }

 private:
  using Timeline = std::set<std::pair<std::int64_t, std::string>>;  // (start, booking id)
  ClientBooking describe(const BookingRecord& booking) const;

  StringMap<Timeline> by_client_;  // derived: tenant_key(tenant, client) -> bookings
};

// {"client_id", "items": [{"booking_id", "status", "site_id", "site_name", "service_id",
//  "service_name", "staff_id", "staff_name", "start", "end", "price_minor", "paid_minor",
//  "refunded_minor", "payments": [...], "refunds": [...]}], "next_page_token"}
std::string client_history_json(const ClientHistoryPage& page);

}  // namespace turno::projections
