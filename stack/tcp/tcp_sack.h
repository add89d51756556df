/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP SACK, sender side: the scoreboard of RFC 6675 and its functions
 * Update(), IsLost(), SetPipe() and NextSeg().
 *
 * The scoreboard records which bytes above SND.UNA the peer has selectively
 * acknowledged (RFC 2018), as a sorted array of disjoint, non-adjacent
 * ranges in caller-provided storage. It holds no data and no timers, and
 * never removes anything from the retransmission queue: SACK information is
 * advisory until the bytes are cumulatively acknowledged (RFC 2018 section 8,
 * RFC 6675 section 4).
 *
 * Conventions. Every range is [left, right): @c right is the sequence number
 * just past the range, as in a SACK block on the wire. RFC 6675 names
 * inclusive octets; here the same variables are kept one past:
 *   - snd_una  = HighACK + 1 (first unacknowledged byte);
 *   - snd_max  = HighData + 1 (one past the highest byte ever sent);
 *   - high_rxt = HighRxt + 1 (one past the highest byte retransmitted in the
 *                current recovery; snd_una when nothing was);
 *   - rescue_rxt = RescueRxt + 1.
 * All comparisons are modulo 2^32 (tcp_seq.h).
 *
 * Every function runs in time linear in the number of ranges held, which is
 * bounded by the caller's maximum; nothing allocates.
 */
#ifndef TCP_SACK_H
#define TCP_SACK_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/** RFC 6675 section 2: the default DupThresh. */
#define TCP_SACK_DUPTHRESH 3

/**
 * The scoreboard. Embed it in the connection block and give it storage with
 * tcp_sack_init(); the fields are read-only for callers (use the functions).
 */
struct tcp_sack_sb {
	/** caller storage: @c nb ranges, ascending, disjoint, non-adjacent */
	struct tcp_sack_block *blk;
	uint16_t nb;     /**< ranges held */
	uint16_t max;    /**< capacity of @c blk */
	uint32_t sacked; /**< total bytes in the ranges */
};

/**
 * Initialise an empty scoreboard over caller storage.
 *
 * When a new range cannot be recorded because all @p max slots hold
 * disjoint ranges, the scoreboard keeps the ranges with the lowest sequence
 * numbers: it forgets the highest range to make room, or ignores the new
 * range if that one is the highest. Forgetting a SACKed range is always safe
 * (RFC 6675 is written so that a sender which knows less is more
 * conservative): those bytes may be retransmitted needlessly and count in
 * the pipe, and loss is detected later; the ranges nearest SND.UNA, which
 * NextSeg() repairs first, are the ones kept. A receiver repeats its blocks,
 * so a forgotten range comes back once lower holes are filled.
 *
 * @param sb   the scoreboard.
 * @param blk  storage for @p max ranges; owned by the caller, must outlive @p sb.
 * @param max  capacity in ranges; 0 makes a scoreboard that records nothing
 *             (every lookup then answers "not SACKed", and
 *             tcp_sack_update() still reports new bytes).
 */
void tcp_sack_init(struct tcp_sack_sb *sb, struct tcp_sack_block *blk, uint16_t max);

/**
 * Forget every SACKed range. Call on a retransmission timeout: the receiver
 * may have reneged (RFC 2018 section 8), so data to retransmit must not be
 * chosen from old SACK information (RFC 6675 section 5.1). The next ACKs
 * rebuild the scoreboard.
 */
void tcp_sack_reset(struct tcp_sack_sb *sb);

/**
 * Update() of RFC 6675 section 4: drop what @p snd_una now covers, then
 * record the SACK blocks of one ACK.
 *
 * A block is ignored, whole, when it is empty or inverted (right <= left),
 * when it starts below @p snd_una, or when it ends above @p snd_max. Blocks
 * below SND.UNA are D-SACK reports (RFC 2883) or stale; a block straddling
 * SND.UNA can only be a D-SACK of bytes already cumulatively acknowledged or
 * a broken receiver; a block beyond SND.MAX reports bytes never sent (a
 * broken or forged ACK) and must not make the sender skip data. A D-SACK
 * block above SND.UNA (RFC 2883 case: the first block lies inside the
 * second) names bytes the receiver holds, so recording it is harmless and it
 * adds nothing new. Blocks may come in any order and may overlap each other.
 *
 * @param sb       the scoreboard.
 * @param snd_una  first unacknowledged byte (the ACK's acknowledgment
 *                 number once it has been accepted).
 * @param snd_max  one past the highest byte sent.
 * @param blocks   the blocks as parsed from the ACK (may be NULL if @p n is 0).
 * @param n        number of blocks; 0 just prunes below @p snd_una.
 * @return the number of bytes newly marked SACKed by this ACK (0 if it
 *         carried no new SACK information, the test of RFC 6675's DupAck
 *         definition, rule (b)), counted before any range is forgotten
 *         for lack of room.
 */
uint32_t tcp_sack_update(struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_max,
			 const struct tcp_sack_block *blocks, unsigned int n);

/**
 * IsLost(SeqNum) of RFC 6675 section 4: true when at least @p dupthresh
 * discontiguous SACKed ranges lie (at least partly) above @p seq, or when
 * more than (@p dupthresh - 1) * @p smss bytes above @p seq are SACKed.
 * "Above" means sequence numbers greater than @p seq.
 *
 * @param sb         the scoreboard.
 * @param seq        the byte asked about.
 * @param dupthresh  DupThresh (TCP_SACK_DUPTHRESH); at least 1.
 * @param smss       sender MSS in bytes.
 * @return true if @p seq is deemed lost.
 */
