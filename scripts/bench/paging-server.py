#!/usr/bin/env python3
"""A local stand-in for Caspio for benchmarks: a token endpoint and pre-built record pages.

GET  .../tables/Bench/records?q.pageNumber=N&q.pageSize=1000  -> page N of ROWS rows (pre-built)
PUT  .../tables/Bench/records?q.where=...                      -> {"RecordsAffected":1} after DELAY ms
POST /oauth/token                                              -> a bearer token
Prints its port on stdout, then serves until killed. Loopback only.
"""
import json, sys, time
from urllib.parse import urlparse, parse_qs
import benchhttp

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
DELAY = float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.0
PAGE = 1000

def row(i):
    return {"PK_ID": i, "Name": f"Customer {i}", "Email": f"c{i}@example.com", "State": ["CA", "NY", "TX"][i % 3],
            "City": "Zürich" if i % 7 == 0 else "Springfield", "Orders": i % 50, "Balance": round(i * 1.37, 2),
            "Ratio": i / 7, "Active": i % 2 == 0, "Manager": None if i % 5 else "Ada", "Created": "2026-11-29T10:00:00",
            "Note": "line one\nline \"two\""}

pages = {}
for n in range(1, ROWS // PAGE + 2):
    start = (n - 1) * PAGE + 1
    rows = [row(i) for i in range(start, min(ROWS, n * PAGE) + 1)]
    pages[n] = json.dumps({"Result": rows}, ensure_ascii=False, separators=(",", ":")).encode()

class Handler(benchhttp.Handler):
    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        n = int(q.get("q.pageNumber", ["1"])[0])
        self.send(200, pages.get(n, b'{"Result":[]}'))

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if DELAY:
            time.sleep(DELAY)
        self.send(200, b'{"RecordsAffected":1}')

benchhttp.serve(Handler)
