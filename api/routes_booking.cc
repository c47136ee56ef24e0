// Booking routes: hold a slot, turn it into a booking awaiting payment, read it, and its
// lifecycle (cancel, reschedule, refund, confirm, check in, complete, no-show, desk payment).
// Every answer is the booking as it stood after the command's last event, as the writer returns
// it, so a replayed Idempotency-Key gets the same body.
#include "booking_view.h"
#include "command_call.h"
#include "event_kinds.h"
#include "route_groups.h"
#include "sandbox.h"
#include "shard_routing.h"

namespace turno::api {
namespace {

Response storage_problem(const Status& status) {
  return problem_response(make_problem(http::status::service_unavailable, "storage_failed",
                                       "the log could not be read: " + status.message()));
}

// The booking after the command, as the writer returned it (CommandResult::booking): rendered
// without reading the log, so a command's answer never reads RocksDB on an I/O thread, and a
// replayed Idempotency-Key gets the first answer's body. Decided by another shard
// (shard_routing.h): its reply carries the stream before the events, folded here.
Response booking_response(const CommandResult& result, std::string booking_id,
                          http::status status) {
  if (!result.events.empty()) booking_id = std::string(booking_id_of(result.events.front()));
  std::optional<BookingState> booking = result.booking;
  if (!booking && result.stream_before) {
    Result<std::optional<BookingState>> folded = fold_booking(*result.stream_before, result.events);
    if (!folded.is_ok()) return storage_problem(folded.status());
    booking = std::move(folded).value();
  }
  if (!booking) {
    return problem_response(make_problem(http::status::not_found, "unknown_id",
                                         "no booking " + booking_id, "booking_id"));
  }
  JsonWriter json;
  write_booking(json, *booking);
  return json_response(status, json.take());
}

Render render_booking(Call& call, http::status status = http::status::ok) {
  return [booking_id = std::string(call.param("id")), status](const CommandResult& result) {
    return booking_response(result, booking_id, status);
  };
}

void hold_slot(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_hold_slot();
        out.set_booking_id(in.string("booking_id", Presence::kOptional, kIdBytesMax));
        out.set_site_id(in.string("site_id", Presence::kRequired, kIdBytesMax));
        out.set_service_id(in.string("service_id", Presence::kRequired, kIdBytesMax));
        out.set_staff_id(in.string("staff_id", Presence::kOptional, kIdBytesMax));
        out.set_client_id(in.string("client_id", Presence::kOptional, kSubjectBytesMax));
        out.set_patient(in.string("patient", Presence::kOptional, kNameBytesMax));
        out.set_start_ms(in.instant_ms("start", Presence::kRequired));
      },
      render_booking(call, http::status::created));
}

void request_payment(Call& call) {
  Render render = [&api = call.api, tenant = call.who().tenant](const CommandResult& result) {
    for (const v1::Envelope& event : result.events) {
      if (event.has_payment_requested()) api.sandbox().remember(tenant, event.payment_requested());
    }
    return booking_response(result, {}, http::status::created);
  };
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_request_payment();
        out.set_booking_id(in.string("booking_id", Presence::kRequired, kIdBytesMax));
        out.set_provider(in.string("provider", Presence::kOptional, kIdBytesMax));
      },
      std::move(render));
}

void get_booking(Call& call) {
  const Principal& who = call.who();
  const std::string booking_id(call.param("id"));
  if (answer_if_not_owned(call, who.tenant)) return;
  auto view = read_booking(call.api.engine().log(), who.tenant, booking_id);
  if (!view.is_ok()) return call.respond(storage_problem(view.status()));
  if (!view.value() || !visible_to(*view.value(), who)) {
    return call.respond(make_problem(http::status::not_found, "unknown_id",
                                     "no booking " + booking_id, "booking_id"));
  }
  JsonWriter json;
  write_booking(json, *view.value());
  call.respond(json_response(http::status::ok, json.take()));
}

void cancel(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_cancel_booking();
        out.set_booking_id(std::string(call.param("id")));
        out.set_reason(in.string("reason", Presence::kOptional, kTextBytesMax));
      },
      render_booking(call), true);
}

void reschedule(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_reschedule_booking();
        out.set_booking_id(std::string(call.param("id")));
        out.set_start_ms(in.instant_ms("start", Presence::kRequired));
        out.set_staff_id(in.string("staff_id", Presence::kOptional, kIdBytesMax));
      },
      render_booking(call));
}

void refund(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_issue_refund();
        out.set_booking_id(std::string(call.param("id")));
        out.set_amount_minor(in.integer("amount_minor", Presence::kOptional, 0, kInt64Max));
        out.set_note(in.string("note", Presence::kOptional, kTextBytesMax));
        out.set_refund_id(in.string("refund_id", Presence::kOptional, kIdBytesMax));
      },
      render_booking(call), true);
}

void desk_payment(Call& call) {
  run_command(
      call,
      [&](JsonObject& in, v1::Command& command) {
        auto& out = *command.mutable_record_desk_payment();
        out.set_booking_id(std::string(call.param("id")));
        out.set_amount_minor(in.integer("amount_minor", Presence::kRequired, 0, kInt64Max));
        out.set_receipt_id(in.string("receipt_id", Presence::kOptional, kIdBytesMax));
      },
      render_booking(call));
}

// Steps whose body is empty: the command names only the booking.
template <auto Mutable>
void step(Call& call) {
  run_command(
      call,
      [&](JsonObject&, v1::Command& command) {
        (command.*Mutable)()->set_booking_id(std::string(call.param("id")));
      },
      render_booking(call), true);
}

}  // namespace

void add_booking_routes(RouteTable& table) {
  const RoleSet booking_roles = roles({v1::ROLE_CLIENT, v1::ROLE_STAFF, v1::ROLE_ADMIN});
  const RoleSet desk_roles = roles({v1::ROLE_STAFF, v1::ROLE_ADMIN});
  using C = v1::Command;
  table.add({http::verb::post, "/v1/holds", booking_roles, hold_slot});
  table.add({http::verb::post, "/v1/bookings", booking_roles, request_payment});
  table.add({http::verb::get, "/v1/bookings/{id}", booking_roles, get_booking});
  table.add({http::verb::post, "/v1/bookings/{id}/cancel", booking_roles, cancel});
  table.add({http::verb::post, "/v1/bookings/{id}/reschedule", booking_roles, reschedule});
  table.add({http::verb::post, "/v1/bookings/{id}/refund", roles({v1::ROLE_ADMIN}), refund});
  table.add({http::verb::post, "/v1/bookings/{id}/confirm", desk_roles,
             step<&C::mutable_confirm_booking>});
  table.add(
      {http::verb::post, "/v1/bookings/{id}/check-in", desk_roles, step<&C::mutable_check_in>});
  table.add({http::verb::post, "/v1/bookings/{id}/complete", desk_roles,
             step<&C::mutable_complete_booking>});
  table.add(
      {http::verb::post, "/v1/bookings/{id}/no-show", desk_roles, step<&C::mutable_mark_no_show>});
  table.add({http::verb::post, "/v1/bookings/{id}/desk-payment", desk_roles, desk_payment});
}

}  // namespace turno::api
