/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * More TCP packet scripts: SYN cookies when the SYN queue is full (RFC 4987
 * 3.6): the stateless SYN-ACK and its options, the connection a valid
 * cookie ACK makes (MSS from the cookie table, window scale and SACK from
 * the echoed TSecr), forged and expired cookies; RFC 1337 (RST ignored in
 * TIME-WAIT); Limited Transmit (RFC 3042) then fast retransmit; and
 * stk_tcp_abort() (no reset upcall, sends fail with ECONNABORTED, RST).
 */
#include <string.h>

#include "tcp_frames.h"

#define MS STK_NS_PER_MS
#define S STK_NS_PER_S
#define MSL2 (60 * S) /* 2 * the default MSL of 30 s */

static struct tf_app app;
static uint8_t data[65536];

/* Inject @p s (a raw segment from the peer) and poll. */
static void
inject(struct h *h, const struct tf_seg *s)
{
	static uint8_t frame[H_FRAME_MAX];

	h_inject(h, frame, tf_build(frame, s));
}

#define expect_seg(h, w) h_expect((h), tf_chk, (w), NULL)

static struct stk_tcp_conn *
listen_backlog(struct h *h, struct tf_app *a, uint32_t backlog)
{
	struct stk_tcp_conn *l = NULL;
	int rc = stk_tcp_listen(h->in, 0, rte_cpu_to_be_16(TF_PORT), backlog, 0, &tf_upcalls, a,
				&l);

	CHECK(rc == 0 && l != NULL, "stk_tcp_listen: %d", rc);
	return l;
}

/* The peer acknowledges up to @p ack (the model's snd stays). */
static void
peer_ack_to(struct tf_conn *t, uint32_t ack)
{
	struct tf_seg s = tf_peer(t, TF_ACK, NULL, 0);

	s.ack = ack;
	tf_inject(t, &s);
}

/* The RST a listener answers an ACK with: <SEQ=SEG.ACK><CTL=RST>, no options. */
static struct tf_seg
rst_for_ack(const struct tf_seg *s)
{
	struct tf_seg r = { .sport = s->dport, .dport = s->sport, .seq = s->ack,
			    .flags = TF_RST };

	return r;
}

/* Data from the stack in segments of @p mss; Nagle holds a last partial one. */
static void
expect_segments(struct tf_conn *t, uint32_t off, uint32_t len, uint32_t mss)
{
	uint32_t full = len / mss * mss, end = off + len;

	for (; off < end - (len - full); off += mss)
		tf_expect(t, TF_ACK | (off + mss == end ? TF_PSH : 0), data + off, mss);
	if (off == end)
		return;
	if (full > 0) {
		h_expect_none(t->h);
		tf_send_ack(t);
	}
	tf_expect(t, TF_ACK | TF_PSH, data + off, end - off);
}

/* ------------------------------------------------------------------------ */
/* 1. SYN cookies                                                            */
/* ------------------------------------------------------------------------ */

/*
 * The peer of @p t sends a SYN offering @p syn while the SYN queue is full:
 * CHECK the stateless SYN-ACK (ack IRS+1, window 65535, MSS ours; TS with
 * TSecr = the SYN's TSval if offered; WS and SACK-permitted echoed only
 * with TS), the counter, and that no connection was made. The model takes
 * the cookie as ISS and what was negotiated.
 */
