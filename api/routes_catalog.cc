// Catalog routes (admin of the tenant; tenants by the platform): tenants, sites, services,
// staff, weekly schedules, time off, policy. Each answers with the fact the engine recorded.
#include "command_call.h"
#include "json_writer.h"
#include "route_groups.h"

namespace turno::api {
namespace {

std::int32_t int32_field(JsonObject& object, std::string_view name, Presence presence) {
  return static_cast<std::int32_t>(object.integer(name, presence, 0, kInt32Max));
}

// The first event of an accepted catalog command, rendered by `write`.
template <typename Write>
Render render_first(http::status status, Write write) {
  return [status, write](const CommandResult& result) {
    JsonWriter json;
    if (result.events.empty()) {
      json.begin_object().end_object();
    } else {
      write(json, result.events.front());
    }
    return json_response(status, json.take());
  };
}

void write_policy(JsonWriter& json, const v1::PolicySet& policy) {
  json.begin_object()
      .field("hold_ttl_s", policy.hold_ttl_s())
      .field("free_cancel_window_min", policy.free_cancel_window_min())
      .field("late_cancel_refund_pct", policy.late_cancel_refund_pct())
      .field("no_show_grace_min", policy.no_show_grace_min())
      .field("min_notice_min", policy.min_notice_min())
      .field("horizon_days", policy.horizon_days())
      .field("prepayment_required", policy.prepayment_required())
      .field("slot_step_min", policy.slot_step_min())
      .end_object();
}

void register_tenant(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        command.set_tenant_id(in.string("tenant_id", Presence::kRequired, kIdBytesMax));
        auto& out = *command.mutable_register_tenant();
        out.set_name(in.string("name", Presence::kRequired, kNameBytesMax));
        out.set_currency(in.string("currency", Presence::kRequired, 3));
        out.set_tax_rate_bp(int32_field(in, "tax_rate_bp", Presence::kRequired));
        out.set_invoice_series(in.string("invoice_series", Presence::kRequired, kIdBytesMax));
        out.set_platform_fee_bp(int32_field(in, "platform_fee_bp", Presence::kOptional));
        out.set_platform_fee_fixed_minor(
            in.integer("platform_fee_fixed_minor", Presence::kOptional, 0, kInt64Max));
      },
      render_first(http::status::created, [](JsonWriter& json, const v1::Envelope& event) {
        const auto& tenant = event.tenant_registered();
        json.begin_object()
            .field("tenant_id", event.tenant_id())
            .field("name", tenant.name())
            .field("currency", tenant.currency())
            .field("tax_rate_bp", tenant.tax_rate_bp())
            .field("invoice_series", tenant.invoice_series())
            .field("platform_fee_bp", tenant.platform_fee_bp())
            .field("platform_fee_fixed_minor", tenant.platform_fee_fixed_minor())
            .end_object();
      }));
}

void open_site(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_open_site();
        out.set_site_id(in.string("site_id", Presence::kOptional, kIdBytesMax));
        out.set_name(in.string("name", Presence::kRequired, kNameBytesMax));
        out.set_time_zone(in.string("time_zone", Presence::kRequired, kNameBytesMax));
        out.set_address(in.string("address", Presence::kOptional, kTextBytesMax));
      },
      render_first(http::status::created, [](JsonWriter& json, const v1::Envelope& event) {
        const auto& site = event.site_opened();
        json.begin_object()
            .field("site_id", site.site_id())
            .field("name", site.name())
            .field("time_zone", site.time_zone())
            .field("address", site.address())
            .end_object();
      }));
}

void define_service(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_define_service();
        out.set_service_id(in.string("service_id", Presence::kOptional, kIdBytesMax));
        out.set_name(in.string("name", Presence::kRequired, kNameBytesMax));
        out.set_duration_min(int32_field(in, "duration_min", Presence::kRequired));
        out.set_price_minor(in.integer("price_minor", Presence::kRequired, 0, kInt64Max));
        out.set_required_skill(in.string("required_skill", Presence::kOptional, kIdBytesMax));
        out.set_buffer_before_min(int32_field(in, "buffer_before_min", Presence::kOptional));
        out.set_buffer_after_min(int32_field(in, "buffer_after_min", Presence::kOptional));
        out.set_follow_up_days(int32_field(in, "follow_up_days", Presence::kOptional));
      },
      render_first(http::status::created, [](JsonWriter& json, const v1::Envelope& event) {
        const auto& service = event.service_defined();
        json.begin_object()
            .field("service_id", service.service_id())
            .field("name", service.name())
            .field("duration_min", service.duration_min())
            .field("price_minor", service.price_minor())
            .field("currency", service.currency())
            .field("required_skill", service.required_skill())
            .field("buffer_before_min", service.buffer_before_min())
            .field("buffer_after_min", service.buffer_after_min())
            .field("follow_up_days", service.follow_up_days())
            .end_object();
      }));
}

