/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Minimal assertions for the project's C tests.
 *
 * CHECK() records a failure and goes on; CHECK_EQ() prints both values.
 * check_done() prints "N passed, N failed" and returns the exit code (0 if
 * none failed), so `return check_done();` ends main().
 */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>

/** a.b.c.d in network order. (DPDK's RTE_IPV4 shifts an int into the sign bit: UB above 127.) */
#define TEST_IP4(a, b, c, d)                                                     \
	rte_cpu_to_be_32(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) |        \
			 ((uint32_t)(c) << 8) | (uint32_t)(d))

extern unsigned int check_pass_count;
extern unsigned int check_fail_count;

#define CHECK(cond, ...)                                                         \
	do {                                                                     \
		if (cond) {                                                      \
			check_pass_count++;                                      \
		} else {                                                         \
			check_fail_count++;                                      \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, " " __VA_ARGS__);                        \
			fputc('\n', stderr);                                     \
		}                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                           \
	do {                                                                     \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);  \
		CHECK(check_a_ == check_b_, "%s = %lld, %s = %lld", #a, check_a_, #b, check_b_); \
	} while (0)

/** Print the closing line and @return the process exit code. */
int check_done(void);

/**
 * Start EAL for a test: no hugepages, no PCI, in-memory, quiet.
 * Exits the process with 1 if EAL fails.
 */
void test_eal_init(const char *prog);

/**
 * Check that every mempool in the process has zero objects in use
 * (CHECK per pool), then release EAL. Call last.
 */
void test_eal_finish(void);

#endif /* TEST_CHECK_H */
