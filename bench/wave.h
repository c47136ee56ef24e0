// Commands submitted to the writer together, answered together: how the benchmark workloads
// (history_workload.h, network_workload.h) write their histories in group commits.
#pragma once

#include <latch>
#include <mutex>
#include <string>
#include <vector>

#include "commands.pb.h"
#include "status.h"
#include "writer.h"

namespace turno::bench {

// A command of `tenant` with key `id`, from an actor of `role`.
inline v1::Command shell(const std::string& tenant, const std::string& id, v1::Role role,
                         const std::string& actor_id) {
  v1::Command out;
  out.set_tenant_id(tenant);
  out.set_command_id(id);
  out.mutable_actor()->set_id(actor_id);
  out.mutable_actor()->set_role(role);
  return out;
}

// Submits commands together and waits for all the answers; remembers the first refusal.
class Wave {
 public:
  explicit Wave(Writer& writer) : writer_(writer) {}

  void add(v1::Command command) { commands_.push_back(std::move(command)); }

  Status run() {
    std::latch done(static_cast<std::ptrdiff_t>(commands_.size()));
    for (v1::Command& command : commands_) {
      const std::string id = command.command_id();
      writer_.submit(std::move(command), [this, &done, id](CommandResult&& result) {
        if (!result.accepted()) note_refusal(id, result.rejection->detail);
        done.count_down();
      });
    }
    done.wait();
    commands_.clear();
    std::lock_guard lock(mutex_);
    return refusal_.empty() ? Status::ok() : Status::invalid_argument(refusal_);
  }

 private:
  void note_refusal(const std::string& id, const std::string& detail) {
    std::lock_guard lock(mutex_);
    if (refusal_.empty()) refusal_ = "workload: " + id + " refused: " + detail;
  }

  Writer& writer_;
  std::vector<v1::Command> commands_;
  std::mutex mutex_;
  std::string refusal_;
};

}  // namespace turno::bench
