#!/usr/bin/env bash
# interop/app_httpd: apps/wskstack-httpd (an HTTP/1.1 server written as a WSK driver) serves a
# docroot this test makes, on the stack in wsk-stack; Linux tools in wsk-peer are the clients.
# Asserts: curl GET of every file (0 B to 1 MiB, nested directories, index.html for "/") comes back
# with the same SHA-256 and its Content-Type; HEAD gives the Content-Length and no body; curl with
# two URLs reuses one connection (num_connects 1 then 0), HTTP/1.0 does not; three requests sent
# in one write are answered in order on one connection, and 16 pipelined 1 MiB requests (flow
# control: parsing pauses and resumes) come back intact; a request spread over 1-byte writes is
# answered; 400, 404, 405 (with Allow), 413, 431 and 505 exactly; wrk (30 s, 32 connections) and
# ab (10000 requests, Connection: close, 16 at a time) with zero errors and zero non-2xx; after
# SIGINT the server closes everything and exits 0 with its summary line and no sanitizer report.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
HTTPD=${3:?usage: $0 WSKSTACKD SOURCE_ROOT WSKSTACK_HTTPD}
WRK_SECONDS=${WSK_HTTPD_WRK_SECONDS:-30}

interop_require curl wrk ab sha256sum
[ -x "$HTTPD" ] || fail "wskstack-httpd not built: $HTTPD"
topology_up
URL="http://$STACK_IP"

# ---- the docroot ----------------------------------------------------------------------------
DOC="$WORK/docroot"
mkdir -p "$DOC/sub/deeper"
printf '<!doctype html><title>wskstack</title><p>hello from WSK\n' >"$DOC/index.html"
printf 'body { color: black; }\n' >"$DOC/style.css"
printf '{"served_by": "wskstack-httpd"}\n' >"$DOC/data.json"
: >"$DOC/empty.txt"
head -c 1 /dev/urandom >"$DOC/one.bin"
head -c 1460 /dev/urandom >"$DOC/sub/mss.bin"
head -c 4096 /dev/urandom >"$DOC/sub/4k.bin"
head -c 65537 /dev/urandom >"$DOC/sub/deeper/64k.bin"
head -c 300000 /dev/urandom >"$DOC/sub/deeper/300k.bin"
head -c 1048576 /dev/urandom >"$DOC/1m.bin"
printf 'sub index\n' >"$DOC/sub/index.html"
FILES=(index.html style.css data.json empty.txt one.bin sub/mss.bin sub/4k.bin sub/deeper/64k.bin
	sub/deeper/300k.bin 1m.bin sub/index.html)

# ---- the server -----------------------------------------------------------------------------
# Zero-copy WskSend needs IOVA-as-VA (in PA mode, which EAL picks as root with hugepages, the
# provider copies every send); af_packet does no DMA, so VA is safe. A profile with its own [eal]
# args is used as it is.
PROFILE="$WORK/httpd.ini"
if grep -qE '^[[:space:]]*args[[:space:]]*=' "$CONFIG"; then
	cp "$CONFIG" "$PROFILE"
else
	awk '{ print } /^\[eal\]/ { print "args = --iova-mode=va" }' "$CONFIG" >"$PROFILE"
fi
: >"$WORK/stack.out"
: >"$WORK/stack.err"
env --default-signal=INT ip netns exec "$NS_STACK" "$HTTPD" -c "$PROFILE" -p 80 -r "$DOC" \
	--body-size 128 --progress 10 >"$WORK/stack.out" 2>"$WORK/stack.err" 9>&- &
STACK_PID=$!
deadline=$((SECONDS + READY_TIMEOUT))
until grep -q '^wskstack-httpd: ready' "$WORK/stack.out"; do
	kill -0 "$STACK_PID" 2>/dev/null || { rc=0; wait "$STACK_PID" || rc=$?; STACK_PID=""; \
		fail "wskstack-httpd exited with status $rc before it was ready"; }
	[ "$SECONDS" -lt "$deadline" ] || fail "wskstack-httpd not ready within ${READY_TIMEOUT} s"
	sleep 0.1
done
say "$(grep '^wskstack-httpd: ready' "$WORK/stack.out")"
check_eq "files cached" "$(sed -n 's/.* files=\([0-9]*\) .*/\1/p' "$WORK/stack.out")" "${#FILES[@]}"

