/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conditional accept (STK_TCP_LISTEN_INSPECT; WSK's WskInspectEvent,
 * WskInspectComplete, WskAbortEvent): the inspect upcall runs before any
 * SYN-ACK with the peer and a unique id; reject answers with a RST and
 * nothing else; accept and pend are followed by exactly one of the accept
 * upcall (same id) or the abort upcall: peer RST, expiry of a pended
 * request, SYN-ACK retransmissions exhausted. Retransmitted SYNs while
 * pended, stale ids, the backlog of pended requests (no SYN cookies),
 * closing the listener (no upcall after close), and upcalls that complete
 * requests or close the listener inline.
 */
#include <inttypes.h>
#include <string.h>

#include "tcp_frames.h"

#define IA_MAX 16

/* What an inspect or abort upcall does besides recording. */
enum ia_action {
	IA_NOTHING,
	IA_COMPLETE_SELF,  /**< inspect: stk_tcp_inspect_complete(own id, true) */
	IA_COMPLETE_OTHER, /**< complete other_id with other_accept */
	IA_CLOSE,          /**< stk_tcp_close() the listener */
};

/* The application: tf_app first, since tf_upcalls' accept takes the arg as one. */
struct ins_app {
	struct tf_app app;
	struct h *h;
	struct stk_tcp_conn *l;
	bool closed;                      /**< the listener was closed: no upcall may run */
	enum stk_tcp_inspect verdict;     /**< what inspect returns */
	unsigned int ninspect, nabort;
	struct stk_tcp_peer peer[IA_MAX]; /**< the inspect upcalls' peers */
	uint64_t tx_at_inspect[IA_MAX];   /**< TCP segments sent since the mark when inspect ran */
	uint64_t abort_id[IA_MAX];
	enum ia_action on_inspect, on_abort;
	uint64_t other_id;
	bool other_accept;
	int rc_self, rc_other;            /**< results of the inline completions */
};

static struct ins_app ia;
static struct stk_tcp_upcalls ins_up;

static void
ia_act(struct ins_app *a, enum ia_action act, uint64_t own)
{
	switch (act) {
	case IA_COMPLETE_SELF:
		a->rc_self = stk_tcp_inspect_complete(a->l, own, true);
		break;
	case IA_COMPLETE_OTHER:
		a->rc_other = stk_tcp_inspect_complete(a->l, a->other_id, a->other_accept);
		a->rc_self = stk_tcp_inspect_complete(a->l, own, true);
		break;
	case IA_CLOSE:
		a->closed = true;
		stk_tcp_close(a->l);
		break;
	default:
		break;
	}
}

static enum stk_tcp_inspect
app_inspect(void *arg, struct stk_tcp_conn *l, const struct stk_tcp_peer *peer)
{
	struct ins_app *a = arg;
	enum ia_action act = a->on_inspect;

	CHECK(!a->closed, "inspect upcall after the listener was closed");
	CHECK(l == a->l, "inspect upcall on another listener");
	if (a->ninspect < IA_MAX) {
		a->peer[a->ninspect] = *peer;
		a->tx_at_inspect[a->ninspect] = h_cnt(a->h, STK_CNT_TCP_TX);
	}
	a->ninspect++;
	a->on_inspect = IA_NOTHING; /* once */
	ia_act(a, act, peer->inspect_id);
	return a->verdict;
}

static void
app_abort(void *arg, struct stk_tcp_conn *l, uint64_t id)
{
	struct ins_app *a = arg;
	enum ia_action act = a->on_abort;

	CHECK(!a->closed, "abort upcall after the listener was closed");
	CHECK(l == a->l, "abort upcall on another listener");
	if (a->nabort < IA_MAX)
		a->abort_id[a->nabort] = id;
	a->nabort++;
	a->on_abort = IA_NOTHING;
	ia_act(a, act, id);
}

