/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP tests' application (upcall recorder) and peer model: handshakes,
 * segments the stack must send, segments the peer sends. See tcp_frames.h.
 */
#include <string.h>

#include "tcp_frames.h"

#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((a) - (b)) > 0)

const struct tf_syn tf_syn_all = {
	.mss_on = true, .mss = 1460, .ws_on = true, .ws = 7, .sack_ok = true, .ts_on = true,
	.win = 65535,
};
const struct tf_syn tf_syn_none = { .win = 65535 };

/* ---- the application ---- */

static enum stk_tcp_recv_verdict
app_recv(void *arg, struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t len, bool push,
	 uint32_t *consumed)
{
	struct tf_app *a = arg;
	uint32_t keep = a->verdict == STK_TCP_RECV_PARTIAL ? RTE_MIN(a->partial, len) : len;
	uint32_t room = TF_APP_DATA - a->len, n = RTE_MIN(keep, room);
	const void *p;

	CHECK(m->pkt_len == len, "recv upcall: pkt_len %u, len %u", m->pkt_len, len);
	p = n > 0 ? rte_pktmbuf_read(m, 0, n, a->data + a->len) : NULL;
	if (p != NULL && p != a->data + a->len)
		memcpy(a->data + a->len, p, n);
	a->len += n;
	a->nrecv++;
	a->last_len = len;
	a->push = push;
	if (a->verdict == STK_TCP_RECV_PARTIAL) {
		*consumed = keep;
		return STK_TCP_RECV_PARTIAL;
	}
	if (a->verdict == STK_TCP_RECV_TAKEN && a->ntaken < TF_APP_OPS) {
		a->taken_len[a->ntaken] = len;
		a->taken[a->ntaken++] = m;
		return STK_TCP_RECV_TAKEN;
	}
	return STK_TCP_RECV_CONSUMED;
}

static int
app_accept(void *arg, struct stk_tcp_conn *l, struct stk_tcp_conn *c,
	   const struct stk_tcp_peer *peer)
{
	struct tf_app *a = arg;

	a->naccept++;
	a->peer = *peer;
	if (a->accept_ret != 0)
		return a->accept_ret;
	a->conn = c;
	stk_tcp_set_upcalls(c, &tf_upcalls, a);
	return 0;
}

static void
app_connected(void *arg, struct stk_tcp_conn *c, int err)
{
	struct tf_app *a = arg;

	a->nconnected++;
	a->connected_err = err;
	a->conn = c;
}

static void
app_sent(void *arg, struct stk_tcp_conn *c, void *ctx, uint32_t bytes, int err)
{
	struct tf_app *a = arg;

	if (a->nsent < TF_APP_OPS) {
		a->sent_ctx[a->nsent] = ctx;
		a->sent_bytes[a->nsent] = bytes;
		a->sent_err[a->nsent] = err;
	}
	a->nsent++;
}

static void
app_backlog(void *arg, struct stk_tcp_conn *c, uint32_t ideal)
{
	struct tf_app *a = arg;

	a->nbacklog++;
	a->backlog = ideal;
}

static void
app_peer_fin(void *arg, struct stk_tcp_conn *c)
{
	struct tf_app *a = arg;

	a->npeer_fin++;
	a->fin_after_bytes = a->len;
}

static void
app_shutdown_done(void *arg, struct stk_tcp_conn *c, void *ctx, int err)
{
	struct tf_app *a = arg;

	a->nshut++;
	a->shut_ctx = ctx;
	a->shut_err = err;
}

static void
app_reset(void *arg, struct stk_tcp_conn *c, int err)
{
	struct tf_app *a = arg;

	a->nreset++;
	a->reset_err = err;
}

const struct stk_tcp_upcalls tf_upcalls = {
	.accept = app_accept,
	.connected = app_connected,
	.recv = app_recv,
	.sent = app_sent,
	.send_backlog = app_backlog,
	.peer_fin = app_peer_fin,
	.shutdown_done = app_shutdown_done,
	.reset = app_reset,
};

void
tf_app_init(struct tf_app *a)
{
	memset(a, 0, sizeof(*a));
	a->verdict = STK_TCP_RECV_CONSUMED;
}

uint32_t
tf_app_release(struct tf_app *a)
{
	uint32_t bytes = 0;
	unsigned int i;

	for (i = 0; i < a->ntaken; i++) {
		bytes += a->taken_len[i];
		rte_pktmbuf_free(a->taken[i]);
	}
	a->ntaken = 0;
	return bytes;
}

