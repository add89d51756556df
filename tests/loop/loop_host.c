/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the loop tier (loop_host.h): hashing, generated streams, a TX
 * gate, two stack instances joined by a PMD pair (optionally impaired by the
 * seeded fault injector) polled on virtual time, and TCP applications on
 * the stk_tcp.h seam.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_mempool.h>

#include "check.h"
#include "loop_host.h"
#include "tcp_priv.h" /* tcp_state_name() for loop_ep_print() */

/* ---- hashing ---- */

void
loop_hash_mbuf(struct sha256 *s, const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	for (; m != NULL && len > 0; m = m->next) {
		uint32_t take;

		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		take = RTE_MIN((uint32_t)m->data_len - off, len);
		sha256_update(s, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), take);
		len -= take;
		off = 0;
	}
}

/* ---- generated streams ---- */

/* splitmix64's output function: word @p i of stream @p seed. */
static inline uint64_t
gen_word(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + (i + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
loop_gen_fill(uint64_t seed, uint64_t off, uint8_t *buf, uint32_t len)
{
	uint32_t i = 0;

	/* Head up to a word boundary, whole words, then the tail. */
	while (i < len && ((off + i) & 7) != 0) {
		buf[i] = (uint8_t)(gen_word(seed, (off + i) >> 3) >> (8 * ((off + i) & 7)));
		i++;
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t w = gen_word(seed, (off + i) >> 3);

		memcpy(buf + i, &w, 8); /* little-endian hosts: byte k is bits 8k..8k+7 */
	}
	for (; i < len; i++)
		buf[i] = (uint8_t)(gen_word(seed, (off + i) >> 3) >> (8 * ((off + i) & 7)));
}

struct rte_mbuf *
loop_gen_mbuf(struct rte_mempool *mp, uint64_t seed, uint64_t off, uint32_t len,
	      struct sha256 *hash)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t done = 0;

	while (done < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint16_t n;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = (uint16_t)RTE_MIN(len - done, (uint32_t)rte_pktmbuf_tailroom(m));
		m->data_len = n;
		loop_gen_fill(seed, off + done, rte_pktmbuf_mtod(m, uint8_t *), n);
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
		}
		head->pkt_len += n;
		tail = m;
		done += n;
	}
	if (hash != NULL)
		loop_hash_mbuf(hash, head, 0, len);
	return head;
}

/* ---- the TX gate ---- */

static uint16_t
gate_rx(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct loop_gate *g = dev;

	return g->ops->rx_burst(g->dev, q, pkts, n);
}

/* @return true if @p m is an IPv4 TCP segment with ACK alone and no payload. */
static bool
gate_pure_ack(const struct rte_mbuf *m)
{
	uint8_t buf[sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr)];
	const uint8_t *b = rte_pktmbuf_read(m, 0, sizeof(buf), buf);
	const struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr tbuf;
	const struct rte_tcp_hdr *th;
	uint32_t ihl;

	if (b == NULL || ((const struct rte_ether_hdr *)b)->ether_type !=
			 rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	ip = (const struct rte_ipv4_hdr *)(b + sizeof(struct rte_ether_hdr));
	if (ip->next_proto_id != IPPROTO_TCP)
		return false;
	ihl = rte_ipv4_hdr_len(ip);
	th = rte_pktmbuf_read(m, sizeof(struct rte_ether_hdr) + ihl, sizeof(tbuf), &tbuf);
	return th != NULL && th->tcp_flags == RTE_TCP_ACK_FLAG &&
	       rte_be_to_cpu_16(ip->total_length) == ihl + (th->data_off >> 4) * 4u;
}

static uint16_t
gate_tx(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct loop_gate *g = dev;
	uint16_t i, keep = 0, sent;

	if (g->mode == LOOP_GATE_OPEN)
		return g->ops->tx_burst(g->dev, q, pkts, n);
	for (i = 0; i < n; i++) {
		if (g->mode == LOOP_GATE_DROP_ALL || gate_pure_ack(pkts[i])) {
			rte_pktmbuf_free(pkts[i]);
			g->dropped++;
		} else {
			pkts[keep++] = pkts[i];
		}
	}
	/* What the device refuses is freed here: the caller believes all was taken. */
	sent = keep > 0 ? g->ops->tx_burst(g->dev, q, pkts, keep) : 0;
	for (i = sent; i < keep; i++)
		rte_pktmbuf_free(pkts[i]);
	return n;
}

