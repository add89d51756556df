/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Writing checksum fields computed by the core into headers it does not
 * otherwise touch. Header-byte access stays in stack/wire.
 */
#ifndef STK_WIRE_CKSUM_H
#define STK_WIRE_CKSUM_H

#include <stdint.h>
#include <string.h>

#include "wire.h"

/** Offset of the checksum field inside the L4 header of @p proto, or -1. */
static inline int
l4_cksum_offset(uint8_t proto)
{
	switch (proto) {
	case IPV4_PROTO_UDP: return 6;
	case IPV4_PROTO_TCP: return 16;
	case IPV4_PROTO_ICMP: return 2;
	default: return -1;
	}
}

/** Store @p raw (a checksum in memory order, as rte_raw_cksum computes) at @p off of @p l4. */
static inline void
l4_cksum_store(void *l4, int off, uint16_t raw)
{
	memcpy((uint8_t *)l4 + off, &raw, sizeof(raw));
}

#endif /* STK_WIRE_CKSUM_H */
