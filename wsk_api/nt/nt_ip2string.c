/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 / IPv6 address text conversions (ip2string.h). The parsers work on
 * 8-bit text; the W forms convert their input first (any character above
 * 0x7f ends the address) and map the terminator back.
 */
#include <ip2string.h>

#include "nt_priv.h"

#define NT_IP_TEXT_MAX 256

static int nt_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copies a 16-bit string into 8 bits; returns the characters copied. */
static SIZE_T nt_narrow(PCWSTR w, char *out)
{
	SIZE_T i;

	for (i = 0; i < NT_IP_TEXT_MAX - 1 && w[i] != 0; i++)
		out[i] = w[i] < 0x80 ? (char)w[i] : (char)0x01;
	out[i] = 0;
	return i;
}

/* ---- IPv4 ------------------------------------------------------------------------------ */

static NTSTATUS nt_v4_parse(const char *s, BOOLEAN strict, const char **term, struct in_addr *a)
{
	ULONG64 part[4];
	int n = 0;
	const char *p = s;

	for (;;) {
		ULONG base = 10;
		ULONG64 v = 0;
		const char *start;

		if (strict) {
			if (*p < '0' || *p > '9')
				goto bad;
		} else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			base = 16;
			p += 2;
		} else if (p[0] == '0' && p[1] >= '0' && p[1] <= '9') {
			base = 8;
		}
		start = p;
		while (nt_hexval(*p) >= 0 && (ULONG)nt_hexval(*p) < base) {
			v = v * base + (ULONG)nt_hexval(*p++);
			if (v > 0xffffffffULL)
				goto bad;
		}
		if (p == start && base != 16)
			goto bad;
		part[n++] = v;
		if (*p != '.' || n == 4)
			break;
		p++;
	}
	if ((strict && n != 4) || (*p >= '0' && *p <= '9'))
		goto bad;
	{
		ULONG64 last_max = n == 1 ? 0xffffffffULL : n == 2 ? 0xffffffULL
						: n == 3 ? 0xffffULL : 0xffULL;
		ULONG v = 0;
		int i;

		for (i = 0; i < n - 1; i++) {
			if (part[i] > 0xff)
				goto bad;
			v |= (ULONG)part[i] << (24 - 8 * i);
		}
		if (part[n - 1] > last_max)
			goto bad;
		v |= (ULONG)part[n - 1];
		a->s_addr = RtlUlongByteSwap(v);
	}
	*term = p;
	return STATUS_SUCCESS;
bad:
	*term = p;
	return STATUS_INVALID_PARAMETER;
}

