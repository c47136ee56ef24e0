#include "invoice_view.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>

#include "json.h"
#include "local_time.h"

namespace turno::projections {
namespace {

constexpr std::int64_t kBasisPointsWhole = 10'000;
constexpr int kNumberDigits = 8;

std::string document_id(std::string_view series, InvoiceKind kind, std::uint64_t number) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%0*llu", kNumberDigits,
                static_cast<unsigned long long>(number));
  std::string id(series.empty() ? std::string_view("INV") : series);
  id += kind == InvoiceKind::kCreditNote ? "-NC-" : "-";
  return id + digits;
}

void encode_document(Encoder& out, const InvoiceDocument& doc) {
  out.str(doc.id);
  out.u64(static_cast<std::uint64_t>(doc.kind));
  out.str(doc.series);
  out.u64(doc.number);
  out.str(doc.site_id);
  out.str(doc.booking_id);
  out.str(doc.payment_id);
  out.str(doc.provider);
  out.str(doc.client_id);
  out.str(doc.patient);
  out.str(doc.service_id);
  out.str(doc.description);
  out.i64(doc.appointment_start_ms);
  out.i64(doc.issued_at_ms);
  out.str(doc.currency);
  out.i64(doc.tax_rate_bp);
  out.i64(doc.total_minor);
  out.i64(doc.split.base_minor);
  out.i64(doc.split.tax_minor);
  out.i64(doc.platform_fee_minor);
  out.str(doc.refers_to);
  out.str(doc.refund_id);
  out.i64(doc.refund_reason);
}

InvoiceDocument decode_document(Decoder& in, const std::string& tenant_id) {
  InvoiceDocument doc;
  doc.id = in.str();
  doc.kind = in.u64() == 1 ? InvoiceKind::kCreditNote : InvoiceKind::kInvoice;
  doc.series = InternedId::of(in.str());
  doc.number = in.u64();
  doc.tenant_id = InternedId::of(tenant_id);
  doc.site_id = InternedId::of(in.str());
  doc.booking_id = in.str();
  doc.payment_id = in.str();
  doc.provider = InternedId::of(in.str());
  doc.client_id = InternedId::of(in.str());
  doc.patient = in.str();
  doc.service_id = InternedId::of(in.str());
  doc.description = InternedId::of(in.str());
  doc.appointment_start_ms = in.i64();
  doc.issued_at_ms = in.i64();
  doc.currency = InternedId::of(in.str());
  doc.tax_rate_bp = in.i32();
  doc.total_minor = in.i64();
  doc.split.base_minor = in.i64();
  doc.split.tax_minor = in.i64();
  doc.platform_fee_minor = in.i64();
  doc.refers_to = in.str();
  doc.refund_id = in.str();
  doc.refund_reason = static_cast<v1::RefundReason>(in.i32());
  return doc;
}

std::string format_instant(const InvoiceDetail& detail, std::int64_t instant_ms) {
  return detail.zone ? format_local(*detail.zone, instant_ms) : format_utc(instant_ms);
}

