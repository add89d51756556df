/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packetdrill script grammar the FreeBSD suite uses:
 *
 *   --name=value                         script options (before the events)
 *   #ifdef NAME / #ifndef / #else / #endif   (NAME STANDARD is defined)
 *   TIME `shell command`
 *   TIME %{ python }%
 *   TIME < FLAGS SEQ:END(LEN) [ack N] [win N] [urg N] [<options>]   inbound
 *   TIME > ...                                                      outbound
 *   TIME < icmp TYPE [CODE] [mtu N] [SEQ:END(LEN)]
 *   TIME name(arg, ...) = RET [ERRNO (text)]
 *
 * TIME is `N.N` (absolute), `+N.N` (after the previous event), `*` (any
 * time), or `A...B` for a call that may block until B. Comments are //
 * to the end of the line and C-style blocks.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pd.h"

struct pd_lex {
	const char *p;     /* cursor */
	const char *end;
	int line;
	char *err;
	size_t errlen;
	bool failed;
};

static void
pd_lex_fail(struct pd_lex *x, const char *fmt, const char *what)
{
	if (!x->failed)
		snprintf(x->err, x->errlen, "line %d: %s%s", x->line, fmt, what ? what : "");
	x->failed = true;
}

/* Skip blanks (not newlines). */
static void
pd_skip_blank(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r'))
		(*p)++;
}

static bool
pd_word(const char **p, const char *end, const char *w)
{
	size_t n = strlen(w);

	pd_skip_blank(p, end);
	if ((size_t)(end - *p) >= n && memcmp(*p, w, n) == 0 &&
	    (*p + n == end || !isalnum((unsigned char)(*p)[n]))) {
		*p += n;
		return true;
	}
	return false;
}

static bool
pd_u32(const char **p, const char *end, uint32_t *v)
{
	char *e;
	unsigned long long n;

	pd_skip_blank(p, end);
	if (*p >= end || !isdigit((unsigned char)**p))
		return false;
	n = strtoull(*p, &e, 0);
	if (n > 0xffffffffull)
		return false;
	*v = (uint32_t)n;
	*p = e;
	return true;
}

/* A time in seconds ("1.5", "+0.100") into microseconds. */
static bool
pd_time(const char **p, const char *end, int64_t *us)
{
	char *e;
	double d;

	pd_skip_blank(p, end);
	if (*p >= end || !(isdigit((unsigned char)**p) || **p == '.'))
		return false;
	d = strtod(*p, &e);
	if (e == *p)
		return false;
	/* "0.1...0.2": strtod stops at the second '.' of "..." only if it is not a digit run */
	*us = (int64_t)(d * 1e6 + (d >= 0 ? 0.5 : -0.5));
	*p = e;
	return true;
}

/* ---- TCP options ---- */

static bool
pd_parse_opt(const char **p, const char *end, struct pd_opt *o)
{
	memset(o, 0, sizeof(*o));
	if (pd_word(p, end, "eol")) {
		o->kind = 0;
	} else if (pd_word(p, end, "nop")) {
		o->kind = 1;
	} else if (pd_word(p, end, "mss")) {
		o->kind = 2;
		return pd_u32(p, end, &o->a);
	} else if (pd_word(p, end, "wscale")) {
		o->kind = 3;
		return pd_u32(p, end, &o->a);
	} else if (pd_word(p, end, "sackOK")) {
		o->kind = 4;
	} else if (pd_word(p, end, "sack")) {
		o->kind = 5;
		for (;;) {
			const char *save = *p;
			uint32_t l, r;

			if (!pd_u32(p, end, &l) || *p >= end || **p != ':') {
				*p = save;
				break;
			}
			(*p)++;
			if (!pd_u32(p, end, &r) || o->nblk == 4)
				return false;
			o->blk[o->nblk][0] = l;
			o->blk[o->nblk][1] = r;
			o->nblk++;
		}
		return o->nblk > 0;
	} else if (pd_word(p, end, "TS")) {
		o->kind = 8;
		return pd_word(p, end, "val") && pd_u32(p, end, &o->a) && pd_word(p, end, "ecr") &&
		       pd_u32(p, end, &o->b);
	} else {
		return false;
	}
	return true;
}

