/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Constant data the Windows headers declare extern: the WSK interface id
 * and the well-known addresses.
 */
#include <wsk.h>
#include <mstcpip.h>

/* {2227E803-8D8B-11D4-ABAD-009027719E09} */
CONST NPIID NPI_WSK_INTERFACE_ID = {
	0x2227E803, 0x8D8B, 0x11D4, { 0xAB, 0xAD, 0x00, 0x90, 0x27, 0x71, 0x9E, 0x09 }
};

const IN6_ADDR in6addr_any = IN6ADDR_ANY_INIT;
const IN6_ADDR in6addr_loopback = IN6ADDR_LOOPBACK_INIT;
const IN6_ADDR in6addr_v4mappedprefix = IN6ADDR_V4MAPPEDPREFIX_INIT;
const IN_ADDR in4addr_any = { .S_un.S_addr = 0 };
const IN_ADDR in4addr_loopback = IN4ADDR_LOOPBACK_INIT;
const IN_ADDR in4addr_broadcast = IN4ADDR_BROADCAST_INIT;
