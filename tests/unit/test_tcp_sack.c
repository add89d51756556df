/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the RFC 6675 scoreboard (stack/tcp/tcp_sack.c): Update()
 * with valid, invalid and D-SACK blocks, the bound on ranges, IsLost(),
 * SetPipe() and NextSeg() on the situations RFC 6675's text walks through,
 * then seeded random scenarios against a brute-force model that applies the
 * RFC's per-octet definitions literally.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "check.h"
#include "tcp_sack.h"
#include "tcp_seq.h"

#define SMSS 1000

static struct tcp_sack_block storage[1024];

static uint32_t
upd(struct tcp_sack_sb *sb, uint32_t una, uint32_t max, const uint32_t *edges, unsigned int n)
{
	struct tcp_sack_block b[8];
	unsigned int i;

	for (i = 0; i < n; i++) {
		b[i].left = edges[2 * i];
		b[i].right = edges[2 * i + 1];
	}
	return tcp_sack_update(sb, una, max, b, n);
}

/* The ranges held equal @p edges (left, right pairs, ascending). */
static bool
ranges_are(const struct tcp_sack_sb *sb, const uint32_t *edges, unsigned int n)
{
	unsigned int i;

	if (tcp_sack_nb_ranges(sb) != n)
		return false;
	for (i = 0; i < n; i++) {
		const struct tcp_sack_block *b = tcp_sack_range(sb, i);

		if (b->left != edges[2 * i] || b->right != edges[2 * i + 1])
			return false;
	}
	return true;
}

static void
test_update(void)
{
	struct tcp_sack_sb sb;
	uint32_t base = 0xfffff000u; /* wraps inside the test */

	tcp_sack_init(&sb, storage, 16);
	CHECK_EQ(tcp_sack_nb_ranges(&sb), 0);
	/* New ranges; one ACK's blocks may come in any order and overlap. */
	CHECK_EQ(upd(&sb, base, base + 10000,
		     (uint32_t[]){base + 3000, base + 4000, base + 1000, base + 2000,
				  base + 1500, base + 2500}, 3), 2500);
	CHECK(ranges_are(&sb, (uint32_t[]){base + 1000, base + 2500, base + 3000, base + 4000}, 2));
	CHECK_EQ(tcp_sack_sacked_bytes(&sb), 2500);
	/* Repeated blocks: nothing new (not a DupAck's "new SACK information"). */
	CHECK_EQ(upd(&sb, base, base + 10000, (uint32_t[]){base + 3000, base + 4000}, 1), 0);
	/* A block touching two ranges merges them into one. */
	CHECK_EQ(upd(&sb, base, base + 10000, (uint32_t[]){base + 2500, base + 3000}, 1), 500);
	CHECK(ranges_are(&sb, (uint32_t[]){base + 1000, base + 4000}, 1));
	/* RFC 2883 D-SACK below SND.UNA, straddling SND.UNA, beyond SND.MAX,
	 * inverted, empty: all ignored. */
	CHECK_EQ(upd(&sb, base, base + 10000,
		     (uint32_t[]){base - 500, base, base - 1, base + 600, base + 9000,
				  base + 10001, base + 5000, base + 4500, base + 6000,
				  base + 6000}, 5), 0);
	CHECK(ranges_are(&sb, (uint32_t[]){base + 1000, base + 4000}, 1));
	/* RFC 2883 D-SACK inside the second block: recorded bytes, nothing new. */
	CHECK_EQ(upd(&sb, base, base + 10000,
		     (uint32_t[]){base + 2000, base + 2500, base + 1000, base + 4000}, 2), 0);
	/* Block reaching exactly SND.MAX is valid. */
	CHECK_EQ(upd(&sb, base, base + 10000, (uint32_t[]){base + 9000, base + 10000}, 1), 1000);
	CHECK(ranges_are(&sb, (uint32_t[]){base + 1000, base + 4000, base + 9000,
					   base + 10000}, 2));
	/* Cumulative ACK into the first range: its front goes, across the wrap. */
	CHECK_EQ(upd(&sb, base + 2000, base + 10000, NULL, 0), 0);
	CHECK(ranges_are(&sb, (uint32_t[]){base + 2000, base + 4000, base + 9000,
					   base + 10000}, 2));
	CHECK_EQ(tcp_sack_sacked_bytes(&sb), 3000);
	CHECK(tcp_sack_is_sacked(&sb, base + 2000));
	CHECK(tcp_sack_is_sacked(&sb, base + 3999));
	CHECK(!tcp_sack_is_sacked(&sb, base + 4000));
	CHECK(!tcp_sack_is_sacked(&sb, base + 1999));
	/* Cumulative ACK past a whole range. */
	CHECK_EQ(upd(&sb, base + 5000, base + 10000, NULL, 0), 0);
	CHECK(ranges_are(&sb, (uint32_t[]){base + 9000, base + 10000}, 1));
	/* RTO: everything forgotten (RFC 2018 section 8). */
	tcp_sack_reset(&sb);
	CHECK_EQ(tcp_sack_nb_ranges(&sb), 0);
	CHECK_EQ(tcp_sack_sacked_bytes(&sb), 0);
	CHECK(!tcp_sack_is_sacked(&sb, base + 9500));
}

