#!/usr/bin/env python3
"""A local Caspio that fails a share of inserts with 503, for scripts/bench-pacing.

Table Bench: PK_ID (AUTONUMBER) and Name (STRING, Unique), its rows kept in memory.
POST .../records        -> 201 after DELAY ms, or (a SHARE of them) 503, bare or with Retry-After;
                           half of those 503s come after the row was stored (a proxy's timeout
                           after the work), so a client cannot tell from the answer
GET  .../fields         -> the design
GET  .../records        -> the rows matching q.where `Name = '…'` or `Name IN ('…', …)` (all
                           without one), Pagination.TotalCount with q.getPaginationInfo
GET  /_stats            -> {"served":N,"failed":N,"landed":N,"rows":N,"duplicates":N} and resets the counts
GET  /_set?share=0.05&retry_after=1 -> sets the share and Retry-After (empty: bare 503s), empties the table
POST /oauth/token       -> a bearer token
Usage: flaky-server.py [DELAY_MS=20]. Prints its port, serves until killed.
"""
import json, random, re, sys, threading, time
from collections import Counter
from urllib.parse import urlparse, parse_qs
import benchhttp

DELAY = float(sys.argv[1]) / 1000 if len(sys.argv) > 1 else 0.02
DESIGN = {"Result": [{"Name": "PK_ID", "Type": "AUTONUMBER", "Unique": True},
                     {"Name": "Name", "Type": "STRING", "Unique": True}]}
LITERAL = re.compile(r"'((?:[^']|'')*)'")

lock = threading.Lock()
state = {"share": 0.0, "retry_after": "", "served": 0, "failed": 0, "landed": 0, "rows": [], "next_id": 1}
draws = random.Random(7)

def matching(where):
    rows = state["rows"]
    if not where:
        return list(rows)
    names = {m.replace("''", "'").lower() for m in LITERAL.findall(where)}
    return [r for r in rows if r["Name"].lower() in names]

def store(row):
    row = dict(row, PK_ID=state["next_id"])
    state["next_id"] += 1
    state["rows"].append(row)
    return row

class Handler(benchhttp.Handler):
    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        with lock:
            if url.path == "/_stats":
                names = Counter(r["Name"].lower() for r in state["rows"])
                body = {k: state[k] for k in ("served", "failed", "landed")}
                body.update(rows=len(state["rows"]), duplicates=sum(n - 1 for n in names.values()))
                state.update(served=0, failed=0, landed=0)
                return self.send(200, json.dumps(body).encode())
            if url.path == "/_set":
                state.update(share=float(query.get("share", "0")), retry_after=query.get("retry_after", ""), rows=[], next_id=1)
                return self.send(200, b"{}")
            if url.path.endswith("/fields"):
                return self.send(200, json.dumps(DESIGN).encode())
            if url.path.endswith("/records"):
                rows = matching(query.get("q.where", ""))
                size, number = int(query.get("q.pageSize", "100")), int(query.get("q.pageNumber", "1"))
                body = {"Result": rows[(number - 1) * size:number * size]}
                if query.get("q.getPaginationInfo") == "true":
                    body["Pagination"] = {"TotalCount": len(rows)}
                time.sleep(DELAY)
                return self.send(200, json.dumps(body).encode())
        self.send(404, b'{"Code":"ObjectNotFound","Message":"no such resource"}')

    def do_POST(self):
        if self.path.startswith("/oauth/"):
            return super().do_POST()
        row = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with lock:
            fail = draws.random() < state["share"]
            landed = fail and draws.random() < 0.5
            retry_after = state["retry_after"]
            state["failed" if fail else "served"] += 1
            state["landed"] += landed
            stored = store(row) if not fail or landed else None
        time.sleep(DELAY)
        if fail:
            headers = f"Retry-After: {retry_after}\r\n" if retry_after else ""
            return self.send(503, b'{"Code":"ServiceUnavailable","Message":"try again"}', headers=headers)
        body = json.dumps({"Result": [stored]}).encode() if "response=rows" in self.path else b""
        self.send(201, body, headers="Location: http://127.0.0.1/rest/v2/tables/Bench/records/1\r\n")

benchhttp.serve(Handler)
