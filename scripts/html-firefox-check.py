#!/usr/bin/python3
"""Opens an explorer page in headless Firefox (Debian's firefox-esr) and reports whether it works.

usage: scripts/html-firefox-check.py PAGE.html OUT_PREFIX [VIEW...]

Debian packages no geckodriver, so this speaks WebDriver BiDi (Firefox's built-in remote
protocol) over a minimal websocket client written with the standard library. It loads the page
from file://, waits for window.attnviz.ready, prints the errors the page reports, hovers query 5
in the head view and prints the keys whose lines are drawn, and saves a screenshot of each VIEW
(model, head, heatmap, text, table) as OUT_PREFIX_VIEW.png. A manual check (docs/html.md): CTest
runs Chromium only.
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time


def ws_connect(host, port, path):
    sock = socket.create_connection((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += sock.recv(4096)
    if b" 101 " not in reply.split(b"\r\n")[0]:
        raise RuntimeError(f"websocket handshake refused: {reply[:200]!r}")
    return sock


def ws_send(sock, text):
    """One masked text frame (RFC 6455 section 5.2)."""
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    if n < 126:
        head = bytes([0x81, 0x80 | n])
    elif n < 65536:
        head = bytes([0x81, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([0x81, 0x80 | 127]) + struct.pack(">Q", n)
    sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        out += sock.recv(n - len(out))
    return out


def ws_recv(sock):
    message = b""
    while True:
        b0, b1 = recv_exact(sock, 2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", recv_exact(sock, 2))[0]
        elif n == 127:
            n = struct.unpack(">Q", recv_exact(sock, 8))[0]
        message += recv_exact(sock, n)
        if b0 & 0x80:
            return message.decode()


class Bidi:
    def __init__(self, sock):
        self.sock = sock
        self.id = 0

    def call(self, method, params):
        self.id += 1
        ws_send(self.sock, json.dumps({"id": self.id, "method": method, "params": params}))
        while True:
            message = json.loads(ws_recv(self.sock))
            if message.get("id") == self.id:
                if message.get("type") == "error":
                    raise RuntimeError(message)
                return message["result"]


HOVER_QUERY_5 = """(() => {
  const p = window.attnviz.tokenPoint('query', 5);
  document.elementFromPoint(p.x, p.y).dispatchEvent(
      new MouseEvent('mousemove', {clientX: p.x, clientY: p.y, bubbles: true}));
  return JSON.stringify(window.attnviz.state().lines.map(l => l.key));
})()"""


def main():
    page, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    home = tempfile.mkdtemp()
    firefox = subprocess.Popen(
        ["firefox-esr", "--headless", "--remote-debugging-port", "9333", "--profile", home,
         "--no-remote"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": home})
    try:
        for _ in range(100):
            try:
                sock = ws_connect("127.0.0.1", 9333, "/session")
                break
            except OSError:
                time.sleep(0.2)
        bidi = Bidi(sock)
        bidi.call("session.new", {"capabilities": {}})
        context = bidi.call("browsingContext.getTree", {})["contexts"][0]["context"]
        bidi.call("browsingContext.setViewport",
                  {"context": context, "viewport": {"width": 1100, "height": 600}})
        bidi.call("browsingContext.navigate",
                  {"context": context, "url": "file://" + page, "wait": "complete"})

        def evaluate(expression):
            result = bidi.call("script.evaluate", {"expression": expression, "awaitPromise": True,
                                                   "target": {"context": context}})
            return result["result"].get("value")

        for _ in range(100):
            if evaluate("!!(window.attnviz && window.attnviz.ready)"):
                break
            time.sleep(0.1)
        print("ready:", evaluate("!!(window.attnviz && window.attnviz.ready)"))
        print("errors:", evaluate("JSON.stringify(window.attnviz.state().errors)"))
        for view in sys.argv[3:]:
            evaluate(f"document.querySelector('[data-view={view}]').click(); "
                     "window.attnviz.idle().then(() => true)")
            evaluate("window.attnviz.idle().then(() => true)")
            if view == "head":
                print("head view, query 5 hovered, lines to keys:", evaluate(HOVER_QUERY_5))
            shot = bidi.call("browsingContext.captureScreenshot", {"context": context})["data"]
            with open(f"{out}_{view}.png", "wb") as f:
                f.write(base64.b64decode(shot))
        print("errors at the end:", evaluate("JSON.stringify(window.attnviz.state().errors)"))
    finally:
        firefox.terminate()
        firefox.wait()


if __name__ == "__main__":
    main()