const struct stk_netdev_ops loop_gate_ops = { .rx_burst = gate_rx, .tx_burst = gate_tx };

/* ---- two hosts ---- */

double
loop_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
conf_port(struct drv_conf_port *pc, const struct loop_net_conf *c, const char *sock, int side)
{
	memset(pc, 0, sizeof(*pc));
	pc->mtu = 1500;
	pc->offloads = true;
	pc->prefix_len = 24;
	pc->addr = TEST_IP4(198, 18, 7, 1 + side);
	pc->mac_set = true;
	rte_ether_unformat_addr(side == 0 ? "02:00:00:00:07:01" : "02:00:00:00:07:02", &pc->mac);
	if (strcmp(c->kind, "memif") == 0) {
		pc->kind = DRV_PORT_MEMIF;
		pc->memif_server = side == 0;
		snprintf(pc->memif_socket, sizeof(pc->memif_socket), "%s", sock);
	} else {
		pc->kind = DRV_PORT_RING;
		snprintf(pc->ring, sizeof(pc->ring), "%s", c->tag);
		pc->ring_side = side;
	}
}

/* With LOOP_PCAP_DIR set, capture what each port sends and receives into DIR/TAG-A.pcap. */
static int
host_capture(struct loop_host *h, const char *tag)
{
	const char *dir = getenv("LOOP_PCAP_DIR");
	char path[512], err[256];

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s-%s.pcap", dir, tag, h->name);
	h->cap = drv_capture_open(path, 256, err, sizeof(err));
	if (h->cap == NULL) {
		fprintf(stderr, "host %s: %s\n", h->name, err);
		return -1;
	}
	drv_port_set_capture(h->port, h->cap);
	return 0;
}

static int
host_up(struct loop_net *n, struct loop_host *h, const struct loop_net_conf *c, int side)
{
	const struct drv_fault_conf *fc = side == 0 ? c->fault_a : c->fault_b;
	struct drv_conf_port pc;
	struct stk_port_conf spc;
	struct stk_params p;
	char err[256];

	h->name = side == 0 ? "A" : "B";
	conf_port(&pc, c, n->sock, side);
	h->addr = pc.addr;
	h->port = drv_port_open(&pc, (unsigned int)side, 1, n->mp, err, sizeof(err));
	if (h->port == NULL) {
		fprintf(stderr, "host %s: %s\n", h->name, err);
		return -1;
	}
	stk_params_default(&p);
	h->sh = stk_shared_create(&p, SOCKET_ID_ANY);
	if (h->sh == NULL)
		return -1;
	drv_port_stk_conf(h->port, &spc);
	if (fc != NULL) {
		/* The injector goes between the stack and the port. */
		h->fault = drv_fault_create(fc, spc.ops, spc.dev);
		if (h->fault == NULL) {
			fprintf(stderr, "host %s: drv_fault_create failed\n", h->name);
			return -1;
		}
		spc.ops = &drv_fault_ops;
		spc.dev = h->fault;
	}
	h->gate = (struct loop_gate){ .ops = spc.ops, .dev = spc.dev };
	spc.ops = &loop_gate_ops;
	spc.dev = &h->gate;
	if (stk_shared_add_port(h->sh, &spc) < 0 || stk_shared_freeze(h->sh) != 0)
		return -1;
	h->in = stk_inst_create(h->sh, 0, 1, n->mp, n->ind, SOCKET_ID_ANY);
	if (h->in == NULL) {
		fprintf(stderr, "host %s: stk_inst_create failed\n", h->name);
		return -1;
	}
	stk_inst_link(&h->in, 1);
	return host_capture(h, c->tag);
}

