#include "decide.h"

#include "decide_support.h"

namespace turno {

using namespace decide_detail;

Decision decide(const Model& model, const v1::Command& command, const DecideContext& context) {
  TURNO_REJECT_IF(check_id("tenant_id", command.tenant_id(), true));
  TURNO_REJECT_IF(check_text("command_id", command.command_id(), kCommandIdBytesMax, true));
  TURNO_REJECT_IF(check_text("actor.id", command.actor().id(), kSubjectBytesMax, true));
  switch (command.kind_case()) {
    case v1::Command::kRegisterTenant:
    case v1::Command::kOpenSite:
    case v1::Command::kDefineService:
    case v1::Command::kAddStaff:
    case v1::Command::kSetSchedule:
    case v1::Command::kAddTimeOff:
    case v1::Command::kSetPolicy:
    case v1::Command::kUpdateStaffProfile:
    case v1::Command::kUpdateSite:
    case v1::Command::kRetireSite:
    case v1::Command::kUpdateService:
    case v1::Command::kRetireService:
    case v1::Command::kRemoveStaff:
      return decide_catalog(model, command, context);
    case v1::Command::KIND_NOT_SET:
      return reject(RejectionCode::kValidation, "kind", "the command names no action");
    default:
      break;
  }
  const Tenant* tenant = model.find_tenant(command.tenant_id());
  if (tenant == nullptr) {
    return reject(RejectionCode::kUnknownId, "tenant_id", "no tenant " + command.tenant_id());
  }
  switch (command.kind_case()) {
    case v1::Command::kRequestPayment:
    case v1::Command::kRecordPaymentSucceeded:
    case v1::Command::kRecordPaymentFailed:
    case v1::Command::kRecordDeskPayment:
    case v1::Command::kIssueRefund:
      return decide_payment(*tenant, command, context);
    default:
      return decide_booking(*tenant, command, context);
  }
}

}  // namespace turno
