// Operations routes, open to anyone: liveness, readiness, Prometheus metrics, the OpenAPI
// contract.
#include <fmt/format.h>

#include "api.h"
#include "route_groups.h"

namespace turno::api {

// Defined in the generated openapi_yaml.cc (api/embed_openapi.cmake).
std::string_view openapi_yaml();

namespace {

void healthz(Call& call) {
  call.respond(json_response(http::status::ok, R"({"status":"ok"})"));
}

void readyz(Call& call) {
  if (call.api.ready())
    return call.respond(json_response(http::status::ok, R"({"status":"ready"})"));
  Problem problem = make_problem(
      http::status::service_unavailable, "not_ready",
      call.api.draining() ? "the server is shutting down" : "the writer is not running");
  problem.retry_after_s = kRetryAfterS;
  call.respond(problem);
}

void counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t value,
             std::string_view type = "counter") {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name,
                 type, name, value);
}

void writer_metrics(std::string& out, const Writer& writer) {
  const WriterStats& stats = writer.stats();
  counter(out, "turno_writer_queue_depth", "Commands waiting for the writer.",
          stats.queue_depth.load(), "gauge");
  counter(out, "turno_events_appended_total", "Events appended to the log.",
          stats.events_appended.load());
  counter(out, "turno_commands_accepted_total", "Commands accepted.",
          stats.commands_accepted.load());
  counter(out, "turno_commands_rejected_total", "Commands rejected.",
          stats.commands_rejected.load());
  counter(out, "turno_commands_replayed_total", "Commands answered from the idempotency index.",
          stats.commands_replayed.load());
  counter(out, "turno_batches_committed_total", "Group commits.", stats.batches_committed.load());
  counter(out, "turno_writer_model_bookings",
          "Bookings in the write model: the live ones and the recently finished ones.",
          stats.bookings_in_model.load(), "gauge");
  counter(out, "turno_writer_bookings_forgotten_total",
          "Finished bookings the write model let go of (the log keeps them).",
          stats.bookings_forgotten.load());
  counter(out, "turno_writer_bookings_recalled_total",
          "Forgotten bookings read back from the log for a command that named them.",
          stats.bookings_recalled.load());
  counter(out, "turno_commit_failures_total", "Failed group commits.",
          stats.commit_failures.load());
  counter(out, "turno_log_last_seq", "The last committed seq.", writer.log().last_seq().value,
          "gauge");
  out += "# HELP turno_commands_rejected_by_code_total Rejections by code.\n";
  out += "# TYPE turno_commands_rejected_by_code_total counter\n";
  for (std::size_t code = 0; code <= static_cast<std::size_t>(RejectionCode::kShuttingDown);
       ++code) {
    fmt::format_to(
        std::back_inserter(out), "turno_commands_rejected_by_code_total{{code=\"{}\"}} {}\n",
        to_string(static_cast<RejectionCode>(code)), stats.rejections_by_code[code].load());
  }
  render_histogram(out, "turno_writer_batch_commands", "Commands per group commit.",
                   stats.batch_commands);
  render_histogram(out, "turno_writer_commit_us",
                   "Time to write and fsync one group commit, microseconds.", stats.commit_us);
}

void metrics(Call& call) {
  std::string out;
  call.api.metrics().render(out);
  if (call.api.has_engine()) writer_metrics(out, call.api.engine().writer());
  for (const auto& source : call.api.metrics_sources()) source(out);
  call.respond(make_response(http::status::ok, "text/plain; version=0.0.4", std::move(out)));
}

void openapi(Call& call) {
  call.respond(make_response(http::status::ok, "application/yaml", std::string(openapi_yaml())));
}

}  // namespace

void add_ops_routes(RouteTable& table) {
  table.add({http::verb::get, "/healthz", kPublic, healthz});
  table.add({http::verb::get, "/readyz", kPublic, readyz});
  table.add({http::verb::get, kMetricsPath, kPublic, metrics});
  table.add({http::verb::get, "/openapi.yaml", kPublic, openapi});
}

}  // namespace turno::api
