/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Initial sequence numbers (RFC 9293 section 3.4.1, RFC 6528) and the keyed
 * hash behind them.
 *
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M
 * is a clock ticking every 4 microseconds, taken from the `now` the caller
 * passes, and F is SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012) under a 128-bit secret key, truncated to 32 bits.
 * For one 4-tuple the ISN therefore advances with time exactly like RFC 793's
 * clock, while an off-path attacker who does not know the key cannot predict
 * the ISN of a new connection from one he observed (RFC 6528 section 3).
 *
 * The key is chosen at random each time the stack starts (the engine fills
 * the seed from rte_rand() or getrandom()) and is shared read-only by every
 * lcore. tcp_siphash() is exported for SYN cookies (RFC 4987), which need a
 * keyed hash of the same 4-tuple.
 *
 * Pure functions: no state beyond the key, no allocation, no clock.
 */
#ifndef TCP_ISN_H
#define TCP_ISN_H

#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "stk.h"

/** Bytes of seed tcp_isn_key_init() takes: the 128-bit SipHash key. */
#define TCP_ISN_KEY_LEN 16

/** Period of the ISN clock M (RFC 9293 section 3.4.1: 4 microseconds). */
#define TCP_ISN_TICK_NS 4000

/** A SipHash-2-4 key. Fill it with tcp_isn_key_init(); read-only afterwards. */
struct tcp_isn_key {
	uint64_t k0; /**< key bytes 0..7, read little-endian (SipHash's k0) */
	uint64_t k1; /**< key bytes 8..15, read little-endian (SipHash's k1) */
};

/**
 * Make a key from @p seed, the 16 key bytes in SipHash's order (byte 0 is the
 * low byte of k0). The same seed gives the same key on every host.
 *
 * @param key   the key to fill
 * @param seed  TCP_ISN_KEY_LEN bytes; random in production, fixed in tests
 */
void tcp_isn_key_init(struct tcp_isn_key *key, const uint8_t seed[TCP_ISN_KEY_LEN]);

/**
 * SipHash-2-4 of @p len bytes at @p data under @p key: 64-bit output, two
 * compression and four finalisation rounds. @p data needs no alignment.
 *
 * @return the 64-bit hash, as the reference implementation's little-endian
 *         output bytes read as a little-endian integer.
 */
uint64_t tcp_siphash(const struct tcp_isn_key *key, const void *data, size_t len);

/**
 * The ISN of a new connection (RFC 9293 section 3.4.1, RFC 6528 section 3).
 *
 * F hashes the 12 bytes laddr, lport, faddr, fport, each in network byte
 * order as passed. M is now / TCP_ISN_TICK_NS modulo 2^32, so M wraps every
 * 2^32 * 4 us, about 4.8 hours, and the ISN of one 4-tuple increases by
 * exactly one per 4 us.
 *
 * @param key    the stack's secret key
 * @param laddr  local IPv4 address, network order
 * @param lport  local port, network order
 * @param faddr  remote IPv4 address, network order
 * @param fport  remote port, network order
 * @param now    the current time in nanoseconds
 * @return the initial sequence number.
 */
uint32_t tcp_isn(const struct tcp_isn_key *key, rte_be32_t laddr, rte_be16_t lport,
		 rte_be32_t faddr, rte_be16_t fport, stk_time_t now);

#endif /* TCP_ISN_H */
