/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine: replays a parsed script against a fresh stack instance on an
 * in-memory device, on virtual time.
 *
 * Time: script time 0 is the instance's start. Virtual time moves in steps
 * of at most PD_STEP_US, polling the instance after each, and every frame
 * the stack sends is queued with the time it left. Packetdrill's rules:
 * - an inbound segment or a call runs at its script time;
 * - an outbound segment must be the next frame sent, within the tolerance
 *   of its script time; a frame nobody expects (one still queued once its
 *   time plus the tolerance has passed, or at the end) fails the script;
 * - a relative time (+N) counts from the previous event, and after an
 *   outbound segment or a blocking call from the time it really happened;
 * - a call on a blocking socket that cannot complete blocks: the script goes
 *   on, and the call's result is checked when it completes (`A...B` bounds
 *   when that may be).
 * Sequence numbers: the remote side's are the script's own; ours are mapped
 * from the first SYN we send (script ISN <-> live ISN), in both directions
 * (our seq, their ack and SACK blocks, the sequence quoted in ICMP). Our
 * TSval is mapped the same way, and the TSecr of inbound segments through
 * the TSvals we sent.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "drv.h"
#include "pd_run.h"

#define PD_STEP_US 1000
#define PD_POLL_MAX 100000
#define PD_QUEUE 256
#define PD_ANY_WAIT_US (600LL * 1000000) /* `*` outbound: wait at most this long */
#define PD_FRAME_MAX 9216
#define PD_TS_MAP 64
#define PD_IN_MAX 70000 /* largest scripted inbound frame */

struct pd_frame {
	int64_t t_us;
	uint32_t len;
	uint8_t *b;
};

struct pd_run {
	struct pd_script *s;
	struct pd_pools *pools;
	bool verbose;
	struct stk_params p;
	struct drv_memdev *dev;
	struct stk_shared *sh;
	struct stk_inst *in;
	struct stk_inst *insts[1];
	struct pd_shim *shim;
	stk_time_t t0;
	int64_t now_us;
	struct pd_frame q[PD_QUEUE];
	unsigned int qh, qn;
	/* sequence and timestamp mapping */
	bool isn_known;
	uint32_t isn_script, isn_live;
	bool ts_known;
	uint32_t ts_script0, ts_live0;
	unsigned int nts;
	uint32_t ts_map[PD_TS_MAP][2];
	/* a call blocked in progress */
	const struct pd_event *blocked;
	int64_t blocked_start, blocked_end;
	int64_t last_us;    /* effective time of the previous event (relative base) */
	struct pd_result *res;
	bool done;
};

static const struct rte_ether_addr pd_local_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr pd_remote_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};

/* ---- pools ---- */