void add_staff(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_add_staff();
        out.set_staff_id(in.string("staff_id", Presence::kOptional, kIdBytesMax));
        out.set_site_id(in.string("site_id", Presence::kRequired, kIdBytesMax));
        out.set_name(in.string("name", Presence::kRequired, kNameBytesMax));
        for (std::string& skill :
             in.strings("skills", Presence::kOptional, kSkillsMax, kIdBytesMax)) {
          out.add_skills(std::move(skill));
        }
      },
      render_first(http::status::created, [](JsonWriter& json, const v1::Envelope& event) {
        const auto& staff = event.staff_joined();
        json.begin_object()
            .field("staff_id", staff.staff_id())
            .field("site_id", staff.site_id())
            .field("name", staff.name());
        json.key("skills").begin_array();
        for (const std::string& skill : staff.skills()) json.value(skill);
        json.end_array().end_object();
      }));
}

void set_schedule(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_set_schedule();
        out.set_staff_id(std::string(call.param("id")));
        for (JsonObject& interval : in.objects("intervals", Presence::kRequired, 7 * 8)) {
          auto& added = *out.add_intervals();
          added.set_weekday(
              static_cast<std::int32_t>(interval.integer("weekday", Presence::kRequired, 1, 7)));
          added.set_start_min(static_cast<std::int32_t>(
              interval.integer("start_min", Presence::kRequired, 0, 1440)));
          added.set_end_min(
              static_cast<std::int32_t>(interval.integer("end_min", Presence::kRequired, 0, 1440)));
          interval.finish();
        }
      },
      render_first(http::status::ok, [](JsonWriter& json, const v1::Envelope& event) {
        const auto& schedule = event.schedule_set();
        json.begin_object()
            .field("staff_id", schedule.staff_id())
            .field("time_zone", schedule.time_zone());
        json.key("intervals").begin_array();
        for (const auto& interval : schedule.intervals()) {
          json.begin_object()
              .field("weekday", interval.weekday())
              .field("start_min", interval.start_min())
              .field("end_min", interval.end_min())
              .end_object();
        }
        json.end_array().end_object();
      }));
}

void add_time_off(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_add_time_off();
        out.set_staff_id(std::string(call.param("id")));
        out.set_time_off_id(in.string("time_off_id", Presence::kOptional, kIdBytesMax));
        out.set_start_ms(in.instant_ms("start", Presence::kRequired));
        out.set_end_ms(in.instant_ms("end", Presence::kRequired));
        out.set_reason(in.string("reason", Presence::kOptional, kTextBytesMax));
      },
      render_first(http::status::created, [](JsonWriter& json, const v1::Envelope& event) {
        const auto& time_off = event.time_off_added();
        json.begin_object()
            .field("time_off_id", time_off.time_off_id())
            .field("staff_id", time_off.staff_id())
            .field("start", format_rfc3339(time_off.start_ms()))
            .field("end", format_rfc3339(time_off.end_ms()))
            .field("reason", time_off.reason())
            .end_object();
      }));
}

void set_policy(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_set_policy()->mutable_policy();
        out.set_hold_ttl_s(int32_field(in, "hold_ttl_s", Presence::kRequired));
        out.set_free_cancel_window_min(
            int32_field(in, "free_cancel_window_min", Presence::kRequired));
        out.set_late_cancel_refund_pct(
            int32_field(in, "late_cancel_refund_pct", Presence::kRequired));
        out.set_no_show_grace_min(int32_field(in, "no_show_grace_min", Presence::kRequired));
        out.set_min_notice_min(int32_field(in, "min_notice_min", Presence::kRequired));
        out.set_horizon_days(int32_field(in, "horizon_days", Presence::kRequired));
        out.set_prepayment_required(in.boolean("prepayment_required", Presence::kRequired));
        out.set_slot_step_min(int32_field(in, "slot_step_min", Presence::kRequired));
      },
      render_first(http::status::ok, [](JsonWriter& json, const v1::Envelope& event) {
        write_policy(json, event.policy_set());
      }));
}

}  // namespace

void add_catalog_routes(RouteTable& table) {
  const RoleSet admin = roles({v1::ROLE_ADMIN});
  table.add({http::verb::post, "/v1/tenants", roles({v1::ROLE_PLATFORM}), register_tenant});
  table.add({http::verb::post, "/v1/sites", admin, open_site});
  table.add({http::verb::post, "/v1/services", admin, define_service});
  table.add({http::verb::post, "/v1/staff", admin, add_staff});
  table.add({http::verb::put, "/v1/staff/{id}/schedule", admin, set_schedule});
  table.add({http::verb::post, "/v1/staff/{id}/time-off", admin, add_time_off});
  table.add({http::verb::put, "/v1/policy", admin, set_policy});
}

}  // namespace turno::api
