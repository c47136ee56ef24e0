#include "log_views.h"

#include <filesystem>

#include "catalog_view.h"

namespace turno::projections {
namespace {

// A log id as the engine makes them (log_format.h): 32 lowercase hex characters. Anything
// else under views/logs is not ours, and no such id can climb out of the directory.
bool valid_log_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (const char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool catalog_knows(QuerySide& side, std::string_view tenant_id) {
  const Projector* catalog = side.group().find("catalog");
  if (catalog == nullptr) return false;
  return catalog->read([&](const View& view) {
    return static_cast<const CatalogView&>(view).state().find_tenant(tenant_id) != nullptr;
  });
}

}  // namespace

std::string LogViews::log_directory(const std::string& views_directory, const std::string& log_id) {
  return views_directory + "/logs/" + log_id;
}

Result<std::unique_ptr<LogViews>> LogViews::open(const QuerySideOptions& options,
                                                 const NatsFeedOptions& feed,
                                                 std::vector<std::string>& report) {
  if (options.views_directory.empty()) {
    return Status::invalid_argument("per-log views need a views directory");
  }
  std::unique_ptr<LogViews> views(new LogViews(options));
  QuerySideOptions in_memory = options;
  in_memory.views_directory.clear();
  Result<std::unique_ptr<QuerySide>> unknown = QuerySide::open(in_memory, report);
  if (!unknown.is_ok()) return unknown.status();
  views->unknown_ = std::move(unknown).value();
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(options.views_directory + "/logs", error)) {
    const std::string id = entry.path().filename().string();
    if (!entry.is_directory() || !valid_log_id(id)) continue;
    if (Result<QuerySide*> opened = views->open_log(id, report); !opened.is_ok()) {
      return opened.status();
    }
  }
  views->feed_ =
      std::make_unique<NatsFeed>(static_cast<LogGroups&>(*views), views->progress_, feed);
  return views;
}

LogViews::~LogViews() {
  stop();
}

void LogViews::stop() {
  if (feed_) feed_->stop();
}

Result<QuerySide*> LogViews::open_log(const std::string& log_id, std::vector<std::string>& report) {
  QuerySideOptions options = options_;
  options.views_directory = log_directory(options_.views_directory, log_id);
  Result<std::unique_ptr<QuerySide>> side = QuerySide::open(options, report);
  if (!side.is_ok()) return side.status();
  std::lock_guard lock(mutex_);
  auto& slot = logs_[log_id];
  slot = std::move(side).value();
  return slot.get();
}

Result<ProjectorGroup*> LogViews::group_for_log(const std::string& log_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = logs_.find(log_id); it != logs_.end()) return &it->second->group();
  }
  if (!valid_log_id(log_id)) return Status::invalid_argument("nats: no such log id: " + log_id);
  std::vector<std::string> report;
  Result<QuerySide*> side = open_log(log_id, report);
  if (!side.is_ok()) return side.status();
  return &side.value()->group();
}

const QuerySide* LogViews::find_tenant(std::string_view tenant_id) const {
  std::lock_guard lock(mutex_);
  if (auto it = tenants_.find(tenant_id); it != tenants_.end()) return it->second;
  for (const auto& [id, side] : logs_) {
    if (!catalog_knows(*side, tenant_id)) continue;
    tenants_.emplace(std::string(tenant_id), side.get());  // a tenant never changes logs
    return side.get();
  }
  return nullptr;
}

const QuerySide& LogViews::for_tenant(std::string_view tenant_id) const {
  const QuerySide* side = find_tenant(tenant_id);
  return side != nullptr ? *side : *unknown_;
}

const QuerySide* LogViews::for_log(const std::string& log_id) const {
  std::lock_guard lock(mutex_);
  const auto it = logs_.find(log_id);
  return it == logs_.end() ? nullptr : it->second.get();
}

std::vector<std::string> LogViews::log_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, side] : logs_) ids.push_back(id);
  return ids;
}

std::string LogViews::metrics_text() const {
  struct Metric {
    const char* name;
    const char* type;
    const char* help;
  };
  static const Metric kMetrics[] = {
      {"turno_view_applied_seq", "gauge", "Seq of the last event folded into the view."},
      {"turno_view_checkpoint_seq", "gauge", "Seq of the view's newest persisted snapshot."},
      {"turno_view_lag_events", "gauge", "Events the source has that the view has not applied."},
      {"turno_view_lag_ms", "gauge", "How long the view has been behind its source (0: current)."},
      {"turno_view_events_applied_total", "counter", "Events folded in since start."},
  };
  std::vector<std::pair<std::string, std::vector<ViewStatus>>> logs;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, side] : logs_) logs.emplace_back(id, side->status());
  }
  std::string out =
      "# HELP turno_feed_gaps_filled_total Gaps in the feed filled from the command node's log.\n"
      "# TYPE turno_feed_gaps_filled_total counter\n"
      "turno_feed_gaps_filled_total " +
      std::to_string(feed_ ? feed_->gaps_filled() : 0) + "\n";
  for (std::size_t m = 0; m < std::size(kMetrics); ++m) {
    out += std::string("# HELP ") + kMetrics[m].name + " " + kMetrics[m].help + "\n";
    out += std::string("# TYPE ") + kMetrics[m].name + " " + kMetrics[m].type + "\n";
    for (const auto& [id, views] : logs) {
      const Seq head = feed_ ? feed_->head_seq(id) : Seq{};
      for (const ViewStatus& view : views) {
        const std::uint64_t values[] = {view.applied.value, view.checkpoint.value,
                                        head > view.applied ? head.value - view.applied.value : 0,
                                        static_cast<std::uint64_t>(view.lag_ms),
                                        view.events_applied};
        out += std::string(kMetrics[m].name) + "{view=\"" + view.name + "\",log=\"" + id + "\"} " +
               std::to_string(values[m]) + "\n";
      }
    }
  }
  return out;
}

}  // namespace turno::projections
