/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 request header sections (RFC 9112 sections 2-3, 5-6; RFC 9110
 * section 5.6 for tokens): the request line, header fields, the few fields
 * the server acts on (Content-Length, Transfer-Encoding, Connection, Host,
 * Expect), and the target turned into a normalised path. Pure: bytes in,
 * an HTTPD_REQ out; no allocation, nothing read outside the section.
 */
#include <string.h>

#include "httpd.h"

#define METHOD_MAX 32

typedef struct _CURSOR {
	const char *P;
	const char *End;
} CURSOR;

static BOOLEAN
IsTchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return TRUE;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Case-insensitive compare of [s, s+n) with a lower-case literal. */
static BOOLEAN
EqNoCase(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || (char)(s[i] | 0x20) != lit[i])
			return FALSE;
	return lit[n] == '\0';
}

/* The next line without its CR LF (or bare LF): [*Line, *Line + *Len). FALSE at the end. */
static BOOLEAN
NextLine(CURSOR *c, const char **Line, size_t *Len, BOOLEAN *BadCr)
{
	const char *nl;
	size_t n;

	if (c->P >= c->End)
		return FALSE;
	nl = memchr(c->P, '\n', (size_t)(c->End - c->P));
	if (nl == NULL)
		return FALSE;
	n = (size_t)(nl - c->P);
	if (n > 0 && c->P[n - 1] == '\r')
		n--;
	*BadCr = memchr(c->P, '\r', n) != NULL; /* a CR inside a line */
	*Line = c->P;
	*Len = n;
	c->P = nl + 1;
	return TRUE;
}