static void
test_full(void)
{
	struct tcp_sack_block blk[3];
	struct tcp_sack_sb sb;

	tcp_sack_init(&sb, blk, 3);
	upd(&sb, 0, 100000, (uint32_t[]){1000, 2000, 3000, 4000, 5000, 6000}, 3);
	/* Full, new range above all: ignored (but reported as new). */
	CHECK_EQ(upd(&sb, 0, 100000, (uint32_t[]){7000, 8000}, 1), 1000);
	CHECK(ranges_are(&sb, (uint32_t[]){1000, 2000, 3000, 4000, 5000, 6000}, 3));
	/* Full, new range lower: the highest is forgotten. */
	CHECK_EQ(upd(&sb, 0, 100000, (uint32_t[]){2500, 2600}, 1), 100);
	CHECK(ranges_are(&sb, (uint32_t[]){1000, 2000, 2500, 2600, 3000, 4000}, 3));
	CHECK_EQ(tcp_sack_sacked_bytes(&sb), 2100);
	/* Full, new range merging: no slot needed. */
	CHECK_EQ(upd(&sb, 0, 100000, (uint32_t[]){1900, 2550}, 1), 500);
	CHECK(ranges_are(&sb, (uint32_t[]){1000, 2600, 3000, 4000}, 2));
	/* A slot free again: the forgotten range comes back when repeated. */
	CHECK_EQ(upd(&sb, 0, 100000, (uint32_t[]){5000, 6000}, 1), 1000);
	CHECK(ranges_are(&sb, (uint32_t[]){1000, 2600, 3000, 4000, 5000, 6000}, 3));
	/* Capacity 0 records nothing. */
	tcp_sack_init(&sb, blk, 0);
	CHECK_EQ(upd(&sb, 0, 100000, (uint32_t[]){1000, 2000}, 1), 1000);
	CHECK_EQ(tcp_sack_nb_ranges(&sb), 0);
	CHECK(!tcp_sack_is_lost(&sb, 0, 3, SMSS));
}

/*
 * IsLost (RFC 6675 section 4): DupThresh discontiguous SACKed sequences
 * above, or more than (DupThresh - 1) * SMSS SACKed bytes above.
 */
