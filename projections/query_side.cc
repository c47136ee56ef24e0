#include "query_side.h"

#include <filesystem>

#include "nats_feed.h"
#include "views.h"

namespace turno::projections {

QuerySide::QuerySide(std::unique_ptr<ProjectorGroup> group, QuerySideOptions options)
    : group_(std::move(group)), options_(std::move(options)) {}

QuerySide::~QuerySide() {
  stop();
}

Result<std::unique_ptr<QuerySide>> QuerySide::open(const QuerySideOptions& options,
                                                   std::vector<std::string>& report) {
  std::vector<std::string> names = options.views;
  if (names.empty()) names.assign(view_names().begin(), view_names().end());
  std::vector<std::unique_ptr<Projector>> projectors;
  for (const std::string& name : names) {
    std::unique_ptr<View> view = make_view(name);
    if (view == nullptr) return Status::invalid_argument("no view named " + name);
    if (options.views_directory.empty()) {
      projectors.push_back(Projector::in_memory(std::move(view)));
      continue;
    }
    const std::string directory = options.views_directory + "/" + name;
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error)
      return Status::io_error("views: cannot create " + directory + ": " + error.message());
    Result<std::unique_ptr<Projector>> projector =
        Projector::open(std::move(view), directory, options.projector, report);
    if (!projector.is_ok()) return projector.status();
    projectors.push_back(std::move(projector).value());
  }
  return std::unique_ptr<QuerySide>(
      new QuerySide(std::make_unique<ProjectorGroup>(std::move(projectors)), options));
}

void QuerySide::start_embedded(const EventLog& log) {
  VERIFY(feed_ == nullptr, "one feed per query side");
  feed_ = std::make_unique<LogFollower>(log, *group_, progress_, options_.follower);
}

Status QuerySide::start_nats(const NatsFeedOptions& options) {
  VERIFY(feed_ == nullptr, "one feed per query side");
  if (options.url.empty()) return Status::invalid_argument("a NATS url is required");
  feed_ = std::make_unique<NatsFeed>(*group_, progress_, options);
  return Status::ok();
}

void QuerySide::stop() {
  if (feed_) feed_->stop();
}

bool QuerySide::wait_until_applied(Seq seq, std::chrono::milliseconds timeout) {
  return progress_.wait_for([&] { return group_->min_applied() >= seq; }, timeout);
}

Status QuerySide::feed_error() const {
  return feed_ ? feed_->last_error() : Status::ok();
}

std::vector<ViewStatus> QuerySide::status() const {
  const Seq head = feed_ ? feed_->head_seq() : group_->min_applied();
  const std::int64_t now_ms = steady_now_ms();
  std::vector<ViewStatus> out;
  for (const auto& projector : group_->projectors()) {
    const Seq applied = projector->applied_seq();
    out.push_back(ViewStatus{std::string(projector->name()), applied, projector->checkpoint_seq(),
                             head > applied ? head.value - applied.value : 0,
                             projector->lag_ms(now_ms), projector->events_applied()});
  }
  return out;
}

std::string QuerySide::metrics_text() const {
  struct Metric {
    const char* name;
    const char* type;
    const char* help;
    std::uint64_t (*value)(const ViewStatus&);
  };
  static const Metric kMetrics[] = {
      {"turno_view_applied_seq", "gauge", "Seq of the last event folded into the view.",
       [](const ViewStatus& s) { return s.applied.value; }},
      {"turno_view_checkpoint_seq", "gauge", "Seq of the view's newest persisted snapshot.",
       [](const ViewStatus& s) { return s.checkpoint.value; }},
      {"turno_view_lag_events", "gauge", "Events the source has that the view has not applied.",
       [](const ViewStatus& s) { return s.lag_events; }},
      {"turno_view_lag_ms", "gauge", "How long the view has been behind its source (0: current).",
       [](const ViewStatus& s) { return static_cast<std::uint64_t>(s.lag_ms); }},
      {"turno_view_events_applied_total", "counter", "Events folded in since start.",
       [](const ViewStatus& s) { return s.events_applied; }},
  };
  const std::vector<ViewStatus> views = status();
  std::string out =
      "# HELP turno_feed_gaps_filled_total Gaps in the feed filled from the command node's log.\n"
      "# TYPE turno_feed_gaps_filled_total counter\n"
      "turno_feed_gaps_filled_total " +
      std::to_string(feed_ ? feed_->gaps_filled() : 0) + "\n";
  for (const Metric& metric : kMetrics) {
    out += std::string("# HELP ") + metric.name + " " + metric.help + "\n";
    out += std::string("# TYPE ") + metric.name + " " + metric.type + "\n";
    for (const ViewStatus& view : views) {
      out += std::string(metric.name) + "{view=\"" + view.name + "\"} " +
             std::to_string(metric.value(view)) + "\n";
    }
  }
  out += kpi_metrics_text();
  return out;
}

