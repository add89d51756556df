/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP sequence-number arithmetic (RFC 9293 section 3.4).
 *
 * Sequence numbers live in a space of 2^32 that wraps, so they are compared
 * modulo 2^32: @p a is "less than" @p b when the signed 32-bit distance
 * a - b is negative, i.e. when b lies less than 2^31 ahead of a. This is
 * meaningful only for numbers less than 2^31 apart, which TCP guarantees for
 * every pair it compares (windows are at most 2^30 bytes, RFC 7323 section
 * 2.3). For two numbers exactly 2^31 apart each is "less than" the other;
 * callers never compare such a pair.
 *
 * These are functions, not macros, so an argument is evaluated once and a
 * 64-bit value is truncated to 32 bits the same way at every call.
 */
#ifndef TCP_SEQ_H
#define TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/** @return true if @p a comes before @p b in sequence space (a < b mod 2^32). */
static inline bool
SEQ_LT(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/** @return true if @p a is before or equal to @p b (a <= b mod 2^32). */
static inline bool
SEQ_LEQ(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/** @return true if @p a comes after @p b (a > b mod 2^32). */
static inline bool
SEQ_GT(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/** @return true if @p a is after or equal to @p b (a >= b mod 2^32). */
static inline bool
SEQ_GEQ(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

/** @return the later of @p a and @p b in sequence space. */
static inline uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return SEQ_GT(a, b) ? a : b;
}

/** @return the earlier of @p a and @p b in sequence space. */
static inline uint32_t
seq_min(uint32_t a, uint32_t b)
{
	return SEQ_LT(a, b) ? a : b;
}

/**
 * Window membership: lo =< seq < lo + len, modulo 2^32, the form of RFC 9293
 * section 3.10.7.4's "RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND" test. A window of
 * @p len 0 contains nothing; the zero-window special cases of that section
 * are the caller's to apply. Exact for any @p len up to 2^32 - 1.
 *
 * @param seq  the sequence number tested
 * @param lo   the first sequence number in the window
 * @param len  the window's length in sequence numbers
 * @return true if @p seq lies in [lo, lo + len).
 */
static inline bool
seq_in_window(uint32_t seq, uint32_t lo, uint32_t len)
{
	return (uint32_t)(seq - lo) < len;
}

#endif /* TCP_SEQ_H */