/* A harness and an inspecting listener on TF_PORT with @p backlog; @p o NULL: defaults. */
static struct h *
ins_setup(const struct h_opts *o, uint32_t backlog, enum stk_tcp_inspect verdict)
{
	struct h *h = h_create(o);
	int rc;

	memset(&ia, 0, sizeof(ia));
	tf_app_init(&ia.app);
	ia.h = h;
	ia.verdict = verdict;
	rc = stk_tcp_listen(h->in, 0, RTE_BE16(TF_PORT), backlog, STK_TCP_LISTEN_INSPECT, &ins_up,
			    &ia, &ia.l);
	CHECK(rc == 0, "stk_tcp_listen with STK_TCP_LISTEN_INSPECT: %d", rc);
	h_mark(h);
	return h;
}

static void
ins_close(struct h *h)
{
	ia.closed = true;
	stk_tcp_close(ia.l);
	h_poll(h);
}

/* @return connections and listeners of the instance. */
static unsigned int
conns(struct h *h)
{
	struct stk_tcp_conn_info ci[8];

	return stk_tcp_snapshot(h->in, ci, RTE_DIM(ci));
}

/* The RST refusing @p t's SYN: RST|ACK acknowledging the SYN, no data. */
static bool
expect_refused_at(struct tf_conn *t, const char *file, int line)
{
	struct h_frame f;
	struct tf_seg got;
	char why[256] = "";
	bool ok;

	if (!h_expect_at(t->h, NULL, NULL, &f, file, line))
		return false;
	if (!tf_parse(&f, &got, why, sizeof(why))) {
		CHECK(false, "%s:%d: %s", file, line, why);
		return false;
	}
	ok = got.flags == (TF_RST | TF_ACK) && got.ack == t->irs + 1 && got.sport == t->port &&
	     got.dport == t->pport && got.len == 0;
	CHECK(ok, "%s:%d: not the RST for the peer's SYN", file, line);
	if (!ok)
		tf_print("got", &got);
	return ok;
}
#define expect_refused(t) expect_refused_at((t), __FILE__, __LINE__)

/*
 * @p n RSTs, in any order (the connection table's), each refusing the SYN
 * of a different one of the @p n peers @p t[0..n-1].
 */
static void
expect_refused_all_at(struct tf_conn *t, unsigned int n, const char *file, int line)
{
	bool seen[8] = { false };
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		struct h_frame f;
		struct tf_seg got;
		char why[128];

		if (!h_expect_at(t[0].h, NULL, NULL, &f, file, line) ||
		    !tf_parse(&f, &got, why, sizeof(why)))
			return;
		for (k = 0; k < n && k < RTE_DIM(seen); k++)
			if (!seen[k] && got.dport == t[k].pport && got.sport == t[k].port &&
			    got.ack == t[k].irs + 1 && got.flags == (TF_RST | TF_ACK))
				break;
		CHECK(k < n, "%s:%d: not the RST of a pending request", file, line);
		if (k == n) {
			tf_print("got", &got);
			return;
		}
		seen[k] = true;
	}
}
#define expect_refused_all(t, n) expect_refused_all_at((t), (n), __FILE__, __LINE__)

/* After the SYN-ACK: the peer's ACK, the accept upcall with @p id. */
static bool
handshake_at(struct tf_conn *t, uint64_t id, const char *file, int line)
{
	unsigned int n = ia.app.naccept;

	tf_send_ack(t);
	CHECK(ia.app.naccept == n + 1, "%s:%d: accept upcall ran %u times", file, line,
	      ia.app.naccept - n);
	if (ia.app.naccept != n + 1)
		return false;
	CHECK(ia.app.peer.inspect_id == id, "%s:%d: accept upcall with id %" PRIu64 ", not %"
	      PRIu64, file, line, ia.app.peer.inspect_id, id);
	t->c = ia.app.conn;
	CHECK(tf_state(t) == TF_ESTABLISHED, "%s:%d: state %u", file, line, tf_state(t));
	return h_expect_none_at(t->h, file, line);
}
#define handshake(t, id) handshake_at((t), (id), __FILE__, __LINE__)