Result<Hash> QuerySide::digest(std::string_view name) const {
  const Projector* projector = group_->find(name);
  if (projector == nullptr) return Status::not_found("view " + std::string(name) + " not running");
  return projector->digest();
}

template <typename ViewType, typename QueryFn>
auto QuerySide::query(std::string_view view_name, QueryFn&& query_fn) const {
  using Answer = decltype(query_fn(std::declval<const ViewType&>()));
  const Projector* projector = group_->find(view_name);
  if (projector == nullptr) {
    return Answer(Status::not_found("view " + std::string(view_name) + " does not run here"));
  }
  return projector->read(
      [&](const View& view) -> Answer { return query_fn(static_cast<const ViewType&>(view)); });
}

std::string QuerySide::kpi_metrics_text() const {
  Result<std::string> text = query<KpiView>(
      "kpis", [](const KpiView& v) -> Result<std::string> { return v.metrics_text(); });
  return text.is_ok() ? std::move(text).value() : std::string();
}

Result<Agenda> QuerySide::agenda(const AgendaRequest& request) const {
  return query<AgendaView>("agenda", [&](const AgendaView& v) { return v.query(request); });
}

Result<Availability> QuerySide::availability(const AvailabilityRequest& request) const {
  return query<AvailabilityView>("availability",
                                 [&](const AvailabilityView& v) { return v.query(request); });
}

Result<Alternatives> QuerySide::alternatives(const AlternativesRequest& request) const {
  return query<AvailabilityView>(
      "availability", [&](const AvailabilityView& v) { return v.alternatives(request); });
}

Result<KpiReport> QuerySide::kpis(const KpiRequest& request) const {
  return query<KpiView>("kpis", [&](const KpiView& v) { return v.query(request); });
}

Result<InvoiceDetail> QuerySide::invoice(std::string_view tenant_id, std::string_view id) const {
  return query<InvoiceView>("invoices",
                            [&](const InvoiceView& v) { return v.find(tenant_id, id); });
}

Result<InvoicePage> QuerySide::invoices(const InvoiceListRequest& request) const {
  return query<InvoiceView>("invoices", [&](const InvoiceView& v) { return v.list(request); });
}

Result<ClientHistoryPage> QuerySide::client_history(const ClientHistoryRequest& request) const {
  return query<ClientHistoryView>("clients",
                                  [&](const ClientHistoryView& v) { return v.query(request); });
}

Result<CatalogPage<SiteInfo>> QuerySide::sites(const SiteListRequest& request) const {
  return query<CatalogView>("catalog",
                            [&](const CatalogView& v) { return list_sites(v.state(), request); });
}

Result<CatalogPage<ServiceInfo>> QuerySide::services(const ServiceListRequest& request) const {
  return query<CatalogView>(
      "catalog", [&](const CatalogView& v) { return list_services(v.state(), request); });
}

Result<CatalogPage<StaffCard>> QuerySide::staff(const StaffListRequest& request) const {
  return query<CatalogView>("catalog",
                            [&](const CatalogView& v) { return list_staff(v.state(), request); });
}

Result<SiteInfo> QuerySide::site(std::string_view tenant_id, std::string_view site_id) const {
  return query<CatalogView>(
      "catalog", [&](const CatalogView& v) { return find_site(v.state(), tenant_id, site_id); });
}

Result<ServiceInfo> QuerySide::service(std::string_view tenant_id,
                                       std::string_view service_id) const {
  return query<CatalogView>("catalog", [&](const CatalogView& v) {
    return find_service(v.state(), tenant_id, service_id);
  });
}

Result<StaffCard> QuerySide::staff_member(std::string_view tenant_id,
                                          std::string_view staff_id) const {
  return query<CatalogView>("catalog", [&](const CatalogView& v) {
    return find_staff_card(v.state(), tenant_id, staff_id);
  });
}

}  // namespace turno::projections