static void
test_is_lost(void)
{
	struct tcp_sack_sb sb;

	tcp_sack_init(&sb, storage, 16);
	/* Two full segments SACKed above a hole: 2 * SMSS is not more than 2 * SMSS. */
	upd(&sb, 0, 10000, (uint32_t[]){1000, 3000}, 1);
	CHECK(!tcp_sack_is_lost(&sb, 0, 3, SMSS));
	/* One byte more and the hole is lost; a byte inside the range is not. */
	upd(&sb, 0, 10000, (uint32_t[]){3000, 3001}, 1);
	CHECK(tcp_sack_is_lost(&sb, 0, 3, SMSS));
	CHECK(tcp_sack_is_lost(&sb, 999, 3, SMSS));
	CHECK(!tcp_sack_is_lost(&sb, 1000, 3, SMSS)); /* 2000 bytes above 1000 */
	/* Three small discontiguous segments: lost by the count of ranges. */
	tcp_sack_reset(&sb);
	upd(&sb, 0, 10000, (uint32_t[]){1000, 1100, 2000, 2100, 3000, 3100}, 3);
	CHECK(tcp_sack_is_lost(&sb, 0, 3, SMSS));
	CHECK(tcp_sack_is_lost(&sb, 999, 3, SMSS));
	CHECK(tcp_sack_is_lost(&sb, 1000, 3, SMSS));  /* 99 octets of the first range still above */
	CHECK(!tcp_sack_is_lost(&sb, 1099, 3, SMSS)); /* the first range is not above */
	CHECK(!tcp_sack_is_lost(&sb, 1500, 3, SMSS));
	CHECK(tcp_sack_is_lost(&sb, 1500, 2, SMSS));
	CHECK(!tcp_sack_is_lost(&sb, 3099, 1, SMSS)); /* nothing above the last byte */
	CHECK(tcp_sack_is_lost(&sb, 3098, 1, SMSS));  /* DupThresh 1: one byte above is enough */
	/* Two discontiguous full segments: neither rule. */
	tcp_sack_reset(&sb);
	upd(&sb, 0, 10000, (uint32_t[]){1000, 2000, 3000, 4000}, 2);
	CHECK(!tcp_sack_is_lost(&sb, 0, 3, SMSS));
}

static struct tcp_sack_rxt
rxt(uint32_t una, uint32_t max, uint32_t high_rxt, uint32_t new_avail)
{
	struct tcp_sack_rxt r = {
		.snd_una = una, .snd_max = max, .high_rxt = high_rxt, .rescue_valid = false,
		.new_avail = new_avail, .smss = SMSS, .dupthresh = TCP_SACK_DUPTHRESH,
	};
	return r;
}

#define CHECK_SEG(sb, r, rule, s, l)                                                         \
	do {                                                                                 \
		uint32_t seq_, len_;                                                         \
		CHECK_EQ(tcp_sack_next_seg(sb, r, &seq_, &len_), rule);                      \
		CHECK_EQ(seq_, s);                                                           \
		CHECK_EQ(len_, l);                                                           \
	} while (0)

/*
 * RFC 6675 section 5 walked through with ten segments of SMSS bytes in
 * flight (0..9999), the first one lost, the next three SACKed one by one.
 */
static void
test_first_segment_lost(void)
{
	struct tcp_sack_sb sb;
	struct tcp_sack_rxt r;

	tcp_sack_init(&sb, storage, 16);
	CHECK_EQ(upd(&sb, 0, 10000, (uint32_t[]){1000, 2000}, 1), 1000);
	CHECK(!tcp_sack_is_lost(&sb, 0, 3, SMSS));
	CHECK_EQ(upd(&sb, 0, 10000, (uint32_t[]){1000, 3000}, 1), 1000);
	CHECK(!tcp_sack_is_lost(&sb, 0, 3, SMSS));
	CHECK_EQ(upd(&sb, 0, 10000, (uint32_t[]){1000, 4000}, 1), 1000);
	/* Third DupAck: IsLost(HighACK + 1) holds, enter recovery (step 4). */
	CHECK(tcp_sack_is_lost(&sb, 0, 3, SMSS));
	/* Before any retransmission every unSACKed octet except the lost hole is in the pipe. */
	CHECK_EQ(tcp_sack_pipe(&sb, 0, 10000, 0, 3, SMSS), 6000);
	/* (4.3) The first segment, chosen by NextSeg rule (1). */
	r = rxt(0, 10000, 0, 0);
	CHECK_SEG(&sb, &r, TCP_SACK_LOST, 0, 1000);
	/* HighRxt and RescueRxt now cover it; the retransmission is in the pipe. */
	r.high_rxt = 1000;
	r.rescue_rxt = 1000;
	r.rescue_valid = true;
	CHECK_EQ(tcp_sack_pipe(&sb, 0, 10000, 1000, 3, SMSS), 7000);
	/* No other hole below the highest SACK, no new data, no rescue yet. */
	CHECK_SEG(&sb, &r, TCP_SACK_NONE, 0, 0);
	/* With new data allowed, rule (2): up to SMSS from HighData + 1. */
	r.new_avail = 5000;
	CHECK_SEG(&sb, &r, TCP_SACK_NEW, 10000, 1000);
	r.new_avail = 300;
	CHECK_SEG(&sb, &r, TCP_SACK_NEW, 10000, 300);
}

