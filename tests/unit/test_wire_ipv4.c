/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Malformed-input tests for the IPv4 parser of stack/wire: header fields,
 * checksum, options, TTL and fragment fields. Part of the test_wire
 * executable; main() in test_wire.c calls the tests (test_wire.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "test_wire.h"
#include "wire/wire.h"
#include "wire_golden.h"

/* ---- IPv4: malformed ---------------------------------------------------- */

/* Recompute the header checksum of the IPv4 header at @p ip. */
static void
ref_ip_fix(uint8_t *ip)
{
	size_t hl = (size_t)(ip[0] & 0xf) * 4;
	uint16_t c;

	ip[10] = 0;
	ip[11] = 0;
	c = (uint16_t)~ref_sum(ip, hl, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/*
 * Scratch datagram: the echo request's IPv4 part (84 bytes) with room for
 * the longest header. Tests edit it and call ip_mut().
 */
struct ip_scratch {
	uint8_t b[60 + 1500];
	size_t len;
};

static void
ip_scratch_init(struct ip_scratch *s)
{
	memset(s->b, 0, sizeof(s->b));
	memcpy(s->b, g_echo_req + ETH_HDR_LEN, 84);
	s->len = 84;
}

static void
ip_set16(struct ip_scratch *s, size_t off, uint16_t v)
{
	s->b[off] = (uint8_t)(v >> 8);
	s->b[off + 1] = (uint8_t)v;
}

/* Parse the scratch (optionally fixing its checksum first). */
static enum stk_drop
ip_mut(struct ip_scratch *s, bool fix, bool verify)
{
	struct ipv4_repr r;

	if (fix)
		ref_ip_fix(s->b);
	return ip_parse_exact(s->b, s->len, verify, &r);
}

void
test_ipv4_header_checks(void)
{
	struct ip_scratch s;
	struct ipv4_repr r;
	unsigned int v, ihl;
	size_t n;

	for (n = 0; n < IPV4_HDR_LEN; n++)
		CHECK(ip_parse_exact(g_echo_req + ETH_HDR_LEN, n, true, &r) ==
			      STK_DROP_IPV4_TRUNCATED, "len %zu", n);
	for (v = 0; v < 16; v++) {
		if (v == 4)
			continue;
		ip_scratch_init(&s);
		s.b[0] = (uint8_t)(v << 4 | 5);
		CHECK(ip_mut(&s, true, true) == STK_DROP_IPV4_BAD_VERSION, "version %u", v);
		s.b[0] = (uint8_t)(v << 4 | 2); /* version is checked before IHL */
		CHECK(ip_mut(&s, false, true) == STK_DROP_IPV4_BAD_VERSION, "version %u", v);
	}
	for (ihl = 0; ihl < 5; ihl++) {
		ip_scratch_init(&s);
		s.b[0] = (uint8_t)(0x40 | ihl);
		s.len = IPV4_HDR_LEN;
		CHECK(ip_mut(&s, false, true) == STK_DROP_IPV4_BAD_IHL, "ihl %u", ihl);
	}
	/* Header longer than the bytes available: every IHL, every short len. */
	for (ihl = 6; ihl < 16; ihl++) {
		for (n = IPV4_HDR_LEN; n < ihl * 4; n++) {
			ip_scratch_init(&s);
			s.b[0] = (uint8_t)(0x40 | ihl);
			memset(s.b + 20, 1, 40); /* NOPs */
			ip_set16(&s, 2, 10); /* also too short: IHL is checked first */
			s.len = n;
			CHECK(ip_mut(&s, true, true) == STK_DROP_IPV4_TRUNCATED, "ihl %u len %zu",
			      ihl, n);
		}
	}
	/* total_len smaller than the header. */
	ip_scratch_init(&s);
	for (n = 0; n < IPV4_HDR_LEN; n++) {
		ip_set16(&s, 2, (uint16_t)n);
		CHECK(ip_mut(&s, true, true) == STK_DROP_IPV4_BAD_LENGTH, "total_len %zu", n);
		CHECK(ip_mut(&s, false, false) == STK_DROP_IPV4_BAD_LENGTH, "total_len %zu", n);
	}
	s.b[10] ^= 0xff; /* before the checksum */
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_IPV4_BAD_LENGTH);
	for (n = IPV4_HDR_LEN; n < 24; n++) {
		memcpy(s.b, g_igmp + ETH_HDR_LEN, 40);
		s.len = 40;
		ip_set16(&s, 2, (uint16_t)n);
		CHECK(ip_mut(&s, true, true) == STK_DROP_IPV4_BAD_LENGTH, "total_len %zu", n);
	}
	/* total_len beyond the bytes available, checked before the checksum. */
	ip_scratch_init(&s);
	for (n = IPV4_HDR_LEN; n < 84; n++) {
		s.len = n;
		CHECK(ip_mut(&s, false, true) == STK_DROP_IPV4_TRUNCATED, "len %zu", n);
	}
	s.len = 84;
	ip_set16(&s, 2, 85);
	s.b[10] ^= 0xff;
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_IPV4_TRUNCATED);
	ip_set16(&s, 2, 0xffff);
	CHECK_EQ(ip_mut(&s, true, true), STK_DROP_IPV4_TRUNCATED);
}

void
test_ipv4_checksum(void)
{
	struct ip_scratch s;
	unsigned int i, bit;

	/*
	 * Any single-bit error in the header is caught; without verification
	 * it passes (except where it makes the TTL zero). Version and lengths
	 * are checked before the checksum, so they are left alone.
	 */
	for (i = 0; i < IPV4_HDR_LEN; i++) {
		if (i == 0 || i == 2 || i == 3)
			continue;
		for (bit = 0; bit < 8; bit++) {
			ip_scratch_init(&s);
			s.b[i] ^= (uint8_t)(1u << bit);
			CHECK(ip_mut(&s, false, true) == STK_DROP_IPV4_BAD_CHECKSUM,
			      "byte %u bit %u", i, bit);
			CHECK(ip_mut(&s, false, false) == (i == 8 && bit == 6 ?
				STK_DROP_IPV4_TTL_ZERO : STK_DROP_NONE), "byte %u bit %u", i, bit);
		}
	}
	/* The payload is not covered. */
	ip_scratch_init(&s);
	s.b[40] ^= 0xff;
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_NONE);
	/* Checksum covers the options. */
	memcpy(s.b, g_igmp + ETH_HDR_LEN, 40);
	s.len = 40;
	s.b[22] = 0x12; /* Router Alert value, still well-formed */
	s.b[23] = 0x34;
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_IPV4_BAD_CHECKSUM);
	CHECK_EQ(ip_mut(&s, false, false), STK_DROP_NONE);
}