int
pd_pools_create(struct pd_pools *p)
{
	p->mp = rte_pktmbuf_pool_create("pdmp", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	p->ind = rte_pktmbuf_pool_create("pdind", 8191, 0, 0, 0, (int)rte_socket_id());
	return p->mp != NULL && p->ind != NULL ? 0 : -1;
}

void
pd_pools_free(struct pd_pools *p)
{
	rte_mempool_free(p->mp);
	rte_mempool_free(p->ind);
}

/* ---- results ---- */

static void
pd_fail(struct pd_run *r, const struct pd_event *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
pd_fail(struct pd_run *r, const struct pd_event *e, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (r->done)
		return;
	r->done = true;
	r->res->v = PD_FAIL;
	n = e != NULL ? (size_t)snprintf(r->res->why, sizeof(r->res->why), "line %d: ", e->line) :
			0;
	va_start(ap, fmt);
	vsnprintf(r->res->why + n, sizeof(r->res->why) - n, fmt, ap);
	va_end(ap);
}

static void
pd_skip(struct pd_run *r, const char *why)
{
	if (r->done)
		return;
	r->done = true;
	r->res->v = PD_SKIP;
	snprintf(r->res->why, sizeof(r->res->why), "%s", why);
}

/* ---- the FreeBSD compatibility profile ---- */

/*
 * The stack's parameters that make its defaults FreeBSD's, the values the
 * suite's scripts were written against (README.md explains each).
 */
static void
pd_profile(struct stk_params *p)
{
	stk_params_default(p);
	p->tcp_rcvbuf = 65536;                  /* net.inet.tcp.recvspace */
	p->tcp_sndbuf = 32768;                  /* net.inet.tcp.sendspace */
	p->tcp_wscale = 6;                      /* from kern.ipc.maxsockbuf = 2 MiB */
	p->tcp_wnd_reass = false;               /* window = sbspace(so_rcv): in-order data only */
	p->tcp_dsack = true;                    /* FreeBSD sends D-SACK blocks (RFC 2883) */
	p->tcp_rcv_wnd_space = true;            /* rcv_wnd = max(sbspace, rcv_adv - rcv_nxt) */
	p->tcp_delack = 100 * STK_NS_PER_MS;    /* net.inet.tcp.delacktime */
	p->tcp_rto_init = 1 * STK_NS_PER_S;     /* net.inet.tcp.rexmit_initial */
	p->tcp_msl = 30 * STK_NS_PER_S;         /* net.inet.tcp.msl */
	p->tcp_keep_idle = 7200 * STK_NS_PER_S; /* net.inet.tcp.keepidle */
	p->tcp_keep_intvl = 75 * STK_NS_PER_S;  /* net.inet.tcp.keepintvl */
	p->tcp_keep_cnt = 8;                    /* net.inet.tcp.keepcnt */
	snprintf(p->tcp_cc, sizeof(p->tcp_cc), "newreno"); /* net.inet.tcp.cc.algorithm */
}

/* Smallest shift with 65535 << shift >= @p maxsockbuf (FreeBSD's request_r_scale). */
static uint8_t
pd_wscale_for(uint64_t maxsockbuf)
{
	uint8_t ws = 0;

	while (ws < 14 && ((uint64_t)65535 << ws) < maxsockbuf)
		ws++;
	return ws;
}

/*
 * Apply one `sysctl -w name=value`. @return NULL, or why the script cannot
 * run here (a setting the stack has no knob for).
 */
static const char *
pd_sysctl(struct stk_params *p, const char *name, long v)
{
	static const struct {
		const char *name;
		long ok; /* the only value the stack can follow */
	} fixed[] = {
		{"net.inet.tcp.rfc1323", 1},          {"net.inet.tcp.sack.enable", 1},
		{"net.inet.tcp.blackhole", 0},        {"net.inet.tcp.rexmit_drop_options", 0},
		{"net.inet.tcp.keepinit", 75000},     {"net.inet.tcp.udp_tunneling_port", 0},
		{"net.inet.tcp.udp_tunneling_overhead", 0},
	};
	unsigned int i;

	if (strcmp(name, "net.inet.tcp.recvspace") == 0)
		p->tcp_rcvbuf = (uint32_t)v;
	else if (strcmp(name, "net.inet.tcp.sendspace") == 0)
		p->tcp_sndbuf = (uint32_t)v;
	else if (strcmp(name, "kern.ipc.maxsockbuf") == 0)
		p->tcp_wscale = pd_wscale_for((uint64_t)v);
	else if (strcmp(name, "net.inet.tcp.icmp_may_rst") == 0)
		p->tcp_icmp_abort_syn_sent = v != 0;
	else if (strcmp(name, "net.inet.tcp.drop_synfin") == 0)
		p->tcp_drop_synfin = v != 0;
	else if (strcmp(name, "net.inet.tcp.insecure_rst") == 0)
		p->tcp_rfc5961_rst = v == 0;
	else if (strcmp(name, "net.inet.tcp.insecure_syn") == 0)
		p->tcp_rfc5961_syn = v == 0;
	else if (strcmp(name, "net.inet.tcp.delacktime") == 0)
		p->tcp_delack = (stk_time_t)v * STK_NS_PER_MS;
	else if (strcmp(name, "net.inet.tcp.rexmit_initial") == 0)
		p->tcp_rto_init = (stk_time_t)v * STK_NS_PER_MS;
	else if (strcmp(name, "net.inet.tcp.keepidle") == 0)
		p->tcp_keep_idle = (stk_time_t)v * STK_NS_PER_MS;
	else if (strcmp(name, "net.inet.tcp.keepintvl") == 0)
		p->tcp_keep_intvl = (stk_time_t)v * STK_NS_PER_MS;
	else if (strcmp(name, "net.inet.tcp.ecn.enable") == 0)
		return v == 1 ? "ECN requested on our SYNs (net.inet.tcp.ecn.enable=1): not implemented" :
				NULL;
	for (i = 0; i < RTE_DIM(fixed); i++)
		if (strcmp(name, fixed[i].name) == 0 && v != fixed[i].ok)
			return "sysctl without a stack knob";
	/* everything else: no effect on what the stack does (see README.md) */
	return NULL;
}

/* Parse "sysctl -w a.b.c=V" into @p name and @p v. */
static bool
pd_sysctl_parse(const char *cmd, char *name, size_t len, long *v)
{
	const char *p = strstr(cmd, "sysctl -w ");
	const char *eq;

	if (p == NULL || strchr(cmd, '|') != NULL || strchr(cmd, ';') != NULL)
		return false;
	p += 10;
	eq = strchr(p, '=');
	if (eq == NULL || (size_t)(eq - p) >= len)
		return false;
	memcpy(name, p, (size_t)(eq - p));
	name[eq - p] = '\0';
	*v = strtol(eq + 1, NULL, 0);
	return true;
}

/* The profile plus the sysctls the script sets before its first other event. */
static bool
pd_params(struct pd_run *r)
{
	unsigned int i;

	pd_profile(&r->p);
	for (i = 0; i < r->s->nev; i++) {
		const struct pd_event *e = &r->s->ev[i];
		char name[96], why[200];
		const char *bad;
		long v;

		if (e->kind != PD_EV_SHELL)
			break;
		if (!pd_sysctl_parse(e->text, name, sizeof(name), &v))
			continue;
		bad = pd_sysctl(&r->p, name, v);
		if (bad != NULL) {
			snprintf(why, sizeof(why), "%s=%ld: %s", name, v, bad);
			pd_skip(r, why);
			return false;
		}
	}
	return true;
}

/* ---- the stack ---- */

static bool
pd_env_create(struct pd_run *r)
{
	struct stk_port_conf pc;

	r->dev = drv_memdev_create(&pd_local_mac, 1, 1024);
	if (r->dev == NULL)
		return false;
	r->sh = stk_shared_create(&r->p, (int)rte_socket_id());
	if (r->sh == NULL)
		return false;
	drv_memdev_stk_conf(r->dev, &pc);
	pc.mtu = (uint16_t)RTE_MIN(r->s->mtu, 9000u);
	pc.addr = rte_cpu_to_be_32(PD_LOCAL_IP);
	pc.prefix_len = 24;
	if (stk_shared_add_port(r->sh, &pc) != 0 ||
	    stk_shared_add_static_arp(r->sh, rte_cpu_to_be_32(PD_REMOTE_IP), &pd_remote_mac) != 0 ||
	    stk_shared_freeze(r->sh) != 0)
		return false;
	r->in = stk_inst_create(r->sh, 0, 1, r->pools->mp, r->pools->ind, (int)rte_socket_id());
	if (r->in == NULL)
		return false;
	r->insts[0] = r->in;
	stk_inst_link(r->insts, 1);
	r->t0 = STK_NS_PER_S;
	stk_inst_start(r->in, r->t0);
	r->shim = pd_shim_create(r->in, stk_shared_params(r->sh));
	return r->shim != NULL;
}

static void
pd_env_free(struct pd_run *r)
{
	pd_shim_destroy(r->shim);
	if (r->in != NULL) {
		unsigned int i;

		for (i = 0; i < 4; i++)
			stk_inst_poll(r->in, r->t0 + (stk_time_t)r->now_us * 1000);
		stk_inst_destroy(r->in);
	}
	if (r->sh != NULL)
		stk_shared_free(r->sh);
	if (r->dev != NULL)
		drv_memdev_free(r->dev);
	while (r->qn > 0) {
		free(r->q[r->qh].b);
		r->qh = (r->qh + 1) % PD_QUEUE;
		r->qn--;
	}
}

/* Take every frame sent into the queue, stamped with the current time. */
static void
pd_collect(struct pd_run *r)
{
	struct rte_mbuf *m;

	while (drv_memdev_take(r->dev, 0, &m, 1) == 1) {
		struct pd_frame *f;
		const void *p;

		if (r->qn == PD_QUEUE || m->pkt_len > PD_FRAME_MAX) {
			rte_pktmbuf_free(m);
			pd_fail(r, NULL, "the stack sent more frames than anyone expected");
			continue;
		}
		f = &r->q[(r->qh + r->qn) % PD_QUEUE];
		f->b = malloc(m->pkt_len);
		f->len = m->pkt_len;
		f->t_us = r->now_us;
		p = rte_pktmbuf_read(m, 0, f->len, f->b);
		if (p != f->b)
			memcpy(f->b, p, f->len);
		rte_pktmbuf_free(m);
		/* ARP and other non-TCP frames are not the script's business */
		if (f->len >= 14 && (f->b[12] != 0x08 || f->b[13] != 0x00)) {
			free(f->b);
			continue;
		}
		r->qn++;
	}
}

static void
pd_poll(struct pd_run *r)
{
	unsigned int i;

	for (i = 0; i < PD_POLL_MAX; i++)
		if (stk_inst_poll(r->in, r->t0 + (stk_time_t)r->now_us * 1000) == 0)
			break;
	pd_collect(r);
}

static void pd_blocked_check(struct pd_run *r);

/* Move virtual time to @p t_us (polling at every step, and at @p t_us). */
static void
pd_advance(struct pd_run *r, int64_t t_us)
{
	while (r->now_us < t_us && !r->done) {
		r->now_us = RTE_MIN(r->now_us + PD_STEP_US, t_us);
		pd_poll(r);
		pd_blocked_check(r);
	}
}

/* ---- segment mapping and comparison ---- */

static uint32_t
pd_local_offset(const struct pd_run *r)
{
	return r->isn_known ? r->isn_live - r->isn_script : 0;
}

/* Script TSval we sent -> live TSval. */
static uint32_t
pd_ts_to_live(const struct pd_run *r, uint32_t script)
{
	unsigned int i;

	for (i = 0; i < r->nts; i++)
		if (r->ts_map[i][0] == script)
			return r->ts_map[i][1];
	return r->ts_known ? r->ts_live0 + (script - r->ts_script0) : script;
}

/* @p len bytes of @p b as a chain of mbufs (a scripted segment may exceed one buffer). */
static struct rte_mbuf *
pd_mbuf_chain(struct pd_run *r, const uint8_t *b, size_t len)
{
	struct rte_mbuf *head = NULL;
	size_t off = 0;

	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(r->pools->mp);
		uint16_t n;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = (uint16_t)RTE_MIN(len - off, (size_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, n), b + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	return head;
}

static void
pd_inject(struct pd_run *r, const struct pd_event *e)
{
	struct pd_pkt p = e->pkt;
	uint32_t off = pd_local_offset(r);
	uint16_t lport, rport;
	static uint8_t buf[PD_IN_MAX];
	struct rte_mbuf *m;
	unsigned int i, j;
	size_t len;

	if (p.icmp) {
		p.seq += off;
	} else {
		if (p.has_ack)
			p.ack += off;
		for (i = 0; i < p.nopt; i++) {
			if (p.opt[i].kind == 5)
				for (j = 0; j < p.opt[i].nblk; j++) {
					p.opt[i].blk[j][0] += off;
					p.opt[i].blk[j][1] += off;
				}
			if (p.opt[i].kind == 8 && (p.flags & PD_ACK))
				p.opt[i].b = pd_ts_to_live(r, p.opt[i].b);
		}
	}
	pd_shim_ports(r->shim, &lport, &rport);
	len = pd_frame_build(buf, PD_IN_MAX, &p, rport, lport, p.len);
	m = pd_mbuf_chain(r, buf, len);
	if (len == 0 || m == NULL) {
		pd_fail(r, e, "cannot build the inbound frame (%zu bytes)", len);
		return;
	}
	if (drv_memdev_inject(r->dev, 0, m) != 0) {
		rte_pktmbuf_free(m);
		pd_fail(r, e, "RX ring full");
		return;
	}
	pd_poll(r);
}

/* The options that carry meaning, in order: padding (NOP, EOL) dropped. */
static unsigned int
pd_opts_meaning(const struct pd_pkt *p, const struct pd_opt **out)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->nopt; i++)
		if (p->opt[i].kind > 1)
			out[n++] = &p->opt[i];
	return n;
}

static const struct pd_opt *
pd_opt_find(const struct pd_opt *const *v, unsigned int n, uint8_t kind)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i]->kind == kind)
			return v[i];
	return NULL;
}