static bool
cookie_syn_at(struct tf_conn *t, const struct tf_syn *syn, const char *file, int line)
{
	struct tf_seg s = { .sport = t->pport, .dport = t->port, .seq = t->irs, .flags = TF_SYN,
			    .win = syn->win };
	struct tf_seg want, got;
	struct h_frame f;
	char why[256] = "";
	bool ts = syn->ts_on, ok;
	uint32_t now_ms;

	s.o = (struct tf_opts){ .mss_on = syn->mss_on, .mss = syn->mss, .ws_on = syn->ws_on,
				.ws = syn->ws, .sack_ok = syn->sack_ok, .ts_on = ts,
				.tsval = ++t->pts };
	h_mark(t->h);
	inject(t->h, &s);
	now_ms = (uint32_t)(t->h->now / MS);
	if (!h_take(t->h, &f)) {
		CHECK(false, "%s:%d: no SYN-ACK to a SYN with the queue full", file, line);
		return false;
	}
	if (!tf_parse(&f, &got, why, sizeof(why))) {
		CHECK(false, "%s:%d: bad SYN-ACK: %s", file, line, why);
		return false;
	}
	want = (struct tf_seg){ .sport = t->port, .dport = t->pport, .seq = got.seq,
				.ack = t->irs + 1, .flags = TF_SYN | TF_ACK, .win = 65535 };
	want.o.mss_on = true;
	want.o.mss = t->mss;
	want.o.ws_on = syn->ws_on && ts;
	want.o.ws = TF_WS;
	want.o.sack_ok = syn->sack_ok && ts;
	want.o.ts_on = ts;
	want.o.tsecr = ts ? t->pts : 0;
	ok = tf_match(&got, &want, why, sizeof(why));
	CHECK(ok, "%s:%d: cookie SYN-ACK: %s", file, line, why);
	if (!ok) {
		tf_print("got     ", &got);
		tf_print("expected", &want);
		return false;
	}
	if (ts) {
		/* The peer's WS (15: none) and SACK-permitted ride in the low TSval bits. */
		CHECK(got.o.tsval != 0, "%s:%d: TSval 0", file, line);
		CHECK((got.o.tsval & 0xf) == (syn->ws_on ? RTE_MIN(syn->ws, 14u) : 0xfu),
		      "%s:%d: TSval %#x does not carry WS %u", file, line, got.o.tsval, syn->ws);
		CHECK(!!(got.o.tsval & 0x10) == syn->sack_ok, "%s:%d: TSval %#x SACK bit",
		      file, line, got.o.tsval);
		/*
		 * The encoded TSval must not exceed the clock, or the connection's next
		 * segments would carry a smaller TSval (RFC 7323 5.4) and the peer's
		 * PAWS would drop them (a regression test: (now & ~63) | bits did).
		 */
		CHECK((int32_t)(got.o.tsval - now_ms) <= 0,
		      "%s:%d: cookie TSval %u ahead of the clock %u", file, line,
		      got.o.tsval, now_ms);
	}
	CHECK(h_cnt(t->h, STK_CNT_TCP_SYNCOOKIES_SENT) == 1,
	      "%s:%d: syncookies_sent +%" PRIu64, file, line,
	      h_cnt(t->h, STK_CNT_TCP_SYNCOOKIES_SENT));
	CHECK(h_cnt(t->h, STK_CNT_TCP_PASSIVE_OPENS) == 0, "%s:%d: a passive open was counted",
	      file, line);
	h_drops_at(t->h, STK_DROP_NONE, 0, file, line);
	/* The model: the cookie is our ISS; options as the SYN-ACK set them. */
	t->iss = got.seq;
	t->snd = t->iss + 1;
	t->rcv = t->irs + 1;
	t->ts = ts;
	t->ws_on = want.o.ws_on;
	t->ws = t->ws_on ? TF_WS : 0;
	t->pws = t->ws_on ? (uint8_t)RTE_MIN(syn->ws, 14) : 0;
	t->sack = want.o.sack_ok;
	t->win = (uint16_t)(RTE_MIN(t->rcvbuf, 65535u << t->ws) >> t->ws);
	t->pwin = syn->win;
	t->ts_recent = ts ? t->pts : 0;
	t->stack_ts = ts ? got.o.tsval : 0;
	t->last_ack = t->irs + 1;
	return h_expect_none_at(t->h, file, line);
}
#define cookie_syn(t, syn) cookie_syn_at((t), (syn), __FILE__, __LINE__)

/*
 * The peer's ACK echoing the cookie: the accept upcall, ESTABLISHED,
 * syncookies_ok +1. @return true if t->c is the new connection.
 */
