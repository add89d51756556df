/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection establishment (RFC 9293 3.5, 3.10.7.1-3): passive open
 * with every option set negotiated or not, MSS clamped to the port MTU,
 * RST for closed ports, what a listener does with segments that are not a
 * SYN, accept refused, SYN-ACK retransmission, active open, RST and bad
 * ACKs in SYN-SENT, SYN retransmission with backoff and ETIMEDOUT, and
 * simultaneous open.
 */
#include <string.h>

#include "tcp_frames.h"

static struct tf_app app;
static uint8_t data[65536];

/* Inject @p s (a raw segment from the peer) and poll. */
static void
inject(struct h *h, const struct tf_seg *s)
{
	static uint8_t frame[H_FRAME_MAX];

	h_inject(h, frame, tf_build(frame, s));
}

/* Expect the stack to send exactly @p w. */
#define expect_seg(h, w) h_expect((h), tf_chk, (w), NULL)

/*
 * The stack sends @p len bytes from offset @p off in full segments of
 * @p mss; Nagle (RFC 9293 3.7.4) holds a last partial segment until the
 * peer acknowledges what is in flight.
 */
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

/* Passive open with every option: SYN-ACK, accept upcall, negotiated values. */
static void
test_passive_all(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct stk_tcp_info i;
	struct tf_conn t;

	tf_app_init(&app);
	l = tf_listen(h, &app);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	if (tf_passive_open(&t, &tf_syn_all)) {
		CHECK(app.peer.laddr == H_OUR_IP && app.peer.lport == RTE_BE16(TF_PORT) &&
		      app.peer.faddr == H_PEER_IP && app.peer.fport == RTE_BE16(TF_PEER_PORT),
		      "accept upcall: wrong addresses");
		i = tf_info(&t);
		CHECK_EQ(i.mss, TF_MSS_TS);
		CHECK_EQ(i.snd_wscale, 7);
		CHECK_EQ(i.rcv_wscale, TF_WS);
		CHECK(i.ts && i.sack, "timestamps %d SACK %d not negotiated", i.ts, i.sack);
		CHECK_EQ(i.snd_wnd, 65535u << 7);
		CHECK_EQ(i.snd_una, t.iss + 1);
		CHECK_EQ(i.rcv_nxt, t.irs + 1);
		CHECK_EQ(h_cnt(h, STK_CNT_TCP_PASSIVE_OPENS), 1);
		CHECK_EQ(h_cnt(h, STK_CNT_TCP_ESTABLISHED), 1);
		h_expect_drops(h, STK_DROP_NONE, 0);
		/* Data both ways with the negotiated MSS and window fields. */
		h_fill(data, 3000, 1);
		tf_send(&t, TF_ACK | TF_PSH, data, 100);
		CHECK(app.len == 100 && memcmp(app.data, data, 100) == 0, "100 bytes not received");
		CHECK_EQ(tf_app_send(&t, data, 3000, NULL, 0), 0);
		expect_segments(&t, 0, 3000, TF_MSS_TS);
		tf_close_rst(&t);
	}
	stk_tcp_close(l);
	h_destroy(h);
}

/* One variant of the peer's SYN: what it offers and what must follow. */
struct variant {
	const char *name;
	struct tf_syn syn;
	uint32_t smss;  /**< the stack's send MSS */
};

static const struct variant variants[] = {
	{ "no options", { .win = 65535 }, 536 },
	{ "MSS only", { .mss_on = true, .mss = 1000, .win = 65535 }, 1000 },
	{ "MSS 9000 clamped", { .mss_on = true, .mss = 9000, .win = 65535 }, TF_MSS },
	{ "MSS 500", { .mss_on = true, .mss = 500, .win = 65535 }, 500 },
	{ "no WS", { .mss_on = true, .mss = 1460, .sack_ok = true, .ts_on = true, .win = 65535 },
	  TF_MSS_TS },
	{ "no TS", { .mss_on = true, .mss = 1460, .ws_on = true, .ws = 2, .sack_ok = true,
		     .win = 16000 }, TF_MSS },
	{ "no SACK", { .mss_on = true, .mss = 1460, .ws_on = true, .ws = 0, .ts_on = true,
		       .win = 30000 }, TF_MSS_TS },
	{ "WS 14 and more", { .mss_on = true, .mss = 1460, .ws_on = true, .ws = 15,
			      .win = 4 }, TF_MSS },
};

