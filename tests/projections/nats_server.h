// A real nats-server (Debian's, with JetStream) for tests: on a free loopback port, with its
// store in a directory the test owns; killed with SIGKILL and restarted on the same port and
// store, as a crash would.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace turno::testing {

inline constexpr const char* kNatsServerBinary = "/usr/sbin/nats-server";
inline constexpr std::chrono::seconds kNatsStartTimeout{15};

class NatsServer {
 public:
  explicit NatsServer(std::string store_directory)
      : store_directory_(std::move(store_directory)), port_(free_port()) {}
  ~NatsServer() { kill(); }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  static bool available() { return std::filesystem::exists(kNatsServerBinary); }

  // Starts the server and waits until it accepts connections; false if it does not.
  bool start() {
    const std::string port = std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a test that crashed
      const std::string log_file = store_directory_ + ".log";
      execl(kNatsServerBinary, kNatsServerBinary, "-js", "-a", "127.0.0.1", "-p", port.c_str(),
            "-sd", store_directory_.c_str(), "-l", log_file.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + kNatsStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (accepts()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
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

 private:
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

  bool accepts() const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    const bool connected =
        connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return connected;
  }

  std::string store_directory_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace turno::testing