void write_document(JsonWriter& json, const InvoiceDetail& detail) {
  const InvoiceDocument& doc = detail.document;
  json.begin_object()
      .field("id", doc.id)
      .field("kind", to_string(doc.kind))
      .field("series", doc.series)
      .field("number", doc.number)
      .field("issued_at", format_instant(detail, doc.issued_at_ms))
      .field("seller", detail.tenant_name)
      .field("site_id", doc.site_id)
      .field("site_name", detail.site_name)
      .field("site_address", detail.site_address)
      .field("client_id", doc.client_id)
      .field("patient", doc.patient)
      .field("booking_id", doc.booking_id)
      .field("payment_id", doc.payment_id)
      .field("provider", doc.provider)
      .field("currency", doc.currency);
  json.key("lines")
      .begin_array()
      .begin_object()
      .field("description", doc.description)
      .field("service_id", doc.service_id)
      .field("appointment_start", format_instant(detail, doc.appointment_start_ms))
      .field("quantity", std::int64_t{1})
      .field("amount_minor", doc.total_minor)
      .end_object()
      .end_array();
  json.field("base_minor", doc.split.base_minor)
      .field("tax_rate_bp", doc.tax_rate_bp)
      .field("tax_minor", doc.split.tax_minor)
      .field("total_minor", doc.total_minor);
  if (doc.kind == InvoiceKind::kInvoice) {
    json.field("platform_fee_minor", doc.platform_fee_minor)
        .field("net_to_merchant_minor", doc.total_minor - doc.platform_fee_minor);
    json.key("credit_notes").begin_array();
    for (const auto& id : doc.credit_notes) json.value(id);
    json.end_array();
  } else {
    json.field("refers_to", doc.refers_to)
        .field("refund_id", doc.refund_id)
        .field("refund_reason", v1::RefundReason_Name(doc.refund_reason));
  }
  json.end_object();
}

}  // namespace

std::string_view to_string(InvoiceKind kind) {
  return kind == InvoiceKind::kCreditNote ? "credit_note" : "invoice";
}

TaxSplit split_tax(std::int64_t total_minor, std::int32_t tax_rate_bp) {
  const std::int64_t divisor = kBasisPointsWhole + tax_rate_bp;
  // Half up: (2 * T * 10000 + divisor) / (2 * divisor). T <= 10^13 keeps this within int64.
  const std::int64_t base = (2 * total_minor * kBasisPointsWhole + divisor) / (2 * divisor);
  return TaxSplit{base, total_minor - base};
}

void InvoiceView::on_booking(const BookingChange& change, const v1::Envelope& event) {
  if (change.kind == v1::Envelope::kPaymentSucceeded && change.payment != nullptr) {
    issue_invoice(*change.booking, *change.payment, event);
  } else if (change.kind == v1::Envelope::kRefundIssued && change.refund != nullptr) {
    issue_credit_note(*change.booking, *change.refund, event);
  }
}

InvoiceDocument InvoiceView::document_for(const BookingRecord& booking,
                                          const v1::Envelope& event) const {
  const TenantInfo* tenant = catalog().find_tenant(booking.tenant_id);
  const ServiceInfo* service = tenant ? tenant->find_service(booking.service_id) : nullptr;
  InvoiceDocument doc;
  doc.series = tenant ? InternedId::of(tenant->invoice_series) : InternedId();
  doc.tenant_id = booking.tenant_id;
  doc.site_id = booking.site_id;
  doc.booking_id = booking.id;
  doc.client_id = booking.client_id;
  doc.patient = booking.patient;
  doc.service_id = booking.service_id;
  doc.description = service ? InternedId::of(service->name) : booking.service_id;
  doc.appointment_start_ms = booking.start_ms;
  doc.issued_at_ms = event.recorded_at_ms();
  doc.currency = tenant ? InternedId::of(tenant->currency) : booking.currency;
  doc.tax_rate_bp = tenant ? tenant->tax_rate_bp : 0;
  return doc;
}

void InvoiceView::issue_invoice(const BookingRecord& booking, const PaymentRecord& payment,
                                const v1::Envelope& event) {
  Books& books = books_[booking.tenant_id.str()];
  InvoiceDocument doc = document_for(booking, event);
  doc.kind = InvoiceKind::kInvoice;
  doc.number = ++books.invoices_issued;
  doc.id = document_id(doc.series, doc.kind, doc.number);
  doc.payment_id = payment.id;
  doc.provider = payment.provider;
  doc.total_minor = payment.amount_minor;
  doc.split = split_tax(doc.total_minor, doc.tax_rate_bp);
  doc.platform_fee_minor = payment.platform_fee_minor;
  add(books, std::move(doc));
}