/* Listener arguments; completion on a listener without inspection or of an unknown id. */
static void
test_args(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_upcalls up = tf_upcalls;
	struct stk_tcp_conn *l = NULL;

	CHECK_EQ(stk_tcp_listen(h->in, 0, RTE_BE16(TF_PORT), 0, STK_TCP_LISTEN_INSPECT, &up,
				&ia, &l), STK_EINVAL);
	up.inspect = app_inspect;
	CHECK_EQ(stk_tcp_listen(h->in, 0, RTE_BE16(TF_PORT), 0, 1u << 5, &up, &ia, &l),
		 STK_EINVAL);
	l = tf_listen(h, &ia.app);
	CHECK_EQ(stk_tcp_inspect_complete(l, 1, true), STK_EINVAL);
	stk_tcp_close(l);
	h_destroy(h);
	h = ins_setup(NULL, 0, STK_TCP_INSPECT_ACCEPT);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, 0, true), STK_ENOENT);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, 1, false), STK_ENOENT);
	ins_close(h);
	h_destroy(h);
}

/* ACCEPT: inspect before anything is sent, SYN-ACK, handshake, accept with the same id. */
static void
test_accept(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_ACCEPT);
	struct tf_conn t, t2;

	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	if (tf_syn_in(&t, &tf_syn_all)) {
		CHECK_EQ(ia.ninspect, 1);
		CHECK_EQ(ia.tx_at_inspect[0], 0);
		CHECK(ia.peer[0].laddr == H_OUR_IP && ia.peer[0].lport == RTE_BE16(TF_PORT) &&
		      ia.peer[0].faddr == H_PEER_IP && ia.peer[0].fport == RTE_BE16(TF_PEER_PORT),
		      "inspect upcall: wrong addresses");
		CHECK(ia.peer[0].inspect_id != 0, "inspect id 0");
		CHECK_EQ(h_cnt(h, STK_CNT_TCP_INSPECTS), 1);
		/* Its SYN again in SYN-RECEIVED: no second request. */
		tf_syn_send(&t, &tf_syn_all);
		CHECK_EQ(ia.ninspect, 1);
		h_drain(h);
		if (handshake(&t, ia.peer[0].inspect_id))
			CHECK(stk_tcp_inspect_complete(ia.l, ia.peer[0].inspect_id, true) ==
			      STK_ENOENT, "completion of an established request");
	}
	/* A second request has another id. */
	tf_conn_init(&t2, h, &ia.app, TF_PEER_PORT + 1);
	if (tf_syn_in(&t2, &tf_syn_none) && handshake(&t2, ia.peer[1].inspect_id))
		CHECK(ia.peer[1].inspect_id != ia.peer[0].inspect_id, "inspect id reused");
	CHECK_EQ(ia.nabort, 0);
	if (t2.c != NULL)
		tf_close_rst(&t2);
	ia.closed = true;
	tf_close_conn(&t, ia.l);
}

/* REJECT: a RST, nothing else; the client's next SYN is a new request. */
static void
test_reject(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_REJECT);
	struct tf_conn t;

	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	tf_syn_send(&t, &tf_syn_all);
	CHECK_EQ(ia.ninspect, 1);
	expect_refused(&t);
	h_expect_none(h);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_INSPECT_REFUSED), 1);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RST_TX), 1);
	CHECK_EQ(conns(h), 1);
	CHECK(stk_tcp_inspect_complete(ia.l, ia.peer[0].inspect_id, true) == STK_ENOENT,
	      "completion of a rejected request");
	h_poll(h);
	h_expect_none(h);
	tf_syn_send(&t, &tf_syn_all);
	CHECK_EQ(ia.ninspect, 2);
	CHECK(ia.peer[1].inspect_id != ia.peer[0].inspect_id, "inspect id reused");
	expect_refused(&t);
	CHECK(ia.app.naccept == 0 && ia.nabort == 0, "accept %u abort %u after reject",
	      ia.app.naccept, ia.nabort);
	ins_close(h);
	h_expect_none(h);
	h_destroy(h);
}