static bool
pd_parse_opts(struct pd_lex *x, const char **p, const char *end, struct pd_pkt *k)
{
	pd_skip_blank(p, end);
	if (*p >= end || **p != '<') {
		k->opts_mode = PD_OPTS_NONE;
		return true;
	}
	(*p)++;
	pd_skip_blank(p, end);
	if (end - *p >= 3 && memcmp(*p, "...", 3) == 0) {
		*p += 3;
		k->opts_mode = PD_OPTS_ANY;
	} else {
		k->opts_mode = PD_OPTS_LIST;
		for (;;) {
			const char *save = *p;

			pd_skip_blank(p, end);
			if (*p < end && **p == '>')
				break;
			if (k->nopt == PD_OPT_MAX || !pd_parse_opt(p, end, &k->opt[k->nopt])) {
				/* md5 and other options this runner does not model */
				if (pd_word(&save, end, "md5") || pd_word(&save, end, "FO") ||
				    pd_word(&save, end, "exp")) {
					snprintf(x->err, x->errlen, "TCP option not modelled (line %d)",
						 x->line);
					return false;
				}
				pd_lex_fail(x, "bad TCP option", NULL);
				return false;
			}
			k->nopt++;
			pd_skip_blank(p, end);
			if (*p < end && **p == ',')
				(*p)++;
		}
	}
	pd_skip_blank(p, end);
	if (*p >= end || **p != '>') {
		pd_lex_fail(x, "missing '>' after TCP options", NULL);
		return false;
	}
	(*p)++;
	return true;
}

/* seq:end(len) */
static bool
pd_parse_range(const char **p, const char *end, struct pd_pkt *k)
{
	if (!pd_u32(p, end, &k->seq) || *p >= end || **p != ':')
		return false;
	(*p)++;
	if (!pd_u32(p, end, &k->end) || *p >= end || **p != '(')
		return false;
	(*p)++;
	if (!pd_u32(p, end, &k->len) || *p >= end || **p != ')')
		return false;
	(*p)++;
	return true;
}

static const struct {
	const char *name;
	uint8_t type, code;
} pd_icmp_names[] = {
	{"net_unreachable", 3, 0}, {"host_unreachable", 3, 1}, {"protocol_unreachable", 3, 2},
	{"port_unreachable", 3, 3}, {"frag_needed", 3, 4}, {"source_route_failed", 3, 5},
	{"net_unknown", 3, 6}, {"host_unknown", 3, 7}, {"source_host_isolated", 3, 8},
	{"net_prohibited", 3, 9}, {"host_prohibited", 3, 10}, {"net_unreachable_for_tos", 3, 11},
	{"host_unreachable_for_tos", 3, 12}, {"packet_filtered", 3, 13},
	{"precedence_violation", 3, 14}, {"precedence_cutoff", 3, 15},
	{"ttl_exceeded_in_transit", 11, 0}, {"frag_reass_exceeded", 11, 1},
};

static bool
pd_parse_icmp(struct pd_lex *x, const char **p, const char *end, struct pd_pkt *k)
{
	unsigned int i;

	k->icmp = true;
	if (pd_word(p, end, "unreachable")) {
		k->icmp_type = 3;
	} else if (pd_word(p, end, "time_exceeded")) {
		k->icmp_type = 11;
	} else if (pd_word(p, end, "source_quench")) {
		k->icmp_type = 4;
	} else if (pd_word(p, end, "redirect")) {
		k->icmp_type = 5;
	} else if (pd_word(p, end, "parameter_problem")) {
		k->icmp_type = 12;
	} else {
		pd_lex_fail(x, "unknown ICMP type", NULL);
		return false;
	}
	pd_skip_blank(p, end);
	for (i = 0; i < RTE_DIM(pd_icmp_names); i++) {
		if (pd_icmp_names[i].type == k->icmp_type && pd_word(p, end, pd_icmp_names[i].name)) {
			k->icmp_code = pd_icmp_names[i].code;
			break;
		}
	}
	/* packetdrill's generic code name: code_N */
	if (i == RTE_DIM(pd_icmp_names) && end - *p > 5 && memcmp(*p, "code_", 5) == 0) {
		uint32_t code;

		*p += 5;
		if (!pd_u32(p, end, &code) || code > 255) {
			pd_lex_fail(x, "bad ICMP code", NULL);
			return false;
		}
		k->icmp_code = (uint8_t)code;
	}
	if (pd_word(p, end, "mtu") && !pd_u32(p, end, &k->icmp_mtu)) {
		pd_lex_fail(x, "bad ICMP mtu", NULL);
		return false;
	}
	pd_skip_blank(p, end);
	if (*p < end && **p == '[') {
		(*p)++;
		if (!pd_parse_range(p, end, k)) {
			pd_lex_fail(x, "bad quoted segment", NULL);
			return false;
		}
		pd_skip_blank(p, end);
		if (*p >= end || **p != ']') {
			pd_lex_fail(x, "missing ']'", NULL);
			return false;
		}
		(*p)++;
	}
	return true;
}

