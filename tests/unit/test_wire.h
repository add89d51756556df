/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Shared by the two files of the test_wire executable: test_wire.c (main(),
 * helpers, golden frames, Ethernet, ARP, IPv4 golden, ICMP, UDP) and
 * test_wire_ipv4.c (IPv4 malformed input).
 */
#ifndef TEST_WIRE_H
#define TEST_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

/**
 * RFC 1071 sum of big-endian 16-bit words, folded, not complemented: the
 * tests' own reference, independent of the stack's checksum code.
 *
 * @return
 *   The sum of the @p n bytes at @p p, starting from @p sum.
 */
uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t sum);

/**
 * ipv4_parse() on a malloc'd copy of exactly @p len bytes of @p src, so
 * ASan reports any read past them.
 *
 * @return
 *   What ipv4_parse() returns.
 */
enum stk_drop ip_parse_exact(const void *src, size_t len, bool verify, struct ipv4_repr *r);

/* test_wire_ipv4.c; main() calls them in this order. */

/** Truncation, version, IHL and total length, and the order of those checks. */
void test_ipv4_header_checks(void);
/** Single-bit errors in the header, with and without verification. */
void test_ipv4_checksum(void);
/** Well-formed and malformed option lists. */
void test_ipv4_options(void);
/** TTL zero and fragment offset, MF and length rules. */
void test_ipv4_ttl_frag(void);

#endif /* TEST_WIRE_H */