/* ---- the model ---- */

void
tf_conn_init(struct tf_conn *t, struct h *h, struct tf_app *app, uint16_t pport)
{
	memset(t, 0, sizeof(*t));
	t->h = h;
	t->app = app;
	t->port = TF_PORT;
	t->pport = pport;
	t->irs = 0xfffffc00u;
	t->mss = TF_MSS;
	t->rcvbuf = TF_RCVBUF;
	t->pts = 7000000;
}

struct stk_tcp_conn *
tf_listen(struct h *h, struct tf_app *app)
{
	struct stk_tcp_conn *l = NULL;
	int rc = stk_tcp_listen(h->in, 0, rte_cpu_to_be_16(TF_PORT), 0, 0, &tf_upcalls, app, &l);

	CHECK(rc == 0 && l != NULL, "stk_tcp_listen: %d", rc);
	return l;
}

/* The shift the stack's buffer needs (RFC 7323 2.2), and the window fields it sends. */
static uint8_t
model_ws(uint32_t rcvbuf)
{
	uint8_t ws = 0;

	while (ws < 14 && (rcvbuf >> ws) > 65535)
		ws++;
	return ws;
}

static void
model_negotiated(struct tf_conn *t, const struct tf_syn *syn)
{
	t->ws_on = syn->ws_on;
	t->ws = syn->ws_on ? model_ws(t->rcvbuf) : 0;
	t->pws = syn->ws_on ? RTE_MIN(syn->ws, 14) : 0;
	t->ts = syn->ts_on;
	t->sack = syn->sack_ok;
	t->win = (uint16_t)(RTE_MIN(t->rcvbuf, 65535u << t->ws) >> t->ws);
	t->pwin = syn->win;
}

static struct tf_opts
syn_opts(const struct tf_syn *syn, uint32_t tsval, uint32_t tsecr)
{
	struct tf_opts o = {
		.mss_on = syn->mss_on, .mss = syn->mss, .ws_on = syn->ws_on, .ws = syn->ws,
		.sack_ok = syn->sack_ok, .ts_on = syn->ts_on, .tsval = tsval, .tsecr = tsecr,
	};

	return o;
}

/* Inject @p s as a frame and poll. */
static void
inject_seg(struct h *h, const struct tf_seg *s)
{
	static uint8_t frame[H_FRAME_MAX];

	h_inject(h, frame, tf_build(frame, s));
}

/* Take the next frame; parse it into @p got. */
static bool
take_seg(struct h *h, struct tf_seg *got, struct h_frame *f, const char *file, int line)
{
	char why[256] = "";

	if (!h_take(h, f)) {
		CHECK(false, "%s:%d: expected a TCP segment, the stack sent none", file, line);
		return false;
	}
	if (!tf_parse(f, got, why, sizeof(why))) {
		CHECK(false, "%s:%d: bad segment: %s", file, line, why);
		h_hexdump("frame", f->b, f->len);
		return false;
	}
	return true;
}

static bool
match_or_dump(const struct tf_seg *got, const struct tf_seg *want, const char *file, int line)
{
	char why[256] = "";
	bool ok = tf_match(got, want, why, sizeof(why));

	CHECK(ok, "%s:%d: unexpected segment: %s", file, line, why);
	if (!ok) {
		tf_print("got     ", got);
		tf_print("expected", want);
	}
	return ok;
}

/* The model learns from a segment the stack sent. */
static void
model_learn(struct tf_conn *t, const struct tf_seg *got, const char *file, int line)
{
	uint32_t end = got->seq + got->len + !!(got->flags & TF_SYN) + !!(got->flags & TF_FIN);

	if (got->flags & TF_ACK)
		t->last_ack = got->ack;
	if (got->o.ts_on) {
		CHECK((int32_t)(got->o.tsval - t->stack_ts) >= 0 || t->stack_ts == 0,
		      "%s:%d: TSval went back from %u to %u", file, line, t->stack_ts,
		      got->o.tsval);
		t->stack_ts = got->o.tsval;
	}
	if (!(got->flags & TF_RST) && SEQ_GT(end, t->snd))
		t->snd = end;
}

static struct h_frame frame_buf;

void
tf_syn_send(struct tf_conn *t, const struct tf_syn *syn)
{
	struct tf_seg s = { .sport = t->pport, .dport = t->port, .seq = t->irs, .flags = TF_SYN,
			    .win = syn->win };

	s.o = syn_opts(syn, ++t->pts, 0);
	inject_seg(t->h, &s);
	t->rcv = t->irs + 1;
	t->ts_recent = syn->ts_on ? t->pts : 0;
}

