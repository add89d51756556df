/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pkt harness: life cycle, virtual time, injection, expectations and
 * counters. Frame builders and checkers are in frames.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "harness.h"

#define H_NB_MBUFS 4095
#define H_DEV_DEPTH 1024
#define H_POLL_MAX 100000

const struct rte_ether_addr h_our_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
const struct rte_ether_addr h_peer_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
const struct rte_ether_addr h_gw_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}};
const struct rte_ether_addr h_bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
const struct rte_ether_addr h_zero_mac = {{0}};

static void
h_fatal(const char *what)
{
	fprintf(stderr, "pkt harness: %s failed: %s\n", what, rte_strerror(rte_errno));
	exit(1);
}

void
h_opts_init(struct h_opts *o)
{
	memset(o, 0, sizeof(*o));
	stk_params_default(&o->p);
	o->peer_static = true;
}

static void
h_pools_create(struct h *h)
{
	static unsigned int seq;
	char name[RTE_MEMPOOL_NAMESIZE];

	seq++;
	snprintf(name, sizeof(name), "hpkt%u", seq);
	h->mp = rte_pktmbuf_pool_create(name, H_NB_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	snprintf(name, sizeof(name), "hind%u", seq);
	h->ind = rte_pktmbuf_pool_create(name, H_NB_MBUFS, 0, 0, 0, (int)rte_socket_id());
	if (h->mp == NULL || h->ind == NULL)
		h_fatal("rte_pktmbuf_pool_create");
}

#define H_SETUP(cond, what)                                                      \
	do {                                                                     \
		if (!(cond)) {                                                   \
			CHECK(false, "stack set-up: %s failed", what);           \
			return false;                                            \
		}                                                                \
	} while (0)

static bool
h_stack_create(struct h *h, const struct h_opts *o)
{
	struct stk_port_conf pc;

	h->sh = stk_shared_create(&o->p, (int)rte_socket_id());
	H_SETUP(h->sh != NULL, "stk_shared_create");
	drv_memdev_stk_conf(h->dev, &pc);
	pc.addr = H_OUR_IP;
	pc.prefix_len = H_PREFIX_LEN;
	pc.gateway = o->gateway ? H_GW_IP : 0;
	H_SETUP(stk_shared_add_port(h->sh, &pc) == 0, "stk_shared_add_port");
	if (o->peer_static)
		H_SETUP(stk_shared_add_static_arp(h->sh, H_PEER_IP, &h_peer_mac) == 0,
			"stk_shared_add_static_arp");
	if (o->far_route)
		H_SETUP(stk_shared_add_route(h->sh, H_FAR_NET, 24, H_GW_IP, 0) == 0,
			"stk_shared_add_route");
	H_SETUP(stk_shared_freeze(h->sh) == 0, "stk_shared_freeze");
	h->in = stk_inst_create(h->sh, 0, 1, h->mp, h->ind, (int)rte_socket_id());
	H_SETUP(h->in != NULL, "stk_inst_create");
	h->insts[0] = h->in;
	h->p = stk_shared_params(h->sh);
	stk_inst_link(h->insts, 1);
	return true;
}

/* Free what h_create() built. */
static void
h_free(struct h *h)
{
	unsigned int mp_use, ind_use;

	stk_inst_destroy(h->in);
	stk_shared_free(h->sh);
	drv_memdev_free(h->dev);
	/* Pools are checked here, before they are freed: test_eal_finish()'s
	 * walk would no longer see them. */
	mp_use = rte_mempool_in_use_count(h->mp);
	ind_use = rte_mempool_in_use_count(h->ind);
	CHECK(mp_use == 0, "mempool %s: %u mbufs still in use at teardown", h->mp->name, mp_use);
	CHECK(ind_use == 0, "mempool %s: %u mbufs still in use at teardown", h->ind->name,
	      ind_use);
	rte_mempool_free(h->mp);
	rte_mempool_free(h->ind);
	free(h);
}

struct h *
h_create(const struct h_opts *o)
{
	struct h_opts def;
	struct h *h = calloc(1, sizeof(*h));
	struct h_frame f;

	if (h == NULL)
		h_fatal("calloc");
	if (o == NULL) {
		h_opts_init(&def);
		o = &def;
	}
	h_pools_create(h);
	h->dev = drv_memdev_create(&h_our_mac, 1, H_DEV_DEPTH);
	if (h->dev == NULL)
		h_fatal("drv_memdev_create");
	if (!h_stack_create(h, o)) {
		h_free(h);
		return NULL;
	}
	h->now = H_T0;
	stk_inst_start(h->in, h->now);
	if (!o->keep_garp) {
		/* The announcement is checked field by field in test_pkt_arp. */
		CHECK(h_take(h, &f) && f.len == 42 && f.b[12] == 0x08 && f.b[13] == 0x06,
		      "no gratuitous ARP at start");
	}
	h_mark(h);
	return h;
}

void
h_destroy(struct h *h)
{
	if (h == NULL)
		return;
	h_expect_none(h);
	h_free(h);
}

unsigned int
h_in_use(const struct h *h)
{
	return rte_mempool_in_use_count(h->mp) + rte_mempool_in_use_count(h->ind);
}

void
h_poll(struct h *h)
{
	unsigned int i;

	for (i = 0; i < H_POLL_MAX; i++)
		if (stk_inst_poll(h->in, h->now) == 0)
			return;
	CHECK(false, "instance never idle after %u polls", H_POLL_MAX);
}

void
h_advance(struct h *h, stk_time_t ns)
{
	stk_time_t end = h->now + ns;

	while (h->now < end) {
		h->now = RTE_MIN(h->now + H_STEP_NS, end);
		h_poll(h);
	}
}

static struct rte_mbuf *
h_seg(struct h *h, const uint8_t *data, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->mp);

	if (m == NULL || len > rte_pktmbuf_tailroom(m))
		h_fatal("h_mbuf_chain segment");
	if (len > 0)
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
	return m;
}

