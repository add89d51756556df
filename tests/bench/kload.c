/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kload: the Linux-socket load generator of the benchmarks (tests/bench/run), the kernel-side
 * twin of wskstack-bench: N TCP connections, each with one request in flight, one thread, epoll.
 *
 *   kload --echo A.B.C.D[:PORT] [-m BYTES] ...    echo ping-pong (messages of BYTES, checked)
 *   kload --http A.B.C.D[:PORT][/PATH] ...        HTTP/1.1 keep-alive GET (Content-Length)
 *         [--conns N] [-t SECONDS | -n REQUESTS] [--stats SEC]
 *
 * Latency is from the request's write to the last byte of its answer. One summary line:
 *   kload: summary mode=... conns=N requests=N req_per_s=X p50_us=X p99_us=X p999_us=X
 *          max_us=X errors=N bad=N
 * Exit 1 if there was an error or no request completed, 2 for bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RX_BYTES (1u << 20)

struct conn {
	int fd;
	int idx;
	uint64_t sent_ns;
	size_t got;          /* bytes of the current answer gathered */
	size_t want;         /* echo: message size; http: head+body once the head is parsed */
	int connected;
	char *rx;
};

static volatile sig_atomic_t stop;
static int http;
static size_t msg_bytes = 64;
static char *req;
static size_t req_len;
static uint64_t *lat;
static size_t nlat, caplat;
static unsigned long long errors, bad;

static void on_signal(int sig) { (void)sig; stop = 1; }

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "kload: %s\n", why);
	fprintf(stderr,
		"usage: kload --echo A.B.C.D[:PORT] [-m BYTES] [--conns N] [-t SEC | -n REQS] [--stats SEC]\n"
		"       kload --http A.B.C.D[:PORT][/PATH] [--conns N] [-t SEC | -n REQS] [--stats SEC]\n");
	exit(2);
}

static unsigned long
num(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		usage("bad number");
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		usage("number out of range");
	return v;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
record(uint64_t ns)
{
	if (nlat == caplat) {
		size_t ncap = caplat ? caplat * 2 : 1 << 16;
		uint64_t *n = realloc(lat, ncap * sizeof(*n));

		if (n == NULL)
			return;
		lat = n;
		caplat = ncap;
	}
	lat[nlat++] = ns;
}

static int
send_request(struct conn *c)
{
	ssize_t w;

	c->got = 0;
	c->want = http ? 0 : msg_bytes;
	c->sent_ns = now_ns();
	w = send(c->fd, req, req_len, MSG_NOSIGNAL);
	if (w != (ssize_t)req_len) {
		errors++;   /* a request that does not fit the send buffer at once: not expected */
		return -1;
	}
	return 0;
}

/* HTTP: after more bytes arrived with the head not yet parsed; 1 when want is known. */
static int
parse_head(struct conn *c)
{
	char *end, *p;
	unsigned long long len = 0;
	int have = 0;

	c->rx[c->got < RX_BYTES ? c->got : RX_BYTES - 1] = '\0';
	end = strstr(c->rx, "\r\n\r\n");
	if (end == NULL)
		return c->got >= RX_BYTES - 1 ? -1 : 0;
	if (strncmp(c->rx, "HTTP/1.", 7) != 0 || c->rx[9] != '2')
		bad++;
	for (p = strstr(c->rx, "\r\n") + 2; p < end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, "content-length:", 15) == 0) {
			len = strtoull(p + 15, NULL, 10);
			have = 1;
		}
	}
	if (!have)
		return -1;
	c->want = (size_t)(end + 4 - c->rx) + len;
	return 1;
}