/* Parse the echo request with @p nopt option bytes @p opt (IHL 5 + nopt/4). */
static enum stk_drop
ip_with_options(const uint8_t *opt, size_t nopt)
{
	struct ip_scratch s;

	ip_scratch_init(&s);
	memmove(s.b + 20 + nopt, s.b + 20, 64);
	memcpy(s.b + 20, opt, nopt);
	s.b[0] = (uint8_t)(0x40 | (5 + nopt / 4));
	s.len = 84 + nopt;
	ip_set16(&s, 2, (uint16_t)s.len);
	return ip_mut(&s, true, true);
}

#define OPT(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

void
test_ipv4_options(void)
{
	struct ip_scratch s;
	uint8_t opt[40];

	/* Well-formed lists. */
	CHECK_EQ(ip_with_options(OPT(0x94, 0x04, 0x00, 0x00)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x01, 0x01, 0x01, 0x01)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x00, 0x00, 0x00, 0x00)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x00, 0xff, 0x44, 0x02)), STK_DROP_NONE); /* after EOL */
	CHECK_EQ(ip_with_options(OPT(0x01, 0x00, 0x94, 0x00)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x88, 0x02, 0x01, 0x00)), STK_DROP_NONE); /* length 2 */
	CHECK_EQ(ip_with_options(OPT(0x01, 0x94, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00)),
		 STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x44, 0x08, 0x05, 0x00, 0, 0, 0, 0)), STK_DROP_NONE);
	CHECK_EQ(ip_with_options(OPT(0x94, 0x04, 0x00, 0x00, 0x88, 0x04, 0x12, 0x34)),
		 STK_DROP_NONE);
	memset(opt, 0, sizeof(opt));
	opt[0] = 0x07; /* record route filling all 40 bytes */
	opt[1] = 40;
	opt[2] = 4;
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_NONE);
	opt[1] = 39; /* 39 bytes, then EOL */
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_NONE);
	memset(opt, 1, sizeof(opt)); /* 40 NOPs */
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_NONE);

	/* Malformed: no room for the length byte. */
	CHECK_EQ(ip_with_options(OPT(0x01, 0x01, 0x01, 0x94)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x07)),
		 STK_DROP_IPV4_BAD_OPTION);
	/* Malformed: length below 2. */
	CHECK_EQ(ip_with_options(OPT(0x94, 0x00, 0x00, 0x00)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x94, 0x01, 0x00, 0x00)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x01, 0x01, 0x02, 0x01)), STK_DROP_IPV4_BAD_OPTION);
	/* Malformed: running past the header. */
	CHECK_EQ(ip_with_options(OPT(0x94, 0x05, 0x00, 0x00)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x01, 0x01, 0x94, 0x03)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x01, 0x44, 0xff, 0x00)), STK_DROP_IPV4_BAD_OPTION);
	CHECK_EQ(ip_with_options(OPT(0x94, 0x04, 0x00, 0x00, 0x83, 0x05, 0x00, 0x00)),
		 STK_DROP_IPV4_BAD_OPTION);
	memset(opt, 0, sizeof(opt));
	opt[0] = 0x07;
	opt[1] = 41;
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_IPV4_BAD_OPTION);
	memset(opt, 1, sizeof(opt));
	opt[39] = 0x44; /* after 39 NOPs, a type with no length byte */
	CHECK_EQ(ip_with_options(opt, 40), STK_DROP_IPV4_BAD_OPTION);
	/* The same where the header is the last byte there is (ASan checks). */
	ip_scratch_init(&s);
	memcpy(s.b, g_igmp + ETH_HDR_LEN, 20);
	memcpy(s.b + 20, (const uint8_t[]){0x01, 0x01, 0x01, 0x94}, 4);
	s.b[0] = 0x46;
	s.len = 24;
	ip_set16(&s, 2, 24);
	CHECK_EQ(ip_mut(&s, true, true), STK_DROP_IPV4_BAD_OPTION);
}