static bool
cookie_ack_at(struct tf_conn *t, const char *file, int line)
{
	unsigned int accepts = t->app->naccept;

	h_mark(t->h);
	tf_send_ack(t);
	CHECK(t->app->naccept == accepts + 1, "%s:%d: the cookie ACK made no connection (accept +%u)",
	      file, line, t->app->naccept - accepts);
	if (t->app->naccept != accepts + 1)
		return false;
	t->c = t->app->conn;
	CHECK(t->app->peer.fport == rte_cpu_to_be_16(t->pport) &&
	      t->app->peer.faddr == H_PEER_IP && t->app->peer.lport == RTE_BE16(TF_PORT),
	      "%s:%d: accept upcall: wrong addresses", file, line);
	CHECK(h_cnt(t->h, STK_CNT_TCP_SYNCOOKIES_OK) == 1, "%s:%d: syncookies_ok +%" PRIu64,
	      file, line, h_cnt(t->h, STK_CNT_TCP_SYNCOOKIES_OK));
	CHECK(h_cnt(t->h, STK_CNT_TCP_PASSIVE_OPENS) == 1, "%s:%d: passive opens +%" PRIu64,
	      file, line, h_cnt(t->h, STK_CNT_TCP_PASSIVE_OPENS));
	CHECK(tf_state(t) == TF_ESTABLISHED, "%s:%d: state %u", file, line, tf_state(t));
	h_drops_at(t->h, STK_DROP_NONE, 0, file, line);
	return h_expect_none_at(t->h, file, line);
}
#define cookie_ack(t) cookie_ack_at((t), __FILE__, __LINE__)

struct cookie_variant {
	const char *name;
	struct tf_syn syn;
	uint16_t table_mss; /**< the cookie table's value at or below the peer's MSS */
};

static const struct cookie_variant cookie_variants[] = {
	{ "everything, MSS 1460", { .mss_on = true, .mss = 1460, .ws_on = true, .ws = 7,
				    .sack_ok = true, .ts_on = true, .win = 65535 }, 1460 },
	{ "MSS 1300, WS and SACK but no TS", { .mss_on = true, .mss = 1300, .ws_on = true,
					       .ws = 2, .sack_ok = true, .win = 16000 }, 1300 },
	{ "MSS 1000, TS, WS 2, no SACK", { .mss_on = true, .mss = 1000, .ws_on = true, .ws = 2,
					   .ts_on = true, .win = 16000 }, 536 },
	{ "MSS 1440, TS, SACK, no WS", { .mss_on = true, .mss = 1440, .sack_ok = true,
					 .ts_on = true, .win = 30000 }, 1440 },
	{ "MSS 1400, TS, WS 15", { .mss_on = true, .mss = 1400, .ws_on = true, .ws = 15,
				   .ts_on = true, .win = 8 }, 1380 },
	{ "no options", { .win = 65535 }, 536 },
};

/*
 * Backlog 1: a first SYN fills the queue; a second gets a cookie; its ACK
 * makes the connection with the cookie's MSS and the options the TSecr
 * brings back; data both ways; SACK blocks iff negotiated.
 */
