// The invoice view: numbering, tax split, credit notes, JSON and PDF.
#include <doctest/doctest.h>

#include "invoice_view.h"
#include "money.h"
#include "view_support.h"

using namespace turno;
using namespace turno::projections;
using namespace turno::testing;

TEST_CASE("tax: prices include tax; base rounds half up; base + tax is the total") {
  CHECK(split_tax(10'000, 1800).base_minor == 8'475);  // 8474.58
  CHECK(split_tax(10'000, 1800).tax_minor == 1'525);
  CHECK(split_tax(118, 1800).base_minor == 100);
  CHECK(split_tax(59, 1800).base_minor == 50);  // 50.0
  CHECK(split_tax(1, 1800).base_minor == 1);    // 0.847 rounds up
  CHECK(split_tax(0, 1800).base_minor == 0);
  CHECK(split_tax(12'345, 0).tax_minor == 0);
  for (std::int64_t total = 0; total < 5'000; total += 7) {
    const TaxSplit split = split_tax(total, 1900);
    CHECK(split.base_minor + split.tax_minor == total);
  }
  CHECK(format_money(123'456, "PEN") == "1,234.56 PEN");
  CHECK(format_money(-5, "EUR") == "-0.05 EUR");
  CHECK(format_money(15'000, "CLP") == "15,000 CLP");
  CHECK(format_rate_bp(1800) == "18.00 %");
}

TEST_CASE("invoices: one per payment, numbered in event order; credit notes reference them") {
  Harness h;
  h.standard_clinic();
  book_and_pay(h, "b1", "c1", "ana", lima(0, 9));
  book_and_pay(h, "b2", "c2", "ana", lima(0, 10));
  h.ok(refund("t1", "rf1", "b1", 4'000));
  book_and_pay(h, "b3", "c1", "ben", lima(0, 9));
  InvoiceView view;
  fold_all(view, h.log());

  auto first = view.find("t1", "F001-00000001");
  REQUIRE(first.is_ok());
  const InvoiceDocument& invoice = first.value().document;
  CHECK(invoice.kind == InvoiceKind::kInvoice);
  CHECK(invoice.booking_id == "b1");
  CHECK(invoice.client_id == "c1");
  CHECK(invoice.total_minor == 10'000);
  CHECK(invoice.split.base_minor == 8'475);
  CHECK(invoice.split.tax_minor == 1'525);
  CHECK(invoice.tax_rate_bp == 1800);
  CHECK(invoice.platform_fee_minor == 300);
  CHECK(invoice.credit_notes == std::vector<std::string>{"F001-NC-00000001"});
  CHECK(view.find("t1", "F001-00000002").value().document.booking_id == "b2");
  CHECK(view.find("t1", "F001-00000003").value().document.booking_id == "b3");

  auto note = view.find("t1", "F001-NC-00000001");
  REQUIRE(note.is_ok());
  CHECK(note.value().document.kind == InvoiceKind::kCreditNote);
  CHECK(note.value().document.refers_to == "F001-00000001");
  CHECK(note.value().document.total_minor == 4'000);
  CHECK(note.value().document.split.base_minor == 3'390);
  CHECK(view.find("t1", "F001-00000009").status().code() == Status::Code::kNotFound);

  const std::string json = invoice_json(first.value());
  CHECK(json.find(R"("tax_minor":1525)") != std::string::npos);
  CHECK(json.find(R"("issued_at":"2026-02-22T19:00:00-05:00")") != std::string::npos);
  CHECK(json.find(R"("seller":"Clinic t1")") != std::string::npos);

  InvoiceView copy;
  check_round_trip(view, copy);
  CHECK(copy.find("t1", "F001-00000001").value().document.credit_notes.size() == 1);
}

TEST_CASE("invoices: lists newest first, by client or booking, in pages") {
  Harness h;
  h.standard_clinic();
  for (int i = 0; i < 5; ++i) {
    book_and_pay(h, "b" + std::to_string(i), i % 2 ? "odd" : "even", "ana", lima(0, 9 + i));
  }
  InvoiceView view;
  fold_all(view, h.log());
  auto page = view.list({"t1", "", "", "", 2});
  REQUIRE(page.is_ok());
  REQUIRE(page.value().items.size() == 2);
  CHECK(page.value().items[0].document.id == "F001-00000005");
  auto next = view.list({"t1", "", "", page.value().next_page_token, 2});
  CHECK(next.value().items[0].document.id == "F001-00000003");
  auto last = view.list({"t1", "", "", next.value().next_page_token, 2});
  CHECK(last.value().items.size() == 1);
  CHECK(last.value().next_page_token.empty());
  CHECK(view.list({"t1", "odd", "", "", 10}).value().items.size() == 2);
  CHECK(view.list({"t1", "", "b4", "", 10}).value().items.size() == 1);
  CHECK(view.list({"t1", "", "", "x", 10}).status().code() == Status::Code::kInvalidArgument);
  CHECK(invoice_page_json(last.value()).find(R"("next_page_token":null)") != std::string::npos);
}

TEST_CASE("invoices: the PDF is a one-page A4 document titled with its number") {
  Harness h;
  h.standard_clinic();
  book_and_pay(h, "b1", "c1", "ana", lima(0, 9));
  h.ok(refund("t1", "rf1", "b1", 0));
  InvoiceView view;
  fold_all(view, h.log());
  for (const std::string id : {"F001-00000001", "F001-NC-00000001"}) {
    const std::string pdf = invoice_pdf(view.find("t1", id).value());
    CHECK(pdf.rfind("%PDF-", 0) == 0);
    CHECK(pdf.find("%%EOF") != std::string::npos);
    CHECK(pdf.find("/Type /Page") != std::string::npos);
    CHECK(pdf.find("/MediaBox [ 0 0 595 842 ]") != std::string::npos);
    CHECK(pdf.find(id) != std::string::npos);        // the title in the document information
    CHECK(pdf.find("DejaVu") != std::string::npos);  // a real font, embedded
  }
}