static int
open_conn(int ep, struct conn *c, const struct sockaddr_in *sa)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0 && errno != EINPROGRESS)
		return -1;
	c->connected = 0;
	return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long conns = 8, secs = 0, total = 0, stats = 5;
	const char *target = NULL, *path = "/";
	unsigned long long done = 0, last_done = 0, started = 0;
	uint64_t t0, t_end = 0, next_stats, t_last = 0;
	struct epoll_event evs[256];
	struct conn *cs;
	char host[64];
	int ep, i;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--echo") == 0 || strcmp(o, "--http") == 0) {
			if (v == NULL || target != NULL)
				usage("one target");
			target = v;
			http = strcmp(o, "--http") == 0;
		} else if (strcmp(o, "-m") == 0) {
			msg_bytes = num(v, 1, RX_BYTES);
		} else if (strcmp(o, "--conns") == 0) {
			conns = num(v, 1, 10000);
		} else if (strcmp(o, "-t") == 0) {
			secs = num(v, 1, 86400);
		} else if (strcmp(o, "-n") == 0) {
			total = num(v, 1, 1ul << 40);
		} else if (strcmp(o, "--stats") == 0) {
			stats = num(v, 0, 3600);
		} else {
			usage("unknown option");
		}
		i++;
	}
	if (target == NULL)
		usage("give --echo or --http");
	if (secs && total)
		usage("-t and -n exclude each other");
	if (!secs && !total)
		secs = 10;
	{
		char addr[64], *colon, *slash;

		snprintf(addr, sizeof(addr), "%s", target);
		slash = strchr(addr, '/');
		if (slash != NULL) {
			if (!http)
				usage("--echo takes no path");
			path = target + (slash - addr);
			*slash = '\0';
		}
		snprintf(host, sizeof(host), "%s", addr);
		colon = strchr(addr, ':');
		sa.sin_port = htons(http ? 80 : 7);
		if (colon != NULL) {
			*colon = '\0';
			sa.sin_port = htons((unsigned short)num(colon + 1, 1, 65535));
		}
		if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
			usage("bad address");
	}
	if (http) {
		req = malloc(1024);
		req_len = (size_t)snprintf(req, 1024,
					   "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: kload\r\n\r\n",
					   path, host);
	} else {
		req = malloc(msg_bytes);
		for (size_t k = 0; k < msg_bytes; k++)
			req[k] = (char)('a' + k % 26);
		req_len = msg_bytes;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ep = epoll_create1(0);
	cs = calloc(conns, sizeof(*cs));
	for (i = 0; i < (int)conns; i++) {
		cs[i].idx = i;
		cs[i].rx = malloc(RX_BYTES);
		if (open_conn(ep, &cs[i], &sa) != 0) {
			perror("kload: connect");
			return 1;
		}
	}
	t0 = now_ns();
	if (secs)
		t_end = t0 + secs * 1000000000ull;
	next_stats = t0 + stats * 1000000000ull;
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 100);
		uint64_t t = now_ns();

		if (t_end && t >= t_end)
			break;
		if (total && done >= total)
			break;
		if (stats && t >= next_stats) {
			printf("kload: %.0f s requests=%llu req_per_s=%.0f\n", (t - t0) / 1e9, done,
			       (done - last_done) / (stats * 1.0));
			last_done = done;
			next_stats += stats * 1000000000ull;
		}
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r;

			if (c->fd < 0)
				continue;
			if (!c->connected) {
				int err = 0;
				socklen_t el = sizeof(err);
				struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

				if (!(evs[i].events & EPOLLOUT) ||
				    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
					fprintf(stderr, "kload: connect: %s\n", strerror(err ? err : EIO));
					errors++;
					stop = 1;
					break;
				}
				c->connected = 1;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				if (total && started >= total)
					continue;
				started++;
				if (send_request(c) != 0)
					stop = 1;
				continue;
			}
			for (;;) {
				size_t room = (http && c->want == 0 ? RX_BYTES - 1 : c->want) - c->got;

				if (room == 0)
					break;
				r = recv(c->fd, c->rx + c->got, room > RX_BYTES - c->got ? RX_BYTES - c->got : room, 0);
				if (r < 0 && errno == EAGAIN)
					break;
				if (r <= 0) {
					fprintf(stderr, "kload: connection %d: %s\n", c->idx,
						r == 0 ? "closed by the server" : strerror(errno));
					errors++;
					stop = 1;
					break;
				}
				c->got += (size_t)r;
				if (http && c->want == 0) {
					int ph = parse_head(c);

					if (ph < 0) {
						bad++;
						errors++;
						stop = 1;
						break;
					}
				}
				if (c->want != 0 && c->got >= c->want) {
					if (c->got > c->want) {
						bad++;   /* more than one answer: nothing was pipelined */
					} else if (!http && memcmp(c->rx, req, msg_bytes) != 0) {
						bad++;
					}
					record(now_ns() - c->sent_ns);
					done++;
					t_last = now_ns();
					if ((total && started >= total) || (t_end && t_last >= t_end))
						break;
					started++;
					if (send_request(c) != 0) {
						stop = 1;
						break;
					}
				}
				if (c->got < c->want || c->want == 0)
					continue;
			}
		}
	}
	{
		double el = t_last > t0 ? (t_last - t0) / 1e9 : 0;
		uint64_t p50 = 0, p99 = 0, p999 = 0, mx = 0;

		if (nlat) {
			qsort(lat, nlat, sizeof(*lat), cmp_u64);
			p50 = lat[nlat * 50 / 100];
			p99 = lat[nlat * 99 / 100];
			p999 = lat[nlat * 999 / 1000];
			mx = lat[nlat - 1];
		}
		printf("kload: summary mode=%s conns=%lu msg_bytes=%zu requests=%llu seconds=%.3f "
		       "req_per_s=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f errors=%llu bad=%llu\n",
		       http ? "http" : "echo", conns, http ? (size_t)0 : msg_bytes, done, el,
		       el > 0 ? done / el : 0.0, p50 / 1e3, p99 / 1e3, p999 / 1e3, mx / 1e3, errors, bad);
	}
	return errors || bad || done == 0 ? 1 : 0;
}
