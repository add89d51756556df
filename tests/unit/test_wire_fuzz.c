/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Deterministic smoke fuzzer for stack/wire.
 *
 * Usage: test_wire_fuzz [ITERATIONS [SEED]] (defaults 100000 and a fixed
 * seed). Each iteration builds one input of 0..1600 bytes, either random or a
 * mutated valid frame (some with their IPv4 length and checksum repaired so
 * that the later checks are reached), copies it into a heap buffer of exactly
 * its length and runs fuzz_wire_one() on it: ASan catches any read past the
 * end, fuzz_wire_one() checks every verdict and repr against the bytes.
 * With enough iterations it also checks that every drop reason of every
 * parser was produced at least once.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../fuzz/fuzz_wire_one.h"

#define MAX_LEN 1600
#define DEFAULT_ITERS 100000UL
#define DEFAULT_SEED UINT64_C(0x9e3779b97f4a7c15)
/* Below this many iterations, reaching every drop reason is not expected. */
#define COVERAGE_MIN_ITERS 20000UL
#define MAX_REPORTS 10

/* xorshift64* (Vigna); the state must not be zero. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(0x2545f4914f6cdd1d);
}

static size_t
rnd_below(uint64_t *s, size_t n)
{
	return n ? (size_t)(rnd(s) % n) : 0;
}

/* ---- seed frames, built with the (golden-tested) emitters ---------------- */

struct seed {
	uint8_t b[MAX_LEN];
	size_t len;
};

enum { SEED_ARP, SEED_ICMP, SEED_UDP, SEED_OPTS, SEED_FRAG, SEED_BARE_UDP, SEED_VLAN, SEED_TCP_SYN,
       SEED_TCP_SACK, NB_SEEDS };

