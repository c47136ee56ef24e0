#include "nats_client.h"

#include <algorithm>
#include <string>
#include <vector>

#include "nats_format.h"

namespace turno::projections {
namespace {
void on_connected_later(natsConnection*, void*) {}
}  // namespace

Status nats_status(natsStatus status, std::string_view what) {
  if (status == NATS_OK) return Status::ok();
  std::string message = std::string(what) + ": " + natsStatus_GetText(status);
  natsStatus last = NATS_OK;
  if (const char* detail = nats_GetLastError(&last); detail != nullptr && *detail != '\0') {
    message += std::string(" (") + detail + ")";
  }
  if (status == NATS_TIMEOUT) return Status::busy(std::move(message));
  return Status::io_error(std::move(message));
}

Result<NatsConnection> nats_connect(const NatsConnectOptions& options) {
  natsOptions* raw = nullptr;
  natsStatus status = natsOptions_Create(&raw);
  if (status != NATS_OK) return nats_status(status, "nats: options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> nats_options(raw, natsOptions_Destroy);
  // "nats://a:4222,nats://b:4222": natsOptions_SetURL takes one url, SetServers the list.
  std::vector<std::string> urls;
  for (std::size_t start = 0; start <= options.url.size();) {
    const std::size_t comma = std::min(options.url.find(',', start), options.url.size());
    if (comma > start) urls.push_back(options.url.substr(start, comma - start));
    start = comma + 1;
  }
  std::vector<const char*> servers;
  for (const std::string& url : urls) servers.push_back(url.c_str());
  status = servers.size() <= 1
               ? natsOptions_SetURL(raw, options.url.c_str())
               : natsOptions_SetServers(raw, servers.data(), static_cast<int>(servers.size()));
  if (status == NATS_OK) status = natsOptions_SetName(raw, options.name.c_str());
  if (status == NATS_OK) status = natsOptions_SetTimeout(raw, options.connect_timeout.count());
  if (status == NATS_OK) {
    status = natsOptions_SetAllowReconnect(raw, options.reconnect == Reconnect::kAlways);
  }
  if (status == NATS_OK && options.global_delivery) {
    status = natsOptions_UseGlobalMessageDelivery(raw, true);
  }
  if (status == NATS_OK && options.reconnect == Reconnect::kAlways) {
    status = natsOptions_SetMaxReconnect(raw, -1);
    if (status == NATS_OK) {
      status = natsOptions_SetReconnectWait(raw, options.reconnect_wait.count());
    }
    // Not there yet is fine too: the library keeps trying in the background.
    if (status == NATS_OK) {
      status = natsOptions_SetRetryOnFailedConnect(raw, true, on_connected_later, nullptr);
    }
  }
  if (status != NATS_OK) return nats_status(status, "nats: options");
  natsConnection* connection = nullptr;
  status = natsConnection_Connect(&connection, raw);
  if (status == NATS_NOT_YET_CONNECTED && options.reconnect == Reconnect::kAlways) {
    return NatsConnection(connection);
  }
  if (status != NATS_OK) return nats_status(status, "nats: connect to " + options.url);
  return NatsConnection(connection);
}

Result<JetStream> jetstream(natsConnection* connection, jsOptions* options) {
  jsCtx* js = nullptr;
  const natsStatus status = natsConnection_JetStream(&js, connection, options);
  if (status != NATS_OK) return nats_status(status, "nats: jetstream context");
  return JetStream(js);
}

Status ensure_event_stream(jsCtx* js, int replicas) {
  const std::string name(nats_format::kStream);
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus status = js_GetStreamInfo(&info, js, name.c_str(), nullptr, &error);
  if (status == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::ok();
  }
  if (status != NATS_NOT_FOUND) return nats_status(status, "nats: stream info");
  const std::string subjects(nats_format::kEventSubjects);
  const char* subject_list[] = {subjects.c_str()};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name.c_str();
  config.Subjects = subject_list;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = replicas;
  config.Duplicates = nats_format::kDuplicateWindowMs * 1'000'000;  // nanoseconds
  status = js_AddStream(&info, js, &config, nullptr, &error);
  if (status == NATS_OK) jsStreamInfo_Destroy(info);
  // Another node may have created it meanwhile: that is fine too.
  if (status != NATS_OK && js_GetStreamInfo(&info, js, name.c_str(), nullptr, &error) == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::ok();
  }
  return nats_status(status, "nats: create stream " + name);
}

std::string_view header_of(natsMsg* msg, const char* header) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg, header, &value) != NATS_OK || value == nullptr) return {};
  return value;
}

}  // namespace turno::projections