struct rte_mbuf *
h_mbuf_chain(struct h *h, const void *frame, size_t len, const uint16_t *cuts, unsigned int n)
{
	const uint8_t *b = frame;
	struct rte_mbuf *head;
	size_t from = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (cuts[i] < from || cuts[i] > len)
			h_fatal("h_mbuf_chain: cuts out of order");
		from = cuts[i];
	}
	head = h_seg(h, b, n > 0 ? cuts[0] : len);
	for (i = 0; i < n; i++) {
		size_t end = i + 1 < n ? cuts[i + 1] : len;

		if (rte_pktmbuf_chain(head, h_seg(h, b + cuts[i], end - cuts[i])) != 0)
			h_fatal("rte_pktmbuf_chain");
	}
	return head;
}

/* Queue @p m on the device's RX ring, polling once to make room if it is full. */
static void
h_enqueue(struct h *h, struct rte_mbuf *m)
{
	if (drv_memdev_inject(h->dev, 0, m) == 0)
		return;
	h_poll(h);
	if (drv_memdev_inject(h->dev, 0, m) != 0) {
		CHECK(false, "RX ring full");
		rte_pktmbuf_free(m);
	}
}

void
h_inject_only(struct h *h, const void *frame, size_t len)
{
	h_enqueue(h, h_mbuf_chain(h, frame, len, NULL, 0));
}

void
h_inject(struct h *h, const void *frame, size_t len)
{
	h_inject_only(h, frame, len);
	h_poll(h);
}

void
h_inject_mbuf(struct h *h, struct rte_mbuf *m)
{
	h_enqueue(h, m);
	h_poll(h);
}

/* ---- expectations ---- */