/* Three holes (segments 0, 2 and 5 of ten lost): rule (1) walks them in order. */
static void
test_three_holes(void)
{
	struct tcp_sack_sb sb;
	struct tcp_sack_rxt r;

	tcp_sack_init(&sb, storage, 16);
	upd(&sb, 0, 10000, (uint32_t[]){1000, 2000, 3000, 5000, 6000, 10000}, 3);
	CHECK(tcp_sack_is_lost(&sb, 0, 3, SMSS));    /* three ranges above */
	CHECK(tcp_sack_is_lost(&sb, 2000, 3, SMSS)); /* 6000 bytes above */
	CHECK(tcp_sack_is_lost(&sb, 5000, 3, SMSS)); /* 4000 bytes above */
	CHECK_EQ(tcp_sack_pipe(&sb, 0, 10000, 0, 3, SMSS), 0);
	r = rxt(0, 10000, 0, 4000);
	CHECK_SEG(&sb, &r, TCP_SACK_LOST, 0, 1000);
	r.high_rxt = 1000;
	CHECK_SEG(&sb, &r, TCP_SACK_LOST, 2000, 1000);
	r.high_rxt = 3000;
	CHECK_SEG(&sb, &r, TCP_SACK_LOST, 5000, 1000);
	CHECK_EQ(tcp_sack_pipe(&sb, 0, 10000, 3000, 3, SMSS), 2000);
	r.high_rxt = 6000;
	CHECK_EQ(tcp_sack_pipe(&sb, 0, 10000, 6000, 3, SMSS), 3000);
	/* Holes all retransmitted: new data next (2), then the rescue (4). */
	CHECK_SEG(&sb, &r, TCP_SACK_NEW, 10000, 1000);
	r.new_avail = 0;
	CHECK_SEG(&sb, &r, TCP_SACK_RESCUE, 5000, 1000);
	/* HighRxt inside a hole: rule (1) continues from it, stopping at the SACK. */
	r = rxt(0, 10000, 2400, 0);
	CHECK_SEG(&sb, &r, TCP_SACK_LOST, 2400, 600);
}

/*
 * Rule (3) and the note of SetPipe: a hole below the highest SACK that is
 * not lost is sent only when there is no new data, and a retransmitted octet
 * not deemed lost is counted twice in the pipe.
 */
static void
test_rule3_pipe_twice(void)
{
	struct tcp_sack_sb sb;
	struct tcp_sack_rxt r;

	tcp_sack_init(&sb, storage, 16);
	upd(&sb, 0, 5000, (uint32_t[]){3000, 4000}, 1);
	CHECK(!tcp_sack_is_lost(&sb, 0, 3, SMSS));
	CHECK_EQ(tcp_sack_pipe(&sb, 0, 5000, 0, 3, SMSS), 4000);
	r = rxt(0, 5000, 0, 1000);
	CHECK_SEG(&sb, &r, TCP_SACK_NEW, 5000, 1000);
	r.new_avail = 0;
	CHECK_SEG(&sb, &r, TCP_SACK_HOLE, 0, 1000);
	CHECK_EQ(tcp_sack_pipe(&sb, 0, 5000, 1000, 3, SMSS), 5000);
	r.high_rxt = 2500;
	CHECK_SEG(&sb, &r, TCP_SACK_HOLE, 2500, 500);
	r.high_rxt = 3000;
	/* Nothing below the highest SACK is left: rescue the tail. */
	CHECK_SEG(&sb, &r, TCP_SACK_RESCUE, 4000, 1000);
}

