// The invoice as a PDF, drawn with cairo: one A4 page with the seller, the document's number
// and date, the client, the line, the tax breakdown and the totals. Layout in PDF points
// (1/72 inch); only coordinates are floating point, every amount is formatted from integers.
#include <cairo-pdf.h>
#include <cairo.h>

#include <string>

#include "invoice_view.h"
#include "local_time.h"
#include "money.h"

namespace turno::projections {
namespace {

constexpr double kPageWidthPt = 595.0;  // A4
constexpr double kPageHeightPt = 842.0;
constexpr double kMarginPt = 56.0;
constexpr double kRightPt = kPageWidthPt - kMarginPt;
constexpr const char* kFontFamily = "DejaVu Sans";

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class Page {
 public:
  explicit Page(cairo_t* cairo) : cairo_(cairo) {}

  void font(double size_pt, bool bold = false) {
    cairo_select_font_face(cairo_, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cairo_, size_pt);
  }
  void text(double x, double y, const std::string& value) {
    cairo_move_to(cairo_, x, y);
    cairo_show_text(cairo_, value.c_str());
  }
  void text_right(double right_x, double y, const std::string& value) {
    cairo_text_extents_t extents;
    cairo_text_extents(cairo_, value.c_str(), &extents);
    text(right_x - extents.x_advance, y, value);
  }
  void rule(double y, double width_pt = 0.8) {
    cairo_set_line_width(cairo_, width_pt);
    cairo_move_to(cairo_, kMarginPt, y);
    cairo_line_to(cairo_, kRightPt, y);
    cairo_stroke(cairo_);
  }
  void shade(double x, double y, double width, double height) {
    cairo_set_source_rgb(cairo_, 0.93, 0.94, 0.96);
    cairo_rectangle(cairo_, x, y, width, height);
    cairo_fill(cairo_);
    cairo_set_source_rgb(cairo_, 0, 0, 0);
  }

 private:
  cairo_t* cairo_;
};

std::string when(const InvoiceDetail& detail, std::int64_t instant_ms) {
  if (detail.zone == nullptr) return format_utc(instant_ms).substr(0, 16) + " UTC";
  const std::string local = format_local(*detail.zone, instant_ms);
  return local.substr(0, 10) + " " + local.substr(11, 5) + " (" + detail.time_zone + ")";
}

void draw_header(Page& page, const InvoiceDetail& detail) {
  const InvoiceDocument& doc = detail.document;
  page.font(20, true);
  page.text(kMarginPt, 80, detail.tenant_name.empty() ? doc.tenant_id.str() : detail.tenant_name);
  page.font(10);
  page.text(kMarginPt, 98, detail.site_name);
  page.text(kMarginPt, 112, detail.site_address);
  page.font(18, true);
  page.text_right(kRightPt, 80, doc.kind == InvoiceKind::kInvoice ? "INVOICE" : "CREDIT NOTE");
  page.font(11, true);
  page.text_right(kRightPt, 98, "No. " + doc.id);
  page.font(10);
  page.text_right(kRightPt, 112, "Issued " + when(detail, doc.issued_at_ms));
  page.text_right(kRightPt, 126, "Currency " + doc.currency.str());
  page.rule(140);
}

void draw_parties(Page& page, const InvoiceDetail& detail) {
  const InvoiceDocument& doc = detail.document;
  page.font(9, true);
  page.text(kMarginPt, 162, "BILL TO");
  page.text(320, 162, "REFERENCE");
  page.font(10);
  page.text(kMarginPt, 178, "Client " + doc.client_id.str());
  if (!doc.patient.empty()) page.text(kMarginPt, 192, "For " + doc.patient);
  page.text(320, 178, "Booking " + doc.booking_id);
  page.text(320, 192, "Payment " + doc.payment_id + " (" + doc.provider.str() + ")");
  if (doc.kind == InvoiceKind::kCreditNote) {
    page.text(320, 206, "Corrects invoice " + (doc.refers_to.empty() ? "-" : doc.refers_to));
    page.text(320, 220, "Refund " + doc.refund_id);
  }
}

double draw_lines(Page& page, const InvoiceDetail& detail) {
  const InvoiceDocument& doc = detail.document;
  const double top = 250;
  page.shade(kMarginPt, top, kRightPt - kMarginPt, 20);
  page.font(9, true);
  page.text(kMarginPt + 6, top + 14, "DESCRIPTION");
  page.text_right(400, top + 14, "QTY");
  page.text_right(kRightPt - 6, top + 14, "AMOUNT (TAX INCL.)");
  page.font(10);
  const std::string sign = doc.kind == InvoiceKind::kCreditNote ? "-" : "";
  page.text(kMarginPt + 6, top + 40, doc.description.str());
  page.font(8.5);
  page.text(kMarginPt + 6, top + 53, "Appointment " + when(detail, doc.appointment_start_ms));
  page.font(10);
  page.text_right(400, top + 40, "1");
  page.text_right(kRightPt - 6, top + 40, sign + format_money(doc.total_minor, doc.currency));
  page.rule(top + 66, 0.4);
  return top + 66;
}

void draw_totals(Page& page, const InvoiceDetail& detail, double top) {
  const InvoiceDocument& doc = detail.document;
  const std::string sign = doc.kind == InvoiceKind::kCreditNote ? "-" : "";
  const double label_x = 330;
  page.font(10);
  page.text(label_x, top + 22, "Taxable base");
  page.text_right(kRightPt - 6, top + 22, sign + format_money(doc.split.base_minor, doc.currency));
  page.text(label_x, top + 38, "Tax " + format_rate_bp(doc.tax_rate_bp));
  page.text_right(kRightPt - 6, top + 38, sign + format_money(doc.split.tax_minor, doc.currency));
  page.shade(label_x - 6, top + 46, kRightPt - label_x + 6, 22);
  page.font(11, true);
  page.text(label_x, top + 62, doc.kind == InvoiceKind::kInvoice ? "Total paid" : "Total refunded");
  page.text_right(kRightPt - 6, top + 62, sign + format_money(doc.total_minor, doc.currency));
  if (doc.kind != InvoiceKind::kInvoice) return;
  page.font(9, true);
  page.text(kMarginPt, top + 100, "SETTLEMENT");
  page.font(9);
  page.text(kMarginPt, top + 116,
            "Platform fee " + format_money(doc.platform_fee_minor, doc.currency) +
                "   Net to merchant " +
                format_money(doc.total_minor - doc.platform_fee_minor, doc.currency));
}

void draw_footer(Page& page, const InvoiceDetail& detail) {
  page.rule(kPageHeightPt - 70, 0.4);
  page.font(8);
  page.text(kMarginPt, kPageHeightPt - 56,
            "Prices include tax. Base and tax are computed in minor units, rounded half up.");
  page.text(
      kMarginPt, kPageHeightPt - 44,
      "Issued by Turno from the booking's event history; document " + detail.document.id + ".");
}

}  // namespace

std::string invoice_pdf(const InvoiceDetail& detail) {
  std::string out;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(append_bytes, &out, kPageWidthPt, kPageHeightPt);
  const std::string title =
      std::string(detail.document.kind == InvoiceKind::kInvoice ? "Invoice " : "Credit note ") +
      detail.document.id;
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, detail.tenant_name.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Turno");
  cairo_t* cairo = cairo_create(surface);
  Page page(cairo);
  draw_header(page, detail);
  draw_parties(page, detail);
  draw_totals(page, detail, draw_lines(page, detail));
  draw_footer(page, detail);
  cairo_show_page(cairo);
  cairo_destroy(cairo);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return out;
}

}  // namespace turno::projections