void
h_hexdump(const char *title, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t i;

	fprintf(stderr, "  %s (%zu bytes):", title, len);
	for (i = 0; i < len && i < 256; i++)
		fprintf(stderr, "%s%02x", i % 16 == 0 ? "\n    " : " ", b[i]);
	if (len > 256)
		fprintf(stderr, "\n    ...");
	fputc('\n', stderr);
}

bool
h_take(struct h *h, struct h_frame *f)
{
	struct rte_mbuf *m;
	const void *p;

	if (drv_memdev_take(h->dev, 0, &m, 1) != 1)
		return false;
	f->len = RTE_MIN(m->pkt_len, (uint32_t)H_FRAME_MAX);
	CHECK(m->pkt_len <= H_FRAME_MAX, "frame of %u bytes sent", m->pkt_len);
	p = rte_pktmbuf_read(m, 0, f->len, f->b);
	if (p != f->b)
		memcpy(f->b, p, f->len);
	rte_pktmbuf_free(m);
	return true;
}

unsigned int
h_drain(struct h *h)
{
	struct h_frame *f = malloc(sizeof(*f));
	unsigned int n = 0;

	while (h_take(h, f))
		n++;
	free(f);
	return n;
}

bool
h_expect_at(struct h *h, h_check_fn fn, const void *arg, struct h_frame *out, const char *file,
	    int line)
{
	struct h_frame *f = out != NULL ? out : malloc(sizeof(*f));
	char why[256] = "";
	bool ok;

	if (!h_take(h, f)) {
		CHECK(false, "%s:%d: expected a frame, the stack sent none", file, line);
		if (out == NULL)
			free(f);
		return false;
	}
	ok = fn == NULL || fn(f, arg, why, sizeof(why));
	CHECK(ok, "%s:%d: unexpected frame: %s", file, line, why);
	if (!ok)
		h_hexdump("frame", f->b, f->len);
	if (out == NULL)
		free(f);
	return ok;
}

bool
h_expect_none_at(struct h *h, const char *file, int line)
{
	struct h_frame *f = malloc(sizeof(*f));
	unsigned int n = 0;

	while (h_take(h, f)) {
		n++;
		fprintf(stderr, "%s:%d: unexpected frame %u:\n", file, line, n);
		h_hexdump("frame", f->b, f->len);
	}
	free(f);
	CHECK(n == 0, "%s:%d: expected no frame, the stack sent %u", file, line, n);
	return n == 0;
}

/* ---- counters ---- */

void
h_mark(struct h *h)
{
	h->mark = *stk_inst_stats(h->in);
}

uint64_t
h_drop(const struct h *h, enum stk_drop r)
{
	return stk_inst_stats(h->in)->drop[r] - h->mark.drop[r];
}

uint64_t
h_cnt(const struct h *h, enum stk_cnt c)
{
	return stk_inst_stats(h->in)->cnt[c] - h->mark.cnt[c];
}

bool
h_drops_at(struct h *h, enum stk_drop r, uint64_t n, const char *file, int line)
{
	bool ok = true;
	unsigned int i;

	for (i = 0; i < STK_DROP__MAX; i++) {
		uint64_t d = h_drop(h, (enum stk_drop)i);
		uint64_t want = i == (unsigned int)r ? n : 0;

		if (d != want) {
			ok = false;
			fprintf(stderr, "%s:%d: drop %s went up by %" PRIu64 ", expected %" PRIu64
				"\n", file, line, stk_drop_name((enum stk_drop)i), d, want);
		}
	}
	CHECK(ok, "%s:%d: drop counters: expected %s +%" PRIu64 " and nothing else", file, line,
	      stk_drop_name(r), n);
	return ok;
}