static SIZE_T nt_v4_format(const struct in_addr *a, char *out)
{
	const UCHAR *b = (const UCHAR *)a;
	char *p = out;
	int i;

	for (i = 0; i < 4; i++) {
		UCHAR v = b[i];

		if (i != 0)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	*p = 0;
	return (SIZE_T)(p - out);
}

static SIZE_T nt_port_format(USHORT port_net, char *out)
{
	ULONG v = RtlUshortByteSwap(port_net);
	char tmp[6];
	int n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
	return (SIZE_T)n;
}

/* Writes text (n chars + NUL) to an A or W buffer under the Ex length rules. */
static NTSTATUS nt_put_ex(const char *text, SIZE_T n, void *out, BOOLEAN wide, PULONG len)
{
	SIZE_T i;

	if (out == NULL || len == NULL)
		return STATUS_INVALID_PARAMETER;
	if (*len < n + 1) {
		*len = (ULONG)(n + 1);
		return STATUS_INVALID_PARAMETER;
	}
	for (i = 0; i <= n; i++) {
		if (wide)
			((PWSTR)out)[i] = (WCHAR)(UCHAR)text[i];
		else
			((PSTR)out)[i] = text[i];
	}
	*len = (ULONG)(n + 1);
	return STATUS_SUCCESS;
}

PSTR NTAPI RtlIpv4AddressToStringA(const struct in_addr *Addr, PSTR S)
{
	return S + nt_v4_format(Addr, S);
}

PWSTR NTAPI RtlIpv4AddressToStringW(const struct in_addr *Addr, PWSTR S)
{
	char buf[16];
	SIZE_T n = nt_v4_format(Addr, buf), i;

	for (i = 0; i <= n; i++)
		S[i] = (WCHAR)buf[i];
	return S + n;
}

static NTSTATUS nt_v4_ex(const struct in_addr *a, USHORT port, void *out, BOOLEAN wide, PULONG len)
{
	char buf[32];
	SIZE_T n;

	if (a == NULL)
		return STATUS_INVALID_PARAMETER;
	n = nt_v4_format(a, buf);
	if (port != 0) {
		buf[n++] = ':';
		n += nt_port_format(port, buf + n);
	}
	return nt_put_ex(buf, n, out, wide, len);
}

NTSTATUS NTAPI RtlIpv4AddressToStringExA(const struct in_addr *Address, USHORT Port,
					 PSTR AddressString, PULONG AddressStringLength)
{
	return nt_v4_ex(Address, Port, AddressString, FALSE, AddressStringLength);
}

NTSTATUS NTAPI RtlIpv4AddressToStringExW(const struct in_addr *Address, USHORT Port,
					 PWSTR AddressString, PULONG AddressStringLength)
{
	return nt_v4_ex(Address, Port, AddressString, TRUE, AddressStringLength);
}

NTSTATUS NTAPI RtlIpv4StringToAddressA(PCSTR S, BOOLEAN Strict, PCSTR *Terminator,
				       struct in_addr *Addr)
{
	const char *term;
	NTSTATUS st;

	if (S == NULL || Addr == NULL)
		return STATUS_INVALID_PARAMETER;
	st = nt_v4_parse(S, Strict, &term, Addr);
	if (Terminator != NULL)
		*Terminator = term;
	return st;
}

NTSTATUS NTAPI RtlIpv4StringToAddressW(PCWSTR S, BOOLEAN Strict, PCWSTR *Terminator,
				       struct in_addr *Addr)
{
	char buf[NT_IP_TEXT_MAX];
	const char *term;
	NTSTATUS st;

	if (S == NULL || Addr == NULL)
		return STATUS_INVALID_PARAMETER;
	nt_narrow(S, buf);
	st = nt_v4_parse(buf, Strict, &term, Addr);
	if (Terminator != NULL)
		*Terminator = S + (term - buf);
	return st;
}

/* Parses ":port" (decimal, or 0x hex) up to the end of the string. */
static NTSTATUS nt_port_parse(const char *p, PUSHORT port)
{
	ULONG v = 0, base = 10;
	const char *start;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	start = p;
	while (nt_hexval(*p) >= 0 && (ULONG)nt_hexval(*p) < base) {
		v = v * base + (ULONG)nt_hexval(*p++);
		if (v > 0xffff)
			return STATUS_INVALID_PARAMETER;
	}
	if (p == start || *p != 0)
		return STATUS_INVALID_PARAMETER;
	*port = RtlUshortByteSwap((USHORT)v);
	return STATUS_SUCCESS;
}

static NTSTATUS nt_v4_ex_parse(const char *s, BOOLEAN strict, struct in_addr *a, PUSHORT port)
{
	const char *term;
	struct in_addr tmp;
	USHORT p = 0;

	if (s == NULL || a == NULL || port == NULL)
		return STATUS_INVALID_PARAMETER;
	if (!NT_SUCCESS(nt_v4_parse(s, strict, &term, &tmp)))
		return STATUS_INVALID_PARAMETER;
	if (*term == ':') {
		if (!NT_SUCCESS(nt_port_parse(term + 1, &p)))
			return STATUS_INVALID_PARAMETER;
	} else if (*term != 0) {
		return STATUS_INVALID_PARAMETER;
	}
	*a = tmp;
	*port = p;
	return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlIpv4StringToAddressExA(PCSTR AddressString, BOOLEAN Strict,
					 struct in_addr *Address, PUSHORT Port)
{
	return nt_v4_ex_parse(AddressString, Strict, Address, Port);
}

NTSTATUS NTAPI RtlIpv4StringToAddressExW(PCWSTR AddressString, BOOLEAN Strict,
					 struct in_addr *Address, PUSHORT Port)
{
	char buf[NT_IP_TEXT_MAX];

	if (AddressString == NULL)
		return STATUS_INVALID_PARAMETER;
	nt_narrow(AddressString, buf);
	return nt_v4_ex_parse(buf, Strict, Address, Port);
}

/* ---- IPv6 ------------------------------------------------------------------------------ */

static SIZE_T nt_v6_format(const struct in6_addr *a, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const UCHAR *b = a->u.Byte;
	USHORT w[8];
	int i, best = -1, best_len = 0, run = -1, run_len = 0;
	char *p = out;

	for (i = 0; i < 8; i++)
		w[i] = (USHORT)(b[2 * i] << 8 | b[2 * i + 1]);
	/* ::ffff:a.b.c.d and ::a.b.c.d (not :: and ::1) keep the dotted quad. */
	if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 &&
	    ((w[4] == 0 && w[5] == 0xffff) || (w[4] == 0 && w[5] == 0 && w[6] != 0))) {
		memcpy(p, w[5] ? "::ffff:" : "::", w[5] ? 7 : 2);
		p += w[5] ? 7 : 2;
		return (SIZE_T)(p - out) + nt_v4_format((const struct in_addr *)&b[12], p);
	}
	for (i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (run < 0)
				run = i, run_len = 0;
			if (++run_len > best_len)
				best = run, best_len = run_len;
		} else {
			run = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		int d, started = 0;

		if (i == best) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += best_len - 1;
			continue;
		}
		for (d = 12; d >= 0; d -= 4) {
			int v = (w[i] >> d) & 15;

			if (v != 0 || started || d == 0) {
				*p++ = hex[v];
				started = 1;
			}
		}
		if (i != 7)
			*p++ = ':';
	}
	*p = 0;
	return (SIZE_T)(p - out);
}