static int
HexVal(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode the path part of a target into Out (NUL-terminated). @return 0 or a status. */
static USHORT
DecodePath(const char *t, size_t n, char *Out, size_t OutSize, size_t *OutLen)
{
	size_t i, o = 0;

	for (i = 0; i < n && t[i] != '?' && t[i] != '#'; i++) {
		char c = t[i];

		if (c == '%') {
			int hi = i + 2 < n ? HexVal(t[i + 1]) : -1;
			int lo = i + 2 < n ? HexVal(t[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return 400;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= OutSize)
			return 414;
		Out[o++] = c;
	}
	Out[o] = '\0';
	*OutLen = o;
	return 0;
}

/*
 * The target (origin-form "/p?q", or absolute-form "http://host/p") as a
 * normalised path: decoded, empty and "." segments dropped, a trailing
 * slash kept; ".." is refused (400), a path over HTTPD_PATH_MAX is 414.
 */
static USHORT
TargetToPath(const char *t, size_t n, char *Path)
{
	char raw[HTTPD_PATH_MAX + 1];
	size_t len, i = 0, o = 0;
	USHORT st;

	if (n > 7 && EqNoCase(t, 7, "http://")) {
		const char *slash = memchr(t + 7, '/', n - 7);

		if (slash == NULL)
			return 400;
		n -= (size_t)(slash - t);
		t = slash;
	}
	if (n == 0 || t[0] != '/')
		return 400;
	st = DecodePath(t, n, raw, sizeof(raw), &len);
	if (st != 0)
		return st;
	while (i < len) {
		size_t j = i;

		while (j < len && raw[j] != '/')
			j++;
		if ((j - i == 2 && raw[i] == '.' && raw[i + 1] == '.'))
			return 400; /* no climbing out of the docroot, not even back into it */
		if (j > i && !(j - i == 1 && raw[i] == '.')) {
			Path[o++] = '/';
			memcpy(Path + o, raw + i, j - i);
			o += j - i;
		}
		i = j + 1;
	}
	if (o == 0 || raw[len - 1] == '/')
		Path[o++] = '/';
	Path[o] = '\0';
	return 0;
}

/* "METHOD SP target SP HTTP/x.y". @return 0 or a status; the target goes to *T, *Tn. */
static USHORT
RequestLine(const char *l, size_t n, HTTPD_REQ *Req, const char **T, size_t *Tn)
{
	size_t m = 0, t0, t1;

	while (m < n && IsTchar(l[m]))
		m++;
	if (m == 0 || m > METHOD_MAX || m >= n || l[m] != ' ')
		return 400;
	if (m == 3 && memcmp(l, "GET", 3) == 0)
		Req->Method = HttpdGet;
	else if (m == 4 && memcmp(l, "HEAD", 4) == 0)
		Req->Method = HttpdHead;
	else
		Req->Method = HttpdOther;
	t0 = t1 = m + 1;
	while (t1 < n && (UCHAR)l[t1] > 0x20 && l[t1] != 0x7f)
		t1++;
	if (t1 == t0 || t1 >= n || l[t1] != ' ')
		return 400;
	*T = l + t0;
	*Tn = t1 - t0;
	l += t1 + 1;
	n -= t1 + 1;
	if (n != 8 || memcmp(l, "HTTP/", 5) != 0 || l[5] < '0' || l[5] > '9' || l[6] != '.' ||
	    l[7] < '0' || l[7] > '9')
		return 400;
	if (l[5] != '1')
		return 505;
	Req->Http10 = l[7] == '0';
	return 0;
}

/* The Connection field's options (a comma-separated list). */
static VOID
ConnectionOptions(const char *v, size_t n, BOOLEAN *Close, BOOLEAN *Keep)
{
	size_t i = 0;

	while (i < n) {
		size_t j;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		j = i;
		while (j < n && v[j] != ',' && v[j] != ' ' && v[j] != '\t')
			j++;
		if (EqNoCase(v + i, j - i, "close"))
			*Close = TRUE;
		else if (EqNoCase(v + i, j - i, "keep-alive"))
			*Keep = TRUE;
		i = j;
	}
}

typedef struct _FIELDS {
	ULONG Count;
	ULONG Hosts;
	BOOLEAN HaveLength;
	BOOLEAN Close;
	BOOLEAN Keep;
	BOOLEAN Chunked;
} FIELDS;

/* Content-Length: 1*DIGIT; repeated only with the same value. */
static USHORT
ContentLength(const char *v, size_t n, HTTPD_REQ *Req, FIELDS *f)
{
	ULONGLONG x = 0;
	size_t i;

	if (n == 0)
		return 400;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 400;
		if (x > 1000000000000000ULL)
			return 413; /* absurd, and over any limit */
		x = x * 10 + (ULONG)(v[i] - '0');
	}
	if (f->HaveLength && x != Req->ContentLength)
		return 400;
	f->HaveLength = TRUE;
	Req->ContentLength = x;
	return 0;
}

/* One "name: value" line. @return 0 or a status. */
static USHORT
Field(const char *l, size_t n, HTTPD_REQ *Req, FIELDS *f)
{
	size_t k = 0, v0, v1;

	if (++f->Count > HTTPD_HEADERS_MAX)
		return 431;
	while (k < n && IsTchar(l[k]))
		k++;
	if (k == 0 || k >= n || l[k] != ':')
		return 400; /* also obs-fold (a leading space) and a space before the colon */
	v0 = k + 1;
	while (v0 < n && (l[v0] == ' ' || l[v0] == '\t'))
		v0++;
	v1 = n;
	while (v1 > v0 && (l[v1 - 1] == ' ' || l[v1 - 1] == '\t'))
		v1--;
	if (EqNoCase(l, k, "content-length"))
		return ContentLength(l + v0, v1 - v0, Req, f);
	if (EqNoCase(l, k, "transfer-encoding"))
		f->Chunked = TRUE;
	else if (EqNoCase(l, k, "connection"))
		ConnectionOptions(l + v0, v1 - v0, &f->Close, &f->Keep);
	else if (EqNoCase(l, k, "host"))
		f->Hosts++;
	else if (EqNoCase(l, k, "expect"))
		Req->Expect100 = EqNoCase(l + v0, v1 - v0, "100-continue");
	return 0;
}

/* Header fields up to the empty line. @return 0 or a status. */
static USHORT
Fields(CURSOR *c, HTTPD_REQ *Req, FIELDS *f)
{
	const char *l;
	size_t n;
	BOOLEAN badcr;
	USHORT st = 0;

	while (NextLine(c, &l, &n, &badcr)) {
		USHORT s;

		if (n == 0)
			return st;
		if (badcr)
			return 400;
		s = Field(l, n, Req, f);
		if (s == 400 || s == 431)
			return s;
		if (s != 0 && st == 0)
			st = s; /* 413: the section must still be well formed */
	}
	return 400; /* no empty line */
}

VOID
HttpdParse(const char *Text, ULONG Len, HTTPD_REQ *Req)
{
	CURSOR c = { Text, Text + Len };
	FIELDS f = { 0 };
	const char *l, *t = NULL;
	size_t n, tn = 0;
	BOOLEAN badcr;
	USHORT st;

	Req->Status = 0;
	Req->Method = HttpdOther;
	Req->Http10 = FALSE;
	Req->KeepAlive = FALSE;
	Req->Expect100 = FALSE;
	Req->ContentLength = 0;
	Req->Path[0] = '\0';
	while (c.P < c.End && (*c.P == '\r' || *c.P == '\n'))
		c.P++; /* RFC 9112 2.2: empty lines before the request line */
	if (!NextLine(&c, &l, &n, &badcr) || badcr) {
		Req->Status = 400;
		return;
	}
	st = RequestLine(l, n, Req, &t, &tn);
	if (st == 0)
		st = Fields(&c, Req, &f);
	if (st == 0 && f.Chunked)
		st = 501; /* bodies by transfer coding are not read */
	if (st == 0 && !Req->Http10 && f.Hosts != 1)
		st = 400; /* RFC 9112 3.2: exactly one Host in HTTP/1.1 */
	if (st == 0 && Req->ContentLength > HttpdConfig.MaxBody)
		st = 413;
	if (st == 0 && Req->Method != HttpdOther)
		st = TargetToPath(t, tn, Req->Path);
	Req->Status = st;
	Req->KeepAlive = Req->Http10 ? (f.Keep && !f.Close) : !f.Close;
}
