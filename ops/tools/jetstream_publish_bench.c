/* What one JetStream stream takes from one publisher, for ops/SCALING.md: N messages of
 * SIZE bytes (about one Turno event envelope) published asynchronously with at most WINDOW
 * unacknowledged, then M published one at a time (each waits for its ack). Prints JSON.
 * Measurement tool, not part of the build:
 *   cc -O2 -o /tmp/js-bench ops/tools/jetstream_publish_bench.c -lnats
 *   /tmp/js-bench nats://127.0.0.1:4222 REPLICAS N SIZE WINDOW M */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int fail(const char* what, natsStatus status) {
  fprintf(stderr, "%s: %s\n", what, natsStatus_GetText(status));
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s URL REPLICAS N SIZE WINDOW M\n", argv[0]);
    return 2;
  }
  const int replicas = atoi(argv[2]), count = atoi(argv[3]), size = atoi(argv[4]);
  const int window = atoi(argv[5]), sync_count = atoi(argv[6]);
  natsConnection* connection = NULL;
  jsCtx* js = NULL;
  natsStatus status = natsConnection_ConnectTo(&connection, argv[1]);
  if (status != NATS_OK) return fail("connect", status);
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = window;
  if ((status = natsConnection_JetStream(&js, connection, &options)) != NATS_OK) return fail("jetstream", status);

  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {"bench.>"};
  config.Name = "OPS_BENCH";
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = replicas;
  jsErrCode error = 0;
  js_DeleteStream(js, "OPS_BENCH", NULL, &error);
  jsStreamInfo* info = NULL;
  if ((status = js_AddStream(&info, js, &config, NULL, &error)) != NATS_OK) return fail("add stream", status);
  jsStreamInfo_Destroy(info);

  char* payload = malloc((size_t)size);
  memset(payload, 'e', (size_t)size);
  double start = seconds_now();
  for (int i = 0; i < count; ++i) {
    if ((status = js_PublishAsync(js, "bench.t1.s1.SlotHeld", payload, size, NULL)) != NATS_OK) return fail("publish async", status);
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 60000;
  if ((status = js_PublishAsyncComplete(js, &wait)) != NATS_OK) return fail("publish async complete", status);
  const double async_seconds = seconds_now() - start;

  start = seconds_now();
  for (int i = 0; i < sync_count; ++i) {
    jsPubAck* ack = NULL;
    if ((status = js_Publish(&ack, js, "bench.t1.s1.SlotHeld", payload, size, NULL, &error)) != NATS_OK) return fail("publish", status);
    jsPubAck_Destroy(ack);
  }
  const double sync_seconds = seconds_now() - start;
  printf("{\"replicas\":%d,\"size_bytes\":%d,\"async_messages\":%d,\"async_window\":%d,"
         "\"async_msgs_per_s\":%.0f,\"sync_messages\":%d,\"sync_msgs_per_s\":%.0f,"
         "\"sync_mean_us\":%.0f}\n",
         replicas, size, count, window, count / async_seconds, sync_count,
         sync_count / sync_seconds, sync_seconds / sync_count * 1e6);
  js_DeleteStream(js, "OPS_BENCH", NULL, &error);
  free(payload);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  return 0;
}
