/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Microsoft TCP/IP extensions: SIO_KEEPALIVE_VALS and the other vendor
 * ioctls, and the IN4 / IN6 / INETADDR address helpers drivers use.
 */
#ifndef _MSTCPIP_
#define _MSTCPIP_

#include <ws2ipdef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Input of SIO_KEEPALIVE_VALS (times in milliseconds). */
struct tcp_keepalive {
	ULONG onoff;
	ULONG keepalivetime;
	ULONG keepaliveinterval;
};

#define SIO_RCVALL _WSAIOW(IOC_VENDOR, 1)
#define SIO_RCVALL_MCAST _WSAIOW(IOC_VENDOR, 2)
#define SIO_RCVALL_IGMPMCAST _WSAIOW(IOC_VENDOR, 3)
#define SIO_KEEPALIVE_VALS _WSAIOW(IOC_VENDOR, 4)
#define SIO_ABSORB_RTRALERT _WSAIOW(IOC_VENDOR, 5)
#define SIO_UCAST_IF _WSAIOW(IOC_VENDOR, 6)
#define SIO_LIMIT_BROADCASTS _WSAIOW(IOC_VENDOR, 7)
#define SIO_INDEX_BIND _WSAIOW(IOC_VENDOR, 8)
#define SIO_INDEX_MCASTIF _WSAIOW(IOC_VENDOR, 9)
#define SIO_INDEX_ADD_MCAST _WSAIOW(IOC_VENDOR, 10)
#define SIO_INDEX_DEL_MCAST _WSAIOW(IOC_VENDOR, 11)
#define SIO_RCVALL_MCAST_IF _WSAIOW(IOC_VENDOR, 13)
#define SIO_RCVALL_IF _WSAIOW(IOC_VENDOR, 14)
#define SIO_LOOPBACK_FAST_PATH _WSAIOW(IOC_VENDOR, 16)
#define SIO_TCP_INITIAL_RTO _WSAIOW(IOC_VENDOR, 17)
#define SIO_APPLY_TRANSPORT_SETTING _WSAIOW(IOC_VENDOR, 19)
#define SIO_QUERY_TRANSPORT_SETTING _WSAIOW(IOC_VENDOR, 20)
#define SIO_TCP_SET_ICW _WSAIOW(IOC_VENDOR, 22)
#define SIO_TCP_SET_ACK_FREQUENCY _WSAIOW(IOC_VENDOR, 23)
#define SIO_TCP_INFO _WSAIORW(IOC_VENDOR, 39)
#define SIO_CPU_AFFINITY _WSAIOW(IOC_VENDOR, 21)
#define SIO_QUERY_RSS_SCALABILITY_INFO _WSAIOR(IOC_VENDOR, 210)

typedef enum {
	RCVALL_OFF = 0,
	RCVALL_ON = 1,
	RCVALL_SOCKETLEVELONLY = 2,
	RCVALL_IPLEVEL = 3
} RCVALL_VALUE, *PRCVALL_VALUE;

#define IN4ADDR_ANY INADDR_ANY
#define IN4ADDR_LOOPBACK 0x0100007f /* 127.0.0.1 as stored (network order) */
#define IN4ADDR_BROADCAST INADDR_BROADCAST
#define IN4ADDR_NONE INADDR_NONE
#define IN4ADDR_ANY_INIT { 0 }
#define IN4ADDR_LOOPBACK_INIT { { { 127, 0, 0, 1 } } }
#define IN4ADDR_BROADCAST_INIT { { { 0xff, 0xff, 0xff, 0xff } } }
#define IN4ADDR_LOOPBACKPREFIX_LENGTH 8
#define IN4ADDR_LINKLOCALPREFIX_LENGTH 16
#define IN4ADDR_MULTICASTPREFIX_LENGTH 4

extern const IN_ADDR in4addr_any;
extern const IN_ADDR in4addr_loopback;
extern const IN_ADDR in4addr_broadcast;
extern const IN6_ADDR in6addr_v4mappedprefix;

