#!/usr/bin/env python3
"""A local Caspio that fails a share of requests with 503, for scripts/bench-pacing.

POST .../records        -> 201 after DELAY ms, or (a SHARE of them) 503, bare or with Retry-After
GET  /_stats            -> {"served":N,"failed":N} and resets them
POST /oauth/token       -> a bearer token
Usage: flaky-server.py [DELAY_MS=20]. The share and Retry-After are set per run:
GET /_set?share=0.05&retry_after=1 (retry_after empty: bare 503s). Prints its port, serves until killed.
"""
import json, random, sys, threading, time
from urllib.parse import urlparse, parse_qs
import benchhttp

DELAY = float(sys.argv[1]) / 1000 if len(sys.argv) > 1 else 0.02

lock = threading.Lock()
state = {"share": 0.0, "retry_after": "", "served": 0, "failed": 0}
draws = random.Random(7)

class Handler(benchhttp.Handler):
    def do_GET(self):
        url = urlparse(self.path)
        with lock:
            if url.path == "/_stats":
                body = json.dumps({k: state[k] for k in ("served", "failed")}).encode()
                state.update(served=0, failed=0)
                return self.send(200, body)
            if url.path == "/_set":
                query = parse_qs(url.query, keep_blank_values=True)
                state["share"] = float(query.get("share", ["0"])[0])
                state["retry_after"] = query.get("retry_after", [""])[0]
                return self.send(200, b"{}")
        self.send(404, b'{"Code":"ObjectNotFound","Message":"no such resource"}')

    def do_POST(self):
        if self.path.startswith("/oauth/"):
            return super().do_POST()
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            fail = draws.random() < state["share"]
            retry_after = state["retry_after"]
            state["failed" if fail else "served"] += 1
        time.sleep(DELAY)
        if fail:
            headers = f"Retry-After: {retry_after}\r\n" if retry_after else ""
            return self.send(503, b'{"Code":"ServiceUnavailable","Message":"try again"}', headers=headers)
        self.send(201, b"", headers=f"Location: http://127.0.0.1/rest/v2/tables/Bench/records/1\r\n")

benchhttp.serve(Handler)
