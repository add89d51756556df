/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A TCP client through the internal seam, on instance 0: connect to a
 * server, send a generated stream and/or receive until the server closes,
 * hash both directions with SHA-256, repeat for N connections, then stop
 * the runtime. One line per connection:
 *   wskstackd: client conn=K sent=N sent_sha256=H recv=N recv_sha256=H result=ok
 */
#include <stdio.h>
#include <string.h>

#include "sha256.h"
#include "tcp_client.h"

#define CLIENT_CHUNK 1920u       /* bytes per send (one mbuf) */
#define CLIENT_INFLIGHT (512u * 1024) /* bytes handed to TCP and not yet completed */

static struct tcp_client_conf cfg;
static struct {
	struct stk_inst *in;
	struct stk_tcp_conn *c;
	unsigned int done, failed;
	uint64_t queued, completed, received;
	uint64_t pattern;
	struct sha256 tx, rx;
	bool shut;
	void (*finished)(void);
} st;

static void client_next(void);

static void
client_fill(void)
{
	while (st.c != NULL && st.queued < cfg.send_bytes &&
	       st.queued - st.completed < CLIENT_INFLIGHT) {
		uint32_t n = (uint32_t)RTE_MIN((uint64_t)CLIENT_CHUNK, cfg.send_bytes - st.queued);
		struct rte_mbuf *m = stk_pktmbuf_alloc(st.in);
		uint8_t *p;
		uint32_t i;

		if (m == NULL)
			return; /* retried when a send completes */
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		for (i = 0; i < n; i++) {
			/* xorshift64: a stream that compresses badly and repeats never */
			st.pattern ^= st.pattern << 13;
			st.pattern ^= st.pattern >> 7;
			st.pattern ^= st.pattern << 17;
			p[i] = (uint8_t)st.pattern;
		}
		sha256_update(&st.tx, p, n);
		if (stk_tcp_send(st.c, m, NULL, 0) != 0)
			return;
		st.queued += n;
	}
	if (st.c != NULL && st.queued == cfg.send_bytes && !st.shut && !cfg.recv) {
		st.shut = true;
		stk_tcp_shutdown(st.c, &st);
	}
}

static void
client_end(const char *result)
{
	char tx[65], rx[65];

	sha256_final_hex(&st.tx, tx);
	sha256_final_hex(&st.rx, rx);
	printf("wskstackd: client conn=%u sent=%" PRIu64 " sent_sha256=%s recv=%" PRIu64
	       " recv_sha256=%s result=%s\n", st.done + st.failed, st.queued, tx, st.received,
	       rx, result);
	if (strcmp(result, "ok") == 0)
		st.done++;
	else
		st.failed++;
	if (st.c != NULL)
		stk_tcp_close(st.c);
	st.c = NULL;
	client_next();
}

static void
on_connected(void *arg, struct stk_tcp_conn *c, int err)
{
	if (err != 0) {
		st.c = c; /* client_end closes it */
		client_end(err == STK_TCP_ECONNREFUSED ? "refused" : "connect-failed");
		return;
	}
	client_fill();
}

static enum stk_tcp_recv_verdict
on_recv(void *arg, struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t len, bool push,
	uint32_t *consumed)
{
	const struct rte_mbuf *seg;

	for (seg = m; seg != NULL; seg = seg->next)
		sha256_update(&st.rx, rte_pktmbuf_mtod(seg, const void *), seg->data_len);
	st.received += len;
	return STK_TCP_RECV_CONSUMED;
}

static void
on_sent(void *arg, struct stk_tcp_conn *c, void *ctx, uint32_t bytes, int err)
{
	st.completed += bytes;
	if (err == 0)
		client_fill();
}

static void
on_peer_fin(void *arg, struct stk_tcp_conn *c)
{
	/* Receive mode: the server's stream ended; send what is left, then our FIN. */
	if (cfg.recv && !st.shut && st.queued == cfg.send_bytes) {
		st.shut = true;
		stk_tcp_shutdown(c, &st);
	}
}

static void
on_shutdown_done(void *arg, struct stk_tcp_conn *c, void *ctx, int err)
{
	client_end(err == 0 ? "ok" : "shutdown-failed");
}

static void
on_reset(void *arg, struct stk_tcp_conn *c, int err)
{
	client_end(err == STK_TCP_ETIMEDOUT ? "timeout" : "reset");
}

static const struct stk_tcp_upcalls client_up = {
	.connected = on_connected,
	.recv = on_recv,
	.sent = on_sent,
	.peer_fin = on_peer_fin,
	.shutdown_done = on_shutdown_done,
	.reset = on_reset,
};

static void
client_next(void)
{
	int rc;

	if (st.done + st.failed >= cfg.conns) {
		printf("wskstackd: client done ok=%u failed=%u\n", st.done, st.failed);
		if (st.finished != NULL)
			st.finished();
		return;
	}
	st.queued = st.completed = st.received = 0;
	st.shut = false;
	st.pattern = 0x9e3779b97f4a7c15ull;
	sha256_init(&st.tx);
	sha256_init(&st.rx);
	rc = stk_tcp_connect(st.in, 0, 0, cfg.addr, cfg.port, &client_up, NULL, &st.c);
	if (rc != 0) {
		st.c = NULL;
		client_end("connect-error");
	}
}

void
tcp_client_start(struct stk_inst *in, const struct tcp_client_conf *conf, void (*finished)(void))
{
	cfg = *conf;
	st.in = in;
	st.finished = finished;
	client_next();
}

unsigned int
tcp_client_failed(void)
{
	return st.failed;
}