/* Rule (4): one rescue per recovery, covering the highest unSACKed octet. */
static void
test_rescue(void)
{
	struct tcp_sack_sb sb;
	struct tcp_sack_rxt r;

	tcp_sack_init(&sb, storage, 16);
	/* Segments 0 and 4 lost, 1..3 SACKed. */
	upd(&sb, 0, 5000, (uint32_t[]){1000, 4000}, 1);
	r = rxt(0, 5000, 0, 0);
	CHECK_SEG(&sb, &r, TCP_SACK_LOST, 0, 1000);
	/* Step (4.3) set HighRxt and RescueRxt past the retransmission. */
	r.high_rxt = 1000;
	r.rescue_rxt = 1000;
	r.rescue_valid = true;
	CHECK_SEG(&sb, &r, TCP_SACK_NONE, 0, 0);
	/* The retransmission arrives: HighACK moves past RescueRxt. */
	upd(&sb, 4000, 5000, NULL, 0);
	r.snd_una = 4000;
	CHECK_SEG(&sb, &r, TCP_SACK_RESCUE, 4000, 1000);
	/* RescueRxt = RecoveryPoint: no second rescue in this recovery. */
	r.rescue_rxt = 5000;
	CHECK_SEG(&sb, &r, TCP_SACK_NONE, 0, 0);
	/* A tail hole longer than SMSS: the rescue ends at its last octet. */
	tcp_sack_reset(&sb);
	upd(&sb, 0, 9000, (uint32_t[]){1000, 2000}, 1);
	r = rxt(0, 9000, 1000, 0);
	CHECK_SEG(&sb, &r, TCP_SACK_RESCUE, 8000, 1000);
	/* Nothing outstanding unSACKed: nothing at all. */
	tcp_sack_reset(&sb);
	upd(&sb, 0, 3000, (uint32_t[]){0, 3000}, 1);
	r = rxt(0, 3000, 0, 0);
	CHECK_SEG(&sb, &r, TCP_SACK_NONE, 0, 0);
	CHECK_EQ(tcp_sack_pipe(&sb, 0, 3000, 0, 3, SMSS), 0);
}

/* ---- brute-force model: the RFC's per-octet definitions, literally ---- */

#define MW 512 /* octets of the model's window */

struct model {
	uint32_t base;          /* sequence number of octet 0 */
	uint32_t una, max;      /* offsets from base */
	bool sacked[MW];
};

static uint32_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift32 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return n ? rng_state % n : 0;
}

static bool
m_is_lost(const struct model *md, uint32_t off, unsigned int dupthresh, uint32_t smss)
{
	unsigned int runs = 0;
	uint32_t bytes = 0, i;
	bool in = false;

	for (i = off + 1; i < md->max; i++) {
		if (md->sacked[i]) {
			bytes++;
			if (!in)
				runs++;
		}
		in = md->sacked[i];
	}
	return runs >= dupthresh || bytes > (dupthresh - 1) * smss;
}

static uint32_t
m_pipe(const struct model *md, uint32_t high_rxt, unsigned int dupthresh, uint32_t smss)
{
	uint32_t pipe = 0, s1;

	for (s1 = md->una; s1 < md->max; s1++) {
		if (md->sacked[s1])
			continue;
		if (!m_is_lost(md, s1, dupthresh, smss))
			pipe++;
		if (s1 < high_rxt) /* S1 <= HighRxt, HighRxt inclusive */
			pipe++;
	}
	return pipe;
}

static uint32_t
m_run_len(const struct model *md, uint32_t off, uint32_t smss)
{
	uint32_t n = 0;

	while (off + n < md->max && !md->sacked[off + n] && n < smss)
		n++;
	return n;
}

static enum tcp_sack_rule
m_next_seg(const struct model *md, uint32_t high_rxt, bool rescue_ok, uint32_t new_avail,
	   unsigned int dupthresh, uint32_t smss, uint32_t *seq, uint32_t *len)
{
	uint32_t s, highest = 0, h;
	bool any = false;

	for (s = md->una; s < md->max; s++) {
		if (md->sacked[s]) {
			highest = s;
			any = true;
		}
	}
	/* (1) smallest unSACKed S2 > HighRxt, < highest SACKed octet, IsLost. */
	for (s = md->una; any && s < highest; s++) {
		if (!md->sacked[s] && s >= high_rxt && m_is_lost(md, s, dupthresh, smss)) {
			*seq = s;
			*len = m_run_len(md, s, smss);
			return TCP_SACK_LOST;
		}
	}
	if (new_avail > 0) {
		*seq = md->max;
		*len = new_avail < smss ? new_avail : smss;
		return TCP_SACK_NEW;
	}
	for (s = md->una; any && s < highest; s++) {
		if (!md->sacked[s] && s >= high_rxt) {
			*seq = s;
			*len = m_run_len(md, s, smss);
			return TCP_SACK_HOLE;
		}
	}
	if (rescue_ok) {
		/* h: one past the highest unSACKed octet below HighData + 1 */
		for (h = md->max; h > md->una && md->sacked[h - 1]; h--)
			;
		if (h > md->una) {
			uint32_t l = 0;

			while (l < smss && h - l > md->una && !md->sacked[h - l - 1])
				l++;
			*seq = h - l;
			*len = l;
			return TCP_SACK_RESCUE;
		}
	}
	*seq = 0;
	*len = 0;
	return TCP_SACK_NONE;
}