/* PEND: nothing sent; completion true sends the SYN-ACK; the handshake reaches accept. */
static void
test_pend_accept(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_PEND);
	struct tf_conn t;
	uint64_t id;

	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	tf_syn_send(&t, &tf_syn_all);
	CHECK_EQ(ia.ninspect, 1);
	id = ia.peer[0].inspect_id;
	h_expect_none(h);
	h_advance(h, 500 * STK_NS_PER_MS);
	h_expect_none(h);
	CHECK_EQ(conns(h), 2);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, id, true), 0);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, id, true), STK_ENOENT);
	h_poll(h);
	if (tf_synack_expect(&t, &tf_syn_all) && handshake(&t, id)) {
		CHECK_EQ(ia.nabort, 0);
		CHECK_EQ(stk_tcp_inspect_complete(ia.l, id, false), STK_ENOENT);
	}
	ia.closed = true;
	tf_close_conn(&t, ia.l);
}

/* PEND, then completion false: a RST, no abort, the id is gone. */
static void
test_pend_reject(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_PEND);
	struct tf_conn t;
	uint64_t id;

	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	tf_syn_send(&t, &tf_syn_none);
	id = ia.peer[0].inspect_id;
	h_expect_none(h);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, id, false), 0);
	h_poll(h);
	expect_refused(&t);
	h_expect_none(h);
	CHECK_EQ(ia.nabort, 0);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, id, true), STK_ENOENT);
	CHECK_EQ(conns(h), 1);
	h_advance(h, 130 * STK_NS_PER_S); /* beyond the expiry it would have had */
	h_expect_none(h);
	CHECK(ia.nabort == 0 && ia.app.naccept == 0, "upcalls after a rejection");
	ins_close(h);
	h_destroy(h);
}

/* PEND, then the peer's RST: a RST off RCV.NXT is dropped, at RCV.NXT the request aborts. */
static void
test_pend_rst(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_PEND);
	struct tf_conn t;
	struct tf_seg s;
	uint64_t id;

	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	tf_syn_send(&t, &tf_syn_all);
	id = ia.peer[0].inspect_id;
	h_expect_none(h);
	s = tf_peer(&t, TF_RST, NULL, 0);
	s.seq += 1000;
	h_mark(h);
	tf_inject(&t, &s);
	h_expect_drops(h, STK_DROP_TCP_INSPECT_PENDING, 1);
	CHECK_EQ(ia.nabort, 0);
	s = tf_peer(&t, TF_ACK, NULL, 0);
	h_mark(h);
	tf_inject(&t, &s);
	h_expect_drops(h, STK_DROP_TCP_INSPECT_PENDING, 1);
	tf_send(&t, TF_RST, NULL, 0);
	h_expect_none(h);
	CHECK_EQ(ia.nabort, 1);
	CHECK_EQ(ia.abort_id[0], id);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, id, true), STK_ENOENT);
	h_poll(h);
	h_expect_none(h);
	CHECK_EQ(conns(h), 1);
	CHECK_EQ(ia.app.naccept, 0);
	ins_close(h);
	h_destroy(h);
}

/* PEND without a verdict: after the SYN-RECEIVED lifetime, a RST and the abort. */
static void
test_pend_expiry(void)
{
	struct h_opts o;
	struct h *h;
	struct tf_conn t;
	uint64_t id;

	h_opts_init(&o);
	o.p.tcp_syn_retries = 2; /* 1 + 2 + 4 s with the initial RTO of 1 s */
	h = ins_setup(&o, 0, STK_TCP_INSPECT_PEND);
	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	tf_syn_send(&t, &tf_syn_all);
	id = ia.peer[0].inspect_id;
	h_advance(h, 7 * STK_NS_PER_S - STK_NS_PER_MS);
	h_expect_none(h);
	CHECK_EQ(ia.nabort, 0);
	h_advance(h, STK_NS_PER_MS);
	expect_refused(&t);
	h_expect_none(h);
	CHECK_EQ(ia.nabort, 1);
	CHECK_EQ(ia.abort_id[0], id);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_INSPECT_EXPIRED), 1);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, id, true), STK_ENOENT);
	h_poll(h);
	h_expect_none(h);
	CHECK_EQ(conns(h), 1);
	ins_close(h);
	h_destroy(h);
}