bool tcp_sack_is_lost(const struct tcp_sack_sb *sb, uint32_t seq, unsigned int dupthresh,
		      uint32_t smss);

/** @return true if byte @p seq is recorded as SACKed. */
bool tcp_sack_is_sacked(const struct tcp_sack_sb *sb, uint32_t seq);

/**
 * SetPipe() of RFC 6675 section 4: the bytes estimated in flight. Over every
 * byte S1 in [@p snd_una, @p snd_max) not SACKed, count one if IsLost(S1) is
 * false and one more if S1 is below @p high_rxt (retransmitted in this
 * recovery); so a byte retransmitted without being deemed lost counts
 * twice, as the RFC says.
 *
 * @param sb         the scoreboard (pruned to @p snd_una by the last update).
 * @param snd_una    first unacknowledged byte.
 * @param snd_max    one past the highest byte sent.
 * @param high_rxt   one past the highest byte retransmitted in this
 *                   recovery (snd_una, or any value <= snd_una, if none).
 * @param dupthresh  DupThresh; at least 1.
 * @param smss       sender MSS.
 * @return pipe, in bytes.
 */
uint32_t tcp_sack_pipe(const struct tcp_sack_sb *sb, uint32_t snd_una, uint32_t snd_max,
		       uint32_t high_rxt, unsigned int dupthresh, uint32_t smss);

/** The sender's recovery state that NextSeg() reads (RFC 6675 section 2 names). */
struct tcp_sack_rxt {
	uint32_t snd_una;     /**< HighACK + 1: first unacknowledged byte */
	uint32_t snd_max;     /**< HighData + 1: one past the highest byte sent */
	uint32_t high_rxt;    /**< HighRxt + 1: one past the highest byte retransmitted */
	uint32_t rescue_rxt;  /**< RescueRxt + 1; meaningful only if @c rescue_valid */
	bool rescue_valid;    /**< false: RescueRxt is undefined (no rescue or step 4.3 yet) */
	/** bytes of unsent data at snd_max that may go now (buffered, inside the peer's window) */
	uint32_t new_avail;
	uint32_t smss;        /**< sender MSS: the longest segment returned */
	unsigned int dupthresh; /**< DupThresh, at least 1 */
};

/** Which rule of NextSeg() chose the segment. */
enum tcp_sack_rule {
	TCP_SACK_NONE = 0,   /**< rule (5): nothing to send */
	TCP_SACK_LOST = 1,   /**< rule (1): retransmit bytes deemed lost */
	TCP_SACK_NEW = 2,    /**< rule (2): send new data */
	TCP_SACK_HOLE = 3,   /**< rule (3): retransmit a hole below the highest SACK, not lost yet */
	TCP_SACK_RESCUE = 4, /**< rule (4): rescue retransmission of the highest unSACKed bytes */
};

/**
 * NextSeg() of RFC 6675 section 4: choose the next segment to send during
 * SACK loss recovery.
 *
 *  (1) The first unSACKed byte S2 >= max(snd_una, high_rxt) that lies below
 *      the highest SACKed byte and for which IsLost(S2) holds: the segment
 *      runs from S2 for up to smss bytes, stopping at the next SACKed range.
 *      (IsLost is monotone in the sequence number, so only the first such
 *      byte need be tested.)
 *  (2) Otherwise, if new_avail > 0: min(smss, new_avail) new bytes at snd_max.
 *  (3) Otherwise, the same S2 without the IsLost test (a hole below the
 *      highest SACK that has not been retransmitted).
 *  (4) Otherwise, once per recovery (RescueRxt undefined, or snd_una beyond
 *      it): up to smss bytes ending at the end of the highest unSACKed hole
 *      below snd_max, without crossing a SACKed range.
 *  (5) Otherwise nothing.
 *
 * The function changes nothing. After sending what it returned the caller
 * updates its state as RFC 6675 step (C) says: for TCP_SACK_LOST and
 * TCP_SACK_HOLE set high_rxt = *seq + *len; for TCP_SACK_NEW advance
 * snd_max; for TCP_SACK_RESCUE set rescue_rxt to RecoveryPoint + 1 (the
 * snd_max recorded when recovery began), rescue_valid = true, and leave
 * high_rxt alone.
 *
 * @param sb   the scoreboard (pruned to r->snd_una by the last update).
 * @param r    the sender's state.
 * @param seq  set to the first byte of the segment (unless TCP_SACK_NONE).
 * @param len  set to its length, 1..smss (0 for TCP_SACK_NONE).
 * @return the rule that chose the segment, or TCP_SACK_NONE.
 */
enum tcp_sack_rule tcp_sack_next_seg(const struct tcp_sack_sb *sb, const struct tcp_sack_rxt *r,
				     uint32_t *seq, uint32_t *len);

/** @return total bytes recorded as SACKed. */
static inline uint32_t
tcp_sack_sacked_bytes(const struct tcp_sack_sb *sb)
{
	return sb->sacked;
}

/** @return number of disjoint SACKed ranges held. */
static inline unsigned int
tcp_sack_nb_ranges(const struct tcp_sack_sb *sb)
{
	return sb->nb;
}

/**
 * @return range @p i (0: lowest) of the scoreboard, or NULL if @p i >= the
 *         number held. The pointer is valid until the next update or reset.
 */
static inline const struct tcp_sack_block *
tcp_sack_range(const struct tcp_sack_sb *sb, unsigned int i)
{
	return i < sb->nb ? &sb->blk[i] : NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* TCP_SACK_H */