pcurl() { in_peer curl -sS -m 20 "$@"; }

# ---- GET and HEAD of every file ---------------------------------------------------------------
for f in "${FILES[@]}"; do
	out="$WORK/got.$(echo "$f" | tr / _)"
	info=$(pcurl -o "$out" -w '%{http_code} %{size_download} %{content_type}' "$URL/$f") ||
		fail "GET /$f: curl failed"
	want_sha=$(sha256sum <"$DOC/$f" | cut -d' ' -f1)
	got_sha=$(sha256sum <"$out" | cut -d' ' -f1)
	size=$(stat -c %s "$DOC/$f")
	[ "${info%% *}" = 200 ] || fail "GET /$f: $info"
	[ "$got_sha" = "$want_sha" ] || fail "GET /$f: SHA-256 $got_sha, want $want_sha ($info)"
	hdr=$(pcurl -I "$URL/$f" | tr -d '\r')
	grep -qx 'HTTP/1.1 200 OK' <<<"$hdr" || fail "HEAD /$f: $hdr"
	grep -qix "content-length: $size" <<<"$hdr" || fail "HEAD /$f: no Content-Length: $size in: $hdr"
done
ok "GET of ${#FILES[@]} files (0 B .. 1 MiB): SHA-256 identical; HEAD: 200 with their Content-Length"
check_eq "Content-Type of .html" "$(pcurl -o /dev/null -w '%{content_type}' "$URL/index.html")" \
	"text/html; charset=utf-8"
check_eq "Content-Type of .css" "$(pcurl -o /dev/null -w '%{content_type}' "$URL/style.css")" "text/css"
check_eq "Content-Type of .bin" "$(pcurl -o /dev/null -w '%{content_type}' "$URL/one.bin")" \
	"application/octet-stream"
check_eq "GET / serves index.html" "$(pcurl "$URL/" | sha256sum | cut -d' ' -f1)" \
	"$(sha256sum <"$DOC/index.html" | cut -d' ' -f1)"
check_eq "GET /sub/ serves sub/index.html" "$(pcurl "$URL/sub/")" "sub index"
check_eq "GET /./sub//4k.bin (normalised path)" \
	"$(pcurl --path-as-is "$URL/./sub//4k.bin" | sha256sum | cut -d' ' -f1)" \
	"$(sha256sum <"$DOC/sub/4k.bin" | cut -d' ' -f1)"
check_eq "GET /fixed: --body-size bytes" "$(pcurl -o /dev/null -w '%{http_code} %{size_download}' "$URL/fixed")" \
	"200 128"
check_eq "GET /bytes/100000" "$(pcurl -o /dev/null -w '%{http_code} %{size_download}' "$URL/bytes/100000")" \
	"200 100000"
check_eq "HEAD has no body" "$(pcurl -I -o /dev/null -w '%{size_download}' "$URL/1m.bin")" 0

# ---- keep-alive ---------------------------------------------------------------------------------
check_eq "keep-alive: curl with two URLs, num_connects per transfer" \
	"$(pcurl -o /dev/null -o /dev/null -w '%{num_connects} ' "$URL/index.html" "$URL/sub/4k.bin")" "1 0 "
check_eq "HTTP/1.0 closes: num_connects per transfer" \
	"$(pcurl --http1.0 -o /dev/null -o /dev/null -w '%{num_connects} ' "$URL/index.html" "$URL/sub/4k.bin")" "1 1 "
check_eq "HTTP/1.0 with keep-alive reuses" \
	"$(pcurl --http1.0 -H 'Connection: keep-alive' -o /dev/null -o /dev/null -w '%{num_connects} ' \
		"$URL/index.html" "$URL/sub/4k.bin")" "1 0 "

# ---- raw-socket checks: pipelining, flow control, split requests, errors -------------------------
in_peer timeout 90 "$PY" - "$STACK_IP" "$DOC" >"$WORK/raw.out" 2>&1 <<'PY' ||
import hashlib, socket, sys, time
host, doc = sys.argv[1], sys.argv[2]
def sha(b): return hashlib.sha256(b).hexdigest()
def fsha(p): return sha(open(doc + "/" + p, "rb").read())
class Conn:
    def __init__(self):
        self.s = socket.create_connection((host, 80), timeout=20); self.buf = b""
    def send(self, b): self.s.sendall(b)
    def fill(self):
        d = self.s.recv(1 << 20)
        if not d: raise EOFError("connection closed")
        self.buf += d
    def response(self, head=False):
        while b"\r\n\r\n" not in self.buf: self.fill()
        h, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = h.decode().split("\r\n")
        hd = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = 0 if head else int(hd["content-length"])
        while len(self.buf) < n: self.fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return int(lines[0].split()[1]), hd, body
    def closed(self):
        try:
            self.s.settimeout(5)
            return self.s.recv(1) == b""
        except ConnectionResetError:
            return True