/* Passive open for each variant: options answered, MSS, scaling, segmentation. */
static void
test_passive_variants(void)
{
	unsigned int v;

	for (v = 0; v < RTE_DIM(variants); v++) {
		const struct variant *va = &variants[v];
		struct h *h = h_create(NULL);
		struct stk_tcp_conn *l;
		struct stk_tcp_info i;
		struct tf_conn t;

		fprintf(stderr, "variant: %s\n", va->name);
		tf_app_init(&app);
		l = tf_listen(h, &app);
		tf_conn_init(&t, h, &app, (uint16_t)(TF_PEER_PORT + v));
		if (tf_passive_open(&t, &va->syn)) {
			i = tf_info(&t);
			CHECK_EQ(i.mss, va->smss);
			CHECK_EQ(i.ts, va->syn.ts_on);
			CHECK_EQ(i.sack, va->syn.sack_ok);
			CHECK_EQ(i.snd_wscale, va->syn.ws_on ? RTE_MIN(va->syn.ws, 14) : 0);
			CHECK_EQ(i.rcv_wscale, va->syn.ws_on ? TF_WS : 0);
			CHECK_EQ(i.snd_wnd, (uint32_t)va->syn.win << i.snd_wscale);
			/* 2.5 segments, within the initial window and the peer's. */
			h_fill(data, va->smss * 5 / 2, v);
			CHECK_EQ(tf_app_send(&t, data, va->smss * 5 / 2, NULL, 0), 0);
			expect_segments(&t, 0, va->smss * 5 / 2, va->smss);
			tf_close_rst(&t);
		}
		stk_tcp_close(l);
		h_destroy(h);
	}
}

/* A port with a 1280-byte MTU: MSS option 1240, segments of at most 1240 bytes. */
static void
test_mss_clamp_mtu(void)
{
	struct h_opts o;
	struct h *h;
	struct stk_tcp_conn *l;
	struct tf_conn t;

	h_opts_init(&o);
	h = tf_create_mtu(&o, 1280);
	tf_app_init(&app);
	l = tf_listen(h, &app);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	t.mss = 1240;
	if (tf_passive_open(&t, &variants[2].syn)) {
		CHECK_EQ(tf_info(&t).mss, 1240);
		h_fill(data, 3000, 9);
		CHECK_EQ(tf_app_send(&t, data, 3000, NULL, 0), 0);
		expect_segments(&t, 0, 3000, 1240);
		tf_close_rst(&t);
	}
	stk_tcp_close(l);
	/* Active open through the same port: our SYN carries MSS 1240. */
	tf_app_init(&app);
	tf_conn_init(&t, h, &app, 7000);
	t.mss = 1240;
	if (tf_active_open(&t, &tf_syn_none))
		tf_close_rst(&t);
	h_destroy(h);
}

/* A raw segment from the peer's port 40000 to our @p dport. */
static struct tf_seg
raw(uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len)
{
	struct tf_seg s = { .sport = TF_PEER_PORT, .dport = dport, .seq = seq, .ack = ack,
			    .flags = flags, .win = 8192, .data = data, .len = len };

	return s;
}

/* The RST a closed port answers: RFC 9293 3.10.7.1, no options, window 0. */
static struct tf_seg
rst_for(const struct tf_seg *s)
{
	struct tf_seg r = { .sport = s->dport, .dport = s->sport, .flags = TF_RST };

	if (s->flags & TF_ACK) {
		r.seq = s->ack;
	} else {
		r.ack = s->seq + s->len + !!(s->flags & TF_SYN) + !!(s->flags & TF_FIN);
		r.flags |= TF_ACK;
	}
	return r;
}

/* RFC 9293 3.10.7.1: segments to a port nobody listens on. */
static void
test_rst_closed_port(void)
{
	static const uint8_t flag_sets[] = {
		TF_SYN, TF_ACK, TF_ACK | TF_PSH, TF_PSH, TF_FIN, TF_FIN | TF_ACK, TF_SYN | TF_ACK,
	};
	struct h *h = h_create(NULL);
	unsigned int k;
	struct tf_seg s, r;

	h_fill(data, 100, 2);
	for (k = 0; k < RTE_DIM(flag_sets); k++) {
		uint32_t len = (flag_sets[k] & TF_SYN) ? 0 : 10 * k;

		s = raw(81, 0x80000000u + k, 0x12345678u * k, flag_sets[k], len);
		h_mark(h);
		inject(h, &s);
		r = rst_for(&s);
		expect_seg(h, &r);
		h_expect_drops(h, STK_DROP_TCP_NO_SOCKET, 1);
		CHECK_EQ(h_cnt(h, STK_CNT_TCP_RST_TX), 1);
	}
	/* SYN with data: the RST acknowledges SYN and data. */
	s = raw(81, 5000, 0, TF_SYN, 7);
	inject(h, &s);
	r = rst_for(&s);
	CHECK_EQ(r.ack, 5008);
	expect_seg(h, &r);
	/* Sequence numbers at the wrap. */
	s = raw(81, 0xfffffffeu, 0, TF_SYN | TF_FIN, 3);
	inject(h, &s);
	r = rst_for(&s);
	CHECK_EQ(r.ack, 3);
	expect_seg(h, &r);
	/* A RST is never answered; a bad checksum is dropped before anything. */
	s = raw(81, 1, 2, TF_RST | TF_ACK, 0);
	h_mark(h);
	inject(h, &s);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_NO_SOCKET, 1);
	s = raw(81, 1, 0, TF_SYN, 0);
	s.bad_cksum = true;
	h_mark(h);
	inject(h, &s);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_BAD_CHECKSUM, 1);
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

