#!/usr/bin/env python3
"""A local Caspio behind an account-wide limiter, for scripts/bench-pacing.

More than LIMIT requests in one second lock the account for LOCKOUT seconds: every request is
answered 429 with Retry-After meanwhile (the token endpoint is not limited).
GET  .../records        -> {"Result":[{"PK_ID":1}]} after DELAY ms, or 429
GET  /_stats            -> {"served":N,"refused":N,"lockouts":N} and resets them
POST /oauth/token       -> a bearer token
Usage: limited-server.py [LIMIT=10] [LOCKOUT=2] [DELAY_MS=20]. Prints its port, serves until killed.
"""
import json, math, sys, threading, time
import benchhttp

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 10
LOCKOUT = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
DELAY = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.02

lock = threading.Lock()
state = {"recent": [], "locked_until": 0.0, "served": 0, "refused": 0, "lockouts": 0}

def admit():
    """None to serve, else the Retry-After to refuse with."""
    now = time.monotonic()
    with lock:
        if now < state["locked_until"]:
            state["refused"] += 1
            return math.ceil(state["locked_until"] - now)
        state["recent"] = [t for t in state["recent"] if t > now - 1.0] + [now]
        if len(state["recent"]) > LIMIT:
            state["locked_until"] = now + LOCKOUT
            state["recent"] = []
            state["lockouts"] += 1
            state["refused"] += 1
            return math.ceil(LOCKOUT)
        state["served"] += 1
        return None

class Handler(benchhttp.Handler):
    def do_GET(self):
        if self.path == "/_stats":
            with lock:
                body = json.dumps({k: state[k] for k in ("served", "refused", "lockouts")}).encode()
                state.update(served=0, refused=0, lockouts=0, recent=[], locked_until=0.0)
            return self.send(200, body)
        retry_after = admit()
        if retry_after is not None:
            return self.send(429, b'{"Code":"TooManyRequests","Message":"rate limit"}', headers=f"Retry-After: {retry_after}\r\n")
        time.sleep(DELAY)
        self.send(200, b'{"Result":[{"PK_ID":1}]}')

benchhttp.serve(Handler)
