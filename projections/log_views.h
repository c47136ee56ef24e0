// The views of a query node that serves every shard: one QuerySide per command node's log,
// all fed by one NATS feed (nats_feed.h) that tells the logs apart by the log id in each
// message's Nats-Msg-Id. Each log has its own seqs and hash chain, so each keeps its own views
// (and checkpoints) in DATA/views/logs/<log id>/<view>; their tenants are disjoint, so a query
// goes to the views of the log that holds the caller's tenant.
//
//   auto views = LogViews::open({views_directory, {}, {}, {}}, feed_options, report);
//   const QuerySide& side = views.value()->for_tenant("acme");   // then side.agenda(...)
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "nats_feed.h"
#include "query_side.h"

namespace turno::projections {

class LogViews final : private LogGroups {
 public:
  // Opens the views of every log found under `options.views_directory`/logs (restoring their
  // snapshots; `report` gets each snapshot skipped) and starts the feed. Logs seen for the
  // first time get their views when their first event arrives.
  static Result<std::unique_ptr<LogViews>> open(const QuerySideOptions& options,
                                                const NatsFeedOptions& feed,
                                                std::vector<std::string>& report);
  ~LogViews() override;
  LogViews(const LogViews&) = delete;
  LogViews& operator=(const LogViews&) = delete;

  // Stops the feed and checkpoints every log's views. Idempotent; the destructor calls it.
  void stop();

  // The views of the log that holds `tenant_id` (its catalog knows the tenant); for a tenant
  // no log has yet, empty views that answer as for any unknown tenant.
  const QuerySide& for_tenant(std::string_view tenant_id) const;
  // The views of one log; null when this node has not seen that log.
  const QuerySide* for_log(const std::string& log_id) const;
  std::vector<std::string> log_ids() const;
  // Prometheus text: per log and view, applied and checkpoint seq, lag; gaps filled.
  std::string metrics_text() const;
  Status feed_error() const { return feed_ ? feed_->last_error() : Status::ok(); }

  // Where a log's views live: <views_directory>/logs/<log id>.
  static std::string log_directory(const std::string& views_directory, const std::string& log_id);

 private:
  explicit LogViews(QuerySideOptions options) : options_(std::move(options)) {}
  Result<ProjectorGroup*> group_for_log(const std::string& log_id) override;
  Result<QuerySide*> open_log(const std::string& log_id, std::vector<std::string>& report);
  const QuerySide* find_tenant(std::string_view tenant_id) const;

  QuerySideOptions options_;
  std::unique_ptr<QuerySide> unknown_;  // in memory, never fed
  mutable std::mutex mutex_;            // guards logs_ and tenants_ (entries are never removed)
  std::map<std::string, std::unique_ptr<QuerySide>> logs_;
  mutable std::map<std::string, const QuerySide*, std::less<>> tenants_;
  Progress progress_;
  std::unique_ptr<NatsFeed> feed_;
};

}  // namespace turno::projections
