/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Sequence space: tcp_seq.h arithmetic across the 2^32 wrap, SipHash-2-4
 * against its published test vectors, and the RFC 9293 / RFC 6528 ISN.
 *
 * The 64 SipHash-2-4 vectors are those of the reference implementation
 * (github.com/veorq/SipHash, vectors.h, vectors_sip64): key 00 01 .. 0f,
 * message i bytes 00 01 .. (i-1), output read as a little-endian integer.
 * They were regenerated independently with OpenSSL 3's SIPHASH MAC
 * (`openssl mac -macopt hexkey:000102...0f -macopt size:8 SIPHASH`) and
 * matched all 64. Entry 15 is the worked example of the SipHash paper's
 * appendix A (15-byte message, result a129ca6149be45e5).
 *
 * No EAL: nothing here allocates from DPDK.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "check.h"
#include "tcp_isn.h"
#include "tcp_seq.h"

#define US 1000ULL /* ns */

static const uint64_t sip_vectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
	0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
	0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
	0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
	0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
	0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
	0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
	0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
	0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
	0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
	0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

/* Deterministic xorshift64 for test inputs. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
key_from(struct tcp_isn_key *key, uint8_t first)
{
	uint8_t seed[TCP_ISN_KEY_LEN];
	unsigned int i;

	for (i = 0; i < TCP_ISN_KEY_LEN; i++)
		seed[i] = (uint8_t)(first + i);
	tcp_isn_key_init(key, seed);
}

/* ---- tcp_seq.h ------------------------------------------------------------ */

static void
test_seq(void)
{
	static const uint32_t bases[] = {0, 1, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff};
	unsigned int i;

	for (i = 0; i < RTE_DIM(bases); i++) {
		uint32_t a = bases[i];
		uint32_t b = a + 100; /* wraps for the last two */

		CHECK(SEQ_LT(a, b) && SEQ_LEQ(a, b) && !SEQ_GT(a, b) && !SEQ_GEQ(a, b),
		      "a = %#x", a);
		CHECK(SEQ_GT(b, a) && SEQ_GEQ(b, a) && !SEQ_LT(b, a) && !SEQ_LEQ(b, a));
		CHECK(SEQ_LEQ(a, a) && SEQ_GEQ(a, a) && !SEQ_LT(a, a) && !SEQ_GT(a, a));
		CHECK_EQ(seq_max(a, b), b);
		CHECK_EQ(seq_max(b, a), b);
		CHECK_EQ(seq_min(a, b), a);
		CHECK_EQ(seq_min(b, a), a);
		/* The largest distance still ordered: 2^31 - 1. */
		CHECK(SEQ_LT(a, a + 0x7fffffff) && SEQ_GT(a + 0x7fffffff, a));
		CHECK(SEQ_GT(a, a - 0x7fffffff));
	}
	/* Across the wrap, explicitly. */
	CHECK(SEQ_LT(0xffffffffu, 0));
	CHECK(SEQ_GT(5, 0xfffffffbu));
	CHECK(!SEQ_LT(0x10, 0xfffffff0u));
	CHECK_EQ(seq_max(0xfffffff0u, 0x10), 0x10);
	CHECK_EQ(seq_min(0xfffffff0u, 0x10), 0xfffffff0u);
	/* 64-bit arguments are truncated to 32 bits, not compared as 64-bit. */
	CHECK(SEQ_LT((uint32_t)0x1ffffffffULL, (uint32_t)0x100000000ULL));

	/* seq_in_window: [lo, lo + len) modulo 2^32. */
	CHECK(seq_in_window(100, 100, 10));
	CHECK(seq_in_window(109, 100, 10));
	CHECK(!seq_in_window(110, 100, 10));
	CHECK(!seq_in_window(99, 100, 10));
	CHECK(!seq_in_window(100, 100, 0), "an empty window holds nothing");
	CHECK(seq_in_window(0xfffffffeu, 0xfffffff0u, 0x20));
	CHECK(seq_in_window(0, 0xfffffff0u, 0x20));
	CHECK(seq_in_window(0x0f, 0xfffffff0u, 0x20));
	CHECK(!seq_in_window(0x10, 0xfffffff0u, 0x20));
	CHECK(!seq_in_window(0xffffffefu, 0xfffffff0u, 0x20));
	CHECK(seq_in_window(0x3fffffff, 0, 1u << 30), "a full scaled window");
	CHECK(!seq_in_window(1u << 30, 0, 1u << 30));
	/* len 2^32 - 1 holds everything but lo - 1. */
	CHECK(seq_in_window(0xfffffffdu, 0xffffffffu, 0xffffffffu));
	CHECK(!seq_in_window(0xfffffffeu, 0xffffffffu, 0xffffffffu));
}