static const char *nt_v6_parse(const char *s, struct in6_addr *a, BOOLEAN *ok)
{
	USHORT w[8] = { 0 };
	int n = 0, gap = -1, i;
	const char *p = s;

	*ok = FALSE;
	if (p[0] == ':') {
		if (p[1] != ':')
			return p;
		gap = 0;
		p += 2;
		if (*p == ':')
			return p;
	}
	while (n < 8) {
		const char *start = p, *term;
		ULONG v = 0;
		struct in_addr v4;

		while (nt_hexval(*p) >= 0 && p - start < 4)
			v = v * 16 + (ULONG)nt_hexval(*p++);
		if (p == start)
			break;
		if (*p == '.' && n <= 6 && NT_SUCCESS(nt_v4_parse(start, TRUE, &term, &v4))) {
			const UCHAR *b = (const UCHAR *)&v4;

			w[n++] = (USHORT)(b[0] << 8 | b[1]);
			w[n++] = (USHORT)(b[2] << 8 | b[3]);
			p = term;
			break;
		}
		if (nt_hexval(*p) >= 0)
			return p; /* more than four hex digits */
		w[n++] = (USHORT)v;
		if (*p != ':' || n == 8)
			break;
		if (p[1] == ':') {
			if (gap >= 0)
				return p;
			gap = n;
			p += 2;
			if (*p == ':')
				return p;
			continue;
		}
		if (nt_hexval(p[1]) < 0)
			return p;
		p++;
	}
	if (gap < 0 && n != 8)
		return p;
	if (gap >= 0) {
		if (n == 8)
			return p;
		memmove(&w[8 - (n - gap)], &w[gap], (size_t)(n - gap) * sizeof(USHORT));
		for (i = gap; i < 8 - (n - gap); i++)
			w[i] = 0;
	}
	for (i = 0; i < 8; i++) {
		a->u.Byte[2 * i] = (UCHAR)(w[i] >> 8);
		a->u.Byte[2 * i + 1] = (UCHAR)w[i];
	}
	*ok = TRUE;
	return p;
}

PSTR NTAPI RtlIpv6AddressToStringA(const struct in6_addr *Addr, PSTR S)
{
	return S + nt_v6_format(Addr, S);
}

PWSTR NTAPI RtlIpv6AddressToStringW(const struct in6_addr *Addr, PWSTR S)
{
	char buf[64];
	SIZE_T n = nt_v6_format(Addr, buf), i;

	for (i = 0; i <= n; i++)
		S[i] = (WCHAR)buf[i];
	return S + n;
}