/* A segment line after its direction. */
static bool
pd_parse_pkt(struct pd_lex *x, const char **p, const char *end, struct pd_pkt *k)
{
	memset(k, 0, sizeof(*k));
	k->ecn = PD_ECN_ANY;
	pd_skip_blank(p, end);
	if (*p < end && **p == '(') {
		snprintf(x->err, x->errlen, "IP header fields (tos, ...) not modelled (line %d)",
			 x->line);
		return false;
	}
	if (*p < end && **p == '[') {
		const char *q = memchr(*p, ']', (size_t)(end - *p));
		static const char *names[] = {"noecn", "ect1", "ect0", "ce"};
		unsigned int i;

		if (q == NULL) {
			pd_lex_fail(x, "missing ']'", NULL);
			return false;
		}
		for (i = 0; i < 4; i++)
			if ((size_t)(q - *p - 1) == strlen(names[i]) &&
			    memcmp(*p + 1, names[i], strlen(names[i])) == 0)
				k->ecn = (int)i;
		if (k->ecn == PD_ECN_ANY) {
			pd_lex_fail(x, "unknown ECN marking", NULL);
			return false;
		}
		*p = q + 1;
	}
	if (pd_word(p, end, "icmp"))
		return pd_parse_icmp(x, p, end, k);
	pd_skip_blank(p, end);
	while (*p < end && strchr("SFRP.UEW", **p) != NULL) {
		switch (**p) {
		case 'S': k->flags |= PD_SYN; break;
		case 'F': k->flags |= PD_FIN; break;
		case 'R': k->flags |= PD_RST; break;
		case 'P': k->flags |= PD_PSH; break;
		case '.': k->flags |= PD_ACK; break;
		case 'U': k->flags |= PD_URG; break;
		case 'E': k->flags |= PD_ECE; break;
		case 'W': k->flags |= PD_CWR; break;
		}
		(*p)++;
	}
	if (!pd_parse_range(p, end, k)) {
		pd_lex_fail(x, "bad seq:end(len)", NULL);
		return false;
	}
	if (k->end - k->seq != k->len) {
		pd_lex_fail(x, "seq:end and (len) disagree", NULL);
		return false;
	}
	pd_skip_blank(p, end);
	if (*p < end && **p == '!') {
		snprintf(x->err, x->errlen, "'!' (no check) segments not modelled (line %d)", x->line);
		return false;
	}
	if (pd_word(p, end, "ack")) {
		k->has_ack = true;
		if (!pd_u32(p, end, &k->ack)) {
			pd_lex_fail(x, "bad ack", NULL);
			return false;
		}
	}
	if (pd_word(p, end, "win")) {
		k->has_win = true;
		if (!pd_u32(p, end, &k->win)) {
			pd_lex_fail(x, "bad win", NULL);
			return false;
		}
	}
	if (pd_word(p, end, "urg")) {
		k->has_urg = true;
		if (!pd_u32(p, end, &k->urg)) {
			pd_lex_fail(x, "bad urg", NULL);
			return false;
		}
	}
	if (!pd_parse_opts(x, p, end, k))
		return false;
	pd_skip_blank(p, end);
	if (*p < end && **p == '/') {
		snprintf(x->err, x->errlen, "UDP encapsulation not modelled (line %d)", x->line);
		return false;
	}
	return true;
}

