#pragma once
// ChatRef<Chat>: a ChatClient that forwards to a fake chat owned by the test (tests only), so
// the fake outlives the services that take ownership of their ChatClient and the test can
// still read what the fake saw.

#include <atomic>
#include <string>

#include "llm/chat_client.h"

namespace coolpapers::llm::testing {

template <class Chat>
class ChatRef : public ChatClient {
 public:
  explicit ChatRef(Chat& chat) : chat_(chat) {}
  std::string model() const override { return chat_.model(); }
  Result<ChatResult> StreamChat(const ChatRequest& req, const DeltaFn& f,
                                const std::atomic<bool>* c, ChatReport* report) override {
    return chat_.StreamChat(req, f, c, report);
  }

 private:
  Chat& chat_;
};

}  // namespace coolpapers::llm::testing