/* Echo request with IPv4 bytes 6-7 = @p frag and @p payload bytes after the header. */
static enum stk_drop
ip_frag(uint16_t frag, size_t payload, uint8_t ttl, bool bad_opt)
{
	struct ip_scratch s;
	size_t hl = bad_opt ? 24 : 20;

	ip_scratch_init(&s);
	if (bad_opt) {
		s.b[0] = 0x46;
		memcpy(s.b + 20, (const uint8_t[]){0x94, 0x05, 0x00, 0x00}, 4);
	}
	ip_set16(&s, 6, frag);
	s.b[8] = ttl;
	s.len = hl + payload;
	ip_set16(&s, 2, (uint16_t)s.len);
	return ip_mut(&s, true, true);
}

#define MF 0x2000
#define DF 0x4000

void
test_ipv4_ttl_frag(void)
{
	struct ip_scratch s;

	CHECK_EQ(ip_frag(DF, 64, 0, false), STK_DROP_IPV4_TTL_ZERO);
	CHECK_EQ(ip_frag(DF, 64, 1, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(DF, 64, 0, true), STK_DROP_IPV4_BAD_OPTION); /* option first */
	ip_scratch_init(&s);
	s.b[8] = 0;
	CHECK_EQ(ip_mut(&s, false, true), STK_DROP_IPV4_BAD_CHECKSUM); /* checksum first */
	CHECK_EQ(ip_mut(&s, false, false), STK_DROP_IPV4_TTL_ZERO);

	/* offset + payload may reach 65535 but not exceed it. */
	CHECK_EQ(ip_frag(8191, 7, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(8191, 8, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(8190, 15, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(8190, 16, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(8191 | MF, 8, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(8191 | DF, 1000, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(8191, 0, 64, false), STK_DROP_NONE);
	/* The header (with options) does not count as payload. */
	ip_scratch_init(&s);
	memcpy(s.b, g_igmp + ETH_HDR_LEN, 24);
	ip_set16(&s, 6, 8191);
	s.len = 24 + 7;
	ip_set16(&s, 2, (uint16_t)s.len);
	CHECK_EQ(ip_mut(&s, true, true), STK_DROP_NONE);
	s.len = 24 + 8;
	ip_set16(&s, 2, (uint16_t)s.len);
	CHECK_EQ(ip_mut(&s, true, true), STK_DROP_IPV4_FRAG_BAD);

	/* MF needs a non-empty payload that is a multiple of 8. */
	CHECK_EQ(ip_frag(MF, 8, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(MF | 100, 64, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(MF, 0, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(MF, 7, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(MF, 9, 64, false), STK_DROP_IPV4_FRAG_BAD);
	CHECK_EQ(ip_frag(MF | 185, 63, 64, false), STK_DROP_IPV4_FRAG_BAD);
	/* The last fragment may have any length. */
	CHECK_EQ(ip_frag(185, 7, 64, false), STK_DROP_NONE);
	CHECK_EQ(ip_frag(185, 0, 64, false), STK_DROP_NONE);
	/* DF alone is no fragment. */
	CHECK_EQ(ip_frag(DF, 7, 64, false), STK_DROP_NONE);
	/* TTL is checked before fragments. */
	CHECK_EQ(ip_frag(MF, 7, 0, false), STK_DROP_IPV4_TTL_ZERO);
}
