"""What the benchmark servers share: a quiet HTTP/1.1 handler that answers in one write, the
token endpoint, and serving on a free loopback port (printed on stdout) until killed."""
import json, socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # No Nagle: the answer goes out at once, or every small reply waits for a delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, status, body, ctype="application/json; charset=utf-8", headers=""):
        # Head and body in one write, so the client never waits on a half-sent answer.
        head = (f"HTTP/1.1 {status} OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                f"X-Caspio-Request-ID: bench\r\n{headers}\r\n").encode()
        self.wfile.write(head + body)

    def do_POST(self):
        """The token endpoint (the only POST the benchmarks make)."""
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send(200, json.dumps({"access_token": "bench-token", "token_type": "bearer", "expires_in": 86399,
                                   "refresh_token": "bench-refresh"}).encode())

def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
