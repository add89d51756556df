/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Assertions for tests compiled as Windows code (wsk_api/include only):
 * tests/common/check.h pulls DPDK, and so Linux socket headers, in.
 *
 * NT_CHECK() records a failure and goes on; NT_CHECK_EQ() prints both
 * values; nt_check_done() prints "N passed, N failed" and returns the exit
 * code.
 */
#ifndef TEST_NT_CHECK_H
#define TEST_NT_CHECK_H

#include <stdio.h>

static unsigned int nt_check_pass;
static unsigned int nt_check_fail;

#define NT_CHECK(cond)                                                                 \
	do {                                                                           \
		if (cond) {                                                            \
			nt_check_pass++;                                               \
		} else {                                                               \
			nt_check_fail++;                                               \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                      \
	} while (0)

#define NT_CHECK_EQ(a, b)                                                              \
	do {                                                                           \
		long long nt_a_ = (long long)(a), nt_b_ = (long long)(b);              \
		if (nt_a_ == nt_b_) {                                                  \
			nt_check_pass++;                                               \
		} else {                                                               \
			nt_check_fail++;                                               \
			fprintf(stderr, "FAIL %s:%d: %s = %lld (0x%llx), %s = %lld (0x%llx)\n", \
				__FILE__, __LINE__, #a, nt_a_, (unsigned long long)nt_a_, #b, \
				nt_b_, (unsigned long long)nt_b_);                     \
		}                                                                      \
	} while (0)

#define NT_CHECK_STR(a, b)                                                             \
	do {                                                                           \
		const char *nt_sa_ = (a), *nt_sb_ = (b);                               \
		if (nt_sa_ != NULL && nt_sb_ != NULL && strcmp(nt_sa_, nt_sb_) == 0) { \
			nt_check_pass++;                                               \
		} else {                                                               \
			nt_check_fail++;                                               \
			fprintf(stderr, "FAIL %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
				nt_sa_ ? nt_sa_ : "(null)", nt_sb_ ? nt_sb_ : "(null)"); \
		}                                                                      \
	} while (0)

static inline int nt_check_done(void)
{
	printf("%u passed, %u failed\n", nt_check_pass, nt_check_fail);
	return nt_check_fail != 0;
}

#endif /* TEST_NT_CHECK_H */