bool
tf_syn_in_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line)
{
	tf_syn_send(t, syn);
	return tf_synack_expect_at(t, syn, file, line);
}

bool
tf_synack_expect_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line)
{
	struct tf_seg want, got;

	if (!take_seg(t->h, &got, &frame_buf, file, line))
		return false;
	/* The SYN-ACK: our MSS, and only the options the peer offered (RFC 7323, 2018). */
	model_negotiated(t, syn);
	t->iss = got.seq;
	t->snd = t->iss;
	want = tf_want(t, TF_SYN | TF_ACK, NULL, 0);
	want.win = (uint16_t)RTE_MIN(t->rcvbuf, 65535u);
	want.o.mss_on = true;
	want.o.mss = t->mss;
	want.o.ws_on = syn->ws_on;
	want.o.ws = t->ws;
	want.o.sack_ok = syn->sack_ok;
	if (!match_or_dump(&got, &want, file, line))
		return false;
	model_learn(t, &got, file, line);
	return true;
}

bool
tf_passive_open_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line)
{
	unsigned int accepts = t->app->naccept;

	if (!tf_syn_in_at(t, syn, file, line))
		return false;
	tf_send_ack(t);
	CHECK(t->app->naccept == accepts + 1, "%s:%d: accept upcall did not run", file, line);
	t->c = t->app->conn;
	if (t->c == NULL || t->app->naccept != accepts + 1)
		return false;
	CHECK(tf_state(t) == TF_ESTABLISHED, "%s:%d: state %u after the handshake", file, line,
	      tf_state(t));
	return h_expect_none_at(t->h, file, line);
}

bool
tf_connect_at(struct tf_conn *t, const char *file, int line)
{
	struct tf_seg want, got;
	int rc;

	t->app->conn = NULL;
	rc = stk_tcp_connect(t->h->in, 0, 0, H_PEER_IP, rte_cpu_to_be_16(t->pport), &tf_upcalls,
			     t->app, &t->c);
	h_poll(t->h);
	CHECK(rc == 0, "%s:%d: stk_tcp_connect: %d", file, line, rc);
	if (rc != 0 || !take_seg(t->h, &got, &frame_buf, file, line))
		return false;
	/* Our SYN offers everything: MSS, window scale, SACK, timestamps. */
	t->port = got.sport;
	t->iss = got.seq;
	t->snd = t->iss;
	want = (struct tf_seg){ .sport = t->port, .dport = t->pport, .seq = t->iss,
				.flags = TF_SYN, .win = (uint16_t)RTE_MIN(t->rcvbuf, 65535u) };
	want.o = (struct tf_opts){ .mss_on = true, .mss = t->mss, .ws_on = true,
				   .ws = model_ws(t->rcvbuf), .sack_ok = true, .ts_on = true };
	CHECK(t->port >= 49152, "%s:%d: local port %u not ephemeral", file, line, t->port);
	if (!match_or_dump(&got, &want, file, line))
		return false;
	model_learn(t, &got, file, line);
	return true;
}

struct tf_seg
tf_synack(struct tf_conn *t, const struct tf_syn *syn)
{
	struct tf_seg s = { .sport = t->pport, .dport = t->port, .seq = t->irs, .ack = t->snd,
			    .flags = TF_SYN | TF_ACK, .win = syn->win };

	s.o = syn_opts(syn, ++t->pts, syn->ts_on ? t->stack_ts : 0);
	model_negotiated(t, syn);
	t->rcv = t->irs + 1;
	t->ts_recent = syn->ts_on ? t->pts : 0;
	return s;
}

bool
tf_active_open_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line)
{
	unsigned int conns = t->app->nconnected;
	struct tf_seg s;

	if (!tf_connect_at(t, file, line))
		return false;
	s = tf_synack(t, syn);
	inject_seg(t->h, &s);
	if (!tf_expect_at(t, TF_ACK, NULL, 0, file, line))
		return false;
	CHECK(t->app->nconnected == conns + 1 && t->app->connected_err == 0,
	      "%s:%d: connected upcall %u times, err %d", file, line,
	      t->app->nconnected - conns, t->app->connected_err);
	CHECK(tf_state(t) == TF_ESTABLISHED, "%s:%d: state %u after the handshake", file, line,
	      tf_state(t));
	return t->app->nconnected == conns + 1 && h_expect_none_at(t->h, file, line);
}