static void
test_cookie_variants(void)
{
	unsigned int v;

	for (v = 0; v < RTE_DIM(cookie_variants); v++) {
		const struct cookie_variant *va = &cookie_variants[v];
		struct h *h = h_create(NULL);
		struct stk_tcp_conn *l;
		struct tf_conn t1, t;
		struct stk_tcp_info i;
		struct tf_seg s, w;
		uint32_t base;

		fprintf(stderr, "cookie variant: %s\n", va->name);
		tf_app_init(&app);
		l = listen_backlog(h, &app, 1);
		tf_conn_init(&t1, h, &app, TF_PEER_PORT);
		tf_conn_init(&t, h, &app, (uint16_t)(TF_PEER_PORT + 1 + v));
		if (!tf_syn_in(&t1, &tf_syn_all) || !cookie_syn(&t, &va->syn))
			goto out;
		/* No block behind the cookie: a RST on its 4-tuple finds only the listener. */
		s = tf_peer(&t, TF_RST, NULL, 0);
		s.o.ts_on = false;
		h_mark(h);
		inject(h, &s);
		h_expect_none(h);
		h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
		if (!cookie_ack(&t))
			goto out;
		CHECK_EQ(app.naccept, 1); /* the first SYN's child is still waiting */
		i = tf_info(&t);
		CHECK_EQ(i.mss, va->table_mss - (va->syn.ts_on ? 12u : 0u));
		CHECK_EQ(i.ts, t.ts);
		CHECK_EQ(i.sack, t.sack);
		CHECK_EQ(i.snd_wscale, t.pws);
		CHECK_EQ(i.rcv_wscale, t.ws);
		CHECK_EQ(i.snd_wnd, (uint32_t)va->syn.win << t.pws);
		CHECK_EQ(i.snd_una, t.iss + 1);
		CHECK_EQ(i.rcv_nxt, t.irs + 1);
		/* Data both ways: the peer's up, ours in segments of the cookie's MSS. */
		h_fill(data, 8 * 1460, v + 1);
		tf_send(&t, TF_ACK | TF_PSH, data, 100);
		CHECK(app.len == 100 && memcmp(app.data, data, 100) == 0, "%u bytes up", app.len);
		CHECK_EQ(tf_app_send(&t, data, i.mss * 5 / 2, NULL, 0), 0);
		expect_segments(&t, 0, i.mss * 5 / 2, i.mss);
		tf_send_ack(&t);
		CHECK_EQ(app.nsent, 1);
		/* Out of order: the duplicate ACK has a SACK block iff SACK was negotiated. */
		base = app.len;
		s = tf_peer(&t, TF_ACK | TF_PSH, data + 200, 100);
		s.seq = t.rcv + 100;
		tf_inject(&t, &s);
		w = tf_want(&t, TF_ACK, NULL, 0);
		if (t.sack) {
			w.o.nb_sack = 1;
			w.o.sack[0][0] = t.rcv + 100;
			w.o.sack[0][1] = t.rcv + 200;
		}
		tf_expect_seg(&t, &w, NULL);
		tf_send(&t, TF_ACK | TF_PSH, data + 100, 100);
		t.rcv += 100;
		h_advance(h, 200 * MS); /* the ACK of the filled hole, now or delayed */
		tf_expect_ack(&t);
		CHECK(app.len == base + 200 && memcmp(app.data + base, data + 100, 200) == 0,
		      "%u bytes up after the hole", app.len - base);
		tf_close_rst(&t);
		/* The listener goes: the first SYN's child, still in SYN-RECEIVED, goes
		 * silently (as in FreeBSD and Linux). */
		stk_tcp_close(l);
		h_poll(h);
		h_expect_none(h);
		h_destroy(h);
		continue;
out:
		stk_tcp_close(l);
		h_poll(h);
		h_drain(h);
		h_destroy(h);
	}
}

/*
 * Forged cookie ACKs (wrong ack, wrong seq, a 4-tuple that never sent a
 * SYN) draw <SEQ=SEG.ACK><CTL=RST> and a tcp_listen_bad drop and make
 * nothing; a valid cookie still works 100 s later; one 129 s old is
 * rejected the same way.
 */