/*
 * Compare options as packetdrill does, except that the order of options
 * and the NOP/EOL padding are not compared (both are the implementation's
 * choice; README.md). TSval may be off by the tolerance in 1 ms ticks.
 */
static bool
pd_opts_match(const struct pd_run *r, const struct pd_pkt *want, const struct pd_pkt *got,
	      char *why, size_t wlen)
{
	const struct pd_opt *w[PD_OPT_MAX], *g[PD_OPT_MAX];
	unsigned int nw, ng, i, j;

	if (want->opts_mode == PD_OPTS_ANY)
		return true;
	nw = pd_opts_meaning(want, w);
	ng = pd_opts_meaning(got, g);
	if (nw != ng) {
		snprintf(why, wlen, "options differ");
		return false;
	}
	for (i = 0; i < nw; i++) {
		const struct pd_opt *a = w[i], *b = pd_opt_find(g, ng, a->kind);

		if (b == NULL) {
			snprintf(why, wlen, "option kind %u missing", a->kind);
			return false;
		}
		switch (a->kind) {
		case 2:
		case 3:
			if (a->a != b->a) {
				snprintf(why, wlen, "%s differs", a->kind == 2 ? "mss" : "wscale");
				return false;
			}
			break;
		case 5:
			if (a->nblk != b->nblk)
				goto sack;
			for (j = 0; j < a->nblk; j++)
				if (a->blk[j][0] != b->blk[j][0] || a->blk[j][1] != b->blk[j][1])
					goto sack;
			break;
		case 8:
			if (a->b != b->b) {
				snprintf(why, wlen, "TS ecr differs");
				return false;
			}
			if ((int64_t)RTE_MAX((int32_t)(a->a - b->a), (int32_t)(b->a - a->a)) * 1000 >
			    r->s->tolerance_us) {
				snprintf(why, wlen, "TS val off by more than the tolerance");
				return false;
			}
			break;
		}
	}
	return true;
sack:
	snprintf(why, wlen, "SACK blocks differ");
	return false;
}