/* name(args) = ret [ERRNO (text)] */
static bool
pd_parse_call(struct pd_lex *x, const char **p, const char *end, struct pd_event *e)
{
	struct pd_call *c = &e->call;
	const char *q = *p, *open, *close;
	int depth = 0;
	size_t n;
	char *a, *s;

	while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	n = (size_t)(q - *p);
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (n == 0 || n >= sizeof(c->name) || q >= end || *q != '(') {
		pd_lex_fail(x, "cannot parse event", NULL);
		return false;
	}
	memcpy(c->name, *p, n);
	open = q;
	for (close = open; close < end; close++) {
		if (*close == '(' || *close == '[' || *close == '{')
			depth++;
		else if ((*close == ')' || *close == ']' || *close == '}') && --depth == 0)
			break;
	}
	if (close >= end) {
		pd_lex_fail(x, "unbalanced parentheses", NULL);
		return false;
	}
	e->text = strndup(open + 1, (size_t)(close - open - 1));
	/* split at top-level commas */
	a = e->text;
	depth = 0;
	for (s = a;; s++) {
		if (*s == '(' || *s == '[' || *s == '{')
			depth++;
		else if (*s == ')' || *s == ']' || *s == '}')
			depth--;
		if ((*s == ',' && depth == 0) || *s == '\0') {
			bool last = *s == '\0';
			char *t = a, *u = s;

			*s = '\0';
			while (isspace((unsigned char)*t))
				t++;
			while (u > t && isspace((unsigned char)u[-1]))
				*--u = '\0';
			if (*t != '\0' || c->nargs > 0) {
				if (c->nargs == PD_ARG_MAX) {
					pd_lex_fail(x, "too many arguments", NULL);
					return false;
				}
				c->args[c->nargs++] = t;
			}
			if (last)
				break;
			a = s + 1;
		}
	}
	*p = close + 1;
	pd_skip_blank(p, end);
	if (*p >= end || **p != '=') {
		pd_lex_fail(x, "missing '= result'", NULL);
		return false;
	}
	(*p)++;
	pd_skip_blank(p, end);
	{
		char *e2;

		c->ret = strtol(*p, &e2, 0);
		if (e2 == *p) {
			pd_lex_fail(x, "bad result", NULL);
			return false;
		}
		*p = e2;
	}
	pd_skip_blank(p, end);
	q = *p;
	while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	n = (size_t)(q - *p);
	if (n > 0 && n < sizeof(c->err) && isupper((unsigned char)**p)) {
		memcpy(c->err, *p, n);
		*p = q;
	}
	/* the rest ("(Operation now in progress)", "(flags O_RDWR)") is commentary */
	*p = end;
	return true;
}

/* ---- lines ---- */

/* Where the current statement ends: a backtick or %{ }% block may span lines. */
static const char *
pd_stmt_end(const char *p, const char *end)
{
	const char *q;

	if (*p == '`') {
		q = memchr(p + 1, '`', (size_t)(end - p - 1));
		return q ? q + 1 : end;
	}
	if (end - p >= 2 && p[0] == '%' && p[1] == '{') {
		for (q = p + 2; q + 1 < end; q++)
			if (q[0] == '}' && q[1] == '%')
				return q + 2;
		return end;
	}
	q = memchr(p, '\n', (size_t)(end - p));
	return q ? q : end;
}

/* Strip a trailing // comment from [p, e) (not inside backticks). @return the new end. */
static const char *
pd_strip_comment(const char *p, const char *e)
{
	const char *q;
	bool tick = false;

	for (q = p; q + 1 < e; q++) {
		if (*q == '`')
			tick = !tick;
		if (!tick && q[0] == '/' && q[1] == '/')
			return q;
	}
	return e;
}

