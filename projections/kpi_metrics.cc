// The KPI view's running totals as Prometheus counters, one series per tenant and site, for
// the business panels of the Grafana dashboard (ops/grafana). Money stays in minor units with a
// currency label; nothing is converted.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "kpi_view.h"
#include "metrics.h"

namespace turno::projections {
namespace {

struct Family {
  const char* name;
  const char* help;
  std::int64_t KpiCounters::*field;
  const char* extra;  // a further label: "by" (cancellations) or "currency" (money); or null
  const char* value;  // that label's value for "by"
};

constexpr Family kFamilies[] = {
    {"turno_kpi_holds_total", "Slots held.", &KpiCounters::holds, nullptr, nullptr},
    {"turno_kpi_bookings_total", "Holds turned into bookings (first payment requested).",
     &KpiCounters::bookings, nullptr, nullptr},
    {"turno_kpi_confirmed_total", "Bookings confirmed.", &KpiCounters::confirmed, nullptr, nullptr},
    {"turno_kpi_cancelled_total", "Bookings cancelled, by who cancelled.",
     &KpiCounters::cancelled_by_client, "by", "client"},
    {"turno_kpi_cancelled_total", nullptr, &KpiCounters::cancelled_by_staff, "by", "staff"},
    {"turno_kpi_cancelled_total", nullptr, &KpiCounters::cancelled_by_admin, "by", "admin"},
    {"turno_kpi_cancelled_total", nullptr, &KpiCounters::cancelled_by_system, "by", "system"},
    {"turno_kpi_no_shows_total", "Appointments marked no-show.", &KpiCounters::no_shows, nullptr,
     nullptr},
    {"turno_kpi_completed_total", "Appointments completed.", &KpiCounters::completed, nullptr,
     nullptr},
    {"turno_kpi_gross_minor_total", "Payments succeeded, minor units of the tenant currency.",
     &KpiCounters::gross_minor, "currency", nullptr},
    {"turno_kpi_refunds_minor_total", "Refunds issued, minor units of the tenant currency.",
     &KpiCounters::refunds_minor, "currency", nullptr},
};

}  // namespace

std::string KpiView::metrics_text() const {
  struct Row {
    std::string tenant, site, currency;
    const KpiCounters* totals;
  };
  std::vector<Row> rows;
  rows.reserve(totals_.size());
  for (const auto& [key, totals] : totals_) {
    const std::size_t split = key.find('\0');
    Row row{key.substr(0, split), key.substr(split + 1), {}, &totals};
    if (const TenantInfo* tenant = catalog().find_tenant(row.tenant))
      row.currency = tenant->currency;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.tenant, a.site) < std::tie(b.tenant, b.site);
  });
  std::string out;
  for (const Family& family : kFamilies) {
    const std::string name = family.name;
    if (family.help != nullptr) {
      out += "# HELP " + name + " " + family.help + "\n# TYPE " + name + " counter\n";
    }
    for (const Row& row : rows) {
      out += name + "{tenant=\"" + prometheus_label(row.tenant) + "\",site=\"" +
             prometheus_label(row.site) + "\"";
      if (family.extra != nullptr) {
        out += std::string(",") + family.extra + "=\"" +
               prometheus_label(family.value != nullptr ? family.value : row.currency) + "\"";
      }
      out += "} " + std::to_string(row.totals->*family.field) + "\n";
    }
  }
  return out;
}

}  // namespace turno::projections
