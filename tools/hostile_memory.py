#!/usr/bin/env python3
"""Memory of the release server under maximum-size anonymous input (issue 9).

Starts `motcua serve` on a fresh SQLite database with the demo data, sends 20
concurrent online submissions each at every bound of `motcua_domain::limits`
(note, address, 100 papers with 500-character names, 5 files totalling just under
5 MB), accepts them, fetches their 20 receipts at once, and prints the server's
resident memory (VmRSS) and peak (VmHWM) before and after.

    python3 tools/hostile_memory.py target/release/motcua
"""
import base64, json, os, subprocess, sys, tempfile, threading, time, urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/motcua"
PORT = 18099
BASE = f"http://127.0.0.1:{PORT}"
N = 20


def rss(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) // 1024
    return out


def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def submission(i):
    files = [
        {"name": f"ban-quet-{i}-{k}.pdf",
         "content_type": "application/pdf",
         "data_base64": base64.b64encode(os.urandom(1_040_000)).decode()}
        for k in range(5)
    ]
    return {
        "procedure": "1.001193",
        "agency": "000.01.33.H33",
        "applicant": {
            "full_name": ("Nguyễn Thị Minh Khai " * 5)[:100],
            # One applicant each: submissions are limited per ID and phone.
            "personal_id": f"0010870{12345 + i:05d}",
            "date_of_birth": "05/09/1987",
            "sex": "male",
            "phone": f"09123{45678 + i:05d}",
            "email": "an@example.vn",
            "address": ("Số 5, đường Điện Biên, phường Phố Hiến, " * 10)[:300],
        },
        "documents": [
            {"name": (f"Tờ khai số {d} đăng ký khai sinh bản chính " * 20)[:500],
             "originals": 100, "certified_copies": 100, "photocopies": 100}
            for d in range(100)
        ],
        "pages": 10_000,
        "copies": 1_000,
        "return_method": "online",
        "note": ("Ghi chú của người nộp hồ sơ. " * 80)[:2000],
        "files": files,
    }


def parallel(fn, n):
    out = [None] * n
    def run(i):
        try:
            out[i] = fn(i)
        except Exception as e:  # reported below, with the others
            out[i] = e
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="motcua-hostile-")
    env = dict(os.environ,
               MOTCUA_DATA_DIR=tmp,
               MOTCUA_DATABASE_URL=f"sqlite://{tmp}/motcua.sqlite3",
               MOTCUA_LISTEN=f"127.0.0.1:{PORT}",
               MOTCUA_PUBLIC_URL=BASE,
               RUST_LOG="warn")
    log = open(f"{tmp}/server.log", "w")
    print(f"server log: {tmp}/server.log")
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)
    try:
        for _ in range(300):
            try:
                if call("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        token = subprocess.run([BIN, "token", "add", "--username", "tiepnhan"], env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        before = rss(server.pid)
        bodies = [json.dumps(submission(i)) for i in range(N)]
        print(f"body size: {len(bodies[0]) / 1e6:.2f} MB each")
        del bodies
        t0 = time.time()
        answers = parallel(lambda i: call("POST", "/api/v1/public/submissions", submission(i)), N)
        t1 = time.time()
        codes = []
        for status, body in answers:
            assert status == 201, (status, body[:300])
            codes.append(json.loads(body)["code"])
        for code in codes:
            status, body = call("POST", f"/api/v1/dossiers/{code}/actions/accept", {}, token)
            assert status == 200, (status, body[:300])
        after_submit = rss(server.pid)
        times = [0.0] * N
        def receipt(i):
            s = time.time()
            status, body = call("GET", f"/api/v1/dossiers/{codes[i]}/receipt.pdf", None, token)
            times[i] = time.time() - s
            assert status == 200 and body.startswith(b"%PDF"), (status, body[:300])
            return len(body)
        t2 = time.time()
        sizes = parallel(receipt, N)
        t3 = time.time()
        failed = [s for s in sizes if not isinstance(s, int)]
        assert not failed, failed[:3]
        time.sleep(1)
        after = rss(server.pid)
        print(f"before: {before}")
        print(f"20 submissions in {t1 - t0:.1f} s; after submissions and accepts: {after_submit}")
        print(f"20 receipts at once in {t3 - t2:.1f} s (slowest {max(times):.2f} s, "
              f"{max(sizes) // 1024} kB each); after receipts: {after}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