/* ACCEPT, and no ACK ever: the SYN-ACK is resent, then the request aborts, quietly. */
static void
test_accept_synack_exhausted(void)
{
	struct h_opts o;
	struct h *h;
	struct tf_conn t;
	struct tf_seg w;
	stk_time_t gap = STK_NS_PER_S;
	unsigned int n;

	h_opts_init(&o);
	o.p.tcp_syn_retries = 2;
	h = ins_setup(&o, 0, STK_TCP_INSPECT_ACCEPT);
	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	tf_syn_in(&t, &tf_syn_none);
	for (n = 0; n < 2; n++, gap *= 2) {
		h_advance(h, gap);
		t.snd = t.iss;
		w = tf_want(&t, TF_SYN | TF_ACK, NULL, 0);
		w.o.mss_on = true;
		w.o.mss = TF_MSS;
		tf_expect_seg(&t, &w, NULL);
	}
	h_advance(h, gap - STK_NS_PER_MS);
	CHECK_EQ(ia.nabort, 0);
	h_advance(h, STK_NS_PER_MS);
	h_expect_none(h);
	CHECK_EQ(ia.nabort, 1);
	CHECK_EQ(ia.abort_id[0], ia.peer[0].inspect_id);
	CHECK_EQ(ia.app.naccept, 0);
	CHECK_EQ(conns(h), 1);
	ins_close(h);
	h_destroy(h);
}

/* The peer's SYN again while pended: dropped, no second request; the first still completes. */
static void
test_pend_syn_retransmit(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_PEND);
	struct tf_conn t;
	uint32_t ts_recent;
	unsigned int n;

	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	tf_syn_send(&t, &tf_syn_all);
	ts_recent = t.ts_recent; /* the SYN-ACK echoes the first SYN's TSval */
	for (n = 0; n < 3; n++) {
		h_advance(h, STK_NS_PER_S << n);
		h_mark(h);
		tf_syn_send(&t, &tf_syn_all);
		h_expect_drops(h, STK_DROP_TCP_INSPECT_PENDING, 1);
		h_expect_none(h);
	}
	t.ts_recent = ts_recent;
	CHECK_EQ(ia.ninspect, 1);
	CHECK_EQ(conns(h), 2);
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, ia.peer[0].inspect_id, true), 0);
	h_poll(h);
	if (tf_synack_expect(&t, &tf_syn_all) && handshake(&t, ia.peer[0].inspect_id))
		CHECK_EQ(ia.nabort, 0);
	ia.closed = true;
	tf_close_conn(&t, ia.l);
}

/* Pended requests fill the backlog: new SYNs are dropped (no cookie), a decision frees a slot. */
static void
test_backlog_full(void)
{
	struct h *h = ins_setup(NULL, 2, STK_TCP_INSPECT_PEND);
	struct tf_conn t[4];
	struct tf_seg s;
	unsigned int i;

	for (i = 0; i < 4; i++)
		tf_conn_init(&t[i], h, &ia.app, (uint16_t)(TF_PEER_PORT + i));
	tf_syn_send(&t[0], &tf_syn_all);
	tf_syn_send(&t[1], &tf_syn_all);
	CHECK_EQ(ia.ninspect, 2);
	h_mark(h);
	tf_syn_send(&t[2], &tf_syn_all);
	h_expect_drops(h, STK_DROP_TCP_INSPECT_FULL, 1);
	h_expect_none(h);
	CHECK_EQ(ia.ninspect, 2);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_SYNCOOKIES_SENT), 0);
	/* An ACK as a cookie would be answered opens nothing: the listener's RST. */
	s = tf_peer(&t[3], TF_ACK, NULL, 0);
	s.ack = 0x12345678;
	h_mark(h);
	tf_inject(&t[3], &s);
	h_expect(h, NULL, NULL, NULL);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_SYNCOOKIES_OK), 0);
	CHECK_EQ(conns(h), 3);
	/* A rejection frees a slot: the next SYN is inspected. */
	CHECK_EQ(stk_tcp_inspect_complete(ia.l, ia.peer[0].inspect_id, false), 0);
	h_poll(h);
	expect_refused(&t[0]);
	tf_syn_send(&t[2], &tf_syn_all);
	CHECK_EQ(ia.ninspect, 3);
	h_expect_none(h);
	ins_close(h);
	expect_refused_all(&t[1], 2);
	h_expect_none(h);
	CHECK(ia.nabort == 0 && ia.app.naccept == 0, "upcalls: abort %u accept %u", ia.nabort,
	      ia.app.naccept);
	CHECK_EQ(conns(h), 0);
	h_destroy(h);
}

