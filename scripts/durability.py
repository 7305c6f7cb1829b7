#!/usr/bin/env python3
"""Nothing acknowledged is lost: cases whose creation the server acknowledged (HTTP 201) survive the
server being killed with SIGKILL the next instant.

Starts `wenming serve` on 127.0.0.1 (SQLite in a temporary data folder, or PostgreSQL when DATABASE_URL
is set), posts cases from several threads, kills the server with SIGKILL right after an acknowledgement,
restarts it and checks that every acknowledged case is there with its number. Repeats ROUNDS times.
Exit status 0 when nothing was lost.

    scripts/durability.py [path/to/wenming]     env: ROUNDS=5 THREADS=8
"""
import json, os, random, signal, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error

BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".build", "release", "wenming")
ROUNDS = int(os.environ.get("ROUNDS", "5"))
THREADS = int(os.environ.get("THREADS", "8"))
PORT = int(os.environ.get("DURABILITY_PORT", "18437"))
BASE = f"http://127.0.0.1:{PORT}"
env = dict(os.environ)
env.setdefault("WENMING_DATA_DIR", tempfile.mkdtemp(prefix="wenming-durability-"))


def call(method, path, body=None, token=None, timeout=10):
    req = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"{}")


def start():
    try:
        urllib.request.urlopen(BASE + "/healthz", timeout=1)
        sys.exit(f"port {PORT} is already in use: stop the other server first")
    except urllib.error.URLError:
        pass
    p = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", str(PORT)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if p.poll() is not None:
            sys.exit("server exited at start")
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)
            return p
        except Exception:
            time.sleep(0.05)
    p.kill()
    sys.exit("server did not start")


subprocess.run([BIN, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
lost_total, acked_total = 0, 0
for rnd in range(1, ROUNDS + 1):
    server = start()
    token = call("POST", "/api/v1/auth/token", {"username": "grid01", "password": "Wenming2026"})[1]["token"]
    acked, lock, stop = [], threading.Lock(), threading.Event()
    kill_after = random.randint(20, 300)

    def worker(k):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                status, c = call("POST", "/api/v1/cases", {"type": "LR", "description": f"持久性测试 第{rnd}轮 线程{k} 第{n}件", "address": "湖滨路 1 号"}, token)
            except Exception:
                return  # the server is gone: this request was never acknowledged
            if status == 201:
                with lock:
                    acked.append((c["id"], c["number"]))
                    if len(acked) >= kill_after and not stop.is_set():
                        stop.set()
                        server.send_signal(signal.SIGKILL)  # the very next instant after an acknowledgement

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.wait()
    server = start()
    token = call("POST", "/api/v1/auth/token", {"username": "admin", "password": "Wenming2026"})[1]["token"]
    lost = []
    for cid, number in acked:
        try:
            status, c = call("GET", f"/api/v1/cases/{cid}", token=token)
            if c.get("number") != number:
                lost.append(number)
        except urllib.error.HTTPError:
            lost.append(number)
    server.send_signal(signal.SIGTERM)
    server.wait()
    acked_total += len(acked)
    lost_total += len(lost)
    print(f"round {rnd}: killed after {len(acked)} acknowledged cases; after restart missing: {len(lost)} {lost[:5]}")

print(f"acknowledged {acked_total}, lost {lost_total}")
sys.exit(1 if lost_total else 0)
