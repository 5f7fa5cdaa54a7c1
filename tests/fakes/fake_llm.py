#!/usr/bin/env python3
"""A fake OpenAI-compatible chat-completions server for coolpapers tests (stdlib only).

    python3 tests/fakes/fake_llm.py [--port 0] [--key KEY] [--delay-ms 20] [--chunks 8]
                                    [--scenario JSON] [--port-file PATH]

Prints "fake_llm listening on http://127.0.0.1:<port>" on stdout (and writes the port to
--port-file) once it accepts connections.

POST /v1/chat/completions (or /chat/completions) with "stream": true answers with Server-Sent
Events: `data: {"choices":[{"delta":{"content":"..."}}]}` chunks `delay_ms` apart, a chunk with
finish_reason "stop", a usage chunk (when stream_options.include_usage) and `data: [DONE]`.
Without "stream" it answers one JSON completion. Answers are deterministic Markdown naming the
question they answer (with a list, bold, a formula and a link); a translation request
("[LANG] xx" then [TITLE] and [ABSTRACT]) is answered with its own text prefixed "[xx] ".

A request whose messages hold no assistant turn starts a new conversation (system + paper +
first question); GET /stats returns {"conversations": n, "requests": n, "completed": n,
"faults": n, "questions": [...]}. POST /admin/reset zeroes the counters.

Faults: a scenario is a JSON list of rules, each applied to the next `count` (default 1) matching
requests; `question` (1-based: the number of user turns in the request) restricts the match:
    {"fault": "429", "retry_after": 1}     429 with Retry-After
    {"fault": "500", "message": "..."}     500 with an error body (error.message; default
                                           "internal upstream error")
    {"fault": "401"}                       401 "invalid api key"
    {"fault": "cut"}                       stream some deltas, then close without [DONE]
    {"fault": "malformed"}                 a chunk that is not JSON mid-stream
    {"fault": "stall", "seconds": 5}       headers, one delta, then no bytes for N s, then close
    {"fault": "slow", "delay_ms": 500}     a normal answer with this delay between chunks
    {"fault": "text", "text": "..."}       a normal stream whose answer is this text
    {"fault": "usage", "total_tokens": N}  a normal stream whose usage chunk reports N tokens
Set it with --scenario, env FAKE_LLM_SCENARIO, or POST /admin/scenario (body: the JSON list;
replaces the current one). GET /admin/scenario shows what is left.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, key, delay_ms, chunks, scenario):
        self.lock = threading.Lock()
        self.key = key
        self.delay_ms = delay_ms
        self.chunks = chunks
        self.scenario = scenario
        self.reset()

    def reset(self):
        with self.lock:
            self.conversations = 0
            self.requests = 0
            self.completed = 0
            self.faults = 0
            self.questions = []

    def take_fault(self, question):
        """The first rule matching this request (consumes one use), or None."""
        with self.lock:
            for rule in self.scenario:
                if rule.get("count", 1) <= 0:
                    continue
                if "question" in rule and rule["question"] != question:
                    continue
                rule["count"] = rule.get("count", 1) - 1
                self.faults += 1
                return dict(rule)
            self.scenario = [r for r in self.scenario if r.get("count", 1) > 0]
        return None


def translation_for(message):
    """A translation request ("[LANG] xx\n[TITLE]\n...\n[ABSTRACT]\n..."): the same text,
    each part prefixed with "[xx] " (math and everything else kept), or None."""
    if not message.startswith("[LANG] ") or "\n[ABSTRACT]\n" not in message:
        return None
    head, rest = message.split("\n", 1)
    lang = head[len("[LANG] "):]
    title, abstract = rest[len("[TITLE]\n"):].split("\n[ABSTRACT]\n", 1)
    return "[TITLE]\n[%s] %s\n[ABSTRACT]\n[%s] %s" % (lang, title, lang, abstract)


def answer_for(question, n_user_turns):
    translated = translation_for(question)
    if translated is not None:
        return translated
    return (
        f"**Answer {n_user_turns}** to: {question}\n\n"
        f"- The paper addresses point one, with loss $L = -\\sum_i \\log p(x_i)$.\n"
        f"- It also covers point two.\n\n"
        f"More at [the project page](https://example.org/project)."
    )


def split(text, n):
    n = max(1, min(n, len(text)))
    size = -(-len(text) // n)
    return [text[i:i + size] for i in range(0, len(text), size)]


def chunk(content=None, finish=None, model="fake-model"):
    delta = {} if content is None else {"content": content}
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_llm/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    @property
    def state(self):
        return self.server.state

    def send_json(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        if self.path == "/stats":
            s = self.state
            with s.lock:
                self.send_json(200, {"conversations": s.conversations, "requests": s.requests,
                                     "completed": s.completed, "faults": s.faults,
                                     "questions": list(s.questions)})
        elif self.path == "/admin/scenario":
            with self.state.lock:
                self.send_json(200, self.state.scenario)
        else:
            self.send_json(404, {"error": {"message": "not found: " + self.path}})

    def do_POST(self):
        body = self.read_body()
        if self.path == "/admin/reset":
            self.state.reset()
            return self.send_json(200, {"ok": True})
        if self.path == "/admin/scenario":
            try:
                rules = json.loads(body or b"[]")
                assert isinstance(rules, list)
            except Exception:
                return self.send_json(400, {"error": "scenario must be a JSON list"})
            with self.state.lock:
                self.state.scenario = rules
            return self.send_json(200, {"ok": True})
        if self.path not in ("/v1/chat/completions", "/chat/completions"):
            return self.send_json(404, {"error": {"message": "unknown path " + self.path}})
        self.chat(body)

    def chat(self, body):
        s = self.state
        if s.key and self.headers.get("Authorization") != "Bearer " + s.key:
            return self.send_json(401, {"error": {"message": "Invalid Authentication",
                                                  "type": "invalid_authentication_error"}})
        try:
            req = json.loads(body)
            messages = req["messages"]
        except Exception:
            return self.send_json(400, {"error": {"message": "body is not a chat request"}})
        users = [m for m in messages if m.get("role") == "user"]
        question = users[-1]["content"] if users else ""
        new_conversation = not any(m.get("role") == "assistant" for m in messages)
        with s.lock:
            s.requests += 1
            if new_conversation:
                s.conversations += 1
            s.questions.append(question)
        fault = s.take_fault(len(users))
        kind = fault.get("fault") if fault else None
        if kind == "429":
            return self.send_json(429, {"error": {"message": "rate limit reached, slow down"}},
                                  {"Retry-After": str(fault.get("retry_after", 1))})
        if kind == "500":
            return self.send_json(500, {"error": {"message": fault.get(
                "message", "internal upstream error")}})
        if kind == "401":
            return self.send_json(401, {"error": {"message": "invalid api key"}})
        text = fault.get("text", "") if kind == "text" else answer_for(question, len(users))
        if not req.get("stream"):
            with s.lock:
                s.completed += 1
            return self.send_json(200, {"choices": [{"index": 0, "finish_reason": "stop",
                                                     "message": {"role": "assistant",
                                                                 "content": text}}],
                                        "usage": usage(messages, text)})
        delay = fault.get("delay_ms", s.delay_ms) if kind == "slow" else s.delay_ms
        self.stream(req, messages, text, kind, fault or {}, delay / 1000.0)

    def stream(self, req, messages, text, kind, fault, delay):
        s = self.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        pieces = split(text, s.chunks)
        try:
            self.wfile.write(b": fake_llm\n\n")
            self.wfile.flush()
            for i, piece in enumerate(pieces):
                if i > 0:
                    time.sleep(delay)
                if kind == "cut" and i == len(pieces) // 2:
                    return  # connection closes mid-answer
                if kind == "malformed" and i == len(pieces) // 2:
                    self.wfile.write(b'data: {"choices":[{"delta":{"content": broken\n\n')
                    self.wfile.flush()
                    continue
                self.event(chunk(piece))
                if kind == "stall" and i == 0:
                    time.sleep(float(fault.get("seconds", 5)))
                    return
            self.event(chunk(None, "stop"))
            if (req.get("stream_options") or {}).get("include_usage"):
                u = usage(messages, text)
                if kind == "usage":
                    u = {"prompt_tokens": int(fault["total_tokens"]) - 1, "completion_tokens": 1,
                         "total_tokens": int(fault["total_tokens"])}
                self.event({"id": "chatcmpl-fake", "choices": [], "usage": u})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            with s.lock:
                s.completed += 1
        except (BrokenPipeError, ConnectionResetError):
            pass

    def event(self, obj):
        self.wfile.write(b"data: " + json.dumps(obj, ensure_ascii=False).encode() + b"\n\n")
        self.wfile.flush()


def usage(messages, text):
    prompt = sum(len(m.get("content", "")) for m in messages) // 4 + 1
    completion = len(text) // 4 + 1
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def main():
    ap = argparse.ArgumentParser(description="fake OpenAI-compatible chat server")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default=os.environ.get("FAKE_LLM_KEY", ""))
    ap.add_argument("--delay-ms", type=float, default=20)
    ap.add_argument("--chunks", type=int, default=8)
    ap.add_argument("--scenario", default=os.environ.get("FAKE_LLM_SCENARIO", "[]"))
    ap.add_argument("--port-file", default="")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.key, args.delay_ms, args.chunks, json.loads(args.scenario))
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"fake_llm listening on http://127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
