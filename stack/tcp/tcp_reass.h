/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP out-of-order reassembly (RFC 9293 section 3.10.7.4, "Seventh, process
 * the segment text") and the receiver's SACK blocks (RFC 2018 section 4).
 *
 * A per-connection queue of segments that arrived above RCV.NXT, each held
 * as the rte_mbuf chain of its payload (data offset at the first payload
 * byte), in sequence order, never overlapping one another. Data reaching
 * RCV.NXT leaves the queue through tcp_reass_pull() as one chain.
 *
 * Overlaps. A byte is kept once. When a new segment overlaps queued data:
 *  - the parts of the new segment that queued segments already hold are cut
 *    off its front and back: the earlier-queued bytes win;
 *  - a new segment entirely inside queued data is freed (a duplicate);
 *  - queued segments entirely inside the new one are freed and the new one
 *    takes their place: there the new bytes win.
 * A conforming sender sends the same byte with the same value, so which copy
 * survives changes nothing for it. The first copy received wins wherever
 * that costs nothing: it is the rule the receiver already follows for bytes
 * below RCV.NXT (delivered bytes cannot be replaced), so a byte's value does
 * not depend on whether it arrived in order or was queued, and a byte once
 * reported in a SACK block is not replaced later. (FreeBSD keeps the queued
 * copy against a predecessor but trims a queued successor instead.) The
 * exception, a new segment covering queued ones, is the one place where
 * keeping the old bytes would need an allocation: the new chain would have
 * to be split around them, which takes a new mbuf (a clone) on the data
 * path, while dropping the covered chains takes none.
 *
 * Memory is bounded per connection by two caps the caller sets: bytes of
 * payload queued and segments (chains) queued. A segment that would exceed
 * either cap is dropped whole (as FreeBSD does), the queue is unchanged and
 * the drop is counted; queued data is never given up to make room, so bytes
 * the receiver has reported in SACK blocks are never reneged. The engine
 * delivers a segment that starts at RCV.NXT without queueing it, so a full
 * queue cannot stop the hole at RCV.NXT from being filled.
 *
 * The queue keeps its bookkeeping in the head mbuf of each queued chain, in
 * fields that mean nothing for TCP payload (the way Linux keeps TCP state in
 * skb->cb): hash.usr holds the sequence number, tx_offload the link to the
 * next chain, packet_type an arrival stamp. tcp_reass_pull() sets them back
 * to 0 and the RX hash and flow director flags are cleared on insertion.
 *
 * Owning lcore only; nothing allocates.
 */
#ifndef TCP_REASS_H
#define TCP_REASS_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "tcp_sack.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A reassembly queue, embedded in the connection block (40 bytes). Fields
 * are read-only for callers; use the functions.
 */
struct tcp_reass {
	struct rte_mbuf *head; /**< lowest queued segment, NULL when empty */
	struct rte_mbuf *tail; /**< highest queued segment (O(1) append of in-order arrivals) */
	uint32_t bytes;        /**< payload bytes queued */
	uint32_t segs;         /**< segments (chains) queued */
	uint32_t max_bytes;    /**< cap on @c bytes */
	uint32_t max_segs;     /**< cap on @c segs */
	uint32_t stamp;        /**< arrival counter: orders SACK blocks by recency */
	uint32_t drops;        /**< segments dropped because a cap would have been exceeded */
};

/**
 * Initialise an empty queue.
 *
 * @param q          the queue.
 * @param max_bytes  most payload bytes queued at once (0: queue nothing).
 * @param max_segs   most segments queued at once (0: queue nothing). Each
 *                   segment is one chain, so the mbufs held are at most
 *                   @p max_segs times the segments of the longest chain.
 */
void tcp_reass_init(struct tcp_reass *q, uint32_t max_bytes, uint32_t max_segs);

/**
 * Queue an out-of-order segment. The queue takes ownership of @p m in every
 * case: it is queued (perhaps shortened at either end), or freed.
 *
 * The caller has trimmed the segment to the receive window and passes only
 * data above RCV.NXT (a segment starting at RCV.NXT is delivered directly);
 * data at or below RCV.NXT that does reach the queue is discarded by
 * tcp_reass_pull(). The head mbuf of @p m must not be shared (its refcnt is
 * 1, as for a received frame): the queue writes its metadata and shortens
 * its first and last segments in place. Segments of the chain may be
 * indirect mbufs.
 *
 * @param q    the queue.
 * @param seq  sequence number of the first payload byte.
 * @param m    the payload chain, data offset at the first payload byte.
 * @return the number of bytes of @p m the queue did not hold before (> 0);
 *         0 if it held them all (a duplicate: @p m was freed, or took the
 *         place of the queued copies; either way the SACK block holding
 *         these bytes becomes the most recent, per RFC 2018 section 4);
 *         STK_ENOMEM if queueing it would exceed a cap (@p m was freed, the
 *         queue is unchanged, @c drops counts it); STK_EINVAL if @p m is
 *         NULL or holds no byte (freed).
 */
int tcp_reass_insert(struct tcp_reass *q, uint32_t seq, struct rte_mbuf *m);

/**
 * Take the data that continues the stream at @p rcv_nxt.
 *
 * Queued bytes below @p rcv_nxt (delivered meanwhile by another segment)
 * are freed first; a segment straddling @p rcv_nxt loses its front. If the
 * lowest queued byte is then @p rcv_nxt, every queued segment contiguous
 * with it is unlinked and returned, chained in order into one mbuf chain
 * whose pkt_len is *@p len. A chain of more than RTE_MBUF_MAX_NB_SEGS
 * segments cannot be built: the rest stays queued and a further call with
 * @p rcv_nxt + *@p len returns it.
 *
 * @param q        the queue.
 * @param rcv_nxt  the next byte the receiver expects.
 * @param len      set to the bytes returned (0 when NULL is returned).
 * @return the chain, owned by the caller (data offset at byte @p rcv_nxt),
 *         or NULL if the queue holds nothing at @p rcv_nxt.
 */
struct rte_mbuf *tcp_reass_pull(struct tcp_reass *q, uint32_t rcv_nxt, uint32_t *len);

/** Free every queued segment; the caps and the drop counter are kept. */
void tcp_reass_flush(struct tcp_reass *q);

/**
 * The receiver's SACK blocks (RFC 2018 section 4): one block per run of
 * contiguous queued bytes, clipped to start at or above @p rcv_nxt. The
 * first block holds the most recently received segment (the one that
 * triggered this ACK, unless that segment advanced RCV.NXT), then the other
 * runs by how recently they last received a segment, most recent first. A
 * duplicate segment counts as received for this order. The runs that do
 * not fit are the least recent.
 *
 * @param q        the queue.
 * @param rcv_nxt  the acknowledgment number the ACK carries.
 * @param out      filled with the blocks, in the order they go on the wire.
 * @param max      room in @p out; at most TCP_SACK_MAX blocks are written
 *                 (the option space holds four, three beside timestamps).
 * @return the number of blocks written (0 when nothing is queued above
 *         @p rcv_nxt).
 */
unsigned int tcp_reass_sack_blocks(const struct tcp_reass *q, uint32_t rcv_nxt,
				   struct tcp_sack_block *out, unsigned int max);

/**
 * Iterate over the queue in sequence order: the first segment.
 * @param q    the queue.
 * @param seq  set to the segment's first sequence number.
 * @return the segment's chain (its pkt_len is the length; read-only, still
 *         owned by the queue) or NULL if the queue is empty.
 */
const struct rte_mbuf *tcp_reass_first(const struct tcp_reass *q, uint32_t *seq);

/**
 * Iterate over the queue in sequence order: the segment after @p m, which
 * tcp_reass_first() or tcp_reass_next() returned, with no change to the
 * queue since.
 * @return as tcp_reass_first().
 */
const struct rte_mbuf *tcp_reass_next(const struct rte_mbuf *m, uint32_t *seq);

/** @return payload bytes queued. */
static inline uint32_t
tcp_reass_bytes(const struct tcp_reass *q)
{
	return q->bytes;
}

/** @return segments queued. */
static inline uint32_t
tcp_reass_segs(const struct tcp_reass *q)
{
	return q->segs;
}

/** @return segments dropped because a cap would have been exceeded, since init. */
static inline uint32_t
tcp_reass_drops(const struct tcp_reass *q)
{
	return q->drops;
}

/**
 * Remove @p len bytes from the front of chain @p m, across segments:
 * leading segments emptied by the cut are freed. @p len must be less than
 * m->pkt_len. Metadata of the old head other than the packet fields
 * (pkt_len, nb_segs) is not carried to a new head.
 * @return the new head of the chain.
 */
struct rte_mbuf *tcp_reass_mbuf_trim_front(struct rte_mbuf *m, uint32_t len);

/**
 * Cut chain @p m to its first @p len bytes, across segments: the last
 * segment kept is shortened and the segments after it are freed. Does
 * nothing if the chain is not longer than @p len. With @p len 0 the head
 * stays, empty.
 */
void tcp_reass_mbuf_trim_back(struct rte_mbuf *m, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* TCP_REASS_H */
