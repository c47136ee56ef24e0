// A real nats-server (Debian's, with JetStream) for tests: on a free loopback port, with its
// store in a directory the test owns; killed with SIGKILL and restarted on the same port and
// store, as a crash would. NatsCluster: three of them joined by routes (a JetStream cluster,
// streams with 3 replicas), each killed with the test even when it fails.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace turno::testing {

inline constexpr const char* kNatsServerBinary = "/usr/sbin/nats-server";
inline constexpr std::chrono::seconds kNatsStartTimeout{15};
inline constexpr int kNatsStartAttempts = 3;

class NatsServer {
 public:
  explicit NatsServer(std::string store_directory)
      : store_directory_(std::move(store_directory)), port_(free_port()) {}
  // A member of a cluster: its name, its route port and every member's route url.
  NatsServer(std::string store_directory, std::string name, int cluster_port,
             const std::string& routes)
      : NatsServer(std::move(store_directory)) {
    extra_args_ = {
        "-n",         std::move(name), "--cluster_name",
        "turno-test", "--cluster",     "nats://127.0.0.1:" + std::to_string(cluster_port),
        "--routes",   routes};
  }
  ~NatsServer() { kill(); }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  static bool available() { return std::filesystem::exists(kNatsServerBinary); }

  // Starts the server and waits until it accepts connections; false if it does not. The port
  // is picked before the server binds it, so another process may take it meanwhile: a server
  // that exits before accepting is started again on a fresh port, unless it has run before
  // (a restart keeps its port, as clients and routes know it). On failure its log is printed.
  bool start() {
    for (int attempt = 0; attempt < kNatsStartAttempts; ++attempt) {
      if (attempt > 0) {
        if (ever_started_) break;
        port_ = free_port();
      }
      if (launch_and_wait()) {
        ever_started_ = true;
        return true;
      }
    }
    print_log();
    return false;
  }

  // SIGKILL, as a crash: no shutdown, no flush.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  bool running() const { return pid_ > 0; }

  // A loopback port free now (the kernel's pick; another process could take it before use).
  static int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
  }

 private:
  // One launch: true once the server accepts; false (and reaped) if it exits or times out.
  bool launch_and_wait() {
    const std::string port = std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a test that crashed
      std::vector<std::string> args = {
          kNatsServerBinary, "-js", "-a",      "127.0.0.1", "-p", port, "-sd",
          store_directory_,  "-l",  log_file()};
      args.insert(args.end(), extra_args_.begin(), extra_args_.end());
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(kNatsServerBinary, argv.data());
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + kNatsStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (accepts()) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was taken, or worse
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
    return false;
  }

  std::string log_file() const { return store_directory_ + ".log"; }

  void print_log() const {
    std::ifstream in(log_file());
    std::fprintf(stderr, "nats-server on port %d did not start; its log (%s):\n%s\n", port_,
                 log_file().c_str(), std::string(std::istreambuf_iterator<char>(in), {}).c_str());
  }

  bool accepts() const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return connected;
  }

  std::string store_directory_;
  int port_;
  pid_t pid_ = -1;
  bool ever_started_ = false;
  std::vector<std::string> extra_args_;
};

// Three JetStream servers on loopback joined by routes, stores under `directory`.
class NatsCluster {
 public:
  static constexpr int kSize = 3;

  explicit NatsCluster(const std::string& directory) {
    int cluster_ports[kSize];
    std::string routes;
    for (int i = 0; i < kSize; ++i) {
      cluster_ports[i] = NatsServer::free_port();
      routes +=
          (i ? "," : "") + std::string("nats://127.0.0.1:") + std::to_string(cluster_ports[i]);
    }
    for (int i = 0; i < kSize; ++i) {
      servers_.push_back(std::make_unique<NatsServer>(directory + "/nats" + std::to_string(i),
                                                      "n" + std::to_string(i), cluster_ports[i],
                                                      routes));
    }
  }

  // Starts every member; false when one does not accept connections in time.
  bool start() {
    for (auto& server : servers_) {
      if (!server->start()) return false;
    }
    return true;
  }
  NatsServer& server(int i) { return *servers_[static_cast<std::size_t>(i)]; }
  // Every member's client url, comma-separated (NATS clients take the list and fail over).
  std::string urls() const {
    std::string out;
    for (const auto& server : servers_) out += (out.empty() ? "" : ",") + server->url();
    return out;
  }

 private:
  std::vector<std::unique_ptr<NatsServer>> servers_;
};

}  // namespace turno::testing
