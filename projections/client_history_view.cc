#include "client_history_view.h"

#include <charconv>

#include "json.h"
#include "local_time.h"

namespace turno::projections {
namespace {

// The token names the last item of the page: "<start_ms>:<booking id>".
std::string token_of(const BookingRecord& booking) {
  return std::to_string(booking.start_ms) + ":" + booking.id;
}

std::optional<std::pair<std::int64_t, std::string>> parse_token(std::string_view token) {
  const std::size_t colon = token.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::int64_t start_ms = 0;
  const auto parsed = std::from_chars(token.data(), token.data() + colon, start_ms);
  if (parsed.ec != std::errc() || parsed.ptr != token.data() + colon) return std::nullopt;
  return std::make_pair(start_ms, std::string(token.substr(colon + 1)));
}

std::string when(const ClientBooking& item, std::int64_t instant_ms) {
  return item.zone ? format_local(*item.zone, instant_ms) : format_utc(instant_ms);
}

void write_money_trail(JsonWriter& json, const ClientBooking& item) {
  json.key("payments").begin_array();
  for (const PaymentRecord& payment : item.booking.payments) {
    json.begin_object()
        .field("payment_id", payment.id)
        .field("provider", payment.provider)
        .field("amount_minor", payment.amount_minor)
        .field("status", to_string(payment.state))
        .field("requested_at", when(item, payment.requested_at_ms));
    if (payment.settled_at_ms != 0) json.field("settled_at", when(item, payment.settled_at_ms));
    json.field("refunded_minor", payment.refunded_minor).end_object();
  }
  json.end_array().key("refunds").begin_array();
  for (const RefundRecord& refund : item.booking.refunds) {
    json.begin_object()
        .field("refund_id", refund.id)
        .field("payment_id", refund.payment_id)
        .field("amount_minor", refund.amount_minor)
        .field("reason", v1::RefundReason_Name(refund.reason))
        .field("issued_at", when(item, refund.issued_at_ms))
        .end_object();
  }
  json.end_array();
}

}  // namespace

void ClientHistoryView::on_booking(const BookingChange& change, const v1::Envelope&) {
  const BookingRecord& booking = *change.booking;
  if (change.created) {
    by_client_[tenant_key(booking.tenant_id, booking.client_id)].emplace(booking.start_ms,
                                                                         booking.id);
  } else if (change.kind == v1::Envelope::kBookingRescheduled) {
    Timeline& timeline = by_client_[tenant_key(booking.tenant_id, booking.client_id)];
    timeline.erase({change.previous_start_ms, booking.id});
    timeline.emplace(booking.start_ms, booking.id);
  }
}

ClientBooking ClientHistoryView::describe(const BookingRecord& booking) const {
  ClientBooking item{booking, {}, {}, {}, {}, nullptr};
  if (const TenantInfo* tenant = catalog().find_tenant(booking.tenant_id)) {
    if (const SiteInfo* site = tenant->find_site(booking.site_id)) {
      item.site_name = site->name;
      item.time_zone = site->time_zone;
      item.zone = site->zone;
    }
    if (const ServiceInfo* service = tenant->find_service(booking.service_id)) {
      item.service_name = service->name;
    }
    if (const StaffInfo* staff = tenant->find_staff(booking.staff_id)) {
      item.staff_name = staff->name;
    }
  }
  return item;
}

Result<ClientHistoryPage> ClientHistoryView::query(const ClientHistoryRequest& request) const {
  if (request.limit < 1 || request.limit > kClientPageMax) {
    return Status::invalid_argument("limit must be 1 to " + std::to_string(kClientPageMax));
  }
  if (catalog().find_tenant(request.tenant_id) == nullptr) {
    return Status::not_found("no tenant " + request.tenant_id);
  }
  std::optional<std::pair<std::int64_t, std::string>> after;
  if (!request.page_token.empty()) {
    after = parse_token(request.page_token);
    if (!after) return Status::invalid_argument("malformed page_token");
  }
  ClientHistoryPage page{request.tenant_id, request.client_id, {}, {}};
  const Timeline* timeline = find_in(by_client_, tenant_key(request.tenant_id, request.client_id));
  if (timeline == nullptr) return Status::not_found("no bookings of client " + request.client_id);
  auto it = after ? std::make_reverse_iterator(timeline->lower_bound(*after)) : timeline->rbegin();
  for (; it != timeline->rend(); ++it) {
    if (page.items.size() == static_cast<std::size_t>(request.limit)) {
      page.next_page_token = token_of(page.items.back().booking);
      break;
    }
    if (const BookingRecord* booking = bookings().find(request.tenant_id, it->second)) {
      page.items.push_back(describe(*booking));
    }
  }
  return page;
}

void ClientHistoryView::rebuild_indexes() {
  by_client_.clear();
  for (const auto& [tenant_id, of_tenant] : bookings().tenants()) {
    for (const BookingRecord& booking : of_tenant) {
      by_client_[tenant_key(tenant_id, booking.client_id)].emplace(booking.start_ms, booking.id);
    }
  }
}

std::string client_history_json(const ClientHistoryPage& page) {
  JsonWriter json;
  json.begin_object().field("client_id", page.client_id).key("items").begin_array();
  for (const ClientBooking& item : page.items) {
    const BookingRecord& booking = item.booking;
    json.begin_object()
        .field("booking_id", booking.id)
        .field("status", to_string(booking.state))
        .field("site_id", booking.site_id)
        .field("site_name", item.site_name)
        .field("service_id", booking.service_id)
        .field("service_name", item.service_name)
        .field("staff_id", booking.staff_id)
        .field("staff_name", item.staff_name)
        .field("patient", booking.patient)
        .field("start", when(item, booking.start_ms))
        .field("end", when(item, booking.end_ms))
        .field("held_at", when(item, booking.held_at_ms))
        .field("price_minor", booking.price_minor)
        .field("currency", booking.currency)
        .field("paid_minor", booking.paid_minor)
        .field("refunded_minor", booking.refunded_minor);
    write_money_trail(json, item);
    json.end_object();
  }
  json.end_array();
  json.field_or_null("next_page_token", page.next_page_token).end_object();
  return json.take();
}

}  // namespace turno::projections