FORCEINLINE BOOLEAN IN4_ADDR_EQUAL(const IN_ADDR *a, const IN_ADDR *b)
{
	return (BOOLEAN)(a->s_addr == b->s_addr);
}

FORCEINLINE BOOLEAN IN4_IS_ADDR_UNSPECIFIED(const IN_ADDR *a)
{
	return (BOOLEAN)(a->s_addr == IN4ADDR_ANY);
}

FORCEINLINE BOOLEAN IN4_IS_ADDR_LOOPBACK(const IN_ADDR *a)
{
	return (BOOLEAN)(a->S_un.S_un_b.s_b1 == 127);
}

FORCEINLINE BOOLEAN IN4_IS_ADDR_BROADCAST(const IN_ADDR *a)
{
	return (BOOLEAN)(a->s_addr == IN4ADDR_BROADCAST);
}

FORCEINLINE BOOLEAN IN4_IS_ADDR_MULTICAST(const IN_ADDR *a)
{
	return (BOOLEAN)((a->S_un.S_un_b.s_b1 & 0xf0) == 0xe0);
}

FORCEINLINE BOOLEAN IN4_IS_ADDR_LINKLOCAL(const IN_ADDR *a)
{
	return (BOOLEAN)(a->S_un.S_un_b.s_b1 == 169 && a->S_un.S_un_b.s_b2 == 254);
}