def req(path, method="GET", extra=""):
    return ("%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (method, path, host, extra)).encode()
def check(what, got, want):
    if got != want:
        print("FAIL %s: got %r, want %r" % (what, got, want)); sys.exit(1)
    print("ok %s" % what)

# Pipelining: three requests in one write, answered in order; then Connection: close.
c = Conn()
c.send(req("/sub/4k.bin") + req("/index.html", "HEAD") + req("/data.json"))
r1, r2, r3 = c.response(), c.response(head=True), c.response()
check("pipelined #1 /sub/4k.bin", (r1[0], sha(r1[2])), (200, fsha("sub/4k.bin")))
check("pipelined #2 HEAD /index.html", (r2[0], r2[1]["content-length"]), (200, str(len(open(doc + "/index.html", "rb").read()))))
check("pipelined #3 /data.json", (r3[0], sha(r3[2])), (200, fsha("data.json")))
c.send(req("/one.bin", extra="Connection: close\r\n"))
r = c.response()
check("Connection: close answered and closed", (r[0], r[1].get("connection"), c.closed()), (200, "close", True))

# Flow control: 16 x 1 MiB pipelined in one write (parsing pauses at 256 KiB in flight).
c = Conn()
c.send(b"".join(req("/1m.bin") for _ in range(16)) + req("/sub/mss.bin"))
shas = set()
for i in range(16):
    st, hd, body = c.response(); shas.add((st, sha(body)))
check("16 pipelined 1 MiB responses intact", shas, {(200, fsha("1m.bin"))})
st, hd, body = c.response()
check("request after them", (st, sha(body)), (200, fsha("sub/mss.bin")))

# A request written one byte at a time (the header spans many indications), a body read and dropped.
c = Conn()
for b in req("/sub/4k.bin"):
    c.send(bytes([b])); time.sleep(0.002)
st, hd, body = c.response()
check("request in 1-byte writes", (st, sha(body)), (200, fsha("sub/4k.bin")))
c.send(req("/", "POST", "Content-Length: 5000\r\n") + b"x" * 5000 + req("/empty.txt"))
st, hd, body = c.response()
check("405 with a body, Allow header", (st, hd.get("allow")), (405, "GET, HEAD"))
st, hd, body = c.response()
check("next request after the dropped body", (st, body), (200, b""))

# Errors, each on its own connection.
def status_of(raw, keep=False):
    c = Conn(); c.send(raw); st, hd, body = c.response()
    return st, (None if keep else c.closed())
check("400 malformed request line", status_of(b"NONSENSE\r\n\r\n"), (400, True))
check("400 malformed header", status_of(b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"), (400, True))
check("400 no Host in HTTP/1.1", status_of(b"GET / HTTP/1.1\r\n\r\n"), (400, True))
check("400 path with ..", status_of(req("/sub/../index.html")), (400, True))
check("404 missing file", status_of(req("/missing.html"), keep=True), (404, None))
check("405 DELETE", status_of(req("/index.html", "DELETE"), keep=True), (405, None))
check("413 body over the limit", status_of(req("/", "POST", "Content-Length: 10000000\r\n")), (413, True))
check("431 header section over 8 KiB", status_of(req("/", extra="X-Big: %s\r\n" % ("a" * 9000))), (431, True))
check("431 too many header fields", status_of(req("/", extra="".join("X-%d: v\r\n" % i for i in range(120)))), (431, True))
check("505 HTTP/2.0", status_of(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"), (505, True))
PY
	{ cat "$WORK/raw.out"; fail "raw-socket checks failed"; }
while read -r line; do ok "$line"; done < <(sed -n 's/^ok //p' "$WORK/raw.out")

# ---- error codes through curl -----------------------------------------------------------------
check_eq "curl: 404" "$(pcurl -o /dev/null -w '%{http_code}' "$URL/nope")" 404
check_eq "curl: 405 POST" "$(pcurl -o /dev/null -w '%{http_code}' -X POST -d x "$URL/index.html")" 405
check_eq "curl: 400 /../" "$(pcurl --path-as-is -o /dev/null -w '%{http_code}' "$URL/../etc/passwd")" 400
check_eq "curl: 413" "$(pcurl -o /dev/null -w '%{http_code}' -H 'Content-Length: 2000000' -X PUT "$URL/")" 413
check_eq "curl: 431" "$(pcurl -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$URL/")" 431

# ---- load: wrk (keep-alive) and ab (a connection per request) ---------------------------------
in_peer wrk -t2 -c32 -d"${WRK_SECONDS}s" --timeout 5s "$URL/index.html" >"$WORK/wrk.out" 2>&1 ||
	{ cat "$WORK/wrk.out"; fail "wrk failed"; }
WRK_RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/wrk.out")
WRK_REQ=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$WORK/wrk.out")
WRK_NON2XX=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$WORK/wrk.out")
WRK_SOCKERR=$(sed -n 's/^ *Socket errors: \(.*\)/\1/p' "$WORK/wrk.out")
[ -n "$WRK_RPS" ] || { cat "$WORK/wrk.out"; fail "wrk: no Requests/sec line"; }
check_ge "wrk -t2 -c32 -d${WRK_SECONDS}s: requests" "${WRK_REQ:-0}" 1000
check_eq "wrk: non-2xx responses" "${WRK_NON2XX:-0}" 0
check_eq "wrk: socket errors" "${WRK_SOCKERR:-none}" none
say "wrk -t2 -c32 -d${WRK_SECONDS}s GET /index.html: $WRK_RPS requests/s ($WRK_REQ requests)"

in_peer timeout 120 ab -q -n 10000 -c 16 "$URL/index.html" >"$WORK/ab.out" 2>&1 ||
	{ cat "$WORK/ab.out"; fail "ab failed"; }
AB_DONE=$(sed -n 's/^Complete requests: *\([0-9]*\).*/\1/p' "$WORK/ab.out")
AB_FAILED=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' "$WORK/ab.out")
AB_NON2XX=$(sed -n 's/^Non-2xx responses: *\([0-9]*\).*/\1/p' "$WORK/ab.out")
AB_RPS=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$WORK/ab.out")
check_eq "ab -n 10000 -c 16 (Connection: close): complete requests" "${AB_DONE:-?}" 10000
check_eq "ab: failed requests" "${AB_FAILED:-?}" 0
check_eq "ab: non-2xx responses" "${AB_NON2XX:-0}" 0
say "ab -n 10000 -c 16 GET /index.html (a connection per request): $AB_RPS requests/s"

# ---- stop ---------------------------------------------------------------------------------------
kill -s INT "$STACK_PID"
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$STACK_PID" 2>/dev/null; do
	[ "$SECONDS" -lt "$deadline" ] || fail "wskstack-httpd still running ${STOP_TIMEOUT} s after SIGINT"
	sleep 0.1
done
rc=0
wait "$STACK_PID" || rc=$?
STACK_PID=""
line=$(grep '^wskstack-httpd: summary ' "$WORK/stack.out" | tail -n 1 || true)
[ -n "$line" ] || fail "wskstack-httpd printed no summary line (exit status $rc)"
say "$line"
check_eq "wskstack-httpd exit status after SIGINT (0: sockets closed, deregistered, pools clean)" "$rc" 0
check_eq "summary lines" "$(grep -c '^wskstack-httpd: summary ' "$WORK/stack.out")" 1
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
check_eq "summary conns_open" "$(get conns_open)" 0
check_ge "summary requests" "$(get requests)" $((WRK_REQ + 10000))
check_ge "summary s200" "$(get s200)" $((WRK_REQ + 10000))
for code in 400 404 405 413 431 505; do
	check_ge "summary s$code" "$(get "s$code")" 1
done
# Large sends complete on ACK: 16 pipelined 1 MiB responses must have paused parsing.
check_ge "summary pauses (flow control paused and resumed parsing)" "$(get pauses)" 1
check_eq "summary send_errors" "$(get send_errors)" 0
stack_stderr_clean
finish
