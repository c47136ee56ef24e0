// The query side in one object: the views of this process, the feed that keeps them current,
// and the queries the HTTP routes call. `turno serve` opens one; so do `turno project` and the
// tests.
//
//   auto side = QuerySide::open({.views_directory = data + "/views"});
//   side.value()->start_embedded(engine->log());          // or start_nats(...)
//   Result<Availability> slots = side.value()->availability(request);
//
// Every query runs under its view's shared lock and returns a value (nothing points into the
// view afterwards), so routes can render it after the lock is gone.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agenda_view.h"
#include "availability_view.h"
#include "catalog_view.h"
#include "client_history_view.h"
#include "event_log.h"
#include "feed.h"
#include "invoice_view.h"
#include "kpi_view.h"
#include "log_follower.h"
#include "nats_feed.h"
#include "projector_group.h"

namespace turno::projections {

struct QuerySideOptions {
  std::string views_directory;     // each view in views_directory/<name>; empty: in memory
  std::vector<std::string> views;  // names (views.h); empty: all of them
  ProjectorOptions projector;
  FollowerOptions follower;
};

struct ViewStatus {
  std::string name;
  Seq applied;
  Seq checkpoint;
  std::uint64_t lag_events = 0;
  std::int64_t lag_ms = 0;
  std::uint64_t events_applied = 0;
};

class QuerySide {
 public:
  // Opens every view's store and restores its newest valid snapshot. `report` gets one line
  // per snapshot skipped. invalid_argument for an unknown view name.
  static Result<std::unique_ptr<QuerySide>> open(const QuerySideOptions& options,
                                                 std::vector<std::string>& report);
  ~QuerySide();

  // Feeds the views from `log` (which outlives this), right after each commit.
  void start_embedded(const EventLog& log);
  // Feeds the views from a durable JetStream consumer (nats_feed.h).
  Status start_nats(const NatsFeedOptions& options);
  // Stops the feed and checkpoints every view. Idempotent; the destructor calls it.
  void stop();

  // Blocks until every view has applied `seq` or `timeout` passes; true when it has.
  bool wait_until_applied(Seq seq, std::chrono::milliseconds timeout);
  Seq applied_seq() const { return group_->min_applied(); }
  std::vector<ViewStatus> status() const;
  // Prometheus text: per view applied seq, checkpoint seq, lag in events and ms, events.
  std::string metrics_text() const;
  // The feed's last error (ok when none or no feed).
  Status feed_error() const;
  // The digest of view `name` (tests, `turno rebuild` checks); not_found when not running.
  Result<Hash> digest(std::string_view name) const;
  // The views themselves, for a feed that another object runs (log_views.h: one NATS feed for
  // the views of several logs).
  ProjectorGroup& group() { return *group_; }

  Result<Agenda> agenda(const AgendaRequest& request) const;
  Result<Availability> availability(const AvailabilityRequest& request) const;
  Result<Alternatives> alternatives(const AlternativesRequest& request) const;
  // The KPI view's per-site totals as Prometheus counters (part of metrics_text()); empty
  // when the view does not run here.
  std::string kpi_metrics_text() const;
  Result<KpiReport> kpis(const KpiRequest& request) const;
  Result<InvoiceDetail> invoice(std::string_view tenant_id, std::string_view id) const;
  Result<InvoicePage> invoices(const InvoiceListRequest& request) const;
  Result<ClientHistoryPage> client_history(const ClientHistoryRequest& request) const;
  // The catalog directory (catalog_query.h).
  Result<CatalogPage<SiteInfo>> sites(const SiteListRequest& request) const;
  Result<CatalogPage<ServiceInfo>> services(const ServiceListRequest& request) const;
  Result<CatalogPage<StaffCard>> staff(const StaffListRequest& request) const;
  Result<SiteInfo> site(std::string_view tenant_id, std::string_view site_id) const;
  Result<ServiceInfo> service(std::string_view tenant_id, std::string_view service_id) const;
  Result<StaffCard> staff_member(std::string_view tenant_id, std::string_view staff_id) const;

 private:
  explicit QuerySide(std::unique_ptr<ProjectorGroup> group, QuerySideOptions options);
  template <typename ViewType, typename QueryFn>
  auto query(std::string_view view_name, QueryFn&& query_fn) const;

  std::unique_ptr<ProjectorGroup> group_;
  QuerySideOptions options_;
  Progress progress_;
  std::unique_ptr<Feed> feed_;
};

}  // namespace turno::projections