/* ---- SipHash-2-4 ------------------------------------------------------------ */

static void
test_siphash_vectors(void)
{
	struct tcp_isn_key key;
	uint8_t msg[64];
	uint8_t *odd;
	unsigned int i;

	key_from(&key, 0);
	CHECK(key.k0 == 0x0706050403020100ULL && key.k1 == 0x0f0e0d0c0b0a0908ULL,
	      "key bytes are little-endian words");
	for (i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (i = 0; i < 64; i++) {
		uint64_t h = tcp_siphash(&key, msg, i);

		CHECK(h == sip_vectors[i], "length %u: %016llx, want %016llx", i,
		      (unsigned long long)h, (unsigned long long)sip_vectors[i]);
	}
	CHECK(tcp_siphash(&key, msg, 15) == 0xa129ca6149be45e5ULL, "the paper's appendix A");

	/* Any alignment: the same bytes at an odd address on the heap (ASan-checked). */
	odd = malloc(64 + 1);
	CHECK(odd != NULL);
	if (odd == NULL)
		return;
	memcpy(odd + 1, msg, 64);
	for (i = 0; i < 64; i++)
		if (tcp_siphash(&key, odd + 1, i) != sip_vectors[i])
			break;
	CHECK_EQ(i, 64);
	free(odd);
	/* A zero-length message reads nothing. */
	CHECK(tcp_siphash(&key, NULL, 0) == sip_vectors[0]);
}

/* ---- ISN ------------------------------------------------------------------ */

static uint32_t
isn_of(const struct tcp_isn_key *key, uint32_t i, stk_time_t now)
{
	/* Tuple i: 10.x.y.z:port -> 192.168.0.1:80, all distinct for i < 2^24. */
	rte_be32_t faddr = rte_cpu_to_be_32(0x0a000000u | (i & 0xffffff));
	rte_be16_t fport = rte_cpu_to_be_16((uint16_t)(1024 + (i * 7919u) % 60000));

	return tcp_isn(key, TEST_IP4(192, 168, 0, 1), rte_cpu_to_be_16(80), faddr, fport, now);
}

static void
test_isn_clock(void)
{
	struct tcp_isn_key key;
	const rte_be32_t la = TEST_IP4(192, 168, 0, 1), fa = TEST_IP4(10, 1, 2, 3);
	const rte_be16_t lp = rte_cpu_to_be_16(80), fp = rte_cpu_to_be_16(40000);
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	stk_time_t now = 123456789;
	uint32_t base, prev;
	bool monotone = true, exact = true;
	int i;

	key_from(&key, 0x40);
	base = tcp_isn(&key, la, lp, fa, fp, 0);
	/* M ticks every 4 us: the same tuple's ISN is the tick count plus a constant. */
	CHECK_EQ(tcp_isn(&key, la, lp, fa, fp, 3999), base);
	CHECK_EQ(tcp_isn(&key, la, lp, fa, fp, 4000), base + 1);
	CHECK_EQ(tcp_isn(&key, la, lp, fa, fp, STK_NS_PER_S), base + 250000);
	CHECK_EQ(tcp_isn(&key, la, lp, fa, fp, 3600 * STK_NS_PER_S), base + 900000000u);

	/* Monotone in sequence space over random steps, across M's 2^32 wrap (4.77 h). */
	prev = tcp_isn(&key, la, lp, fa, fp, now);
	for (i = 0; i < 100000; i++) {
		stk_time_t step = 4 * US + rng_next(&rng) % (500 * STK_NS_PER_MS);
		uint32_t isn;

		now += step;
		isn = tcp_isn(&key, la, lp, fa, fp, now);
		if (!SEQ_GT(isn, prev))
			monotone = false;
		if (isn - base != (uint32_t)(now / TCP_ISN_TICK_NS))
			exact = false;
		prev = isn;
	}
	CHECK(now > (4ULL << 32) * US, "the walk crossed M's wrap: %llu ns",
	      (unsigned long long)now);
	CHECK(monotone, "ISN increases with time for one 4-tuple");
	CHECK(exact, "ISN = M + F exactly");
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_isn_spread(void)
{
	enum { N = 100000 };
	struct tcp_isn_key key, key2;
	uint32_t *v = malloc(N * sizeof(*v));
	unsigned int bits[32] = {0};
	unsigned int i, b, dups = 0, same = 0;
	uint64_t hamming = 0;
	const stk_time_t now = 5 * STK_NS_PER_S;

	CHECK(v != NULL);
	if (v == NULL)
		return;
	key_from(&key, 0x40);
	for (i = 0; i < N; i++) {
		v[i] = isn_of(&key, i, now);
		for (b = 0; b < 32; b++)
			bits[b] += (v[i] >> b) & 1;
	}
	/* Each output bit is set in half the ISNs (binomial sd 158: allow 5 sd). */
	for (b = 0; b < 32; b++)
		CHECK(bits[b] > N / 2 - 800 && bits[b] < N / 2 + 800, "bit %u set %u times", b,
		      bits[b]);
	/* Birthday bound: 100k values in 2^32 collide about 1.16 times on average. */
	qsort(v, N, sizeof(*v), cmp_u32);
	for (i = 1; i < N; i++)
		dups += v[i] == v[i - 1];
	CHECK(dups <= 5, "%u collisions among %u tuples", dups, (unsigned int)N);

	/* Neighbouring tuples are unrelated: swapping ends, ports or addresses by one. */
	CHECK(tcp_isn(&key, TEST_IP4(10, 0, 0, 1), rte_cpu_to_be_16(1000), TEST_IP4(10, 0, 0, 2),
		      rte_cpu_to_be_16(2000), now) !=
	      tcp_isn(&key, TEST_IP4(10, 0, 0, 2), rte_cpu_to_be_16(2000), TEST_IP4(10, 0, 0, 1),
		      rte_cpu_to_be_16(1000), now));
	CHECK(tcp_isn(&key, TEST_IP4(10, 0, 0, 1), rte_cpu_to_be_16(1000), TEST_IP4(10, 0, 0, 2),
		      rte_cpu_to_be_16(2000), now) !=
	      tcp_isn(&key, TEST_IP4(10, 0, 0, 1), rte_cpu_to_be_16(2000), TEST_IP4(10, 0, 0, 2),
		      rte_cpu_to_be_16(1000), now));
	CHECK(isn_of(&key, 1, now) - isn_of(&key, 0, now) != isn_of(&key, 2, now) -
	      isn_of(&key, 1, now), "no linear pattern between neighbours");

	/* The key changes everything: flip one key bit, about 16 of 32 bits flip. */
	key2 = key;
	key2.k1 ^= 1ULL << 63;
	for (i = 0; i < 10000; i++) {
		uint32_t x = isn_of(&key, i, now) ^ isn_of(&key2, i, now);

		same += x == 0;
		hamming += (uint64_t)__builtin_popcount(x);
	}
	CHECK(same <= 1, "%u ISNs unchanged by a new key", same);
	CHECK(hamming > 10000 * 15 && hamming < 10000 * 17, "mean Hamming distance %.2f",
	      (double)hamming / 10000);
	/* Different seeds give different keys; the same seed the same key. */
	key_from(&key2, 0x41);
	CHECK(key2.k0 != key.k0 || key2.k1 != key.k1);
	CHECK(isn_of(&key2, 7, now) != isn_of(&key, 7, now));
	key_from(&key2, 0x40);
	CHECK(isn_of(&key2, 7, now) == isn_of(&key, 7, now));
	free(v);
}

int
main(void)
{
	test_seq();
	test_siphash_vectors();
	test_isn_clock();
	test_isn_spread();
	return check_done();
}
