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
  document.series = InternedId::of("F001");
  document.number = 1;
  document.tenant_id = InternedId::of("t1");
  document.site_id = InternedId::of("lima");
  document.booking_id = "b1";
  document.payment_id = "p1";
  document.provider = InternedId::of("sandbox");
  document.client_id = InternedId::of("c1");
  document.service_id = InternedId::of("consult");
  document.appointment_start_ms = 1'772'532'000'000;
  document.issued_at_ms = 1'772'438'400'000;
  document.currency = InternedId::of(mode / 2 % 2 == 0 ? "PEN" : "JPY");
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
  // The description is the service's name, pooled (interned_id.h): catalog text, so a fixed
  // one here; the input's free text goes to the fields that are strings of their own.
  document.description = InternedId::of("Consulta odontológica — limpieza");
  document.patient = as_utf8(in.rest());
  const std::string pdf = projections::invoice_pdf(detail);
  VERIFY(pdf.starts_with("%PDF-"), "a PDF header");
  VERIFY(pdf.find("%%EOF") != std::string::npos, "a whole PDF");
}

}  // namespace turno::fuzz