bool
h_inject_drop_at(struct h *h, const void *frame, size_t len, enum stk_drop r, const char *file,
		 int line)
{
	bool ok;
	unsigned int use;

	h_mark(h);
	h_inject(h, frame, len);
	ok = h_expect_none_at(h, file, line);
	ok = h_drops_at(h, r, 1, file, line) && ok;
	use = h_in_use(h);
	CHECK(use == 0, "%s:%d: %u mbufs in use after a dropped frame", file, line, use);
	if (!ok || use != 0)
		h_hexdump("injected", frame, len);
	return ok && use == 0;
}

/* ---- UDP sockets ---- */

static void
h_udp_recv(void *arg, struct stk_udp_sock *s, struct rte_mbuf *m, rte_be32_t src,
	   rte_be16_t sport, rte_be32_t dst)
{
	struct h_udp_rx *rx = arg;
	uint32_t len = RTE_MIN(m->pkt_len, (uint32_t)sizeof(rx->data));
	const void *p = rte_pktmbuf_read(m, 0, len, rx->data);

	if (p != NULL && p != rx->data)
		memcpy(rx->data, p, len);
	rx->n++;
	rx->len = m->pkt_len;
	rx->nb_segs = m->nb_segs;
	rx->src = src;
	rx->sport = sport;
	rx->dst = dst;
	rte_pktmbuf_free(m);
}

static void
h_udp_error(void *arg, struct stk_udp_sock *s, int err, rte_be32_t dst, rte_be16_t dport)
{
	struct h_udp_rx *rx = arg;

	rx->errors++;
}

const struct stk_udp_upcalls h_udp_upcalls = {
	.recv = h_udp_recv,
	.error = h_udp_error,
};

struct rte_mbuf *
h_payload(struct h *h, const void *data, size_t len)
{
	struct rte_mbuf *head = stk_pktmbuf_alloc(h->in), *m = head;
	const uint8_t *d = data;
	size_t off = 0;

	while (m != NULL) {
		uint16_t n = (uint16_t)RTE_MIN(len - off, (size_t)rte_pktmbuf_tailroom(m));

		memcpy(rte_pktmbuf_append(m, n), d + off, n);
		off += n;
		if (m != head && rte_pktmbuf_chain(head, m) != 0)
			break;
		if (off == len)
			return head;
		m = rte_pktmbuf_alloc(h->mp);
	}
	h_fatal("h_payload");
	return NULL;
}

struct stk_udp_sock *
h_udp_open(struct h *h, struct h_udp_rx *rx, rte_be32_t addr, uint16_t port)
{
	struct stk_udp_sock *s = NULL;
	int rc;

	memset(rx, 0, sizeof(*rx));
	rc = stk_udp_open(h->in, &h_udp_upcalls, rx, &s);
	CHECK(rc == 0, "stk_udp_open: %s", stk_strerror(rc));
	if (rc != 0)
		h_fatal("stk_udp_open");
	rc = stk_udp_bind(s, addr, rte_cpu_to_be_16(port));
	CHECK(rc == 0, "stk_udp_bind port %u: %s", port, stk_strerror(rc));
	return s;
}

int
h_udp_send(struct h *h, struct stk_udp_sock *s, rte_be32_t dst, uint16_t dport,
	   const void *data, size_t len)
{
	int rc = stk_udp_sendto(s, h_payload(h, data, len), dst, rte_cpu_to_be_16(dport));

	h_poll(h);
	return rc;
}

/* ---- ARP cache ---- */

#define H_ARP_SNAP 64

bool
h_arp_find(const struct h *h, rte_be32_t ip, struct stk_arp_info *out)
{
	struct stk_arp_info e[H_ARP_SNAP];
	unsigned int n = stk_inst_arp_snapshot(h->in, e, H_ARP_SNAP), i;

	for (i = 0; i < n; i++) {
		if (e[i].ip == ip) {
			*out = e[i];
			return true;
		}
	}
	return false;
}

unsigned int
h_arp_count(const struct h *h)
{
	struct stk_arp_info e[H_ARP_SNAP];

	return stk_inst_arp_snapshot(h->in, e, H_ARP_SNAP);
}
