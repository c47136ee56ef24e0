// A tiny HTTP/1.1 server on a loopback port for the webhook tests: it records each request
// (headers and body) and answers with the next status of its script (then 200). One
// connection at a time, closed after each answer; every wait is bounded.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace turno::testing {

class WebhookReceiver {
 public:
  static constexpr int kPollMs = 50;
  static constexpr std::size_t kRequestBytesMax = 1 << 20;

  struct Received {
    std::map<std::string, std::string> headers;  // names lower-case
    std::string body;
  };

  explicit WebhookReceiver(std::deque<int> statuses = {}) : statuses_(std::move(statuses)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(listener_, 16);
    thread_ = std::thread([this] { run(); });
  }
  ~WebhookReceiver() {
    stopping_.store(true);
    thread_.join();
    ::close(listener_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks"; }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  void run() {
    while (!stopping_.load()) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, kPollMs) <= 0) continue;
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      serve(connection);
      ::close(connection);
    }
  }

  void serve(int connection) {
    std::string bytes;
    std::size_t header_end = std::string::npos;
    std::size_t body_length = 0;
    char buffer[4096];
    while (bytes.size() < kRequestBytesMax) {
      if (header_end != std::string::npos && bytes.size() >= header_end + 4 + body_length) break;
      pollfd ready{connection, POLLIN, 0};
      if (::poll(&ready, 1, 5000) <= 0) return;
      const ssize_t got = ::read(connection, buffer, sizeof buffer);
      if (got <= 0) return;
      bytes.append(buffer, static_cast<std::size_t>(got));
      if (header_end == std::string::npos &&
          (header_end = bytes.find("\r\n\r\n")) != std::string::npos) {
        body_length = content_length(bytes.substr(0, header_end));
      }
    }
    Received request = parse(bytes, header_end);
    int status = 200;
    {
      std::lock_guard lock(mutex_);
      if (!statuses_.empty()) {
        status = statuses_.front();
        statuses_.pop_front();
      }
      received_.push_back(std::move(request));
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(status) +
                               " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    [[maybe_unused]] const ssize_t sent = ::write(connection, answer.data(), answer.size());
  }

  static std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  static std::size_t content_length(const std::string& head) {
    const std::size_t at = lower(head).find("content-length:");
    return at == std::string::npos ? 0 : std::stoul(head.substr(at + 15));
  }

  static Received parse(const std::string& bytes, std::size_t header_end) {
    Received out;
    if (header_end == std::string::npos) return out;
    std::size_t line_start = bytes.find("\r\n") + 2;
    while (line_start < header_end) {
      const std::size_t line_end = bytes.find("\r\n", line_start);
      const std::string line = bytes.substr(line_start, line_end - line_start);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::size_t value = colon + 1;
        while (value < line.size() && line[value] == ' ') ++value;
        out.headers[lower(line.substr(0, colon))] = line.substr(value);
      }
      line_start = line_end + 2;
    }
    out.body = bytes.substr(header_end + 4);
    return out;
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards statuses_, received_
  std::deque<int> statuses_;
  std::vector<Received> received_;
  std::thread thread_;
};

// A loopback port nothing listens on (bound, then closed).
inline int closed_port() {
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(probe);
  return ntohs(address.sin_port);
}

}  // namespace turno::testing
