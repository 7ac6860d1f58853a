#!/usr/bin/env python3
"""A local stand-in for Caspio for benchmarks: a token endpoint and pre-built record pages.

GET  .../tables/Bench/records?q.pageNumber=N&q.pageSize=1000  -> page N of ROWS rows (pre-built), after
                                                                  GET_DELAY ms; with Pagination.TotalCount
                                                                  when q.getPaginationInfo=true
PUT  .../tables/Bench/records?q.where=...                      -> {"RecordsAffected":1} after DELAY ms
GET  /requests                                                 -> record GETs since the last /requests
POST /oauth/token                                              -> a bearer token
Usage: paging-server.py ROWS [DELAY_MS [GET_DELAY_MS]]. Prints its port on stdout, then serves
until killed (a thread a connection, so that concurrent requests wait their delays together).
Loopback only.
"""
import json, sys, threading, time
from urllib.parse import urlparse, parse_qs
import benchhttp

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
DELAY = float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0.0
GET_DELAY = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0
PAGE = 1000
record_gets = 0
count_lock = threading.Lock()

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
        global record_gets
        url = urlparse(self.path)
        if url.path == "/requests":
            with count_lock:
                count, record_gets = record_gets, 0
            return self.send(200, str(count).encode(), "text/plain")
        with count_lock:
            record_gets += 1
        q = parse_qs(url.query)
        n = int(q.get("q.pageNumber", ["1"])[0])
        body = pages.get(n, b'{"Result":[]}')
        if q.get("q.getPaginationInfo") == ["true"]:
            body = body[:-1] + b',"Pagination":{"TotalCount":%d,"PageNumber":%d,"PageSize":%d}}' % (ROWS, n, PAGE)
        if GET_DELAY:
            time.sleep(GET_DELAY)
        self.send(200, body)

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if DELAY:
            time.sleep(DELAY)
        self.send(200, b'{"RecordsAffected":1}')

benchhttp.serve(Handler)