static int
pd_add_event(struct pd_script *s, struct pd_event *e)
{
	struct pd_event *n;

	if ((s->nev & 63) == 0) {
		n = realloc(s->ev, (s->nev + 64) * sizeof(*n));
		if (n == NULL)
			return -1;
		s->ev = n;
	}
	s->ev[s->nev++] = *e;
	return 0;
}

static void
pd_script_option(struct pd_script *s, const char *opt, size_t len)
{
	char buf[128];
	char *v;

	snprintf(buf, sizeof(buf), "%.*s", (int)len, opt);
	v = strchr(buf, '=');
	if (v != NULL)
		*v++ = '\0';
	if (strcmp(buf, "--ip_version") == 0 && v != NULL) {
		snprintf(s->ip_version, sizeof(s->ip_version), "%s", v);
	} else if (strcmp(buf, "--tolerance_usecs") == 0 && v != NULL) {
		s->tolerance_us = strtoll(v, NULL, 10);
	} else if (strcmp(buf, "--mtu") == 0 && v != NULL) {
		s->mtu = (uint32_t)strtoul(v, NULL, 10);
	} else if (strcmp(buf, "--non_fatal") == 0) {
		/* warnings instead of failures: we report everything */
	} else if (s->unsupported[0] == '\0') {
		snprintf(s->unsupported, sizeof(s->unsupported), "script option %s not modelled",
			 buf);
	}
}

/* Parse one event starting at *pp (time spec first). */
static int
pd_parse_event(struct pd_lex *x, struct pd_script *s, const char **pp, const char *end)
{
	struct pd_event e;
	const char *p = *pp, *se;
	size_t n;

	memset(&e, 0, sizeof(e));
	e.line = x->line;
	if (*p == '*') {
		e.ttype = PD_T_ANY;
		p++;
	} else {
		if (*p == '+') {
			e.ttype = PD_T_REL;
			p++;
		} else {
			e.ttype = PD_T_ABS;
		}
		if (!pd_time(&p, end, &e.t_us)) {
			pd_lex_fail(x, "bad time", NULL);
			return -1;
		}
		if (end - p >= 3 && memcmp(p, "...", 3) == 0) {
			p += 3;
			e.range = true;
			if (!pd_time(&p, end, &e.t_end_us)) {
				pd_lex_fail(x, "bad time range", NULL);
				return -1;
			}
		}
	}
	pd_skip_blank(&p, end);
	se = pd_stmt_end(p, end);
	{
		const char *le = memchr(*pp, '\n', (size_t)(end - *pp));

		le = pd_strip_comment(*pp, le != NULL ? le : end);
		n = (size_t)(le - *pp);
	}
	snprintf(e.src, sizeof(e.src), "%.*s", (int)RTE_MIN(n, (size_t)PD_LINE_MAX - 1), *pp);
	if (*p == '`') {
		e.kind = PD_EV_SHELL;
		e.text = strndup(p + 1, (size_t)(se - p - (se[-1] == '`' ? 2 : 1)));
	} else if (*p == '%') {
		e.kind = PD_EV_CODE;
		e.text = strndup(p + 2, (size_t)(se - p - 4 > 0 ? se - p - 4 : 0));
	} else if (*p == '<' || *p == '>') {
		const char *le = pd_strip_comment(p, se);

		e.kind = *p == '<' ? PD_EV_IN : PD_EV_OUT;
		p++;
		if (!pd_parse_pkt(x, &p, le, &e.pkt)) {
			if (!x->failed && s->unsupported[0] == '\0')
				snprintf(s->unsupported, sizeof(s->unsupported), "%s", x->err);
			if (x->failed)
				return -1;
		}
	} else {
		const char *le = pd_strip_comment(p, se);

		e.kind = PD_EV_CALL;
		if (!pd_parse_call(x, &p, le, &e))
			return -1;
	}
	for (p = *pp; p < se; p++)
		if (*p == '\n')
			x->line++;
	*pp = se;
	return pd_add_event(s, &e);
}

/* #ifdef handling: a stack of active flags. */
struct pd_cond {
	int depth;
	bool active[16];
};

static bool
pd_cond_active(const struct pd_cond *c)
{
	int i;

	for (i = 0; i < c->depth; i++)
		if (!c->active[i])
			return false;
	return true;
}

