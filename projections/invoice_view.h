// The invoice view: an invoice for each payment that succeeded (normally one per paid booking;
// a duplicate payment, which the engine always refunds, gets its own invoice and credit note
// so the books balance) and a credit note for each refund, referencing the invoice of the
// payment it returns. Numbered without gaps per tenant series in event order:
//   invoices      "<series>-<8 digits>"      e.g. F001-00000001
//   credit notes  "<series>-NC-<8 digits>"   e.g. F001-NC-00000001 (a numbering of their own)
// so a rebuild from the log gives every document the same number.
//
// Tax: prices include tax at the tenant's rate (tax_rate_bp). For a total T and rate r bp,
//   base = T * 10000 / (10000 + r), rounded half up to the minor unit;   tax = T - base
// so base + tax is exactly the total. Credit notes split their amount the same way. The
// platform fee (the platform's share of the payment, from the payment request) is shown on
// the invoice for the merchant's settlement; it is not refunded with a credit note.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "booking_fold_view.h"
#include "interned_id.h"

namespace turno::projections {

inline constexpr std::int32_t kInvoicePageMax = 200;

enum class InvoiceKind : std::uint8_t { kInvoice, kCreditNote };
std::string_view to_string(InvoiceKind kind);

struct TaxSplit {
  std::int64_t base_minor = 0;
  std::int64_t tax_minor = 0;
};
// The rule above. Requires total_minor >= 0 and 0 <= tax_rate_bp <= 100000.
TaxSplit split_tax(std::int64_t total_minor, std::int32_t tax_rate_bp);

// An invoice is kept for good, so the ids and catalog text it shares with other invoices (series,
// tenant, site, provider, client, service and its name, currency) are InternedIds
// (interned_id.h); what is its own (its id, booking, payment, patient, refunds) is a string.
struct InvoiceDocument {
  std::string id;
  InvoiceKind kind = InvoiceKind::kInvoice;
  InternedId series;
  std::uint64_t number = 0;
  InternedId tenant_id;
  InternedId site_id;
  std::string booking_id;
  std::string payment_id;
  InternedId provider;
  InternedId client_id;
  std::string patient;
  InternedId service_id;
  InternedId description;  // the service's name when issued (catalog text: bounded, pooled)
  std::int64_t appointment_start_ms = 0;
  std::int64_t issued_at_ms = 0;
  InternedId currency;
  std::int32_t tax_rate_bp = 0;
  std::int64_t total_minor = 0;  // tax included; credit notes: the amount refunded
  TaxSplit split;
  std::int64_t platform_fee_minor = 0;  // invoices only
  std::string refers_to;                // credit notes: the invoice corrected
  std::string refund_id;                // credit notes
  v1::RefundReason refund_reason = v1::REFUND_REASON_UNSPECIFIED;
  std::vector<std::string> credit_notes;  // invoices: the credit notes referencing them
};

// A document with what a reader needs around it (names, the site's zone).
struct InvoiceDetail {
  InvoiceDocument document;
  std::string tenant_name;
  std::string site_name;
  std::string site_address;
  std::string time_zone;
  const TimeZone* zone = nullptr;
};

struct InvoiceListRequest {
  std::string tenant_id;
  std::string client_id;    // optional filter
  std::string booking_id;   // optional filter
  std::string page_token;   // from the previous page; empty for the first
  std::int32_t limit = 50;  // 1..kInvoicePageMax
};

struct InvoicePage {
  std::vector<InvoiceDetail> items;  // newest first
  std::string next_page_token;       // empty on the last page
};

class InvoiceView final : public BookingFoldView {
 public:
  std::string_view name() const override { return "invoices"; }

  // not_found for an unknown tenant or document.
  Result<InvoiceDetail> find(std::string_view tenant_id, std::string_view document_id) const;
  // invalid_argument for a bad limit or page token.
  Result<InvoicePage> list(const InvoiceListRequest& request) const;

 protected:
  void on_booking(const BookingChange& change, const v1::Envelope& event) override;
  void encode_own(Encoder& out) const override;
  void decode_own(Decoder& in) override;
  void rebuild_indexes() override {}
  void clear_own() override { books_.clear(); }

 private:
  struct Books {
    std::uint64_t invoices_issued = 0;
    std::uint64_t credit_notes_issued = 0;
    // In issue order. A deque: growing never moves (or page-faults in) what is there.
    std::deque<InvoiceDocument> documents;
    // Derived: positions in `documents`. A document's id names its kind and number, so
    // numbers map to positions without a map keyed by id.
    std::vector<std::size_t> invoice_positions;      // number - 1 -> position
    std::vector<std::size_t> credit_note_positions;  // number - 1 -> position
    StringMap<std::size_t> invoice_by_payment;
    StringMap<std::vector<std::size_t>> by_client;
  };
  void issue_invoice(const BookingRecord& booking, const PaymentRecord& payment,
                     const v1::Envelope& event);
  void issue_credit_note(const BookingRecord& booking, const RefundRecord& refund,
                         const v1::Envelope& event);
  void add(Books& books, InvoiceDocument document);
  static void index(Books& books, std::size_t position);
  static const std::size_t* position_of(const Books& books, std::string_view document_id);
  std::vector<std::size_t> positions_of_booking(const Books& books, std::string_view tenant_id,
                                                std::string_view booking_id) const;
  InvoiceDocument document_for(const BookingRecord& booking, const v1::Envelope& event) const;
  InvoiceDetail detail_of(const InvoiceDocument& document) const;

  StringMap<Books> books_;  // tenant -> its documents
};

// One document as JSON: ids, kind, number, dates (RFC 3339 in the site's zone), parties,
// lines, base, tax, total, platform fee, references.
std::string invoice_json(const InvoiceDetail& detail);
// {"items": [...documents as in invoice_json...], "next_page_token"}
std::string invoice_page_json(const InvoicePage& page);
// The document as a one-page A4 PDF (cairo); see invoice_pdf.cc.
std::string invoice_pdf(const InvoiceDetail& detail);

}  // namespace turno::projections