/* Map @p got (live) into script space, learning the ISN and TSval mappings. */
static void
pd_map_outbound(struct pd_run *r, const struct pd_pkt *want, struct pd_pkt *got)
{
	unsigned int i;

	if ((got->flags & PD_SYN) && !r->isn_known && (want->flags & PD_SYN)) {
		r->isn_known = true;
		r->isn_live = got->seq;
		r->isn_script = want->seq;
	}
	got->seq -= pd_local_offset(r);
	got->end = got->seq + got->len;
	for (i = 0; i < got->nopt; i++) {
		struct pd_opt *o = &got->opt[i];
		const struct pd_opt *w[PD_OPT_MAX], *ws;
		unsigned int nw = pd_opts_meaning(want, w);

		if (o->kind != 8)
			continue;
		ws = want->opts_mode == PD_OPTS_LIST ? pd_opt_find(w, nw, 8) : NULL;
		if (ws != NULL) {
			if (r->nts < PD_TS_MAP) {
				r->ts_map[r->nts][0] = ws->a;
				r->ts_map[r->nts][1] = o->a;
				r->nts++;
			}
			if (!r->ts_known) {
				r->ts_known = true;
				r->ts_script0 = ws->a;
				r->ts_live0 = o->a;
			}
		}
		if (r->ts_known)
			o->a = r->ts_script0 + (o->a - r->ts_live0);
	}
	if (want->ecn == PD_ECN_ANY)
		got->ecn = PD_ECN_ANY;
	if (!want->has_win)
		got->has_win = false;
	if (want->opts_mode == PD_OPTS_ANY)
		got->opts_mode = PD_OPTS_ANY;
}

