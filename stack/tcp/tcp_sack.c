/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP SACK sender side: the RFC 6675 scoreboard.
 *
 * The scoreboard is a sorted array of disjoint, non-adjacent ranges
 * [left, right) above SND.UNA. Every query walks it once. Two facts of the
 * RFC 6675 definitions keep the walks short:
 *  - between two SACKed ranges (in a hole), the number of ranges above a
 *    byte and the SACKed bytes above it are constant, so IsLost() is the
 *    same for every byte of a hole;
 *  - IsLost() can only turn from true to false as the sequence number grows
 *    (both counts shrink), so the lowest candidate byte decides NextSeg()
 *    rule (1).
 */
#include <string.h>

#include <rte_common.h>

#include "tcp_sack.h"
#include "tcp_seq.h"

void
tcp_sack_init(struct tcp_sack_sb *sb, struct tcp_sack_block *blk, uint16_t max)
{
	sb->blk = blk;
	sb->max = blk != NULL ? max : 0;
	sb->nb = 0;
	sb->sacked = 0;
}

void
tcp_sack_reset(struct tcp_sack_sb *sb)
{
	sb->nb = 0;
	sb->sacked = 0;
}

static void
sb_remove(struct tcp_sack_sb *sb, unsigned int i, unsigned int count)
{
	memmove(&sb->blk[i], &sb->blk[i + count], (sb->nb - i - count) * sizeof(sb->blk[0]));
	sb->nb = (uint16_t)(sb->nb - count);
}

/* Forget everything below @p una: whole ranges, and the front of a straddling one. */
static void
sb_prune(struct tcp_sack_sb *sb, uint32_t una)
{
	unsigned int i = 0;

	while (i < sb->nb && SEQ_LEQ(sb->blk[i].right, una))
		i++;
	if (i > 0)
		sb_remove(sb, 0, i);
	if (sb->nb > 0 && SEQ_LT(sb->blk[0].left, una))
		sb->blk[0].left = una;
}

/* Bytes of [left, right) already recorded. */
static uint32_t
sb_covered(const struct tcp_sack_sb *sb, uint32_t left, uint32_t right)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < sb->nb && SEQ_LT(sb->blk[i].left, right); i++) {
		uint32_t l = seq_max(sb->blk[i].left, left);
		uint32_t r = seq_min(sb->blk[i].right, right);

		if (SEQ_LT(l, r))
			n += r - l;
	}
	return n;
}

/*
 * Record [left, right), merging with every range it overlaps or touches.
 * When there is no free slot, forget the highest range, or the new one if
 * it is the highest (see tcp_sack_init()).
 */
static void
sb_insert(struct tcp_sack_sb *sb, uint32_t left, uint32_t right)
{
	unsigned int i = 0, j;

	/* i: first range that ends at or after left (may merge). */
	while (i < sb->nb && SEQ_LT(sb->blk[i].right, left))
		i++;
	/* j: one past the last range that starts at or before right. */
	j = i;
	while (j < sb->nb && SEQ_LEQ(sb->blk[j].left, right))
		j++;
	if (j > i) {
		sb->blk[i].left = seq_min(sb->blk[i].left, left);
		sb->blk[i].right = seq_max(sb->blk[j - 1].right, right);
		if (j - i > 1)
			sb_remove(sb, i + 1, j - i - 1);
		return;
	}
	if (sb->nb == sb->max) {
		if (i == sb->nb)
			return; /* the new range is the highest: ignore it */
		sb->nb--;       /* forget the highest range */
	}
	memmove(&sb->blk[i + 1], &sb->blk[i], (sb->nb - i) * sizeof(sb->blk[0]));
	sb->blk[i].left = left;
	sb->blk[i].right = right;
	sb->nb++;
}

static void
sb_recount(struct tcp_sack_sb *sb)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < sb->nb; i++)
		n += sb->blk[i].right - sb->blk[i].left;
	sb->sacked = n;
}

uint32_t
tcp_sack_update(struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_max,
		const struct tcp_sack_block *blocks, unsigned int n)
{
	uint32_t fresh = 0;
	unsigned int k;

	sb_prune(sb, snd_una);
	for (k = 0; k < n; k++) {
		uint32_t l = blocks[k].left, r = blocks[k].right;

		/* Empty or inverted; D-SACK or stale (below SND.UNA); never sent. */
		if (!SEQ_LT(l, r) || SEQ_LT(l, snd_una) || SEQ_GT(r, snd_max))
			continue;
		fresh += (r - l) - sb_covered(sb, l, r);
		sb_insert(sb, l, r);
	}
	sb_recount(sb);
	return fresh;
}

bool
tcp_sack_is_sacked(const struct tcp_sack_sb *sb, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < sb->nb; i++) {
		if (SEQ_LT(seq, sb->blk[i].left))
			return false;
		if (SEQ_LT(seq, sb->blk[i].right))
			return true;
	}
	return false;
}

/* The IsLost() test on the counts above a byte. */
static inline bool
lost_rule(unsigned int ranges_above, uint32_t bytes_above, unsigned int dupthresh,
	  uint32_t smss)
{
	return ranges_above >= dupthresh ||
	       (uint64_t)bytes_above > (uint64_t)(dupthresh - 1) * smss;
}