struct tf_seg
tf_want(const struct tf_conn *t, uint8_t flags, const void *data, uint32_t len)
{
	struct tf_seg w = { .sport = t->port, .dport = t->pport, .seq = t->snd, .ack = t->rcv,
			    .flags = flags, .win = t->win, .data = data, .len = len };

	if (flags & TF_RST)
		w.win = 0; /* a RST offers no window (as BSD's do) */
	w.o.ts_on = t->ts;
	w.o.tsecr = t->ts ? t->ts_recent : 0;
	return w;
}

bool
tf_expect_seg_at(struct tf_conn *t, const struct tf_seg *want, struct tf_seg *out,
		 const char *file, int line)
{
	struct tf_seg got;

	if (!take_seg(t->h, &got, &frame_buf, file, line))
		return false;
	if (out != NULL)
		*out = got;
	if (!match_or_dump(&got, want, file, line))
		return false;
	model_learn(t, &got, file, line);
	return true;
}

bool
tf_expect_at(struct tf_conn *t, uint8_t flags, const void *data, uint32_t len, const char *file,
	     int line)
{
	struct tf_seg w = tf_want(t, flags, data, len);

	return tf_expect_seg_at(t, &w, NULL, file, line);
}

struct tf_seg
tf_peer(struct tf_conn *t, uint8_t flags, const void *data, uint32_t len)
{
	struct tf_seg s = { .sport = t->pport, .dport = t->port, .seq = t->rcv, .ack = t->snd,
			    .flags = flags, .win = t->pwin, .data = data, .len = len };

	if (t->ts) {
		s.o.ts_on = true;
		s.o.tsval = ++t->pts;
		s.o.tsecr = t->stack_ts;
	}
	return s;
}

/* Would the stack accept @p s (RFC 9293 3.10.7.4 first check, from what it advertised)? */
static bool
model_acceptable(const struct tf_conn *t, const struct tf_seg *s)
{
	uint32_t wnd = (uint32_t)t->win << t->ws;
	uint32_t n = s->len + !!(s->flags & TF_SYN) + !!(s->flags & TF_FIN);

	if (n == 0)
		return wnd == 0 ? s->seq == t->rcv : s->seq - t->rcv < wnd;
	return wnd != 0 && (s->seq - t->rcv < wnd || s->seq + n - 1 - t->rcv < wnd);
}

void
tf_inject(struct tf_conn *t, const struct tf_seg *s)
{
	/* RFC 7323 4.3: TS.Recent from an acceptable segment covering Last.ACK.sent. */
	if (t->ts && s->o.ts_on && !(s->flags & (TF_RST | TF_SYN)) && model_acceptable(t, s) &&
	    SEQ_LEQ(s->seq, t->last_ack) && (int32_t)(s->o.tsval - t->ts_recent) >= 0)
		t->ts_recent = s->o.tsval;
	inject_seg(t->h, s);
}

void
tf_send(struct tf_conn *t, uint8_t flags, const void *data, uint32_t len)
{
	struct tf_seg s = tf_peer(t, flags, data, len);

	tf_inject(t, &s);
	t->rcv += len + !!(flags & TF_SYN) + !!(flags & TF_FIN);
}

int
tf_app_send(struct tf_conn *t, const void *data, uint32_t len, void *ctx, uint32_t flags)
{
	int rc = stk_tcp_send(t->c, h_payload(t->h, data, len), ctx, flags);

	h_poll(t->h); /* what the call queued leaves in the poll's TX flush */
	return rc;
}

bool
tf_close_rst_at(struct tf_conn *t, const char *file, int line)
{
	bool ok;

	stk_tcp_close(t->c);
	t->c = NULL;
	h_poll(t->h);
	ok = tf_expect_at(t, TF_RST | TF_ACK, NULL, 0, file, line);
	return h_expect_none_at(t->h, file, line) && ok;
}

struct stk_tcp_info
tf_info(const struct tf_conn *t)
{
	struct stk_tcp_info i;

	stk_tcp_info(t->c, &i);
	return i;
}

unsigned int
tf_state(const struct tf_conn *t)
{
	return tf_info(t).state;
}

void
tf_close_conn(struct tf_conn *t, struct stk_tcp_conn *l)
{
	struct h *h = t->h;

	tf_close_rst(t);
	stk_tcp_close(l);
	h_destroy(h);
}
