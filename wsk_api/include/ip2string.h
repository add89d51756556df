/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Text conversions of IPv4 and IPv6 addresses (Rtl*AddressToString* and
 * Rtl*StringToAddress*), as on Windows: addresses and ports are in network
 * byte order, output buffers must hold 16 (IPv4) or 46 (IPv6) characters,
 * 22 / 65 with a port and scope (the Ex forms).
 */
#ifndef _IP2STRING_
#define _IP2STRING_

#include <wdm.h>
#include <inaddr.h>
#include <in6addr.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @return a pointer to the NUL ending the text written to S. */
NTSYSAPI PSTR NTAPI RtlIpv4AddressToStringA(const struct in_addr *Addr, PSTR S);
NTSYSAPI PWSTR NTAPI RtlIpv4AddressToStringW(const struct in_addr *Addr, PWSTR S);
/**
 * Writes "a.b.c.d[:port]" when it fits *AddressStringLength characters
 * (NUL included). @return STATUS_SUCCESS, or STATUS_INVALID_PARAMETER with
 * the needed length in *AddressStringLength.
 */
NTSYSAPI NTSTATUS NTAPI RtlIpv4AddressToStringExA(const struct in_addr *Address, USHORT Port,
						  PSTR AddressString, PULONG AddressStringLength);
NTSYSAPI NTSTATUS NTAPI RtlIpv4AddressToStringExW(const struct in_addr *Address, USHORT Port,
						  PWSTR AddressString, PULONG AddressStringLength);
/**
 * Parses an IPv4 address. Strict: exactly four decimal parts. Otherwise
 * the inet_addr forms (1 to 4 parts, octal and hex) are accepted.
 * @return STATUS_SUCCESS with *Terminator at the first character not used,
 *   or STATUS_INVALID_PARAMETER.
 */
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressA(PCSTR S, BOOLEAN Strict, PCSTR *Terminator,
						struct in_addr *Addr);
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressW(PCWSTR S, BOOLEAN Strict, PCWSTR *Terminator,
						struct in_addr *Addr);
/** Parses "a.b.c.d[:port]" as a whole string. @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER. */
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressExA(PCSTR AddressString, BOOLEAN Strict,
						  struct in_addr *Address, PUSHORT Port);
NTSYSAPI NTSTATUS NTAPI RtlIpv4StringToAddressExW(PCWSTR AddressString, BOOLEAN Strict,
						  struct in_addr *Address, PUSHORT Port);

/** RFC 5952 text ("::1", "fe80::1", "::ffff:1.2.3.4"). @return the terminating NUL. */
NTSYSAPI PSTR NTAPI RtlIpv6AddressToStringA(const struct in6_addr *Addr, PSTR S);
NTSYSAPI PWSTR NTAPI RtlIpv6AddressToStringW(const struct in6_addr *Addr, PWSTR S);
/** "[addr%scope]:port" when a port is given, "addr%scope" otherwise. */
NTSYSAPI NTSTATUS NTAPI RtlIpv6AddressToStringExA(const struct in6_addr *Address, ULONG ScopeId,
						  USHORT Port, PSTR AddressString,
						  PULONG AddressStringLength);
NTSYSAPI NTSTATUS NTAPI RtlIpv6AddressToStringExW(const struct in6_addr *Address, ULONG ScopeId,
						  USHORT Port, PWSTR AddressString,
						  PULONG AddressStringLength);
NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressA(PCSTR S, PCSTR *Terminator, struct in6_addr *Addr);
NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressW(PCWSTR S, PCWSTR *Terminator,
						struct in6_addr *Addr);
/** Parses "addr", "addr%scope", "[addr]:port", "[addr%scope]:port". */
NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressExA(PCSTR AddressString, struct in6_addr *Address,
						  PULONG ScopeId, PUSHORT Port);
NTSYSAPI NTSTATUS NTAPI RtlIpv6StringToAddressExW(PCWSTR AddressString, struct in6_addr *Address,
						  PULONG ScopeId, PUSHORT Port);

#ifdef __cplusplus
}
#endif

#endif /* _IP2STRING_ */