bool
tcp_sack_is_lost(const struct tcp_sack_sb *sb, uint32_t seq, unsigned int dupthresh,
		 uint32_t smss)
{
	uint32_t bytes = 0, above = seq + 1;
	unsigned int ranges = 0;
	int i;

	/* From the top down: stop at the first range with nothing above seq. */
	for (i = (int)sb->nb - 1; i >= 0; i--) {
		const struct tcp_sack_block *b = &sb->blk[i];

		if (!SEQ_GT(b->right, above))
			break;
		ranges++;
		bytes += b->right - seq_max(b->left, above);
	}
	return lost_rule(ranges, bytes, dupthresh, smss);
}

/* Length of the overlap of [l1, r1) and [l2, r2). */
static inline uint32_t
overlap(uint32_t l1, uint32_t r1, uint32_t l2, uint32_t r2)
{
	uint32_t l = seq_max(l1, l2), r = seq_min(r1, r2);

	return SEQ_LT(l, r) ? r - l : 0;
}

uint32_t
tcp_sack_pipe(const struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_max,
	      uint32_t high_rxt, unsigned int dupthresh, uint32_t smss)
{
	uint32_t pipe = 0, bytes_above = 0, hole_right = snd_max;
	unsigned int ranges_above = 0;
	int i;

	high_rxt = seq_max(high_rxt, snd_una);
	/*
	 * Walk the holes from the top: the hole below range i runs from the end
	 * of range i - 1 (or snd_una) to the start of range i; every byte in it
	 * has ranges i.. above it. The top hole, [last right, snd_max), has
	 * nothing above and is never lost.
	 */
	for (i = (int)sb->nb; i >= 0; i--) {
		uint32_t hole_left = seq_max(i > 0 ? sb->blk[i - 1].right : snd_una, snd_una);
		uint32_t len;

		len = SEQ_LT(hole_left, hole_right) ? hole_right - hole_left : 0;
		if (!lost_rule(ranges_above, bytes_above, dupthresh, smss))
			pipe += len;
		pipe += overlap(hole_left, hole_left + len, snd_una, high_rxt);
		if (i == 0)
			break;
		ranges_above++;
		bytes_above += sb->blk[i - 1].right - sb->blk[i - 1].left;
		hole_right = sb->blk[i - 1].left;
		if (!SEQ_GT(hole_right, snd_una))
			break;
	}
	return pipe;
}

/* First byte at or after @p from that is not SACKed, and the end of its hole (or snd_max). */
static uint32_t
first_unsacked(const struct tcp_sack_sb *sb, uint32_t from, uint32_t snd_max, uint32_t *hole_end)
{
	unsigned int i;

	for (i = 0; i < sb->nb; i++) {
		if (SEQ_LT(from, sb->blk[i].left))
			break;
		if (SEQ_LT(from, sb->blk[i].right))
			from = sb->blk[i].right;
	}
	*hole_end = i < sb->nb ? sb->blk[i].left : snd_max;
	return from;
}

/* Rule (4): the last hole below snd_max, if any. */
static bool
last_hole(const struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_max, uint32_t *left,
	  uint32_t *right)
{
	int i = (int)sb->nb - 1;

	*right = snd_max;
	/* Skip a range that reaches snd_max: the hole ends where it starts. */
	if (i >= 0 && !SEQ_LT(sb->blk[i].right, snd_max)) {
		*right = sb->blk[i].left;
		i--;
	}
	*left = i >= 0 ? sb->blk[i].right : snd_una;
	if (SEQ_LT(*left, snd_una))
		*left = snd_una;
	return SEQ_LT(*left, *right);
}

enum tcp_sack_rule
tcp_sack_next_seg(const struct tcp_sack_sb *sb, const struct tcp_sack_rxt *r, uint32_t *seq,
		  uint32_t *len)
{
	uint32_t from = seq_max(r->high_rxt, r->snd_una);
	uint32_t s2 = 0, hole_end = 0, l, h;
	bool below_sack = false;

	*seq = 0;
	*len = 0;
	if (r->smss == 0)
		return TCP_SACK_NONE;
	if (sb->nb > 0) {
		/* (1.a) S2 >= high_rxt, (1.b) S2 below the highest SACKed byte. */
		s2 = first_unsacked(sb, from, r->snd_max, &hole_end);
		below_sack = SEQ_LT(s2, sb->blk[sb->nb - 1].right);
	}
	if (below_sack) {
		*seq = s2;
		*len = RTE_MIN(hole_end - s2, r->smss);
		if (tcp_sack_is_lost(sb, s2, r->dupthresh, r->smss))
			return TCP_SACK_LOST; /* (1) */
	}
	if (r->new_avail > 0) {
		*seq = r->snd_max; /* (2) */
		*len = RTE_MIN(r->new_avail, r->smss);
		return TCP_SACK_NEW;
	}
	if (below_sack)
		return TCP_SACK_HOLE; /* (3): *seq, *len set above */
	if ((!r->rescue_valid || SEQ_GT(r->snd_una, r->rescue_rxt)) &&
	    last_hole(sb, r->snd_una, r->snd_max, &l, &h)) {
		*len = RTE_MIN(h - l, r->smss); /* (4) */
		*seq = h - *len;
		return TCP_SACK_RESCUE;
	}
	*seq = 0;
	*len = 0;
	return TCP_SACK_NONE;
}