static bool
pd_pkt_match(const struct pd_run *r, const struct pd_pkt *w, const struct pd_pkt *g, char *why,
	     size_t wlen)
{
	if (w->icmp || g->icmp) {
		snprintf(why, wlen, "%s", w->icmp ? "expected ICMP" : "got ICMP");
		return false;
	}
	if (w->flags != g->flags)
		snprintf(why, wlen, "flags differ");
	else if (w->seq != g->seq)
		snprintf(why, wlen, "seq differs");
	else if (w->len != g->len)
		snprintf(why, wlen, "length differs");
	else if ((w->flags & PD_ACK) && w->ack != g->ack)
		snprintf(why, wlen, "ack differs");
	else if (w->has_win && w->win != g->win)
		snprintf(why, wlen, "window differs");
	else if (w->ecn != PD_ECN_ANY && w->ecn != g->ecn)
		snprintf(why, wlen, "ECN field differs");
	else if (w->has_urg && w->urg != g->urg)
		snprintf(why, wlen, "urgent pointer differs");
	else
		return pd_opts_match(r, w, g, why, wlen);
	return false;
}

static void
pd_frame_pop(struct pd_run *r, struct pd_frame *f)
{
	*f = r->q[r->qh];
	r->qh = (r->qh + 1) % PD_QUEUE;
	r->qn--;
}

/* Describe the queued frame at the head for a message (consumes it). */
static void
pd_describe_head(struct pd_run *r, char *buf, size_t len)
{
	struct pd_frame f;
	struct pd_pkt g;
	char why[128];

	pd_frame_pop(r, &f);
	if (pd_frame_parse(f.b, f.len, &g, why, sizeof(why)) != 0) {
		snprintf(buf, len, "%.6f (unparsable: %s)", (double)f.t_us / 1e6, why);
	} else {
		char t[400];

		g.seq -= pd_local_offset(r);
		g.end = g.seq + g.len;
		g.ecn = PD_ECN_ANY;
		pd_pkt_format(&g, true, t, sizeof(t));
		snprintf(buf, len, "%.6f %s", (double)f.t_us / 1e6, t);
	}
	free(f.b);
}