void InvoiceView::issue_credit_note(const BookingRecord& booking, const RefundRecord& refund,
                                    const v1::Envelope& event) {
  Books& books = books_[booking.tenant_id.str()];
  InvoiceDocument doc = document_for(booking, event);
  doc.kind = InvoiceKind::kCreditNote;
  doc.number = ++books.credit_notes_issued;
  doc.id = document_id(doc.series, doc.kind, doc.number);
  doc.payment_id = refund.payment_id;
  if (const PaymentRecord* payment = booking.find_payment(refund.payment_id)) {
    doc.provider = payment->provider;
  }
  doc.total_minor = refund.amount_minor;
  doc.split = split_tax(doc.total_minor, doc.tax_rate_bp);
  if (const std::size_t* invoice = find_in(books.invoice_by_payment, refund.payment_id)) {
    doc.refers_to = books.documents[*invoice].id;
  }
  doc.refund_id = refund.id;
  doc.refund_reason = refund.reason;
  add(books, std::move(doc));
}

void InvoiceView::add(Books& books, InvoiceDocument document) {
  books.documents.push_back(std::move(document));
  index(books, books.documents.size() - 1);
}

void InvoiceView::index(Books& books, std::size_t position) {
  InvoiceDocument& doc = books.documents[position];
  auto& by_number =
      doc.kind == InvoiceKind::kInvoice ? books.invoice_positions : books.credit_note_positions;
  if (by_number.size() < doc.number) by_number.resize(doc.number, SIZE_MAX);
  by_number[doc.number - 1] = position;
  books.by_client[doc.client_id.str()].push_back(position);
  if (doc.kind == InvoiceKind::kInvoice) {
    books.invoice_by_payment[doc.payment_id] = position;
  } else if (const std::size_t* invoice = position_of(books, doc.refers_to)) {
    books.documents[*invoice].credit_notes.push_back(doc.id);
  }
}

// "<series>-<number>" or "<series>-NC-<number>": the position of that document, or null.
const std::size_t* InvoiceView::position_of(const Books& books, std::string_view document_id) {
  const std::size_t dash = document_id.rfind('-');
  if (dash == std::string_view::npos) return nullptr;
  std::uint64_t number = 0;
  const char* end = document_id.data() + document_id.size();
  const auto parsed = std::from_chars(document_id.data() + dash + 1, end, number);
  if (parsed.ec != std::errc() || parsed.ptr != end || number == 0) return nullptr;
  const bool credit_note = document_id.substr(0, dash).ends_with("-NC");
  const auto& by_number = credit_note ? books.credit_note_positions : books.invoice_positions;
  if (number > by_number.size() || by_number[number - 1] == SIZE_MAX) return nullptr;
  const std::size_t* position = &by_number[number - 1];
  return books.documents[*position].id == document_id ? position : nullptr;
}

// A booking's invoices (one per payment that succeeded) and their credit notes, in order.
std::vector<std::size_t> InvoiceView::positions_of_booking(const Books& books,
                                                           std::string_view tenant_id,
                                                           std::string_view booking_id) const {
  std::vector<std::size_t> positions;
  const BookingRecord* booking = bookings().find(tenant_id, booking_id);
  if (booking == nullptr) return positions;
  for (const PaymentRecord& payment : booking->payments) {
    const std::size_t* invoice = find_in(books.invoice_by_payment, payment.id);
    if (invoice == nullptr) continue;
    positions.push_back(*invoice);
    for (const std::string& note : books.documents[*invoice].credit_notes) {
      if (const std::size_t* position = position_of(books, note)) positions.push_back(*position);
    }
  }
  std::sort(positions.begin(), positions.end());
  return positions;
}

InvoiceDetail InvoiceView::detail_of(const InvoiceDocument& document) const {
  InvoiceDetail detail{document, {}, {}, {}, {}, nullptr};
  if (const TenantInfo* tenant = catalog().find_tenant(document.tenant_id)) {
    detail.tenant_name = tenant->name;
    if (const SiteInfo* site = tenant->find_site(document.site_id)) {
      detail.site_name = site->name;
      detail.site_address = site->address;
      detail.time_zone = site->time_zone;
      detail.zone = site->zone;
    }
  }
  return detail;
}