/* RFC 9293 3.10.7.2: a listener and segments that are not a lone SYN. */
static void
test_listener_segments(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct tf_seg s, r;
	struct tf_conn t;

	tf_app_init(&app);
	l = tf_listen(h, &app);
	h_fill(data, 100, 3);
	/* ACK (with or without data, FIN, SYN): <SEQ=SEG.ACK><CTL=RST>. */
	s = raw(TF_PORT, 1000, 0x5000, TF_ACK, 0);
	h_mark(h);
	inject(h, &s);
	r = rst_for(&s);
	expect_seg(h, &r);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
	s = raw(TF_PORT, 1000, 0x6000, TF_ACK | TF_PSH | TF_FIN, 50);
	inject(h, &s);
	r = rst_for(&s);
	expect_seg(h, &r);
	s = raw(TF_PORT, 1000, 0x7000, TF_SYN | TF_ACK, 0);
	inject(h, &s);
	r = rst_for(&s);
	expect_seg(h, &r);
	/* RST, alone or with SYN: ignored. */
	s = raw(TF_PORT, 1000, 0, TF_RST, 0);
	h_mark(h);
	inject(h, &s);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
	s = raw(TF_PORT, 1000, 0, TF_RST | TF_SYN, 0);
	inject(h, &s);
	h_expect_none(h);
	/* FIN or data without ACK: RFC 9293 3.10.7.2 "fourth, other data or control": drop. */
	s = raw(TF_PORT, 1000, 0, TF_FIN, 0);
	h_mark(h);
	inject(h, &s);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
	s = raw(TF_PORT, 1000, 0, TF_PSH, 20);
	inject(h, &s);
	h_expect_none(h);
	/* Nothing of this made a connection; the listener still works. */
	CHECK_EQ(app.naccept, 0);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_PASSIVE_OPENS), 0);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	if (tf_passive_open(&t, &tf_syn_all))
		tf_close_rst(&t);
	stk_tcp_close(l);
	h_destroy(h);
}

/* The accept upcall refuses: the connection is reset and freed. */
static void
test_accept_refused(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct tf_conn t;

	tf_app_init(&app);
	app.accept_ret = -1;
	l = tf_listen(h, &app);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	CHECK(!tf_passive_open(&t, &tf_syn_none), "a refused connection was established");
	CHECK_EQ(app.naccept, 1);
	/* The RST for the refused connection: after our SYN, at the peer's next byte. */
	tf_expect(&t, TF_RST | TF_ACK, NULL, 0);
	h_expect_none(h);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RST_TX), 1);
	/* The 4-tuple is free again: a segment on it gets the listener's RST. */
	{
		struct tf_seg s = raw(TF_PORT, t.rcv, t.snd, TF_ACK, 0), r = rst_for(&s);

		inject(h, &s);
		expect_seg(h, &r);
	}
	stk_tcp_close(l);
	h_destroy(h);
}

/* No ACK for the SYN-ACK: it is resent with backoff, then the child dies quietly. */
static void
test_synack_retransmit(void)
{
	struct h_opts o;
	struct h *h;
	struct stk_tcp_conn *l;
	struct tf_seg s = raw(TF_PORT, 0x100, 0, TF_SYN, 0), got = { 0 }, want, r;
	stk_time_t gap = STK_NS_PER_S;
	unsigned int n;

	h_opts_init(&o);
	o.p.tcp_syn_retries = 2;
	h = h_create(&o);
	tf_app_init(&app);
	l = tf_listen(h, &app);
	s.o.mss_on = true;
	s.o.mss = 1460;
	inject(h, &s);
	h_expect(h, NULL, NULL, NULL);
	for (n = 0; n < 2; n++) {
		h_advance(h, gap - STK_NS_PER_MS);
		h_expect_none(h);
		h_advance(h, STK_NS_PER_MS);
		{
			struct h_frame f;
			char why[128];

			if (h_expect(h, NULL, NULL, &f) && tf_parse(&f, &got, why, sizeof(why))) {
				want = got;
				want.flags = TF_SYN | TF_ACK;
				want.ack = 0x101;
				want.win = 65535;
				want.o = (struct tf_opts){ .mss_on = true, .mss = TF_MSS };
				CHECK(tf_match(&got, &want, why, sizeof(why)), "SYN-ACK %u: %s", n,
				      why);
			}
		}
		gap *= 2;
	}
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RETRANSMITS), 2);
	/* Gone after the last backoff: no RST, and the ACK now finds only the listener. */
	h_advance(h, gap);
	h_expect_none(h);
	s = raw(TF_PORT, 0x101, got.seq + 1, TF_ACK, 0);
	inject(h, &s);
	r = rst_for(&s);
	expect_seg(h, &r);
	CHECK_EQ(app.naccept, 0);
	stk_tcp_close(l);
	h_destroy(h);
}

