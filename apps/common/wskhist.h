/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What the load-generating applications share besides WSK: a log-linear
 * latency histogram (32 linear buckets per power of two of nanoseconds:
 * percentiles within about 3 %, 9.5 KiB whatever the number of samples),
 * and the formatting of rates. C standard headers only.
 */
#ifndef WSKHIST_H
#define WSKHIST_H

#include <stdint.h>
#include <stdio.h>

#define WSKHIST_SUB_BITS 5
#define WSKHIST_SUB (1u << WSKHIST_SUB_BITS)
/** Samples up to 2^40 ns (about 18 minutes); longer ones land in the last bucket. */
#define WSKHIST_MAX_BIT 40
#define WSKHIST_BUCKETS ((WSKHIST_MAX_BIT - WSKHIST_SUB_BITS + 2) * WSKHIST_SUB)

/** A histogram of nanosecond samples. Zero-initialised is empty. One writer at a time. */
struct wskhist {
	uint64_t count;        /**< samples recorded */
	uint64_t sum_ns;       /**< their sum */
	uint64_t min_ns;       /**< smallest sample (valid when count > 0) */
	uint64_t max_ns;       /**< largest sample */
	uint64_t bucket[WSKHIST_BUCKETS]; /**< samples per bucket */
};

/** Record one sample of @p ns nanoseconds. */
void wskhist_add(struct wskhist *h, uint64_t ns);
/** Add every sample of @p src to @p dst. */
void wskhist_merge(struct wskhist *dst, const struct wskhist *src);
/**
 * The value below which a fraction @p q (0..1) of the samples lie, in ns
 * (the middle of its bucket, clamped to [min, max]); 0 when empty.
 */
uint64_t wskhist_quantile(const struct wskhist *h, double q);
/** Mean in ns; 0 when empty. */
uint64_t wskhist_mean(const struct wskhist *h);
/**
 * Append the latency fields "p50_us=.. p99_us=.. p999_us=.. max_us=.." (with
 * a leading blank) to @p out of @p size bytes. @return characters written.
 */
int wskhist_format(const struct wskhist *h, char *out, size_t size);

#endif /* WSKHIST_H */