/* memif links come up asynchronously: wait for both (ring pairs are up at once). */
static int
links_wait(const struct loop_net *n)
{
	unsigned int i;

	for (i = 0; i < 5000; i++) {
		struct rte_eth_link la, lb;

		rte_eth_link_get_nowait(drv_port_id(n->a.port), &la);
		rte_eth_link_get_nowait(drv_port_id(n->b.port), &lb);
		if (la.link_status && lb.link_status)
			return 0;
		usleep(1000);
	}
	fprintf(stderr, "links did not come up\n");
	return -1;
}

int
loop_net_up(struct loop_net *n, const struct loop_net_conf *c)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	memset(n, 0, sizeof(*n));
	n->now = STK_NS_PER_S;
	snprintf(n->sock, sizeof(n->sock), "/tmp/wskloop-%s-%d.sock", c->tag, (int)getpid());
	snprintf(name, sizeof(name), "lp_%s", c->tag);
	n->mp = rte_pktmbuf_pool_create(name, c->nb_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "li_%s", c->tag);
	n->ind = rte_pktmbuf_pool_create(name, c->nb_mbufs, 256, 0, 0, SOCKET_ID_ANY);
	if (n->mp == NULL || n->ind == NULL) {
		fprintf(stderr, "pools of %u mbufs: %s\n", c->nb_mbufs, rte_strerror(rte_errno));
		return -1;
	}
	if (host_up(n, &n->a, c, 0) != 0 || host_up(n, &n->b, c, 1) != 0 || links_wait(n) != 0)
		return -1;
	stk_inst_start(n->a.in, n->now);
	stk_inst_start(n->b.in, n->now);
	/* A memif client posts its RX buffers on its first polls: let both run a while. */
	loop_net_idle(n, 100);
	return 0;
}

unsigned int
loop_net_step(struct loop_net *n, stk_time_t dt)
{
	unsigned int work;

	n->now += dt;
	n->steps++;
	if (n->a.fault != NULL)
		drv_fault_tick(n->a.fault, n->now);
	if (n->b.fault != NULL)
		drv_fault_tick(n->b.fault, n->now);
	work = stk_inst_poll(n->a.in, n->now);
	work += stk_inst_poll(n->b.in, n->now);
	return work;
}

void
loop_net_idle(struct loop_net *n, unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms; i++)
		loop_net_step(n, STK_NS_PER_MS);
}

static void
print_fault_dir(const char *host, const char *dir, const struct drv_fault_dir_stats *d)
{
	if (d->frames_in == 0)
		return;
	printf("  %s %s: in %" PRIu64 " out %" PRIu64 " lost %" PRIu64 " dup %" PRIu64
	       " corrupt %" PRIu64 " reorder %" PRIu64 " overflow %" PRIu64 " nomem %" PRIu64 "\n",
	       host, dir, d->frames_in, d->frames_out, d->lost, d->duplicated, d->corrupted,
	       d->reordered, d->overflow, d->nomem);
}

static void
print_host(const struct loop_host *h)
{
	const struct stk_stats *s = stk_inst_stats(h->in);
	unsigned int i;

	printf("  %s: tx %" PRIu64 " frames, rx %" PRIu64 " frames\n", h->name,
	       s->cnt[STK_CNT_TX_FRAMES], s->cnt[STK_CNT_RX_FRAMES]);
	for (i = 1; i < STK_DROP__MAX; i++)
		if (s->drop[i] != 0)
			printf("  %s dropped %" PRIu64 " as %s\n", h->name, s->drop[i],
			       stk_drop_name(i));
	if (h->gate.dropped != 0)
		printf("  %s gate dropped %" PRIu64 " frames\n", h->name, h->gate.dropped);
	if (h->fault != NULL) {
		struct drv_fault_stats fs;

		drv_fault_stats(h->fault, &fs);
		print_fault_dir(h->name, "tx", &fs.tx);
		print_fault_dir(h->name, "rx", &fs.rx);
	}
}

void
loop_net_print_stats(const struct loop_net *n)
{
	if (n->a.in != NULL)
		print_host(&n->a);
	if (n->b.in != NULL)
		print_host(&n->b);
}

unsigned int
loop_net_mbufs_in_use(const struct loop_net *n)
{
	return rte_mempool_in_use_count(n->mp) + rte_mempool_in_use_count(n->ind);
}