/* Closing the listener resets pended and accepted requests, with no upcall. */
static void
test_close_pending(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_PEND);
	struct tf_conn t[3];
	unsigned int i;

	for (i = 0; i < 3; i++)
		tf_conn_init(&t[i], h, &ia.app, (uint16_t)(TF_PEER_PORT + i));
	tf_syn_send(&t[0], &tf_syn_all);
	tf_syn_send(&t[1], &tf_syn_none);
	ia.verdict = STK_TCP_INSPECT_ACCEPT;
	tf_syn_in(&t[2], &tf_syn_none);
	CHECK_EQ(conns(h), 4);
	ins_close(h);
	expect_refused_all(t, 3);
	h_expect_none(h);
	CHECK(ia.nabort == 0 && ia.app.naccept == 0, "upcalls after close");
	CHECK_EQ(conns(h), 0);
	h_advance(h, 130 * STK_NS_PER_S);
	h_expect_none(h);
	h_destroy(h);
}

/* Upcalls that complete requests inline: their own, another's, from an abort. */
static void
test_reentrant_complete(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_REJECT);
	struct tf_conn a, b, c;

	/* Inspect completes its own request, then returns REJECT: ignored. */
	tf_conn_init(&a, h, &ia.app, TF_PEER_PORT);
	ia.on_inspect = IA_COMPLETE_SELF;
	ia.rc_self = -1;
	if (tf_syn_in(&a, &tf_syn_all)) {
		CHECK_EQ(ia.rc_self, 0);
		handshake(&a, ia.peer[0].inspect_id);
	}
	/* B pends; C's inspect accepts B, then its own request: the PEND it returns is ignored. */
	ia.verdict = STK_TCP_INSPECT_PEND;
	tf_conn_init(&b, h, &ia.app, TF_PEER_PORT + 1);
	tf_syn_send(&b, &tf_syn_none);
	h_expect_none(h);
	tf_conn_init(&c, h, &ia.app, TF_PEER_PORT + 2);
	ia.on_inspect = IA_COMPLETE_OTHER;
	ia.other_id = ia.peer[1].inspect_id;
	ia.other_accept = true;
	ia.rc_other = ia.rc_self = -1;
	tf_syn_send(&c, &tf_syn_none);
	CHECK_EQ(ia.rc_other, 0);
	CHECK_EQ(ia.rc_self, 0);
	tf_synack_expect(&b, &tf_syn_none);
	tf_synack_expect(&c, &tf_syn_none);
	h_expect_none(h);
	/* B's peer resets: inside its abort, C (decided) and B (gone) are no pending requests. */
	ia.on_abort = IA_COMPLETE_OTHER;
	ia.other_id = ia.peer[2].inspect_id;
	ia.rc_other = ia.rc_self = -1;
	tf_send(&b, TF_RST, NULL, 0);
	CHECK_EQ(ia.nabort, 1);
	CHECK_EQ(ia.abort_id[0], ia.peer[1].inspect_id);
	CHECK_EQ(ia.rc_other, STK_ENOENT); /* C was accepted already: not pending */
	CHECK_EQ(ia.rc_self, STK_ENOENT);  /* B's own id inside its abort */
	h_expect_none(h);
	if (handshake(&c, ia.peer[2].inspect_id))
		tf_close_rst(&c);
	ia.closed = true;
	tf_close_conn(&a, ia.l);
}