static void
test_cookie_forged_expired(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct tf_conn t1, t2, t3, t4;
	struct tf_seg s, r;

	tf_app_init(&app);
	l = listen_backlog(h, &app, 1);
	tf_conn_init(&t1, h, &app, TF_PEER_PORT);
	tf_conn_init(&t2, h, &app, TF_PEER_PORT + 1);
	tf_conn_init(&t3, h, &app, TF_PEER_PORT + 2);
	tf_conn_init(&t4, h, &app, TF_PEER_PORT + 3);
	if (!tf_syn_in(&t1, &tf_syn_none) || !cookie_syn(&t2, &tf_syn_all) ||
	    !cookie_syn(&t4, &tf_syn_all))
		goto out;
	/* Wrong ack, by +1 and -1, and an old cookie's neighbour. */
	{
		static const int32_t off[] = { 1, -1, 0x01000000 };
		unsigned int k;

		for (k = 0; k < RTE_DIM(off); k++) {
			s = tf_peer(&t2, TF_ACK, NULL, 0);
			s.ack = t2.snd + (uint32_t)off[k];
			h_mark(h);
			inject(h, &s);
			r = rst_for_ack(&s);
			expect_seg(h, &r);
			h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
			CHECK_EQ(h_cnt(h, STK_CNT_TCP_SYNCOOKIES_OK), 0);
			CHECK_EQ(h_cnt(h, STK_CNT_TCP_PASSIVE_OPENS), 0);
		}
	}
	/* Right ack, wrong seq (another peer ISN). */
	s = tf_peer(&t2, TF_ACK, NULL, 0);
	s.seq = t2.rcv + 1;
	h_mark(h);
	inject(h, &s);
	r = rst_for_ack(&s);
	expect_seg(h, &r);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
	/* Right seq and ack, from a port that never sent a SYN. */
	s = tf_peer(&t2, TF_ACK, NULL, 0);
	s.sport = t3.pport;
	h_mark(h);
	inject(h, &s);
	r = rst_for_ack(&s);
	expect_seg(h, &r);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
	CHECK_EQ(app.naccept, 0);
	/* The first child completes (the queue empties); it stays idle. */
	tf_send_ack(&t1);
	CHECK_EQ(app.naccept, 1);
	t1.c = app.conn;
	/* 100 s later (the next 64-s slot) t2's cookie is still good. */
	h_advance(h, 100 * S);
	h_expect_none(h);
	if (cookie_ack(&t2)) {
		CHECK_EQ(tf_info(&t2).mss, TF_MSS_TS);
		h_fill(data, 300, 7);
		CHECK_EQ(tf_app_send(&t2, data, 300, NULL, 0), 0);
		tf_expect(&t2, TF_ACK | TF_PSH, data, 300);
		tf_close_rst(&t2);
	}
	/* 129 s after it was made, t4's equally valid cookie is too old. */
	h_advance(h, 29 * S);
	h_expect_none(h);
	s = tf_peer(&t4, TF_ACK, NULL, 0);
	h_mark(h);
	inject(h, &s);
	r = rst_for_ack(&s);
	expect_seg(h, &r);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_SYNCOOKIES_OK), 0);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_PASSIVE_OPENS), 0);
	CHECK_EQ(app.naccept, 2);
	if (t1.c != NULL)
		tf_close_rst(&t1);
	stk_tcp_close(l);
	h_poll(h);
	h_destroy(h); /* nothing more may have been sent */
	return;
out:
	stk_tcp_close(l);
	h_poll(h);
	h_drain(h);
	h_destroy(h);
}

/*
 * The cookie SYN-ACK's TSval and the connection's next TSvals: at a clock
 * of 1024 ms (a multiple of 64), the low bits would put the cookie's TSval
 * ahead of the clock. The model CHECKs TSvals never go back.
 */
static void
test_cookie_tsval_monotonic(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct tf_conn t1, t;

	tf_app_init(&app);
	l = listen_backlog(h, &app, 1);
	tf_conn_init(&t1, h, &app, TF_PEER_PORT);
	tf_conn_init(&t, h, &app, TF_PEER_PORT + 1);
	h_advance(h, (1024 - (uint32_t)(h->now / MS)) * MS);
	CHECK_EQ((uint32_t)(h->now / MS), 1024);
	if (tf_syn_in(&t1, &tf_syn_none) && cookie_syn(&t, &tf_syn_all) && cookie_ack(&t)) {
		h_fill(data, 100, 3);
		CHECK_EQ(tf_app_send(&t, data, 100, NULL, 0), 0);
		/* This segment's TSval must not be below the cookie's. */
		tf_expect(&t, TF_ACK | TF_PSH, data, 100);
		tf_close_rst(&t);
		stk_tcp_close(l);
		h_poll(h);
		h_expect_none(h); /* t1's child goes silently with its listener */
		h_destroy(h);
		return;
	}
	stk_tcp_close(l);
	h_poll(h);
	h_drain(h);
	h_destroy(h);
}

