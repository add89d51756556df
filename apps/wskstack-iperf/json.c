/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small JSON reader for what iperf3 sends (cJSON output: objects, arrays,
 * strings, numbers, true/false/null). Values are found in place in a
 * NUL-terminated text; nothing is allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "iperf.h"

static const char *
SkipWs(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* After the string starting at p ('"'), or NULL. */
static const char *
SkipString(const char *p)
{
	for (p++; *p != '\0'; p++) {
		if (*p == '\\') {
			if (*++p == '\0')
				return NULL;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

/* After the value starting at p, or NULL if malformed. */
static const char *
SkipValue(const char *p, int depth)
{
	p = SkipWs(p);
	if (depth > 32)
		return NULL;
	if (*p == '"')
		return SkipString(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = SkipWs(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (*p != '"' || (p = SkipString(p)) == NULL)
					return NULL;
				p = SkipWs(p);
				if (*p++ != ':')
					return NULL;
			}
			if ((p = SkipValue(p, depth + 1)) == NULL)
				return NULL;
			p = SkipWs(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
			p = SkipWs(p);
		}
	}
	if (*p == '\0')
		return NULL;
	while (*p != '\0' && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
	       *p != '\t' && *p != '\r')
		p++;
	return p;
}

const char *
IperfJsonMember(const char *Obj, const char *Key)
{
	const char *p = SkipWs(Obj);
	size_t klen = strlen(Key);

	if (*p++ != '{')
		return NULL;
	p = SkipWs(p);
	while (*p == '"') {
		const char *name = p + 1, *end = SkipString(p);

		if (end == NULL)
			return NULL;
		p = SkipWs(end);
		if (*p++ != ':')
			return NULL;
		p = SkipWs(p);
		if ((size_t)(end - 1 - name) == klen && memcmp(name, Key, klen) == 0)
			return p;
		if ((p = SkipValue(p, 1)) == NULL)
			return NULL;
		p = SkipWs(p);
		if (*p != ',')
			return NULL;
		p = SkipWs(p + 1);
	}
	return NULL;
}

BOOLEAN
IperfJsonNumber(const char *Obj, const char *Key, double *Out)
{
	const char *v = IperfJsonMember(Obj, Key);
	char *end;

	if (v == NULL)
		return FALSE;
	if (strncmp(v, "true", 4) == 0) {
		*Out = 1;
		return TRUE;
	}
	if (strncmp(v, "false", 5) == 0) {
		*Out = 0;
		return TRUE;
	}
	*Out = strtod(v, &end);
	return end != v;
}

BOOLEAN
IperfJsonTrue(const char *Obj, const char *Key)
{
	const char *v = IperfJsonMember(Obj, Key);

	return v != NULL && strncmp(v, "true", 4) == 0;
}

const char *
IperfJsonArrayFirst(const char *Arr)
{
	const char *p = SkipWs(Arr);

	if (*p != '[')
		return NULL;
	p = SkipWs(p + 1);
	return *p == ']' || *p == '\0' ? NULL : p;
}

const char *
IperfJsonArrayNext(const char *Elem)
{
	const char *p = SkipValue(Elem, 1);

	if (p == NULL)
		return NULL;
	p = SkipWs(p);
	if (*p != ',')
		return NULL;
	return SkipWs(p + 1);
}