/* An abort upcall that completes a pended request, and one that closes the listener. */
static void
test_reentrant_abort(void)
{
	struct h_opts o;
	struct h *h;
	struct tf_conn a, b, c;

	h_opts_init(&o);
	o.p.tcp_syn_retries = 0; /* pended requests live 1 s */
	h = ins_setup(&o, 0, STK_TCP_INSPECT_PEND);
	tf_conn_init(&a, h, &ia.app, TF_PEER_PORT);
	tf_conn_init(&b, h, &ia.app, TF_PEER_PORT + 1);
	tf_conn_init(&c, h, &ia.app, TF_PEER_PORT + 2);
	tf_syn_send(&a, &tf_syn_none);
	h_advance(h, 500 * STK_NS_PER_MS);
	tf_syn_send(&b, &tf_syn_none);
	/* A expires; its abort accepts B, whose SYN-ACK follows A's RST. */
	ia.on_abort = IA_COMPLETE_OTHER;
	ia.other_id = ia.peer[1].inspect_id;
	ia.other_accept = true;
	h_advance(h, 500 * STK_NS_PER_MS);
	CHECK_EQ(ia.nabort, 1);
	CHECK_EQ(ia.rc_other, 0);
	CHECK_EQ(ia.rc_self, STK_ENOENT);
	expect_refused(&a);
	tf_synack_expect(&b, &tf_syn_none);
	h_expect_none(h);
	/*
	 * C pends (expiring 100 ms after B's end); B's SYN-ACK runs out (its
	 * one RTO of 1 s) and its abort closes the listener: C goes quietly.
	 */
	h_advance(h, 100 * STK_NS_PER_MS);
	tf_syn_send(&c, &tf_syn_none);
	ia.on_abort = IA_CLOSE;
	h_advance(h, 900 * STK_NS_PER_MS);
	CHECK_EQ(ia.nabort, 2);
	CHECK_EQ(ia.abort_id[1], ia.peer[1].inspect_id);
	expect_refused(&c);
	h_expect_none(h);
	CHECK_EQ(conns(h), 0);
	CHECK_EQ(ia.app.naccept, 0);
	h_advance(h, 10 * STK_NS_PER_S);
	h_expect_none(h);
	h_destroy(h);
}

/* The inspect upcall closes its listener: the request goes with it, nothing else runs. */
static void
test_close_in_inspect(void)
{
	struct h *h = ins_setup(NULL, 0, STK_TCP_INSPECT_ACCEPT);
	struct tf_conn t;

	tf_conn_init(&t, h, &ia.app, TF_PEER_PORT);
	ia.on_inspect = IA_CLOSE;
	tf_syn_send(&t, &tf_syn_all);
	CHECK_EQ(ia.ninspect, 1);
	expect_refused(&t);
	h_expect_none(h);
	CHECK_EQ(conns(h), 0);
	/* The port is closed now: the SYN again draws the closed port's RST. */
	tf_syn_send(&t, &tf_syn_all);
	expect_refused(&t);
	CHECK(ia.nabort == 0 && ia.app.naccept == 0, "upcalls after close");
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	ins_up = tf_upcalls;
	ins_up.inspect = app_inspect;
	ins_up.abort = app_abort;
	test_args();
	test_accept();
	test_reject();
	test_pend_accept();
	test_pend_reject();
	test_pend_rst();
	test_pend_expiry();
	test_accept_synack_exhausted();
	test_pend_syn_retransmit();
	test_backlog_full();
	test_close_pending();
	test_reentrant_complete();
	test_reentrant_abort();
	test_close_in_inspect();
	test_eal_finish();
	return check_done();
}