static NTSTATUS nt_v6_ex(const struct in6_addr *a, ULONG scope, USHORT port, void *out,
			 BOOLEAN wide, PULONG len)
{
	char buf[96];
	SIZE_T n = 0;

	if (a == NULL)
		return STATUS_INVALID_PARAMETER;
	if (port != 0)
		buf[n++] = '[';
	n += nt_v6_format(a, buf + n);
	if (scope != 0) {
		char tmp[11];
		int k = 0;

		buf[n++] = '%';
		do {
			tmp[k++] = (char)('0' + scope % 10);
			scope /= 10;
		} while (scope != 0);
		while (k > 0)
			buf[n++] = tmp[--k];
	}
	if (port != 0) {
		buf[n++] = ']';
		buf[n++] = ':';
		n += nt_port_format(port, buf + n);
	}
	buf[n] = 0;
	return nt_put_ex(buf, n, out, wide, len);
}

NTSTATUS NTAPI RtlIpv6AddressToStringExA(const struct in6_addr *Address, ULONG ScopeId, USHORT Port,
					 PSTR AddressString, PULONG AddressStringLength)
{
	return nt_v6_ex(Address, ScopeId, Port, AddressString, FALSE, AddressStringLength);
}

NTSTATUS NTAPI RtlIpv6AddressToStringExW(const struct in6_addr *Address, ULONG ScopeId, USHORT Port,
					 PWSTR AddressString, PULONG AddressStringLength)
{
	return nt_v6_ex(Address, ScopeId, Port, AddressString, TRUE, AddressStringLength);
}

NTSTATUS NTAPI RtlIpv6StringToAddressA(PCSTR S, PCSTR *Terminator, struct in6_addr *Addr)
{
	BOOLEAN ok;
	const char *term;

	if (S == NULL || Addr == NULL)
		return STATUS_INVALID_PARAMETER;
	term = nt_v6_parse(S, Addr, &ok);
	if (Terminator != NULL)
		*Terminator = term;
	return ok ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

NTSTATUS NTAPI RtlIpv6StringToAddressW(PCWSTR S, PCWSTR *Terminator, struct in6_addr *Addr)
{
	char buf[NT_IP_TEXT_MAX];
	BOOLEAN ok;
	const char *term;

	if (S == NULL || Addr == NULL)
		return STATUS_INVALID_PARAMETER;
	nt_narrow(S, buf);
	term = nt_v6_parse(buf, Addr, &ok);
	if (Terminator != NULL)
		*Terminator = S + (term - buf);
	return ok ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

static NTSTATUS nt_v6_ex_parse(const char *s, struct in6_addr *a, PULONG scope, PUSHORT port)
{
	BOOLEAN bracket = FALSE, ok;
	struct in6_addr tmp;
	ULONG sc = 0;
	USHORT pt = 0;
	const char *p;

	if (s == NULL || a == NULL || scope == NULL || port == NULL)
		return STATUS_INVALID_PARAMETER;
	if (*s == '[')
		bracket = TRUE, s++;
	p = nt_v6_parse(s, &tmp, &ok);
	if (!ok)
		return STATUS_INVALID_PARAMETER;
	if (*p == '%') {
		const char *start = ++p;

		while (*p >= '0' && *p <= '9') {
			if (sc > (0xffffffffU - 9) / 10)
				return STATUS_INVALID_PARAMETER;
			sc = sc * 10 + (ULONG)(*p++ - '0');
		}
		if (p == start)
			return STATUS_INVALID_PARAMETER;
	}
	if (bracket) {
		if (*p++ != ']')
			return STATUS_INVALID_PARAMETER;
		if (*p == ':') {
			if (!NT_SUCCESS(nt_port_parse(p + 1, &pt)))
				return STATUS_INVALID_PARAMETER;
			p += strlen(p);
		}
	}
	if (*p != 0)
		return STATUS_INVALID_PARAMETER;
	*a = tmp;
	*scope = sc;
	*port = pt;
	return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlIpv6StringToAddressExA(PCSTR AddressString, struct in6_addr *Address,
					 PULONG ScopeId, PUSHORT Port)
{
	return nt_v6_ex_parse(AddressString, Address, ScopeId, Port);
}

NTSTATUS NTAPI RtlIpv6StringToAddressExW(PCWSTR AddressString, struct in6_addr *Address,
					 PULONG ScopeId, PUSHORT Port)
{
	char buf[NT_IP_TEXT_MAX];

	if (AddressString == NULL)
		return STATUS_INVALID_PARAMETER;
	nt_narrow(AddressString, buf);
	return nt_v6_ex_parse(buf, Address, ScopeId, Port);
}