static void
host_down(struct loop_host *h)
{
	if (h->in != NULL)
		stk_inst_destroy(h->in);
	drv_fault_free(h->fault);
	if (h->sh != NULL)
		stk_shared_free(h->sh);
	drv_port_close(h->port);
	if (h->cap != NULL)
		drv_capture_close(h->cap);
	memset(h, 0, sizeof(*h));
}

void
loop_net_down(struct loop_net *n)
{
	/* B first: the ring pair's creator (A, the lower port number) frees the rings last. */
	host_down(&n->b);
	host_down(&n->a);
	rte_mempool_free(n->mp);
	rte_mempool_free(n->ind);
	n->mp = n->ind = NULL;
	unlink(n->sock);
}

/* ---- TCP applications on the seam ---- */

#define ECHO_CTX ((void *)1)

void
loop_ep_init(struct loop_ep *e, const char *name, const struct loop_ep_conf *cf)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->cf = *cf;
	sha256_init(&e->tx_hash);
	sha256_init(&e->rx_hash);
}

void
loop_ep_close(struct loop_ep *e)
{
	unsigned int i;

	for (i = 0; i < e->nb_held; i++)
		rte_pktmbuf_free(e->held[i]);
	e->nb_held = 0;
	if (e->c != NULL && !e->closed)
		stk_tcp_close(e->c);
	e->closed = true;
}

static void
ep_connected(void *arg, struct stk_tcp_conn *c, int err)
{
	struct loop_ep *e = arg;

	e->connected = err == 0;
	e->conn_err = err;
}

static enum stk_tcp_recv_verdict
ep_recv(void *arg, struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t len, bool push,
	uint32_t *consumed)
{
	struct loop_ep *e = arg;

	if (m->pkt_len != len)
		e->bad_len++;
	if (e->cf.mode == LOOP_RX_COPY) {
		/* Inside stk_tcp_recv_copy the copy reads in order: take nothing here. */
		*consumed = e->in_copy ? 0 : len / 2;
		loop_hash_mbuf(&e->rx_hash, m, 0, *consumed);
		e->rx_bytes += *consumed;
		return STK_TCP_RECV_PARTIAL;
	}
	loop_hash_mbuf(&e->rx_hash, m, 0, len);
	e->rx_bytes += len;
	if (e->cf.echo) {
		int rc;

		loop_hash_mbuf(&e->tx_hash, m, 0, len);
		e->tx_queued += len;
		rc = stk_tcp_send(c, m, ECHO_CTX, 0); /* the stack owns m either way */
		if (rc != 0) {
			e->send_errs++;
			e->send_rc = rc;
		}
		return STK_TCP_RECV_TAKEN;
	}
	if (e->cf.mode == LOOP_RX_TAKE && e->nb_held < LOOP_HELD_MAX) {
		e->held[e->nb_held++] = m;
		return STK_TCP_RECV_TAKEN;
	}
	return STK_TCP_RECV_CONSUMED;
}

static void
ep_sent(void *arg, struct stk_tcp_conn *c, void *ctx, uint32_t bytes, int err)
{
	struct loop_ep *e = arg;

	if (err != 0) {
		e->sent_failed++;
		e->sent_err = err;
		return;
	}
	e->tx_done += bytes;
	/* The echoed chain was taken from the receive side: its bytes go back now. */
	if (ctx == ECHO_CTX)
		stk_tcp_recv_done(c, bytes);
}

static void
ep_peer_fin(void *arg, struct stk_tcp_conn *c)
{
	struct loop_ep *e = arg;

	e->peer_fin = true;
	e->peer_fin_calls++;
	e->rx_at_fin = e->rx_bytes;
	e->fin_in_copy = e->in_copy;
}

static void
ep_shutdown_done(void *arg, struct stk_tcp_conn *c, void *ctx, int err)
{
	struct loop_ep *e = arg;
	struct stk_tcp_info i;

	CHECK(ctx == e, "%s: shutdown_done carries the shutdown's context", e->name);
	e->shut_done = true;
	e->shut_calls++;
	e->shut_err = err;
	stk_tcp_info(c, &i);
	e->state_at_shut = i.state;
	if (e->cf.close_in_upcall && e->peer_fin)
		loop_ep_close(e);
}

