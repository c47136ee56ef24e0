// The invoice PDF writer fed random names (tenant, site, address, patient, description; UTF-8
// as the API lets them in): always one whole PDF document.
#include "fuzz_input.h"
#include "invoice_view.h"
#include "targets.h"
#include "time_zones.h"
#include "verify.h"

namespace turno::fuzz {

void invoice_pdf(std::string_view input) {
  FuzzInput in(input);
  projections::InvoiceDetail detail;
  projections::InvoiceDocument& document = detail.document;
  const std::uint8_t mode = in.byte();
  document.kind =
      mode % 2 == 0 ? projections::InvoiceKind::kInvoice : projections::InvoiceKind::kCreditNote;
  document.id = "F001-00000001";
  document.series = "F001";
  document.number = 1;
  document.tenant_id = "t1";
  document.site_id = "lima";
  document.booking_id = "b1";
  document.payment_id = "p1";
  document.provider = "sandbox";
  document.client_id = "c1";
  document.service_id = "consult";
  document.appointment_start_ms = 1'772'532'000'000;
  document.issued_at_ms = 1'772'438'400'000;
  document.currency = mode / 2 % 2 == 0 ? "PEN" : "JPY";
  document.tax_rate_bp = 1800;
  document.total_minor = 5000;
  document.split.base_minor = 4237;
  document.split.tax_minor = 763;
  document.platform_fee_minor = 150;
  detail.time_zone = "America/Lima";
  detail.zone = mode / 4 % 2 == 0 ? find_time_zone(detail.time_zone) : nullptr;
  detail.tenant_name = as_utf8(in.field());
  detail.site_name = as_utf8(in.field());
  detail.site_address = as_utf8(in.field());
  document.patient = as_utf8(in.field());
  document.description = as_utf8(in.rest());
  const std::string pdf = projections::invoice_pdf(detail);
  VERIFY(pdf.starts_with("%PDF-"), "a PDF header");
  VERIFY(pdf.find("%%EOF") != std::string::npos, "a whole PDF");
}

}  // namespace turno::fuzz