/* Compare every query of @p sb with the model; @return failures seen. */
static unsigned int
compare(const struct tcp_sack_sb *sb, const struct model *md)
{
	unsigned int fails = 0, i, nb = 0, dupthresh = 1 + rnd(4);
	uint32_t smss = 1 + rnd(60), sum = 0, high_rxt, new_avail, seq, len, mseq, mlen, rescue;
	struct tcp_sack_rxt r;
	enum tcp_sack_rule rule, mrule;
	bool rescue_valid, rescue_ok;

	/* Ranges are exactly the model's runs of SACKed octets. */
	for (i = md->una; i < md->max; i++) {
		bool start = md->sacked[i] && (i == md->una || !md->sacked[i - 1]);

		sum += md->sacked[i];
		if (start) {
			const struct tcp_sack_block *b = tcp_sack_range(sb, nb++);
			uint32_t end = i;

			while (end < md->max && md->sacked[end])
				end++;
			if (b == NULL || b->left != md->base + i || b->right != md->base + end)
				fails++;
		}
		if (tcp_sack_is_sacked(sb, md->base + i) != md->sacked[i])
			fails++;
		if (tcp_sack_is_lost(sb, md->base + i, dupthresh, smss) !=
		    m_is_lost(md, i, dupthresh, smss))
			fails++;
	}
	if (nb != tcp_sack_nb_ranges(sb) || sum != tcp_sack_sacked_bytes(sb))
		fails++;
	high_rxt = md->una + rnd(md->max - md->una + 1);
	if (rnd(4) == 0)
		high_rxt = md->una - rnd(md->una + 1); /* at or below snd_una */
	if (m_pipe(md, high_rxt, dupthresh, smss) !=
	    tcp_sack_pipe(sb, md->base + md->una, md->base + md->max, md->base + high_rxt,
			  dupthresh, smss))
		fails++;
	new_avail = rnd(3) == 0 ? rnd(100) : 0;
	rescue_valid = rnd(2);
	rescue = rnd(md->max + 1);
	rescue_ok = !rescue_valid || md->una > rescue;
	r.snd_una = md->base + md->una;
	r.snd_max = md->base + md->max;
	r.high_rxt = md->base + high_rxt;
	r.rescue_rxt = md->base + rescue;
	r.rescue_valid = rescue_valid;
	r.new_avail = new_avail;
	r.smss = smss;
	r.dupthresh = dupthresh;
	rule = tcp_sack_next_seg(sb, &r, &seq, &len);
	mrule = m_next_seg(md, high_rxt > md->una ? high_rxt : md->una, rescue_ok, new_avail,
			   dupthresh, smss, &mseq, &mlen);
	if (rule != mrule || len != mlen || (mrule != TCP_SACK_NONE && seq != md->base + mseq)) {
		fprintf(stderr, "next_seg: rule %d/%d seq %u/%u len %u/%u\n", rule, mrule,
			seq - md->base, mseq, len, mlen);
		fails++;
	}
	return fails;
}