/* CHECK that exactly one drop was counted since the mark, under a named reason. */
static void
expect_one_named_drop_at(struct h *h, const char *file, int line)
{
	uint64_t n = 0;
	unsigned int r;

	for (r = 1; r < STK_DROP__MAX; r++)
		n += h_drop(h, (enum stk_drop)r);
	CHECK(n == 1 && h_drop(h, STK_DROP_NONE) == 0, "%s:%d: %" PRIu64 " named drops, %"
	      PRIu64 " 'none'", file, line, n, h_drop(h, STK_DROP_NONE));
}
#define expect_one_named_drop(h) expect_one_named_drop_at((h), __FILE__, __LINE__)

/*
 * SYN-RECEIVED (3.10.7.4): an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>
 * and leaves the child waiting; RST at RCV.NXT removes it without an
 * accept; an ACK carrying data completes the open and the data goes up.
 */
static void
test_syn_received(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct tf_seg s, r;
	unsigned int k;

	tf_app_init(&app);
	l = tf_listen(h, &app);
	h_fill(data, 500, 11);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	if (tf_syn_in(&t, &tf_syn_all)) {
		static const int32_t bad[] = { 0, 2, -5 };

		for (k = 0; k < RTE_DIM(bad); k++) {
			s = tf_peer(&t, TF_ACK, NULL, 0);
			s.ack = t.iss + bad[k];
			h_mark(h);
			tf_inject(&t, &s);
			r = rst_for(&s);
			expect_seg(h, &r);
			/* Every rejected segment has a named drop reason (issue 3). */
			expect_one_named_drop(h);
		}
		CHECK_EQ(app.naccept, 0);
		/* The handshake's ACK with data: accepted, the data up, its ACK delayed. */
		tf_send(&t, TF_ACK | TF_PSH, data, 500);
		CHECK_EQ(app.naccept, 1);
		t.c = app.conn;
		CHECK(app.len == 500 && memcmp(app.data, data, 500) == 0, "%u bytes up", app.len);
		h_advance(h, 40 * STK_NS_PER_MS);
		tf_expect_ack(&t);
		tf_close_rst(&t);
	}
	/*
	 * The listener closes: its child in SYN-RECEIVED goes silently, as in
	 * FreeBSD and Linux; the peer's ACK then meets no socket and draws
	 * <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.1).
	 */
	tf_app_init(&app);
	tf_conn_init(&t, h, &app, TF_PEER_PORT + 2);
	if (tf_syn_in(&t, &tf_syn_none)) {
		struct stk_tcp_conn *l2;

		stk_tcp_close(l);
		h_poll(h);
		h_expect_none(h);
		s = tf_peer(&t, TF_ACK, NULL, 0);
		tf_inject(&t, &s);
		r = rst_for(&s);
		expect_seg(h, &r);
		l = l2 = tf_listen(h, &app);
		RTE_SET_USED(l2);
	}
	/* RST in SYN-RECEIVED: the child goes, quietly. */
	tf_app_init(&app);
	tf_conn_init(&t, h, &app, TF_PEER_PORT + 1);
	if (tf_syn_in(&t, &tf_syn_none)) {
		s = tf_peer(&t, TF_RST, NULL, 0);
		tf_inject(&t, &s);
		h_expect_none(h);
		s = tf_peer(&t, TF_ACK, NULL, 0);
		h_mark(h);
		tf_inject(&t, &s);
		r = rst_for(&s);
		expect_seg(h, &r);
		h_expect_drops(h, STK_DROP_TCP_LISTEN_BAD, 1);
		CHECK_EQ(app.naccept, 0);
	}
	stk_tcp_close(l);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_passive_all();
	test_passive_variants();
	test_mss_clamp_mtu();
	test_rst_closed_port();
	test_listener_segments();
	test_accept_refused();
	test_synack_retransmit();
	test_syn_received();
	test_eal_finish();
	return check_done();
}