static void
ep_reset(void *arg, struct stk_tcp_conn *c, int err)
{
	struct loop_ep *e = arg;

	e->reset = true;
	e->reset_err = err;
	if (e->cf.close_in_upcall)
		loop_ep_close(e);
}

const struct stk_tcp_upcalls loop_ep_up = {
	.connected = ep_connected,
	.recv = ep_recv,
	.sent = ep_sent,
	.peer_fin = ep_peer_fin,
	.shutdown_done = ep_shutdown_done,
	.reset = ep_reset,
};

/* Read what stk_tcp_recv_copy gives, in order (LOOP_RX_COPY). */
static void
ep_copy(struct loop_ep *e)
{
	static uint8_t buf[64 * 1024];
	uint32_t n;

	do {
		e->in_copy = true;
		n = stk_tcp_recv_copy(e->c, buf, sizeof(buf));
		e->in_copy = false;
		sha256_update(&e->rx_hash, buf, n);
		e->rx_bytes += n;
		if (e->fin_in_copy) {
			/* The FIN was told inside the copy, after the bytes it returned. */
			e->rx_at_fin = e->rx_bytes;
			e->fin_in_copy = false;
		}
	} while (n != 0 && !e->closed);
}

/* Hand the stack more of the generated stream, up to LOOP_SND_AHEAD not completed. */
static void
ep_fill(struct loop_ep *e, struct rte_mempool *mp)
{
	uint64_t chunk = e->cf.chunk != 0 ? e->cf.chunk : LOOP_SND_CHUNK;

	while (e->tx_queued < e->cf.tx_total && e->tx_queued - e->tx_done < LOOP_SND_AHEAD) {
		uint32_t len = (uint32_t)RTE_MIN(chunk, e->cf.tx_total - e->tx_queued);
		struct rte_mbuf *m = loop_gen_mbuf(mp, e->cf.seed, e->tx_queued, len, &e->tx_hash);
		int rc;

		if (m == NULL)
			return; /* pool dry for now: the stack frees mbufs as ACKs arrive */
		rc = stk_tcp_send(e->c, m, NULL, 0);
		if (rc != 0) {
			e->send_errs++;
			e->send_rc = rc;
			return;
		}
		e->tx_queued += len;
	}
}

void
loop_ep_shutdown(struct loop_ep *e)
{
	int rc;

	e->shut_called = true;
	rc = stk_tcp_shutdown(e->c, e);
	CHECK(rc == 0, "%s: shutdown: %s", e->name, stk_strerror(rc));
}

/* One application step outside the polls: give back, read, send, shut down, close. */
void
loop_ep_pump(struct loop_ep *e, struct rte_mempool *mp)
{
	bool dead;

	if (e->c == NULL || e->closed)
		return;
	dead = e->reset || e->conn_err != 0;
	while (e->nb_held > 0 && (!e->cf.hold || dead)) {
		struct rte_mbuf *m = e->held[--e->nb_held];
		uint32_t len = m->pkt_len;

		rte_pktmbuf_free(m);
		if (!dead)
			stk_tcp_recv_done(e->c, len);
	}
	if (dead) {
		loop_ep_close(e);
		return;
	}
	if (!e->connected)
		return;
	if (e->cf.mode == LOOP_RX_COPY)
		ep_copy(e);
	if (e->closed)
		return;
	ep_fill(e, mp);
	if (!e->shut_called && ((e->cf.shut_after_tx && e->tx_queued == e->cf.tx_total) ||
				(e->cf.shut_after_rx && e->rx_bytes >= e->cf.rx_expect) ||
				(e->cf.shut_on_fin && e->peer_fin)))
		loop_ep_shutdown(e);
	if (!e->closed && e->shut_done && e->peer_fin)
		loop_ep_close(e);
}