static int
pd_directive(struct pd_lex *x, struct pd_cond *c, const char *p, const char *le)
{
	char name[32] = "";
	const char *q;

	if (strncmp(p, "#ifdef", 6) == 0 || strncmp(p, "#ifndef", 7) == 0) {
		bool neg = p[3] == 'n';

		q = p + (neg ? 7 : 6);
		pd_skip_blank(&q, le);
		snprintf(name, sizeof(name), "%.*s", (int)(le - q), q);
		while (name[0] && isspace((unsigned char)name[strlen(name) - 1]))
			name[strlen(name) - 1] = '\0';
		if (c->depth == 16)
			return -1;
		/* The runner follows the RFC: STANDARD is defined, FreeBSD is not. */
		c->active[c->depth++] = (strcmp(name, "STANDARD") == 0) != neg;
	} else if (strncmp(p, "#else", 5) == 0 && c->depth > 0) {
		c->active[c->depth - 1] = !c->active[c->depth - 1];
	} else if (strncmp(p, "#endif", 6) == 0 && c->depth > 0) {
		c->depth--;
	} else {
		pd_lex_fail(x, "unknown directive", NULL);
		return -1;
	}
	return 0;
}

static int
pd_parse_buf(struct pd_lex *x, struct pd_script *s)
{
	struct pd_cond cond = {0};
	const char *p = x->p, *end = x->end;

	while (p < end && !x->failed) {
		const char *le;

		pd_skip_blank(&p, end);
		if (p >= end)
			break;
		if (*p == '\n') {
			p++;
			x->line++;
			continue;
		}
		le = memchr(p, '\n', (size_t)(end - p));
		if (le == NULL)
			le = end;
		if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
			p = le;
			continue;
		}
		if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			const char *q = strstr(p + 2, "*/");

			q = q ? q + 2 : end;
			for (; p < q; p++)
				if (*p == '\n')
					x->line++;
			continue;
		}
		if (*p == '#') {
			if (pd_directive(x, &cond, p, le) != 0)
				return -1;
			p = le;
			continue;
		}
		if (!pd_cond_active(&cond)) {
			/* skip the statement (it may span lines) */
			const char *q = p;

			while (q < le && (isdigit((unsigned char)*q) || strchr("+.* \t", *q)))
				q++;
			q = pd_stmt_end(q < le ? q : p, end);
			for (; p < q; p++)
				if (*p == '\n')
					x->line++;
			continue;
		}
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			const char *q = p;

			while (q < le && !isspace((unsigned char)*q))
				q++;
			pd_script_option(s, p, (size_t)(q - p));
			p = le;
			continue;
		}
		if (*p == '`') {
			/* a shell command without a time (setup): runs at time 0 */
			const char *se = pd_stmt_end(p, end);

			if (s->unsupported[0] == '\0')
				snprintf(s->unsupported, sizeof(s->unsupported),
					 "untimed shell command (line %d): kernel set-up not modelled",
					 x->line);
			for (; p < se; p++)
				if (*p == '\n')
					x->line++;
			continue;
		}
		if (pd_parse_event(x, s, &p, end) != 0)
			return -1;
	}
	return x->failed ? -1 : 0;
}

int
pd_parse_file(const char *path, struct pd_script *s, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct pd_lex x = {0};
	char *buf;
	long len;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->tolerance_us = 4000;
	s->mtu = 1500;
	snprintf(s->ip_version, sizeof(s->ip_version), "ipv4");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		snprintf(err, errlen, "%s: read failed", path);
		return -1;
	}
	fclose(f);
	buf[len] = '\0';
	x.p = buf;
	x.end = buf + len;
	x.line = 1;
	x.err = err;
	x.errlen = errlen;
	err[0] = '\0';
	rc = pd_parse_buf(&x, s);
	free(buf);
	return rc;
}

void
pd_script_free(struct pd_script *s)
{
	unsigned int i;

	for (i = 0; i < s->nev; i++)
		free(s->ev[i].text);
	free(s->ev);
	s->ev = NULL;
	s->nev = 0;
}
