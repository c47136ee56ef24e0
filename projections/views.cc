#include "views.h"

#include "agenda_view.h"
#include "availability_view.h"
#include "catalog_view.h"
#include "client_history_view.h"
#include "invoice_view.h"
#include "kpi_view.h"

namespace turno::projections {

const std::vector<std::string_view>& view_names() {
  static const std::vector<std::string_view> names = {"agenda",  "availability", "catalog",
                                                      "clients", "invoices",     "kpis"};
  return names;
}

std::unique_ptr<View> make_view(std::string_view name) {
  if (name == "agenda") return std::make_unique<AgendaView>();
  if (name == "availability") return std::make_unique<AvailabilityView>();
  if (name == "catalog") return std::make_unique<CatalogView>();
  if (name == "clients") return std::make_unique<ClientHistoryView>();
  if (name == "invoices") return std::make_unique<InvoiceView>();
  if (name == "kpis") return std::make_unique<KpiView>();
  return nullptr;
}

}  // namespace turno::projections
