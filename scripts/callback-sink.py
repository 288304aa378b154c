"""A stand-in for the app's callback routes, for scripts/smoke-images.sh: answers 200 to every
POST and appends `PATH signed=True|False` to a log file, so the smoke test can check that a
runner image posted signed callbacks. Usage: python3 callback-sink.py PORT LOGFILE"""
import http.server
import sys

PORT, LOG = int(sys.argv[1]), sys.argv[2]


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        signed = self.headers.get("x-battbot-signature", "").startswith("sha256=")
        with open(LOG, "a") as f:
            f.write(f"{self.path} signed={signed}\n")
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", PORT), Sink).serve_forever()