/* ------------------------------------------------------------------------ */
/* 2. RFC 1337: no TIME-WAIT assassination                                   */
/* ------------------------------------------------------------------------ */

static void
test_timewait_rst(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct tf_seg s, r;

	tf_app_init(&app);
	l = listen_backlog(h, &app, 0);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	if (!tf_passive_open(&t, &tf_syn_all))
		goto out;
	/* Active close into TIME-WAIT. */
	CHECK_EQ(stk_tcp_shutdown(t.c, (void *)1), 0);
	h_poll(h);
	{
		struct tf_seg w = tf_want(&t, TF_FIN | TF_ACK, NULL, 0);

		w.flags_any = TF_PSH;
		tf_expect_seg(&t, &w, NULL);
	}
	tf_send_ack(&t);
	CHECK_EQ(tf_state(&t), TF_FIN_WAIT_2);
	tf_send(&t, TF_FIN | TF_ACK, NULL, 0);
	tf_expect_ack(&t);
	CHECK_EQ(tf_state(&t), TF_TIME_WAIT);
	/* A RST at RCV.NXT (in window): ignored, no answer, tcp_tw_rst. */
	s = tf_peer(&t, TF_RST, NULL, 0);
	h_mark(h);
	tf_inject(&t, &s);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_TW_RST, 1);
	CHECK_EQ(tf_state(&t), TF_TIME_WAIT);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RST_RX), 0);
	/* Half-way through, RST|ACK: the same. */
	h_advance(h, 30 * S);
	h_expect_none(h);
	s = tf_peer(&t, TF_RST | TF_ACK, NULL, 0);
	h_mark(h);
	tf_inject(&t, &s);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_TW_RST, 1);
	CHECK_EQ(tf_state(&t), TF_TIME_WAIT);
	CHECK_EQ(app.nreset, 0);
	/* The block stays until 2*MSL from the start of TIME-WAIT, then goes. */
	h_advance(h, MSL2 - 30 * S - MS);
	h_expect_none(h);
	CHECK_EQ(tf_state(&t), TF_TIME_WAIT);
	h_advance(h, MS);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	CHECK_EQ(app.nreset, 0);
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	/* Now only the listener answers on the 4-tuple. */
	s = tf_peer(&t, TF_ACK, NULL, 0);
	h_mark(h);
	tf_inject(&t, &s);
	r = rst_for_ack(&s);
	expect_seg(h, &r);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
out:
	stk_tcp_close(l);
	h_destroy(h);
}

/* ------------------------------------------------------------------------ */
/* 3. Limited Transmit (RFC 3042)                                            */
/* ------------------------------------------------------------------------ */

static void
test_limited_transmit(void)
{
	/* No SACK: the NewReno duplicate-ACK path. */
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .ws_on = true, .ws = 7,
					   .ts_on = true, .win = 65535 };
	const uint32_t mss = TF_MSS_TS, iw = 10, nseg = 14;
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct tf_seg w;
	uint32_t una, cwnd, k;

	tf_app_init(&app);
	l = listen_backlog(h, &app, 0);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	if (!tf_passive_open(&t, &syn))
		goto out;
	cwnd = tf_info(&t).cwnd;
	CHECK_EQ(cwnd, iw * mss); /* RFC 6928: 10 segments, the window that limits us */
	h_fill(data, nseg * mss, 5);
	una = t.snd;
	h_mark(h);
	CHECK_EQ(tf_app_send(&t, data, nseg * mss, (void *)1, 0), 0);
	for (k = 0; k < iw; k++)
		tf_expect(&t, TF_ACK, data + k * mss, mss);
	h_expect_none(h); /* cwnd full, 4 segments queued */
	/* Duplicate ACKs 1 and 2: one new segment each, cwnd unchanged. */
	for (k = 0; k < 2; k++) {
		peer_ack_to(&t, una);
		tf_expect(&t, TF_ACK, data + (iw + k) * mss, mss);
		h_expect_none(h);
		CHECK_EQ(tf_info(&t).cwnd, cwnd);
		CHECK_EQ(tf_info(&t).snd_una, una);
	}
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RETRANSMITS), 0);
	/* The third: fast retransmit of the first unacknowledged segment, alone. */
	peer_ack_to(&t, una);
	w = tf_want(&t, TF_ACK, data, mss);
	w.seq = una;
	tf_expect_seg(&t, &w, NULL);
	h_expect_none(h);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RETRANSMITS), 1);
	CHECK(tf_info(&t).cwnd < cwnd + 3 * mss, "cwnd %u not reduced", tf_info(&t).cwnd);
	h_expect_drops(h, STK_DROP_NONE, 0);
	/* Everything sent acknowledged: recovery ends, the last two segments go. */
	tf_send_ack(&t);
	tf_expect(&t, TF_ACK, data + 12 * mss, mss);
	tf_expect(&t, TF_ACK | TF_PSH, data + 13 * mss, mss);
	h_expect_none(h);
	tf_send_ack(&t);
	CHECK(app.nsent == 1 && app.sent_err[0] == 0 && app.sent_bytes[0] == nseg * mss,
	      "sent %u err %d bytes %u", app.nsent, app.sent_err[0], app.sent_bytes[0]);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RETRANSMITS), 1);
	tf_close_rst(&t);
