/* SPDX-License-Identifier: BSD-3-Clause */
/* Log-linear latency histogram (see wskhist.h). */
#include <string.h>

#include "wskhist.h"

static unsigned int
bucket_of(uint64_t v)
{
	unsigned int msb, shift;

	if (v < 2 * WSKHIST_SUB)
		return (unsigned int)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	if (msb > WSKHIST_MAX_BIT)
		return WSKHIST_BUCKETS - 1;
	shift = msb - WSKHIST_SUB_BITS;
	return (shift + 1) * WSKHIST_SUB + (unsigned int)((v >> shift) - WSKHIST_SUB);
}

/* The middle of bucket @p b. */
static uint64_t
bucket_mid(unsigned int b)
{
	unsigned int shift;
	uint64_t lo;

	if (b < 2 * WSKHIST_SUB)
		return b;
	shift = b / WSKHIST_SUB - 1;
	lo = ((uint64_t)(b % WSKHIST_SUB) + WSKHIST_SUB) << shift;
	return lo + ((1ull << shift) >> 1);
}

void
wskhist_add(struct wskhist *h, uint64_t ns)
{
	if (h->count == 0 || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->count++;
	h->sum_ns += ns;
	h->bucket[bucket_of(ns)]++;
}

void
wskhist_merge(struct wskhist *dst, const struct wskhist *src)
{
	unsigned int i;

	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	for (i = 0; i < WSKHIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t
wskhist_quantile(const struct wskhist *h, double q)
{
	uint64_t want, seen = 0, v;
	unsigned int i;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min_ns;
	want = (uint64_t)(q * (double)h->count + 0.999999);
	if (want > h->count)
		want = h->count;
	for (i = 0; i < WSKHIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= want)
			break;
	}
	v = bucket_mid(i < WSKHIST_BUCKETS ? i : WSKHIST_BUCKETS - 1);
	if (v < h->min_ns)
		v = h->min_ns;
	if (v > h->max_ns)
		v = h->max_ns;
	return v;
}

uint64_t
wskhist_mean(const struct wskhist *h)
{
	return h->count != 0 ? h->sum_ns / h->count : 0;
}

int
wskhist_format(const struct wskhist *h, char *out, size_t size)
{
	return snprintf(out, size, " p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f",
			(double)wskhist_quantile(h, 0.50) / 1e3, (double)wskhist_quantile(h, 0.99) / 1e3,
			(double)wskhist_quantile(h, 0.999) / 1e3, (double)h->max_ns / 1e3);
}
