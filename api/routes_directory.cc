// Directory routes: what a booking app lists and the admin keeps current. A staff member edits
// their own profile (admins anyone's); sites and services are updated or retired, staff
// members depart. Retired things take no new bookings; existing ones are untouched.
#include "command_call.h"
#include "json_writer.h"
#include "route_groups.h"
#include "staff_lookup.h"

namespace turno::api {
namespace {

// Answers with the id the path names and what the engine recorded: {"<id_name>": ..., "changed":
// true} (false when the command changed nothing).
Render render_changed(Call& call, std::string_view id_name) {
  return [id = std::string(call.param("id")), id_name](const CommandResult& result) {
    JsonWriter json;
    json.begin_object().field(id_name, id).field("changed", !result.events.empty()).end_object();
    return json_response(http::status::ok, json.take());
  };
}

void update_profile(Call& call) {
  // The engine refuses a staff member another's profile (403) before it looks the id up; an id
  // the tenant does not have is 404 whoever asks, as for any other tenant's id. While the view
  // catches up, a refusal either way: 404 then, for a colleague added a moment ago too.
  const Principal& caller = call.who();
  const std::string_view id = call.param("id");
  if (caller.role == v1::ROLE_STAFF && caller.staff != id) {
    const StaffExistence existence = staff_existence(call, id);
    if (existence == StaffExistence::kAbsent || existence == StaffExistence::kCatchingUp) {
      return call.respond(unknown_staff(id));
    }
  }
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_update_staff_profile();
        out.set_staff_id(std::string(call.param("id")));
        out.set_specialty(in.string("specialty", Presence::kOptional, kNameBytesMax));
        out.set_bio(in.string("bio", Presence::kOptional, kBioBytesMax));
        out.set_photo_url(in.string("photo_url", Presence::kOptional, kUrlBytesMax));
        for (std::string& tag :
             in.strings("languages", Presence::kOptional, kLanguagesMax, kLanguageTagBytesMax)) {
          out.add_languages(std::move(tag));
        }
      },
      render_changed(call, "staff_id"));
}

void update_site(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_update_site();
        out.set_site_id(std::string(call.param("id")));
        out.set_name(in.string("name", Presence::kRequired, kNameBytesMax));
        out.set_address(in.string("address", Presence::kOptional, kTextBytesMax));
      },
      render_changed(call, "site_id"));
}

void update_service(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_update_service();
        out.set_service_id(std::string(call.param("id")));
        out.set_name(in.string("name", Presence::kRequired, kNameBytesMax));
        out.set_duration_min(static_cast<std::int32_t>(
            in.integer("duration_min", Presence::kRequired, 0, kInt32Max)));
        out.set_price_minor(in.integer("price_minor", Presence::kRequired, 0, kInt64Max));
        out.set_required_skill(in.string("required_skill", Presence::kOptional, kIdBytesMax));
        out.set_buffer_before_min(static_cast<std::int32_t>(
            in.integer("buffer_before_min", Presence::kOptional, 0, kInt32Max)));
        out.set_buffer_after_min(static_cast<std::int32_t>(
            in.integer("buffer_after_min", Presence::kOptional, 0, kInt32Max)));
        out.set_follow_up_days(static_cast<std::int32_t>(
            in.integer("follow_up_days", Presence::kOptional, 0, kInt32Max)));
      },
      render_changed(call, "service_id"));
}

// Retire / depart: the body is empty, the command names only the path's id.
template <auto Mutable>
void retire(Call& call, std::string_view id_name) {
  run_command(
      call,
      [&](JsonObject&, v1::Command& command) {
        auto* out = (command.*Mutable)();
        if constexpr (requires { out->set_site_id(""); })
          out->set_site_id(std::string(call.param("id")));
        if constexpr (requires { out->set_service_id(""); })
          out->set_service_id(std::string(call.param("id")));
        if constexpr (requires { out->set_staff_id(""); })
          out->set_staff_id(std::string(call.param("id")));
      },
      render_changed(call, id_name), true);
}

void retire_site(Call& call) {
  retire<&v1::Command::mutable_retire_site>(call, "site_id");
}
void retire_service(Call& call) {
  retire<&v1::Command::mutable_retire_service>(call, "service_id");
}
void remove_staff(Call& call) {
  retire<&v1::Command::mutable_remove_staff>(call, "staff_id");
}

}  // namespace

void add_directory_routes(RouteTable& table) {
  const RoleSet admin = roles({v1::ROLE_ADMIN});
  table.add({http::verb::put, "/v1/staff/{id}/profile", roles({v1::ROLE_STAFF, v1::ROLE_ADMIN}),
             update_profile});
  table.add({http::verb::put, "/v1/sites/{id}", admin, update_site});
  table.add({http::verb::post, "/v1/sites/{id}/retire", admin, retire_site});
  table.add({http::verb::put, "/v1/services/{id}", admin, update_service});
  table.add({http::verb::post, "/v1/services/{id}/retire", admin, retire_service});
  table.add({http::verb::post, "/v1/staff/{id}/depart", admin, remove_staff});
}

}  // namespace turno::api