out:
	stk_tcp_close(l);
	h_destroy(h);
}

/* ------------------------------------------------------------------------ */
/* 4. stk_tcp_abort                                                          */
/* ------------------------------------------------------------------------ */

static void
test_abort(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct tf_conn t;
	uint32_t mss = TF_MSS_TS;
	struct tf_seg s, r;

	tf_app_init(&app);
	l = listen_backlog(h, &app, 0);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	if (!tf_passive_open(&t, &tf_syn_all))
		goto out;
	h_fill(data, 4000, 8);
	/* Two full segments out, 104 bytes and a second send held by Nagle. */
	CHECK_EQ(tf_app_send(&t, data, 3000, (void *)1, 0), 0);
	tf_expect(&t, TF_ACK, data, mss);
	tf_expect(&t, TF_ACK, data + mss, mss);
	h_expect_none(h);
	CHECK_EQ(tf_app_send(&t, data + 3000, 500, (void *)2, 0), 0);
	h_expect_none(h);
	CHECK_EQ(app.nsent, 0);
	h_mark(h);
	stk_tcp_abort(t.c);
	h_poll(h);
	/* The peer sees RST|ACK at SND.NXT. */
	tf_expect(&t, TF_RST | TF_ACK, NULL, 0);
	h_expect_none(h);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RST_TX), 1);
	/* Both sends complete, in order, with ECONNABORTED; no reset upcall. */
	CHECK(app.nsent == 2 && app.sent_ctx[0] == (void *)1 && app.sent_ctx[1] == (void *)2 &&
	      app.sent_err[0] == STK_TCP_ECONNABORTED && app.sent_err[1] == STK_TCP_ECONNABORTED,
	      "sent %u: ctx %p %p err %d %d", app.nsent, app.sent_ctx[0], app.sent_ctx[1],
	      app.sent_err[0], app.sent_err[1]);
	CHECK_EQ(app.nreset, 0);
	CHECK_EQ(app.nshut, 0);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	CHECK_EQ(tf_info(&t).send_queued, 0);
	/* Sending is refused; nothing else happens, nor on close. */
	CHECK_EQ(stk_tcp_send(t.c, h_payload(h, data, 10), NULL, 0), STK_ESTATE);
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	CHECK_EQ(app.nsent, 2);
	CHECK_EQ(app.nreset, 0);
	/* The peer's next segment finds only the listener. */
	s = tf_peer(&t, TF_ACK, NULL, 0);
	h_mark(h);
	tf_inject(&t, &s);
	r = rst_for_ack(&s);
	expect_seg(h, &r);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
out:
	stk_tcp_close(l);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_cookie_variants();
	test_cookie_forged_expired();
	test_cookie_tsval_monotonic();
	test_timewait_rst();
	test_limited_transmit();
	test_abort();
	test_eal_finish();
	return check_done();
}