/* Frames still queued whose time plus the tolerance is before @p t_us are unexpected. */
static void
pd_check_unexpected(struct pd_run *r, const struct pd_event *e, int64_t t_us)
{
	char d[512];

	if (r->qn == 0 || r->done || r->q[r->qh].t_us + r->s->tolerance_us >= t_us)
		return;
	pd_describe_head(r, d, sizeof(d));
	pd_fail(r, e, "unexpected packet before this event\n  actual:   %s", d);
}

static void
pd_outbound(struct pd_run *r, const struct pd_event *e, int64_t t_us)
{
	int64_t tol = r->s->tolerance_us;
	int64_t deadline = e->ttype == PD_T_ANY ? r->now_us + PD_ANY_WAIT_US : t_us + tol;
	struct pd_frame f;
	struct pd_pkt g;
	char exp[400], act[400], why[128];

	pd_pkt_format(&e->pkt, true, exp, sizeof(exp));
	while (r->qn == 0 && r->now_us < deadline && !r->done)
		pd_advance(r, RTE_MIN(r->now_us + PD_STEP_US, deadline));
	if (r->done)
		return;
	if (r->qn == 0) {
		pd_fail(r, e, "expected packet not sent by %.6f\n  expected: %.6f %s\n  actual:   (none)",
			(double)deadline / 1e6, (double)t_us / 1e6, exp);
		return;
	}
	pd_frame_pop(r, &f);
	if (pd_frame_parse(f.b, f.len, &g, why, sizeof(why)) != 0) {
		free(f.b);
		pd_fail(r, e, "bad outbound frame: %s\n  expected: %s", why, exp);
		return;
	}
	free(f.b);
	pd_map_outbound(r, &e->pkt, &g);
	pd_pkt_format(&g, true, act, sizeof(act));
	if (!pd_pkt_match(r, &e->pkt, &g, why, sizeof(why))) {
		pd_fail(r, e, "%s\n  expected: %.6f %s\n  actual:   %.6f %s", why, (double)t_us / 1e6,
			exp, (double)f.t_us / 1e6, act);
		return;
	}
	if (e->ttype != PD_T_ANY && (f.t_us < t_us - tol || f.t_us > t_us + tol)) {
		pd_fail(r, e, "timing error: sent at %.6f, expected %.6f (tolerance %.6f)\n"
			"  expected: %.6f %s\n  actual:   %.6f %s", (double)f.t_us / 1e6,
			(double)t_us / 1e6, (double)tol / 1e6, (double)t_us / 1e6, exp,
			(double)f.t_us / 1e6, act);
		return;
	}
	r->last_us = f.t_us;
	if (r->verbose)
		printf("  %.6f %s\n", (double)f.t_us / 1e6, act);
}

/* ---- calls ---- */