void
loop_ep_print(const struct loop_ep *e)
{
	struct stk_tcp_info i;

	printf("  %s: %s rx %" PRIu64 "/%" PRIu64 " tx %" PRIu64 " queued %" PRIu64 " done%s%s%s%s\n",
	       e->name, e->closed ? "closed" : "open", e->rx_bytes, e->cf.rx_expect, e->tx_queued,
	       e->tx_done, e->peer_fin ? " peer_fin" : "", e->shut_done ? " shut_done" : "",
	       e->reset ? " reset" : "", e->connected ? "" : " not-connected");
	if (e->c == NULL || e->closed)
		return;
	stk_tcp_info(e->c, &i);
	printf("    %s snd_una %u snd_nxt %u snd_wnd %u rcv_nxt %u rcv_wnd %u cwnd %u ssthresh %u"
	       " mss %u srtt %u us rto %u ms retransmits %" PRIu64 " queued %u held %u taken %u\n",
	       tcp_state_name(i.state), i.snd_una, i.snd_nxt, i.snd_wnd, i.rcv_nxt, i.rcv_wnd,
	       i.cwnd, i.ssthresh, i.mss, i.srtt_us, i.rto_ms, i.retransmits, i.send_queued,
	       i.recv_held, i.recv_taken);
}

/* ---- driving ---- */

static unsigned int
group_exist(const struct loop_group *g)
{
	return g->used != NULL ? *g->used : g->n;
}

static uint64_t
ep_progress(const struct loop_ep *e)
{
	return e->rx_bytes + e->tx_done + e->connected + e->peer_fin + e->shut_done + e->closed +
	       e->reset;
}

/* Pump every endpoint once. @return true when all closed, and @p prog the progress sum. */
static bool
run_pump(struct loop_run *r, uint64_t *prog)
{
	bool all = true;
	unsigned int g, i;

	*prog = 0;
	for (g = 0; g < r->nb_g; g++) {
		const struct loop_group *gr = &r->g[g];
		unsigned int exist = group_exist(gr);

		for (i = 0; i < exist; i++) {
			loop_ep_pump(&gr->eps[i], r->net->mp);
			*prog += ep_progress(&gr->eps[i]);
			all = all && gr->eps[i].closed;
		}
		*prog += exist;
		all = all && exist == gr->n;
	}
	return all;
}

static void
run_stalled(struct loop_run *r)
{
	unsigned int g, i, shown = 0;

	CHECK(0, "%s: no progress for %llu s of virtual time (t = %.3f s)", r->what,
	      LOOP_STALL_NS / STK_NS_PER_S, (double)r->net->now / 1e9);
	printf("STALL in %s: connections not closed:\n", r->what);
	for (g = 0; g < r->nb_g; g++)
		for (i = 0; i < group_exist(&r->g[g]); i++)
			if (!r->g[g].eps[i].closed && shown++ < 8)
				loop_ep_print(&r->g[g].eps[i]);
	loop_net_print_stats(r->net);
	/* Abort what is left so the mbuf and TCB checks still mean something. */
	for (g = 0; g < r->nb_g; g++) {
		for (i = 0; i < group_exist(&r->g[g]); i++) {
			struct loop_ep *e = &r->g[g].eps[i];

			if (e->c != NULL && !e->closed) {
				e->cf.close_in_upcall = false;
				stk_tcp_abort(e->c);
				loop_ep_close(e);
			}
		}
	}
}

/* Poll until every endpoint closed. @return false on a stall (reported). */
bool
loop_run_until_closed(struct loop_run *r)
{
	stk_time_t dt = LOOP_STEP_BUSY, last_t = r->net->now;
	uint64_t last = UINT64_MAX, prog;

	for (;;) {
		unsigned int work = loop_net_step(r->net, dt);

		if (run_pump(r, &prog)) {
			/* Blocks closed by the user are freed at the end of a poll. */
			loop_net_step(r->net, LOOP_STEP_BUSY);
			return true;
		}
		if (prog != last) {
			last = prog;
			last_t = r->net->now;
		} else if (r->net->now - last_t > LOOP_STALL_NS) {
			run_stalled(r);
			return false;
		}
		dt = work != 0 ? LOOP_STEP_BUSY : LOOP_STEP_IDLE;
	}
}

