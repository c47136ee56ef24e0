// Directory commands: staff profiles, site and service updates, retirement and departure.
#include <algorithm>
#include <set>

#include "decide_support.h"

namespace turno::decide_detail {
namespace {

bool valid_language_tag(std::string_view tag) {
  return !tag.empty() && tag.size() <= kLanguageTagBytesMax &&
         std::all_of(tag.begin(), tag.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-';
         });
}

std::optional<Rejection> check_photo_url(std::string_view url) {
  if (url.empty()) return std::nullopt;
  if (auto too_long = check_text("photo_url", url, kUrlBytesMax, false)) return too_long;
  const bool web = url.starts_with("https://") || url.starts_with("http://");
  const bool printable = std::all_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (web && printable) return std::nullopt;
  return Rejection{RejectionCode::kValidation, "photo_url",
                   "photo_url must be an http(s) URL without spaces"};
}

Decision update_profile(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context) {
  const v1::UpdateStaffProfile& body = command.update_staff_profile();
  const v1::Actor& actor = command.actor();
  TURNO_REJECT_IF(check_id("staff_id", body.staff_id(), true));
  // Not found before forbidden: another tenant's staff member is not there for this tenant
  // (404), whoever asks; the directory of one's own tenant is public, so this reveals nothing.
  const Staff* staff = tenant.find_staff(body.staff_id());
  if (staff == nullptr) {
    return reject(RejectionCode::kUnknownId, "staff_id", "no staff member " + body.staff_id());
  }
  const bool own = actor.role() == v1::ROLE_STAFF && actor.staff_id() == body.staff_id();
  if (!own && !role_in(actor, {v1::ROLE_ADMIN, v1::ROLE_PLATFORM})) return forbidden(actor);
  TURNO_REJECT_IF(check_text("specialty", body.specialty(), kNameBytesMax, false));
  TURNO_REJECT_IF(check_text("bio", body.bio(), kBioBytesMax, false));
  TURNO_REJECT_IF(check_photo_url(body.photo_url()));
  if (static_cast<std::size_t>(body.languages_size()) > kLanguagesMax) {
    return reject(RejectionCode::kValidation, "languages", "at most 10 languages");
  }
  for (const std::string& language : body.languages()) {
    if (!valid_language_tag(language)) {
      return reject(RejectionCode::kValidation, "languages",
                    "languages must be BCP 47 tags such as es or pt-BR");
    }
  }
  Emitter out(command, context);
  auto& event =
      *out.emit(entity_stream(tenant.id, "staff", staff->id), staff->stream_version, staff->site_id)
           .mutable_staff_profile_updated();
  event.set_staff_id(staff->id);
  event.set_specialty(body.specialty());
  event.set_bio(body.bio());
  event.set_photo_url(body.photo_url());
  const std::set<std::string> languages(body.languages().begin(), body.languages().end());
  for (const std::string& language : languages) event.add_languages(language);
  return out.done();
}

Decision update_site(const Tenant& tenant, const v1::Command& command,
                     const DecideContext& context) {
  const v1::UpdateSite& body = command.update_site();
  TURNO_REJECT_IF(check_id("site_id", body.site_id(), true));
  TURNO_REJECT_IF(check_text("name", body.name(), kNameBytesMax, true));
  TURNO_REJECT_IF(check_text("address", body.address(), kTextBytesMax, false));
  const Site* site = tenant.find_site(body.site_id());
  if (site == nullptr) {
    return reject(RejectionCode::kUnknownId, "site_id", "no site " + body.site_id());
  }
  Emitter out(command, context);
  auto& event =
      *out.emit(entity_stream(tenant.id, "site", site->id), site->stream_version, site->id)
           .mutable_site_updated();
  event.set_site_id(site->id);
  event.set_name(body.name());
  event.set_address(body.address());
  return out.done();
}

Decision update_service(const Tenant& tenant, const v1::Command& command,
                        const DecideContext& context) {
  const v1::UpdateService& body = command.update_service();
  TURNO_REJECT_IF(check_id("service_id", body.service_id(), true));
  TURNO_REJECT_IF(check_text("name", body.name(), kNameBytesMax, true));
  TURNO_REJECT_IF(check_range("duration_min", body.duration_min(), 1, kDurationMinMax));
  TURNO_REJECT_IF(check_range("price_minor", body.price_minor(), 0, kPriceMinorMax));
  TURNO_REJECT_IF(check_id("required_skill", body.required_skill(), false));
  TURNO_REJECT_IF(check_range("buffer_before_min", body.buffer_before_min(), 0, kBufferMinMax));
  TURNO_REJECT_IF(check_range("buffer_after_min", body.buffer_after_min(), 0, kBufferMinMax));
  TURNO_REJECT_IF(check_range("follow_up_days", body.follow_up_days(), 0, 3 * 366));
  const Service* service = tenant.find_service(body.service_id());
  if (service == nullptr) {
    return reject(RejectionCode::kUnknownId, "service_id", "no service " + body.service_id());
  }
  if (service->retired) {
    return reject(RejectionCode::kRetired, "service_id", "service " + service->id + " is retired");
  }
  Emitter out(command, context);
  auto& event =
      *out.emit(entity_stream(tenant.id, "service", service->id), service->stream_version, "")
           .mutable_service_updated();
  event.set_service_id(service->id);
  event.set_name(body.name());
  event.set_duration_min(body.duration_min());
  event.set_price_minor(body.price_minor());
  event.set_currency(tenant.currency);
  event.set_required_skill(body.required_skill());
  event.set_buffer_before_min(body.buffer_before_min());
  event.set_buffer_after_min(body.buffer_after_min());
  event.set_follow_up_days(body.follow_up_days());
  return out.done();
}

template <typename Entity>
Decision already_retired(const Entity& entity, std::string_view field, std::string_view what) {
  return reject(RejectionCode::kRetired, std::string(field),
                std::string(what) + " " + entity.id + " is already retired");
}

Decision retire(const Tenant& tenant, const v1::Command& command, const DecideContext& context) {
  Emitter out(command, context);
  switch (command.kind_case()) {
    case v1::Command::kRetireSite: {
      const std::string& id = command.retire_site().site_id();
      TURNO_REJECT_IF(check_id("site_id", id, true));
      const Site* site = tenant.find_site(id);
      if (site == nullptr) return reject(RejectionCode::kUnknownId, "site_id", "no site " + id);
      if (site->retired) return already_retired(*site, "site_id", "site");
      out.emit(entity_stream(tenant.id, "site", id), site->stream_version, id)
          .mutable_site_retired()
          ->set_site_id(id);
      break;
    }
    case v1::Command::kRetireService: {
      const std::string& id = command.retire_service().service_id();
      TURNO_REJECT_IF(check_id("service_id", id, true));
      const Service* service = tenant.find_service(id);
      if (service == nullptr) {
        return reject(RejectionCode::kUnknownId, "service_id", "no service " + id);
      }
      if (service->retired) return already_retired(*service, "service_id", "service");
      out.emit(entity_stream(tenant.id, "service", id), service->stream_version, "")
          .mutable_service_retired()
          ->set_service_id(id);
      break;
    }
    default: {
      const std::string& id = command.remove_staff().staff_id();
      TURNO_REJECT_IF(check_id("staff_id", id, true));
      const Staff* staff = tenant.find_staff(id);
      if (staff == nullptr) {
        return reject(RejectionCode::kUnknownId, "staff_id", "no staff member " + id);
      }
      if (staff->departed) return already_retired(*staff, "staff_id", "staff member");
      out.emit(entity_stream(tenant.id, "staff", id), staff->stream_version, staff->site_id)
          .mutable_staff_departed()
          ->set_staff_id(id);
      break;
    }
  }
  return out.done();
}

}  // namespace

Decision decide_directory(const Tenant& tenant, const v1::Command& command,
                          const DecideContext& context) {
  if (command.kind_case() == v1::Command::kUpdateStaffProfile) {
    return update_profile(tenant, command, context);
  }
  if (!role_in(command.actor(), {v1::ROLE_ADMIN, v1::ROLE_PLATFORM})) {
    return forbidden(command.actor());
  }
  switch (command.kind_case()) {
    case v1::Command::kUpdateSite:
      return update_site(tenant, command, context);
    case v1::Command::kUpdateService:
      return update_service(tenant, command, context);
    case v1::Command::kRetireSite:
    case v1::Command::kRetireService:
    case v1::Command::kRemoveStaff:
      return retire(tenant, command, context);
    default:
      break;
  }
  VERIFY(false, "decide_directory handles directory commands only");
}

}  // namespace turno::decide_detail