FORCEINLINE BOOLEAN IN6_ADDR_EQUAL(const IN6_ADDR *x, const IN6_ADDR *y)
{
	return (BOOLEAN)(memcmp(x, y, sizeof(IN6_ADDR)) == 0);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_UNSPECIFIED(const IN6_ADDR *a)
{
	static const IN6_ADDR zero = IN6ADDR_ANY_INIT;

	return IN6_ADDR_EQUAL(a, &zero);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_LOOPBACK(const IN6_ADDR *a)
{
	static const IN6_ADDR one = IN6ADDR_LOOPBACK_INIT;

	return IN6_ADDR_EQUAL(a, &one);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_MULTICAST(const IN6_ADDR *a)
{
	return (BOOLEAN)(a->u.Byte[0] == 0xff);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_LINKLOCAL(const IN6_ADDR *a)
{
	return (BOOLEAN)(a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0x80);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_SITELOCAL(const IN6_ADDR *a)
{
	return (BOOLEAN)(a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0xc0);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_V4MAPPED(const IN6_ADDR *a)
{
	static const UCHAR prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return (BOOLEAN)(memcmp(a->u.Byte, prefix, sizeof(prefix)) == 0);
}

FORCEINLINE BOOLEAN IN6_IS_ADDR_V4COMPAT(const IN6_ADDR *a)
{
	static const UCHAR prefix[12] = { 0 };

	return (BOOLEAN)(memcmp(a->u.Byte, prefix, sizeof(prefix)) == 0 &&
			 !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a));
}

FORCEINLINE VOID IN6_SET_ADDR_UNSPECIFIED(PIN6_ADDR a)
{
	memset(a, 0, sizeof(*a));
}

FORCEINLINE VOID IN6_SET_ADDR_LOOPBACK(PIN6_ADDR a)
{
	memset(a, 0, sizeof(*a));
	a->u.Byte[15] = 1;
}

FORCEINLINE VOID IN6_SET_ADDR_V4MAPPED(PIN6_ADDR a6, const IN_ADDR *a4)
{
	memset(a6, 0, sizeof(*a6));
	a6->u.Byte[10] = 0xff;
	a6->u.Byte[11] = 0xff;
	memcpy(&a6->u.Byte[12], a4, sizeof(*a4));
}

FORCEINLINE const IN_ADDR *IN6_EXTRACT_V4ADDR_FROM_MAPPED(const IN6_ADDR *a6)
{
	return (const IN_ADDR *)&a6->u.Byte[12];
}

FORCEINLINE VOID IN4ADDR_SETSOCKADDR(PSOCKADDR_IN a, const IN_ADDR *addr, USHORT port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = port;
	a->sin_addr = *addr;
}

FORCEINLINE VOID IN4ADDR_SETANY(PSOCKADDR_IN a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
}

FORCEINLINE VOID IN4ADDR_SETLOOPBACK(PSOCKADDR_IN a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = IN4ADDR_LOOPBACK;
}

FORCEINLINE VOID IN6ADDR_SETSOCKADDR(PSOCKADDR_IN6 a, const IN6_ADDR *addr, SCOPE_ID scope,
				     USHORT port)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_port = port;
	a->sin6_addr = *addr;
	a->sin6_scope_struct = scope;
}

FORCEINLINE VOID IN6ADDR_SETANY(PSOCKADDR_IN6 a)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
}

FORCEINLINE VOID IN6ADDR_SETLOOPBACK(PSOCKADDR_IN6 a)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_addr.u.Byte[15] = 1;
}

FORCEINLINE BOOLEAN IN6ADDR_ISANY(const SOCKADDR_IN6 *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}

FORCEINLINE BOOLEAN IN6ADDR_ISLOOPBACK(const SOCKADDR_IN6 *a)
{
	return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}

/* The INETADDR_* helpers take a SOCKADDR that may be an IPv4 one; the
 * compiler must not reason about the IPv6 branch with the IPv4 object's
 * size (drivers pass &SOCKADDR_IN here), so the pointer is laundered. */
FORCEINLINE const VOID *WskstackLaunderAddr(const VOID *p)
{
#if defined(__GNUC__)
	__asm__("" : "+r"(p));
#endif
	return p;
}

FORCEINLINE BOOLEAN INETADDR_ISANY(const SOCKADDR *a)
{
	if (a->sa_family == AF_INET6)
		return IN6ADDR_ISANY((const SOCKADDR_IN6 *)WskstackLaunderAddr(a));
	return IN4_IS_ADDR_UNSPECIFIED(&((const SOCKADDR_IN *)a)->sin_addr);
}

FORCEINLINE BOOLEAN INETADDR_ISLOOPBACK(const SOCKADDR *a)
{
	if (a->sa_family == AF_INET6)
		return IN6ADDR_ISLOOPBACK((const SOCKADDR_IN6 *)WskstackLaunderAddr(a));
	return IN4_IS_ADDR_LOOPBACK(&((const SOCKADDR_IN *)a)->sin_addr);
}

FORCEINLINE VOID INETADDR_SETANY(PSOCKADDR a)
{
	if (a->sa_family == AF_INET6)
		IN6ADDR_SETANY((PSOCKADDR_IN6)(VOID *)WskstackLaunderAddr(a));
	else
		IN4ADDR_SETANY((PSOCKADDR_IN)a);
}

FORCEINLINE VOID INETADDR_SETLOOPBACK(PSOCKADDR a)
{
	if (a->sa_family == AF_INET6)
		IN6ADDR_SETLOOPBACK((PSOCKADDR_IN6)(VOID *)WskstackLaunderAddr(a));
	else
		IN4ADDR_SETLOOPBACK((PSOCKADDR_IN)a);
}

/** Port of an AF_INET or AF_INET6 address, network byte order. */
FORCEINLINE USHORT INETADDR_PORT(const SOCKADDR *a)
{
	if (a->sa_family == AF_INET6)
		return ((const SOCKADDR_IN6 *)WskstackLaunderAddr(a))->sin6_port;
	return ((const SOCKADDR_IN *)a)->sin_port;
}

FORCEINLINE const UCHAR *INETADDR_ADDRESS(const SOCKADDR *a)
{
	if (a->sa_family == AF_INET6)
		return (const UCHAR *)&((const SOCKADDR_IN6 *)WskstackLaunderAddr(a))->sin6_addr;
	return (const UCHAR *)&((const SOCKADDR_IN *)a)->sin_addr;
}

#ifdef __cplusplus
}
#endif

#endif /* _MSTCPIP_ */
