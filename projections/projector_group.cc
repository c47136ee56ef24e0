#include "projector_group.h"

#include <algorithm>

namespace turno::projections {

ProjectorGroup::ProjectorGroup(std::vector<std::unique_ptr<Projector>> projectors)
    : projectors_(std::move(projectors)) {}

Seq ProjectorGroup::min_applied() const {
  Seq lowest{UINT64_MAX};
  for (const auto& projector : projectors_) lowest = std::min(lowest, projector->applied_seq());
  return projectors_.empty() ? Seq{} : lowest;
}

OfferResult ProjectorGroup::offer(std::span<const v1::Envelope> events) {
  OfferResult all{Seq{UINT64_MAX}, 0, false};
  for (const auto& projector : projectors_) {
    const OfferResult one = projector->offer(events);
    all.applied = std::min(all.applied, one.applied);
    all.applied_count = std::max(all.applied_count, one.applied_count);
    all.gap = all.gap || one.gap;
  }
  if (projectors_.empty()) all.applied = Seq{};
  return all;
}

void ProjectorGroup::observe_head(Seq head) {
  const std::int64_t now_ms = steady_now_ms();
  for (const auto& projector : projectors_) projector->observe_head(head, now_ms);
}

Status ProjectorGroup::checkpoint(bool quiet, bool force) {
  Status first_error;
  for (const auto& projector : projectors_) {
    Status status = projector->checkpoint(quiet, force);
    if (!status.is_ok() && first_error.is_ok()) first_error = std::move(status);
  }
  return first_error;
}

const Projector* ProjectorGroup::find(std::string_view name) const {
  for (const auto& projector : projectors_) {
    if (projector->name() == name) return projector.get();
  }
  return nullptr;
}

}  // namespace turno::projections
