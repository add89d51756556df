/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (RFC 4987 section 3.6): when a listener's SYN queue (its
 * backlog of SYN-RECEIVED children) is full, the SYN-ACK carries the state
 * in its ISS and no block is kept; the ACK that echoes a valid cookie
 * creates the connection directly in ESTABLISHED.
 *
 * ISS layout: | 5 bits time slot (64 s) | 3 bits MSS index | 24 bits MAC |,
 * MAC = SipHash(key, 4-tuple, peer ISN, slot, MSS index). With timestamps,
 * the low 6 bits of our TSval carry the window scale (4 bits, 15: none) and
 * SACK-permitted (1 bit), and the echoed TSecr brings them back; without
 * timestamps the connection goes without window scaling and SACK.
 */
#include <string.h>

#include "tcp_priv.h"

#define COOKIE_SLOT_NS (64 * STK_NS_PER_S)
#define COOKIE_WS_NONE 0xf
#define COOKIE_TS_MASK 0x3fu

static const uint16_t cookie_mss[8] = { 536, 1024, 1220, 1300, 1380, 1440, 1460, 8960 };

static uint32_t
cookie_mac(const struct stk_inst *in, const struct tcp_key *k, uint32_t peer_isn, uint32_t slot,
	   uint32_t mss_idx)
{
	struct {
		struct tcp_key k;
		uint32_t isn, slot, mss;
	} m = { *k, peer_isn, slot & 31, mss_idx };

	return (uint32_t)tcp_siphash(&in->tcp->isn_key, &m, sizeof(m)) & 0xffffff;
}

uint32_t
tcp_cookie_make(const struct stk_inst *in, const struct tcp_key *k, uint32_t peer_isn,
		uint16_t peer_mss)
{
	uint32_t slot = (uint32_t)(in->now / COOKIE_SLOT_NS) & 31, idx = 0, i;

	for (i = 0; i < RTE_DIM(cookie_mss); i++)
		if (cookie_mss[i] <= peer_mss)
			idx = i;
	return slot << 27 | idx << 24 | cookie_mac(in, k, peer_isn, slot, idx);
}

/*
 * Check the cookie an ACK returns (ack - 1) for the peer ISN (seq - 1).
 * @return the MSS it encodes, or 0 if it is not valid (forged or too old).
 */
uint16_t
tcp_cookie_check(const struct stk_inst *in, const struct tcp_key *k, uint32_t peer_isn,
		 uint32_t cookie)
{
	uint32_t now_slot = (uint32_t)(in->now / COOKIE_SLOT_NS) & 31, slot = cookie >> 27;
	uint32_t idx = (cookie >> 24) & 7;

	/* Valid for the current and the previous slot: 64 to 128 s. */
	if (((now_slot - slot) & 31) > 1)
		return 0;
	if (cookie_mac(in, k, peer_isn, slot, idx) != (cookie & 0xffffff))
		return 0;
	return cookie_mss[idx];
}

/* Our TSval on a cookie SYN-ACK: the peer's window scale and SACK-permitted in the low bits. */
uint32_t
tcp_cookie_tsval(const struct stk_inst *in, const struct tcp_opts *peer)
{
	uint32_t bits = (peer->has_wscale ? RTE_MIN(peer->wscale, 14u) : COOKIE_WS_NONE) |
			(peer->sack_permitted ? 0x10u : 0);

	uint32_t now = tcp_ts_now(in), ts = (now & ~COOKIE_TS_MASK) | bits;

	/* Never ahead of our clock: later TSvals must not go back (RFC 7323). */
	if ((int32_t)(ts - now) > 0)
		ts -= COOKIE_TS_MASK + 1;
	return ts;
}

/* The peer's SYN options a cookie ACK's TSecr brings back. */
void
tcp_cookie_ts_decode(uint32_t tsecr, bool *ws, uint8_t *wscale, bool *sack)
{
	*ws = (tsecr & 0xf) != COOKIE_WS_NONE;
	*wscale = (uint8_t)(tsecr & 0xf);
	*sack = (tsecr & 0x10) != 0;
}