Result<InvoiceDetail> InvoiceView::find(std::string_view tenant_id,
                                        std::string_view document_id) const {
  const Books* books = find_in(books_, tenant_id);
  const std::size_t* position = books ? position_of(*books, document_id) : nullptr;
  if (position == nullptr) return Status::not_found("no invoice " + std::string(document_id));
  return detail_of(books->documents[*position]);
}

Result<InvoicePage> InvoiceView::list(const InvoiceListRequest& request) const {
  if (request.limit < 1 || request.limit > kInvoicePageMax) {
    return Status::invalid_argument("limit must be 1 to " + std::to_string(kInvoicePageMax));
  }
  // The token is how many matching documents (newest first) earlier pages covered.
  std::size_t skip = 0;
  if (!request.page_token.empty()) {
    const auto* end = request.page_token.data() + request.page_token.size();
    const auto parsed = std::from_chars(request.page_token.data(), end, skip);
    if (parsed.ec != std::errc() || parsed.ptr != end) {
      return Status::invalid_argument("malformed page_token");
    }
  }
  InvoicePage page;
  const Books* books = find_in(books_, request.tenant_id);
  if (books == nullptr) return page;
  std::vector<std::size_t> all;
  const std::vector<std::size_t>* positions = nullptr;
  if (!request.booking_id.empty()) {
    all = positions_of_booking(*books, request.tenant_id, request.booking_id);
    positions = &all;
  } else if (!request.client_id.empty()) {
    positions = find_in(books->by_client, request.client_id);
  } else {
    all.resize(books->documents.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    positions = &all;
  }
  if (positions == nullptr) return page;
  std::size_t seen = 0;
  for (auto it = positions->rbegin(); it != positions->rend(); ++it) {
    const InvoiceDocument& doc = books->documents[*it];
    if (!request.client_id.empty() && doc.client_id != request.client_id) continue;
    if (seen++ < skip) continue;
    if (page.items.size() == static_cast<std::size_t>(request.limit)) {
      page.next_page_token = std::to_string(skip + page.items.size());
      break;
    }
    page.items.push_back(detail_of(doc));
  }
  return page;
}

void InvoiceView::encode_own(Encoder& out) const {
  out.u64(books_.size());
  for (const auto* entry : sorted_entries(books_)) {
    out.str(entry->first);
    out.u64(entry->second.invoices_issued);
    out.u64(entry->second.credit_notes_issued);
    out.u64(entry->second.documents.size());
    for (const auto& doc : entry->second.documents) encode_document(out, doc);
  }
}

void InvoiceView::decode_own(Decoder& in) {
  for (std::size_t t = 0, tenants = in.count(); t < tenants && !in.failed(); ++t) {
    const std::string tenant_id = in.str();
    Books& books = books_[tenant_id];
    books.invoices_issued = in.u64();
    books.credit_notes_issued = in.u64();
    for (std::size_t i = 0, n = in.count(); i < n && !in.failed(); ++i) {
      InvoiceDocument doc = decode_document(in, tenant_id);
      // Numbers run from 1 per kind, so none exceeds the tenant's document count: this bounds
      // the index by number that add() grows.
      if (doc.number == 0 || doc.number > n) {
        in.fail();
        return;
      }
      add(books, std::move(doc));
    }
  }
}

std::string invoice_json(const InvoiceDetail& detail) {
  JsonWriter json;
  write_document(json, detail);
  return json.take();
}

std::string invoice_page_json(const InvoicePage& page) {
  JsonWriter json;
  json.begin_object().key("items").begin_array();
  for (const auto& item : page.items) write_document(json, item);
  json.end_array();
  json.field_or_null("next_page_token", page.next_page_token).end_object();
  return json.take();
}

}  // namespace turno::projections
