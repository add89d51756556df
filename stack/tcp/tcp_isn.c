/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Initial sequence numbers (RFC 9293 section 3.4.1, RFC 6528) over
 * SipHash-2-4, written from the description in Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF" (INDOCRYPT 2012), section 2.
 */
#include <string.h>

#include "tcp_isn.h"

/* Initialisation constants: the ASCII of "somepseudorandomlygeneratedbytes". */
#define SIP_C0 0x736f6d6570736575ULL
#define SIP_C1 0x646f72616e646f6dULL
#define SIP_C2 0x6c7967656e657261ULL
#define SIP_C3 0x7465646279746573ULL

#define SIP_C_ROUNDS 2 /* compression rounds per message word */
#define SIP_D_ROUNDS 4 /* finalisation rounds */

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t
sip_rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

/* One SipRound: two ARX half-rounds over (v0, v1) and (v2, v3). */
static inline void
sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = sip_rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = sip_rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = sip_rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = sip_rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = sip_rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = sip_rotl(s->v2, 32);
}

/* Absorb one 64-bit message word m: v3 ^= m, c rounds, v0 ^= m. */
static inline void
sip_compress(struct sip_state *s, uint64_t m)
{
	int i;

	s->v3 ^= m;
	for (i = 0; i < SIP_C_ROUNDS; i++)
		sip_round(s);
	s->v0 ^= m;
}

static inline uint64_t
sip_load_le64(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
	return rte_le_to_cpu_64(x);
}

void
tcp_isn_key_init(struct tcp_isn_key *key, const uint8_t seed[TCP_ISN_KEY_LEN])
{
	key->k0 = sip_load_le64(seed);
	key->k1 = sip_load_le64(seed + 8);
}

uint64_t
tcp_siphash(const struct tcp_isn_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t whole = len & ~(size_t)7;
	struct sip_state s = {
		.v0 = key->k0 ^ SIP_C0,
		.v1 = key->k1 ^ SIP_C1,
		.v2 = key->k0 ^ SIP_C2,
		.v3 = key->k1 ^ SIP_C3,
	};
	uint64_t last;
	size_t off;
	unsigned int i;

	for (off = 0; off < whole; off += 8)
		sip_compress(&s, sip_load_le64(&p[off]));

	/* Final word: the 0..7 remaining bytes, little-endian, length mod 256 on top. */
	last = (uint64_t)(len & 0xff) << 56;
	for (i = 0; i < (len & 7); i++)
		last |= (uint64_t)p[whole + i] << (8 * i);
	sip_compress(&s, last);

	s.v2 ^= 0xff;
	for (i = 0; i < SIP_D_ROUNDS; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint32_t
tcp_isn(const struct tcp_isn_key *key, rte_be32_t laddr, rte_be16_t lport,
	rte_be32_t faddr, rte_be16_t fport, stk_time_t now)
{
	uint8_t tuple[12];
	uint32_t m = (uint32_t)(now / TCP_ISN_TICK_NS);

	memcpy(tuple, &laddr, 4);
	memcpy(tuple + 4, &lport, 2);
	memcpy(tuple + 6, &faddr, 4);
	memcpy(tuple + 10, &fport, 2);
	return m + (uint32_t)tcp_siphash(key, tuple, sizeof(tuple));
}
