/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers of the loop tier (loop_host.h): SHA-256, generated streams, and
 * two stack instances joined by a PMD pair, optionally impaired by the
 * seeded fault injector, polled on virtual time.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "check.h"
#include "loop_host.h"

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static inline uint32_t
ror32(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void
sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (i = 0; i < 64; i++) {
		t1 = k + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) +
		     sha256_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

void
loop_sha256_init(struct loop_sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof(iv));
	s->bytes = 0;
	s->n = 0;
}

void
loop_sha256_update(struct loop_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->bytes += len;
	if (s->n != 0) {
		size_t take = RTE_MIN(len, (size_t)(64 - s->n));

		memcpy(s->buf + s->n, p, take);
		s->n += (uint32_t)take;
		p += take;
		len -= take;
		if (s->n < 64)
			return;
		sha256_block(s->h, s->buf);
		s->n = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha256_block(s->h, p);
	memcpy(s->buf, p, len);
	s->n = (uint32_t)len;
}

void
loop_sha256_mbuf(struct loop_sha256 *s, const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	for (; m != NULL && len > 0; m = m->next) {
		uint32_t take;

		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		take = RTE_MIN((uint32_t)m->data_len - off, len);
		loop_sha256_update(s, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), take);
		len -= take;
		off = 0;
	}
}

void
loop_sha256_final(struct loop_sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->bytes * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (s->n < 56 ? 56 : 120) - s->n;
	unsigned int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	loop_sha256_update(s, pad, padlen + 8);
	for (i = 0; i < 32; i++)
		out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

void
loop_hex(const uint8_t *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	out[2 * n] = '\0';
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
	      struct loop_sha256 *hash)
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
		loop_sha256_mbuf(hash, head, 0, len);
	return head;
}

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
	if (c->params != NULL)
		c->params(&p);
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
	if (stk_shared_add_port(h->sh, &spc) < 0 || stk_shared_freeze(h->sh) != 0)
		return -1;
	h->in = stk_inst_create(h->sh, 0, 1, n->mp, n->ind, SOCKET_ID_ANY);
	if (h->in == NULL) {
		fprintf(stderr, "host %s: stk_inst_create failed\n", h->name);
		return -1;
	}
	stk_inst_link(&h->in, 1);
	return 0;
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