static void
pd_call_format(const struct pd_call *c, long ret, int err, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s(", c->name);
	unsigned int i;

	for (i = 0; i < c->nargs && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", c->args[i]);
	if (n < len)
		snprintf(buf + n, len - n, ") = %ld%s%s", ret, err ? " " : "",
			 err ? pd_errno_name(err) : "");
}

/* Compare a finished call's result with the script. */
static void
pd_call_result(struct pd_run *r, const struct pd_event *e, struct pd_res res)
{
	const struct pd_call *c = &e->call;
	int want_err = c->err[0] ? pd_errno_value(c->err) : 0;
	char exp[300], act[300];

	if (res.ret == c->ret && (c->ret != -1 || res.err == want_err))
		return;
	pd_call_format(c, c->ret, c->ret == -1 ? want_err : 0, exp, sizeof(exp));
	pd_call_format(c, res.ret, res.ret == -1 ? res.err : 0, act, sizeof(act));
	pd_fail(r, e, "system call returned another result\n  expected: %s\n  actual:   %s", exp,
		act);
}

static void
pd_blocked_check(struct pd_run *r)
{
	const struct pd_event *e = r->blocked;
	struct pd_res res;

	if (e == NULL)
		return;
	res = pd_shim_retry(r->shim, &e->call);
	if (res.blocked) {
		if (r->now_us > r->blocked_end + r->s->tolerance_us && e->range) {
			r->blocked = NULL;
			pd_fail(r, e, "blocking call still blocked at %.6f (range ends %.6f)",
				(double)r->now_us / 1e6, (double)r->blocked_end / 1e6);
		}
		return;
	}
	r->blocked = NULL;
	if (e->range && (r->now_us < r->blocked_end - (e->t_end_us - e->t_us) - r->s->tolerance_us ||
			 r->now_us > r->blocked_end + r->s->tolerance_us)) {
		pd_fail(r, e, "blocking call returned at %.6f, outside %.6f...%.6f",
			(double)r->now_us / 1e6, (double)r->blocked_start / 1e6,
			(double)r->blocked_end / 1e6);
		return;
	}
	r->last_us = r->now_us;
	pd_call_result(r, e, res);
}

static void
pd_call(struct pd_run *r, const struct pd_event *e, int64_t t_us)
{
	char why[300];
	bool unsup;
	struct pd_res res;

	if (r->blocked != NULL) {
		pd_fail(r, e, "a call while %s() is still blocked (one blocking call at a time)",
			r->blocked->call.name);
		return;
	}
	res = pd_shim_call(r->shim, &e->call, why, sizeof(why), &unsup);
	if (unsup) {
		char m[400];

		snprintf(m, sizeof(m), "%s (line %d)", why[0] ? why : "call not modelled", e->line);
		pd_skip(r, m);
		return;
	}
	if (why[0] != '\0') {
		pd_fail(r, e, "%s\n  expected: %s", why, e->src);
		return;
	}
	if (res.blocked) {
		r->blocked = e;
		r->blocked_start = t_us;
		r->blocked_end = e->range ? t_us + (e->t_end_us - e->t_us) : t_us;
		if (!e->range)
			r->blocked_end = t_us + PD_ANY_WAIT_US;
		return;
	}
	pd_call_result(r, e, res);
}

/* ---- shell commands and code snippets ---- */

static void
pd_shell(struct pd_run *r, const struct pd_event *e)
{
	const char *t = e->text;
	char name[96], state[32];
	long v;
	int port = -1;
	const char *p;
	unsigned int want, got;

	if (pd_sysctl_parse(t, name, sizeof(name), &v))
		return; /* applied before the start, or a restore at the end */
	if (strncmp(t, "sockstat", 8) == 0 && (p = strstr(t, "grep -c ")) != NULL &&
	    sscanf(p, "grep -c %31s | grep %u", state, &want) == 2) {
		const char *q = strstr(t, "-p ");

		if (q != NULL)
			port = atoi(q + 3);
		got = pd_shim_count_state(r->shim, state, port);
		if (got != want)
			pd_fail(r, e, "%u sockets in state %s, expected %u\n  expected: %s", got, state,
				want, e->src);
		return;
	}
	{
		char m[300];

		snprintf(m, sizeof(m), "shell command not modelled: `%.120s` (line %d)", t, e->line);
		pd_skip(r, m);
	}
}

static const char *const pd_tcpi_states[] = {
	"TCPI_CLOSED", "TCPI_LISTEN", "TCPI_SYN_SENT", "TCPI_SYN_RECEIVED", "TCPI_ESTABLISHED",
	"TCPI_CLOSE_WAIT", "TCPI_FIN_WAIT_1", "TCPI_CLOSING", "TCPI_LAST_ACK", "TCPI_FIN_WAIT_2",
	"TCPI_TIME_WAIT",
};

static void
pd_code(struct pd_run *r, const struct pd_event *e)
{
	struct stk_tcp_conn *c = pd_shim_conn(r->shim);
	struct stk_tcp_info ti = {0};
	char want[40];
	unsigned int i;

	if (c != NULL)
		stk_tcp_info(c, &ti);
	if (sscanf(e->text, " assert tcpi_state == %39s", want) == 1) {
		for (i = 0; i < RTE_DIM(pd_tcpi_states); i++)
			if (strcmp(want, pd_tcpi_states[i]) == 0)
				break;
		if (i == RTE_DIM(pd_tcpi_states)) {
			pd_skip(r, "tcp_info assertion not modelled");
			return;
		}
		if (ti.state != i)
			pd_fail(r, e, "tcpi_state is %s, expected %s",
				ti.state < RTE_DIM(pd_tcpi_states) ? pd_tcpi_states[ti.state] : "?",
				want);
		return;
	}
	if (strstr(e->text, "tcpi_options == 0") != NULL) {
		if (ti.ts || ti.sack || ti.snd_wscale || ti.rcv_wscale)
			pd_fail(r, e, "tcpi_options is not 0 (TS %d SACK %d wscale %u/%u)", ti.ts,
				ti.sack, ti.snd_wscale, ti.rcv_wscale);
		return;
	}
	pd_skip(r, "python snippet not modelled");
}

/* ---- the script ---- */

/* -v: the instance's connections after each event. */
static void
pd_dump_conns(struct pd_run *r)
{
	struct stk_tcp_conn_info ci[16];
	unsigned int n = stk_tcp_snapshot(r->in, ci, RTE_DIM(ci)), i;

	for (i = 0; i < n; i++)
		printf("      [%u -> %u %s snd_una %u snd_nxt %u rcv_nxt %u rcv_wnd %u]\n",
		       rte_be_to_cpu_16(ci[i].lport), rte_be_to_cpu_16(ci[i].fport),
		       stk_tcp_state_name(ci[i].info.state), ci[i].info.snd_una - r->isn_live,
		       ci[i].info.snd_nxt - r->isn_live, ci[i].info.rcv_nxt, ci[i].info.rcv_wnd);
}

static int64_t
pd_event_time(struct pd_run *r, const struct pd_event *e)
{
	switch (e->ttype) {
	case PD_T_ABS: return e->t_us;
	case PD_T_REL: return r->last_us + e->t_us;
	default: return r->now_us;
	}
}

static void
pd_run_events(struct pd_run *r)
{
	unsigned int i;

	r->last_us = 0;
	for (i = 0; i < r->s->nev && !r->done; i++) {
		const struct pd_event *e = &r->s->ev[i];
		int64_t t = pd_event_time(r, e);

		if (e->kind != PD_EV_OUT) {
			pd_advance(r, t);
			pd_check_unexpected(r, e, t);
			if (r->done)
				break;
			r->last_us = t;
		}
		if (r->verbose && e->kind != PD_EV_OUT)
			printf("%.6f %s\n", (double)t / 1e6, e->src);
		switch (e->kind) {
		case PD_EV_IN: pd_inject(r, e); break;
		case PD_EV_OUT: pd_outbound(r, e, t); break;
		case PD_EV_CALL: pd_call(r, e, t); break;
		case PD_EV_SHELL: pd_shell(r, e); break;
		case PD_EV_CODE: pd_code(r, e); break;
		}
		if (e->kind == PD_EV_CALL && !r->done)
			pd_poll(r); /* what the call sent leaves now */
		if (r->verbose)
			pd_dump_conns(r);
	}
	if (r->done)
		return;
	pd_poll(r);
	pd_blocked_check(r);
	if (r->blocked != NULL) {
		pd_fail(r, r->blocked, "%s() never returned", r->blocked->call.name);
		return;
	}
	if (r->qn > 0) {
		char d[512];

		pd_describe_head(r, d, sizeof(d));
		pd_fail(r, NULL, "unexpected packet at the end of the script\n  actual:   %s", d);
	}
}

void
pd_run_file(const char *path, struct pd_pools *pools, bool verbose, struct pd_result *res)
{
	struct pd_script s;
	struct pd_run *r;
	char err[512];
	unsigned int use;

	memset(res, 0, sizeof(*res));
	res->v = PD_PASS;
	if (pd_parse_file(path, &s, err, sizeof(err)) != 0 && strcmp(s.ip_version, "ipv4") == 0) {
		res->v = PD_FAIL;
		snprintf(res->why, sizeof(res->why), "parse error: %s", err);
		pd_script_free(&s);
		return;
	}
	if (strcmp(s.ip_version, "ipv4") != 0) {
		res->v = PD_SKIP;
		snprintf(res->why, sizeof(res->why), "IPv6 not yet supported");
		pd_script_free(&s);
		return;
	}
	if (s.unsupported[0] != '\0') {
		res->v = PD_SKIP;
		snprintf(res->why, sizeof(res->why), "%s", s.unsupported);
		pd_script_free(&s);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		res->v = PD_FAIL;
		snprintf(res->why, sizeof(res->why), "out of memory");
		pd_script_free(&s);
		return;
	}
	r->s = &s;
	r->pools = pools;
	r->verbose = verbose;
	r->res = res;
	if (pd_params(r)) {
		if (!pd_env_create(r))
			pd_fail(r, NULL, "cannot build the stack for this script");
		else
			pd_run_events(r);
	}
	pd_env_free(r);
	use = rte_mempool_in_use_count(pools->mp) + rte_mempool_in_use_count(pools->ind);
	if (use != 0 && res->v != PD_FAIL) {
		res->v = PD_FAIL;
		snprintf(res->why, sizeof(res->why), "%u mbufs still in use after the script", use);
	}
	free(r);
	pd_script_free(&s);
}