static int
srv_accept(void *arg, struct stk_tcp_conn *l, struct stk_tcp_conn *c,
	   const struct stk_tcp_peer *peer)
{
	struct loop_server *s = arg;
	struct loop_ep *e;

	if (s->used == s->cap) {
		s->refused++;
		return -1;
	}
	e = &s->eps[s->used++];
	loop_ep_init(e, s->name, &s->tmpl);
	e->cf.seed += s->used - 1;
	e->c = c;
	e->connected = true;
	stk_tcp_set_upcalls(c, &loop_ep_up, e);
	return 0;
}

const struct stk_tcp_upcalls loop_server_up = { .accept = srv_accept };

/* ---- one connection at a time ---- */

unsigned int
loop_tcbs_in_use(const struct loop_host *h)
{
	return rte_mempool_in_use_count(h->in->tcp->conn_pool);
}

int
loop_connect(struct loop_net *n, struct loop_ep *e, uint16_t port)
{
	int rc = stk_tcp_connect(n->b.in, 0, 0, n->a.addr, rte_cpu_to_be_16(port), &loop_ep_up,
				 e, &e->c);

	CHECK(rc == 0, "%s: connect: %s", e->name, stk_strerror(rc));
	return rc;
}

bool
loop_pair_open(struct loop_pair *p, const char *what, const struct loop_ep_conf *scf,
	       const struct loop_ep_conf *ccf)
{
	unsigned int i;

	p->tcb_a = loop_tcbs_in_use(&p->n->a);
	p->tcb_b = loop_tcbs_in_use(&p->n->b);
	p->mbufs = loop_net_mbufs_in_use(p->n);
	p->srv.used = 0;
	p->srv.tmpl = *scf;
	memset(&p->sep, 0, sizeof(p->sep));
	loop_ep_init(&p->cli, "B", ccf);
	if (loop_connect(p->n, &p->cli, p->port) != 0)
		return false;
	for (i = 0; i < 10000 && !(p->srv.used == 1 && p->cli.connected); i++) {
		loop_net_step(p->n, LOOP_STEP_BUSY);
		loop_ep_pump(&p->cli, p->n->mp);
		if (p->srv.used == 1)
			loop_ep_pump(&p->sep, p->n->mp);
	}
	CHECK(p->srv.used == 1 && p->cli.connected, "%s: connection established", what);
	return p->srv.used == 1 && p->cli.connected;
}

void
loop_pair_run(struct loop_pair *p, const char *what)
{
	struct loop_run r = { .net = p->n, .what = what, .nb_g = 2 };

	r.g[0] = (struct loop_group){ &p->cli, 1, NULL };
	r.g[1] = (struct loop_group){ &p->sep, 1, &p->srv.used };
	loop_run_until_closed(&r);
}

void
loop_pair_steps(struct loop_pair *p, unsigned int ms, bool until_sent)
{
	stk_time_t end = p->n->now + ms * STK_NS_PER_MS;

	while (p->n->now < end && !(until_sent && p->cli.tx_done == p->cli.cf.tx_total &&
				   p->sep.tx_done == p->sep.cf.tx_total)) {
		loop_net_step(p->n, LOOP_STEP_BUSY);
		loop_ep_pump(&p->cli, p->n->mp);
		loop_ep_pump(&p->sep, p->n->mp);
	}
}

void
loop_pair_end(struct loop_pair *p, const char *what, int da, int db)
{
	int a = (int)loop_tcbs_in_use(&p->n->a) - (int)p->tcb_a;
	int b = (int)loop_tcbs_in_use(&p->n->b) - (int)p->tcb_b;
	int m;

	CHECK(a == da && b == db, "%s: TCBs kept after both closed: A %+d (%+d expected), "
	      "B %+d (%+d expected)", what, a, da, b, db);
	loop_net_idle(p->n, 10);
	m = (int)loop_net_mbufs_in_use(p->n) - (int)p->mbufs;
	CHECK(m == 0, "%s: %+d mbufs in use after both closed (packet pool %u, indirect %u)", what,
	      m, rte_mempool_in_use_count(p->n->mp), rte_mempool_in_use_count(p->n->ind));
}
