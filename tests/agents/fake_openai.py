"""A small OpenAI-compatible chat-completions server on 127.0.0.1 for tests of the LLM path.

It answers like a tool-calling LLM would: it calls the agent's own tool first when the agent has one
and has not used it yet, then answers through the output tool with arguments shaped by its schema.
Modes: "ok", "error" (HTTP 500), "slow" (answers after `delay` seconds).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 5.0
        self.calls: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.calls.append(body)
                if server.mode == "error":
                    self._send(500, {"error": {"message": "upstream exploded", "type": "server_error"}})
                    return
                if server.mode == "slow":
                    time.sleep(server.delay)
                self._send(200, server.answer(body))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- the "model" ----------------------------------------------------------------------------

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        tools = {t["function"]["name"]: t["function"] for t in body.get("tools", [])}
        used = {
            m.get("name") or m.get("tool_call_id", "").split(":")[0] for m in body["messages"] if m["role"] == "tool"
        }
        tool_results = [m["content"] for m in body["messages"] if m["role"] == "tool"]
        own_tools = [name for name in tools if name != "final_result" and not name.startswith("final_result")]
        pending = [name for name in own_tools if f"{name}" not in used and not tool_results]
        if pending:
            return self._tool_call(body, pending[0], {}, call_id=f"{pending[0]}:1")
        output_tool = next(name for name in tools if name.startswith("final_result"))
        props = tools[output_tool]["parameters"].get("properties", {})
        if "verdict" in props:
            args = {"verdict": "close", "reason": "LLM: notes show the fix.", "contractor_score": "4.5"}
        elif "messages" in props:
            args = {
                "messages": [
                    {"audience": a, "subject": f"LLM words for {a}", "body": "Written by the LLM.", "sms": "LLM sms"}
                    for a in ("tenant", "staff", "contractor")
                ]
            }
        elif "contractor_id" in props:
            ranking = json.loads(tool_results[-1]) if tool_results else []
            best = ranking[0] if ranking else None
            args = {
                "contractor_id": best["contractor_id"] if best else None,
                "slot_start": best["slot_start"] if best else None,
                "ranking": ranking,
                "explanation": "LLM picked the top of the ranking.",
            }
        else:
            args = {
                "category": "plumbing",
                "priority": "high",
                "trade": "plumbing",
                "estimated_cost_min": "150",
                "estimated_cost_max": "300",
                "safety_flags": [],
                "tenant_instructions": [],
                "confidence": 0.91,
                "rationale": "LLM: a leak that needs a plumber today.",
                "language": "en",
            }
        return self._tool_call(body, output_tool, args, call_id="final:1")

    def _tool_call(self, body: dict[str, Any], name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{len(self.calls)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": call_id,
                                "type": "function",
                                "function": {"name": name, "arguments": json.dumps(args)},
                            }
                        ],
                    },
                }
            ],
            "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
        }
