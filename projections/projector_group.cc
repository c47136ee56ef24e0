#include "projector_group.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>

namespace turno::projections {
namespace {

void merge(OfferResult& all, const OfferResult& one) {
  all.applied = std::min(all.applied, one.applied);
  all.applied_count = std::max(all.applied_count, one.applied_count);
  all.gap = all.gap || one.gap;
}

}  // namespace

ProjectorGroup::ProjectorGroup(std::vector<std::unique_ptr<Projector>> projectors)
    : projectors_(std::move(projectors)) {
  for (const auto& projector : projectors_) {
    if (SharedFold::shares(*projector->view_)) sharing_.push_back(projector.get());
  }
}

Seq ProjectorGroup::min_applied() const {
  Seq lowest{UINT64_MAX};
  for (const auto& projector : projectors_) lowest = std::min(lowest, projector->applied_seq());
  return projectors_.empty() ? Seq{} : lowest;
}

OfferResult ProjectorGroup::offer(std::span<const v1::Envelope> events) {
  share_when_aligned();
  OfferResult all{Seq{UINT64_MAX}, 0, false};
  for (const auto& projector : projectors_) {
    const bool shared = shared_ != nullptr && std::find(sharing_.begin(), sharing_.end(),
                                                        projector.get()) != sharing_.end();
    if (!shared) merge(all, projector->offer(events));
  }
  if (shared_ != nullptr) merge(all, offer_shared(events));
  if (projectors_.empty()) all.applied = Seq{};
  return all;
}

void ProjectorGroup::share_when_aligned() {
  if (shared_ != nullptr || sharing_.size() < 2) return;
  const Seq seq = sharing_.front()->applied_seq();
  for (Projector* projector : sharing_) {
    if (projector->applied_seq() != seq) return;  // still catching up, one by one
  }
  std::vector<std::unique_lock<std::shared_mutex>> locks;
  std::vector<View*> views;
  for (Projector* projector : sharing_) {
    locks.emplace_back(projector->mutex_);
    views.push_back(projector->view_.get());
  }
  // They folded the same events: the first one's catalog and table become everyone's.
  shared_ = std::make_unique<SharedFold>(views);
}

OfferResult ProjectorGroup::offer_shared(std::span<const v1::Envelope> events) {
  OfferResult result;
  std::vector<std::unique_lock<std::shared_mutex>> locks;
  for (Projector* projector : sharing_) locks.emplace_back(projector->mutex_);
  Seq applied = sharing_.front()->view_->applied_seq();
  for (const v1::Envelope& event : events) {
    if (event.seq() <= applied.value) continue;  // already folded in
    if (event.seq() != applied.value + 1) {
      result.gap = true;
      break;
    }
    shared_->apply(event);
    applied = Seq{event.seq()};
    ++result.applied_count;
  }
  result.applied = applied;
  locks.clear();
  for (Projector* projector : sharing_) projector->note_applied(result.applied_count);
  return result;
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