static void
test_random(uint32_t seed, unsigned int rounds)
{
	struct tcp_sack_sb sb;
	struct model md;
	unsigned int round, step, fails = 0;

	rng_state = seed;
	for (round = 0; round < rounds; round++) {
		memset(&md, 0, sizeof(md));
		md.base = rnd(8) == 0 ? 0u - rnd(300) : rng_state; /* wraps now and then */
		md.max = 50 + rnd(MW / 2);
		tcp_sack_init(&sb, storage, RTE_DIM(storage));
		for (step = 0; step < 40; step++) {
			struct tcp_sack_block b[4];
			unsigned int n = rnd(5), k;
			uint32_t fresh = 0, i;

			if (rnd(4) == 0 && md.una < md.max)
				md.una += rnd(md.max - md.una + 1); /* cumulative ACK */
			if (rnd(4) == 0 && md.max + 64 < MW)
				md.max += rnd(64); /* more sent */
			for (i = 0; i < md.una; i++)
				md.sacked[i] = false;
			for (k = 0; k < n; k++) {
				uint32_t l = md.una + rnd(md.max - md.una + 1);
				uint32_t r = l + rnd(40);
				bool valid;

				switch (rnd(8)) {
				case 0: /* below or straddling SND.UNA (D-SACK) */
					l = md.una - 1 - rnd(md.una + 30);
					break;
				case 1: /* beyond SND.MAX */
					r = md.max + 1 + rnd(20);
					break;
				case 2: /* inverted or empty */
					r = l - rnd(3);
					break;
				default:
					if (r > md.max)
						r = md.max;
				}
				b[k].left = md.base + l;
				b[k].right = md.base + r;
				valid = (int32_t)(r - l) > 0 && (int32_t)(l - md.una) >= 0 &&
					(int32_t)(r - md.max) <= 0;
				for (i = l; valid && i < r; i++) {
					fresh += !md.sacked[i];
					md.sacked[i] = true;
				}
			}
			if (tcp_sack_update(&sb, md.base + md.una, md.base + md.max, b, n) != fresh)
				fails++;
			fails += compare(&sb, &md);
		}
	}
	CHECK(fails == 0, "seed %u: %u mismatches with the per-octet model", seed, fails);
}

/* With few slots: still sorted, disjoint, non-adjacent, and never claims an unSACKed octet. */
static void
test_random_small(uint32_t seed)
{
	struct tcp_sack_block blk[4];
	struct tcp_sack_sb sb;
	struct model md;
	unsigned int step, fails = 0, i;

	rng_state = seed;
	memset(&md, 0, sizeof(md));
	md.base = rng_state;
	md.max = MW;
	tcp_sack_init(&sb, blk, RTE_DIM(blk));
	for (step = 0; step < 2000; step++) {
		struct tcp_sack_block b;
		uint32_t l = md.una + rnd(md.max - md.una), r = l + 1 + rnd(20), sum = 0;

		if (r > md.max)
			r = md.max;
		if (rnd(10) == 0) {
			md.una += rnd(20);
			if (md.una >= md.max - 30) {
				md.una = 0;
				memset(md.sacked, 0, sizeof(md.sacked));
				tcp_sack_reset(&sb);
			}
			for (i = 0; i < md.una; i++)
				md.sacked[i] = false;
			if (l < md.una)
				l = md.una;
			if (r <= l)
				r = l + 1;
		}
		b.left = md.base + l;
		b.right = md.base + r;
		for (i = l; i < r; i++)
			md.sacked[i] = true;
		tcp_sack_update(&sb, md.base + md.una, md.base + md.max, &b, 1);
		if (tcp_sack_nb_ranges(&sb) > RTE_DIM(blk))
			fails++;
		for (i = 0; i < tcp_sack_nb_ranges(&sb); i++) {
			const struct tcp_sack_block *x = tcp_sack_range(&sb, i);
			uint32_t o;

			if (!SEQ_LT(x->left, x->right) || SEQ_LT(x->left, md.base + md.una))
				fails++;
			if (i > 0 && !SEQ_GT(x->left, tcp_sack_range(&sb, i - 1)->right))
				fails++;
			for (o = x->left - md.base; o != x->right - md.base; o++)
				fails += !md.sacked[o];
			sum += x->right - x->left;
		}
		if (sum != tcp_sack_sacked_bytes(&sb))
			fails++;
	}
	CHECK(fails == 0, "seed %u: %u violations with 4 slots", seed, fails);
}

int
main(int argc, char **argv)
{
	uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 0x5eed6675u;
	unsigned int i;

	test_update();
	test_full();
	test_is_lost();
	test_first_segment_lost();
	test_three_holes();
	test_rule3_pipe_twice();
	test_rescue();
	for (i = 0; i < 8; i++)
		test_random(seed + i * 7919u + 1, 60);
	for (i = 0; i < 4; i++)
		test_random_small(seed + i * 104729u + 1);
	return check_done();
}