static const struct rte_ether_addr mac_a = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
static const struct rte_ether_addr mac_b = {{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};

static void
ip_cksum_fix(uint8_t *ip, size_t hl)
{
	uint16_t c;

	ip[10] = 0;
	ip[11] = 0;
	/* rte_raw_cksum sums native-order words: store the result as is. */
	c = (uint16_t)~rte_raw_cksum(ip, hl);
	memcpy(ip + 10, &c, sizeof(c));
}

/* Ethernet + IPv4 (+ @p nopt option bytes) + an L4 header, @p pl bytes of payload. */
static void
seed_ip(struct seed *s, uint8_t proto, const uint8_t *opt, size_t nopt, size_t pl, bool mf)
{
	const struct eth_repr e = {mac_b, mac_a, RTE_ETHER_TYPE_IPV4};
	struct ipv4_repr ip = {20, 0, 0, 0x1234, 0, !mf, mf, 64, proto,
			       RTE_BE32(0xc0a87a0a), RTE_BE32(0xc0a87a01)};
	const struct udp_repr u = {40000, 53, (uint16_t)(8 + pl), 0};
	const struct icmp_repr c = {ICMP_ECHO_REQUEST, 0, 0, 0x00010001};
	uint8_t *p = s->b + ETH_HDR_LEN;
	size_t hl = IPV4_HDR_LEN + nopt;

	ip.total_len = (uint16_t)(hl + 8 + pl);
	eth_emit(s->b, &e);
	ipv4_emit(p, &ip, false);
	if (nopt != 0)
		memcpy(p + IPV4_HDR_LEN, opt, nopt);
	p[0] = (uint8_t)(0x40 | hl / 4);
	ip_cksum_fix(p, hl);
	memset(p + hl, 0x5a, 8 + pl);
	if (proto == IPV4_PROTO_UDP)
		udp_emit(p + hl, &u);
	else
		icmp_emit(p + hl, &c, 0);
	s->len = ETH_HDR_LEN + hl + 8 + pl;
}

/* Ethernet + IPv4 + a TCP header with options (@p syn: SYN options, else TS and 3 SACK blocks). */
static void
seed_tcp(struct seed *s, bool syn)
{
	struct tcp_repr t = {.sport = 40000, .dport = 80, .seq = 0x93af6e24, .window = 64240};
	size_t hl;

	t.flags = syn ? TCP_SYN : TCP_ACK;
	t.opts.has_ts = true;
	t.opts.tsval = 0x879de571;
	t.opts.tsecr = syn ? 0 : 0x000f4241;
	if (syn) {
		t.opts.has_mss = t.opts.sack_permitted = t.opts.has_wscale = true;
		t.opts.mss = 1460;
		t.opts.wscale = 7;
	} else {
		t.opts.nb_sack = 3;
		t.opts.sack[0] = (struct tcp_sack_block){0x1a2b3d7a, 0x1a2b3dde};
		t.opts.sack[1] = (struct tcp_sack_block){0x1a2b3cb2, 0x1a2b3d16};
		t.opts.sack[2] = (struct tcp_sack_block){0x1a2b3c50, 0x1a2b3c60};
	}
	hl = TCP_HDR_LEN + tcp_opts_len(&t.opts);
	/* seed_ip() builds the frame (proto TCP, an ICMP-shaped L4 header); put the TCP header in. */
	seed_ip(s, IPV4_PROTO_TCP, NULL, 0, hl - UDP_HDR_LEN + (syn ? 0 : 10), false);
	tcp_emit(s->b + ETH_HDR_LEN + IPV4_HDR_LEN, &t);
}

static void
seeds_build(struct seed *seeds)
{
	static const uint8_t ra[] = {0x94, 0x04, 0x00, 0x00, 0x01, 0x07, 0x07, 0x04,
				     0, 0, 0, 0};
	const struct eth_repr ea = {{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, mac_a,
				    RTE_ETHER_TYPE_ARP};
	const struct arp_repr a = {ARP_OP_REQUEST, mac_a, RTE_BE32(0xc0a87a0a), {{0}},
				   RTE_BE32(0xc0a87a01)};
	struct seed *s;

	memset(seeds, 0, sizeof(*seeds) * NB_SEEDS);
	s = &seeds[SEED_ARP];
	eth_emit(s->b, &ea);
	arp_emit(s->b + ETH_HDR_LEN, &a);
	s->len = 60;
	seed_ip(&seeds[SEED_ICMP], IPV4_PROTO_ICMP, NULL, 0, 56, false);
	seed_ip(&seeds[SEED_UDP], IPV4_PROTO_UDP, NULL, 0, 29, false);
	seed_ip(&seeds[SEED_OPTS], IPV4_PROTO_UDP, ra, sizeof(ra), 16, false);
	seed_ip(&seeds[SEED_FRAG], IPV4_PROTO_ICMP, NULL, 0, 1472, true);
	s = &seeds[SEED_BARE_UDP];
	seed_ip(s, IPV4_PROTO_UDP, NULL, 0, 4, false);
	s->len -= ETH_HDR_LEN;
	memmove(s->b, s->b + ETH_HDR_LEN, s->len);
	s = &seeds[SEED_VLAN];
	eth_emit(s->b, &ea);
	s->b[12] = 0x81;
	s->b[13] = 0x00;
	s->b[15] = 100;
	s->b[16] = 0x08;
	s->b[17] = 0x06;
	arp_emit(s->b + 18, &a);
	s->len = 64;
	seed_tcp(&seeds[SEED_TCP_SYN], true);
	seed_tcp(&seeds[SEED_TCP_SACK], false);
}

/* ---- input generation --------------------------------------------------- */

static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				      0x08, 0x11, 0x20, 0x3f, 0x40, 0x44, 0x45, 0x46,
				      0x4f, 0x7f, 0x80, 0x81, 0x88, 0x94, 0xa8, 0xff};

static void
mutate(uint64_t *s, uint8_t *b, size_t len)
{
	size_t n = rnd_below(s, 5), i, pos;

	for (i = 0; i < n && len > 0; i++) {
		/* Mostly in the headers, where the checks are. */
		pos = rnd_below(s, rnd_below(s, 4) ? (len < 64 ? len : 64) : len);
		switch (rnd_below(s, 3)) {
		case 0:
			b[pos] ^= (uint8_t)(1u << rnd_below(s, 8));
			break;
		case 1:
			b[pos] = interesting[rnd_below(s, sizeof(interesting))];
			break;
		default:
			b[pos] = (uint8_t)rnd(s);
			break;
		}
	}
}

/*
 * Make the IPv4 header at @p ip (@p len bytes) consistent again where it can:
 * total_len set to (or just around) the bytes available, maybe one field
 * checked after the checksum changed, then the checksum recomputed.
 */
static void
repair_ip(uint64_t *s, uint8_t *ip, size_t len)
{
	size_t hl, tot;

	if (len < IPV4_HDR_LEN || ip[0] >> 4 != 4)
		return;
	hl = (size_t)(ip[0] & 0xf) * 4;
	if (hl < IPV4_HDR_LEN || hl > len)
		return;
	tot = len - rnd_below(s, 3) * rnd_below(s, 9);
	if (tot > UINT16_MAX)
		tot = UINT16_MAX;
	if (rnd_below(s, 4) != 0) {
		ip[2] = (uint8_t)(tot >> 8);
		ip[3] = (uint8_t)tot;
	}
	/* Aim at the checks that follow the checksum. */
	switch (rnd_below(s, 8)) {
	case 0: /* TTL */
		ip[8] = (uint8_t)rnd_below(s, 2);
		break;
	case 1: /* MF and offset */
		ip[6] = (uint8_t)(rnd(s) & 0x3f);
		ip[7] = (uint8_t)rnd(s);
		break;
	case 2: /* an option byte */
		if (hl > IPV4_HDR_LEN)
			ip[IPV4_HDR_LEN + rnd_below(s, hl - IPV4_HDR_LEN)] =
				interesting[rnd_below(s, sizeof(interesting))];
		break;
	default:
		break;
	}
	ip_cksum_fix(ip, hl);
}

/* Fill @p b with one input and @return its length. */
static size_t
gen(uint64_t *s, const struct seed *seeds, uint8_t *b)
{
	const struct seed *sd;
	size_t len, keep;

	switch (rnd_below(s, 8)) {
	case 0: /* random, any length */
	case 1: /* random, short */
		len = rnd_below(s, 2) ? rnd_below(s, MAX_LEN + 1) : rnd_below(s, 65);
		for (keep = 0; keep < len; keep++)
			b[keep] = (uint8_t)rnd(s);
		return len;
	default: /* a seed, cut or extended, mutated, sometimes repaired */
		break;
	}
	sd = &seeds[rnd_below(s, NB_SEEDS)];
	switch (rnd_below(s, 4)) {
	case 0:
		len = rnd_below(s, sd->len + 1);
		break;
	case 1:
		len = sd->len + rnd_below(s, MAX_LEN - sd->len + 1);
		break;
	default:
		len = sd->len;
		break;
	}
	keep = RTE_MIN(len, sd->len);
	if (keep > MAX_LEN) /* cannot happen; tells GCC's -Warray-bounds so */
		keep = MAX_LEN;
	memcpy(b, sd->b, keep);
	for (; keep < len; keep++)
		b[keep] = rnd_below(s, 2) ? 0 : (uint8_t)rnd(s);
	mutate(s, b, len);
	if (rnd_below(s, 2)) {
		if (sd == &seeds[SEED_BARE_UDP])
			repair_ip(s, b, len);
		else if (len > ETH_HDR_LEN)
			repair_ip(s, b + ETH_HDR_LEN, len - ETH_HDR_LEN);
	}
	return len;
}

/* ---- main --------------------------------------------------------------- */

static void
report(unsigned long it, const char *err, const uint8_t *b, size_t len)
{
	size_t i;

	fprintf(stderr, "iteration %lu, %zu bytes: %s\n ", it, len, err);
	for (i = 0; i < len && i < 96; i++)
		fprintf(stderr, "%02x%s", b[i], (i % 16 == 15) ? "\n " : " ");
	fputc('\n', stderr);
}

/* Every reason each parser is documented to return, and none other. */
static void
check_coverage(const struct fuzz_wire_stats *st)
{
	static const enum stk_drop want[FUZZ__MAX][10] = {
		[FUZZ_ETH] = {STK_DROP_ETH_TRUNCATED, STK_DROP_ETH_VLAN},
		[FUZZ_ARP] = {STK_DROP_ARP_TRUNCATED, STK_DROP_ARP_BAD_FORMAT, STK_DROP_ARP_BAD_OP},
		[FUZZ_IPV4] = {STK_DROP_IPV4_TRUNCATED, STK_DROP_IPV4_BAD_VERSION,
			       STK_DROP_IPV4_BAD_IHL, STK_DROP_IPV4_BAD_LENGTH,
			       STK_DROP_IPV4_BAD_CHECKSUM, STK_DROP_IPV4_BAD_OPTION,
			       STK_DROP_IPV4_TTL_ZERO, STK_DROP_IPV4_FRAG_BAD},
		[FUZZ_ICMP] = {STK_DROP_ICMP_TRUNCATED},
		[FUZZ_UDP] = {STK_DROP_UDP_TRUNCATED, STK_DROP_UDP_BAD_LENGTH},
		[FUZZ_TCP] = {STK_DROP_TCP_TRUNCATED, STK_DROP_TCP_BAD_OFFSET,
			      STK_DROP_TCP_BAD_OPTION},
	};
	bool allowed;
	unsigned int p, d, k;

	for (p = 0; p < FUZZ__MAX; p++) {
		CHECK(st->seen[p][STK_DROP_NONE] > 0, "parser %u never accepted an input", p);
		for (d = 1; d < STK_DROP__MAX; d++) {
			allowed = false;
			for (k = 0; k < RTE_DIM(want[p]) && want[p][k] != STK_DROP_NONE; k++)
				allowed = allowed || want[p][k] == d;
			if (allowed)
				CHECK(st->seen[p][d] > 0, "parser %u never returned drop %u", p, d);
			else
				CHECK(st->seen[p][d] == 0, "parser %u returned drop %u", p, d);
		}
	}
}

int
main(int argc, char **argv)
{
	static struct seed seeds[NB_SEEDS];
	static struct fuzz_wire_stats st;
	static uint8_t gen_buf[MAX_LEN];
	unsigned long iters = DEFAULT_ITERS, it, failures = 0;
	uint64_t seed = DEFAULT_SEED, state;
	const char *err;
	uint8_t *b;
	size_t len;
	char *end;

	if (argc > 1) {
		errno = 0;
		iters = strtoul(argv[1], &end, 0);
		if (errno != 0 || *end != '\0' || end == argv[1]) {
			fprintf(stderr, "usage: %s [ITERATIONS [SEED]]\n", argv[0]);
			return 2;
		}
	}
	if (argc > 2)
		seed = strtoull(argv[2], NULL, 0);
	state = seed ? seed : DEFAULT_SEED;
	seeds_build(seeds);
	for (it = 0; it < iters; it++) {
		len = gen(&state, seeds, gen_buf);
		b = malloc(len);
		if (b == NULL && len != 0)
			abort();
		if (len != 0)
			memcpy(b, gen_buf, len);
		err = fuzz_wire_one(b, len, &st);
		if (err != NULL && failures++ < MAX_REPORTS)
			report(it, err, b, len);
		free(b);
	}
	printf("%lu inputs (seed 0x%" PRIx64 "), %lu broke an invariant\n", iters, seed, failures);
	CHECK(failures == 0, "%lu of %lu inputs broke an invariant", failures, iters);
	if (iters >= COVERAGE_MIN_ITERS)
		check_coverage(&st);
	else
		printf("drop-reason coverage not checked: fewer than %lu iterations\n",
		       COVERAGE_MIN_ITERS);
	return check_done();
}
