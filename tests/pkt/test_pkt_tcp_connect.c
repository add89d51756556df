/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP active open (RFC 9293 3.5, 3.10.7.3): stk_tcp_connect() and its SYN,
 * the SYN-ACK and the `connected` upcall, RTT from the handshake, RST in
 * SYN-SENT with and without an acceptable ACK, bad ACKs answered with RST,
 * SYN retransmissions with backoff ending in ETIMEDOUT, argument errors, and
 * simultaneous open (RFC 9293 figure 8) with and without a RST.
 */
#include <string.h>

#include "tcp_frames.h"

static struct tf_app app;
static uint8_t data[8192];

/* Inject a raw segment on @p t's 4-tuple from the peer and poll. */
static void
inject_raw(struct tf_conn *t, uint32_t seq, uint32_t ack, uint8_t flags)
{
	struct tf_seg s = { .sport = t->pport, .dport = t->port, .seq = seq, .ack = ack,
			    .flags = flags, .win = 8192 };

	tf_inject(t, &s);
}

/* Active open with every option; data both ways; RTT from the handshake. */
static void
test_active_open(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_info i;
	struct tf_conn t;
	struct tf_seg s;

	tf_app_init(&app);
	tf_conn_init(&t, h, &app, 5001);
	if (tf_active_open(&t, &tf_syn_all)) {
		i = tf_info(&t);
		CHECK_EQ(i.mss, TF_MSS_TS);
		CHECK_EQ(i.snd_wscale, 7);
		CHECK_EQ(i.rcv_wscale, TF_WS);
		CHECK(i.ts && i.sack, "timestamps %d SACK %d", i.ts, i.sack);
		CHECK_EQ(i.snd_wnd, 65535); /* a SYN's window is never scaled */
		CHECK_EQ(h_cnt(h, STK_CNT_TCP_ACTIVE_OPENS), 1);
		CHECK_EQ(h_cnt(h, STK_CNT_TCP_ESTABLISHED), 1);
		h_expect_drops(h, STK_DROP_NONE, 0);
		h_fill(data, 200, 1);
		CHECK_EQ(tf_app_send(&t, data, 200, NULL, 0), 0);
		tf_expect(&t, TF_ACK | TF_PSH, data, 200);
		tf_send(&t, TF_ACK | TF_PSH, data + 200, 300);
		CHECK(app.len == 300 && memcmp(app.data, data + 200, 300) == 0,
		      "data not received");
		tf_close_rst(&t);
	}
	/* The SYN-ACK 50 ms after the SYN: SRTT 50 ms, RTTVAR 25 ms (RFC 6298 2.2). */
	tf_app_init(&app);
	tf_conn_init(&t, h, &app, 5002);
	if (tf_connect(&t)) {
		h_advance(h, 50 * STK_NS_PER_MS);
		h_expect_none(h);
		s = tf_synack(&t, &tf_syn_none);
		tf_inject(&t, &s);
		tf_expect_ack(&t);
		CHECK_EQ(app.nconnected, 1);
		i = tf_info(&t);
		CHECK_EQ(i.srtt_us, 50000);
		CHECK_EQ(i.rttvar_us, 25000);
		CHECK_EQ(i.mss, 536); /* no MSS option: RFC 9293 3.7.1 default */
		tf_close_rst(&t);
	}
	h_destroy(h);
}

/* RST in SYN-SENT: ignored without an acceptable ACK, ECONNREFUSED with one. */
static void
test_syn_sent_rst(void)
{
	struct h *h = h_create(NULL);
	struct tf_conn t;

	tf_app_init(&app);
	tf_conn_init(&t, h, &app, 5003);
	if (!tf_connect(&t)) {
		h_destroy(h);
		return;
	}
	/* No ACK bit: drop (3.10.7.3, second check). */
	h_mark(h);
	inject_raw(&t, t.irs, 0, TF_RST);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_SYN_SENT_BAD, 1);
	/* ACK not acceptable: drop, and a RST is never answered. */
	h_mark(h);
	inject_raw(&t, t.irs, t.iss, TF_RST | TF_ACK);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_SYN_SENT_BAD, 1);
	CHECK_EQ(tf_state(&t), TF_SYN_SENT);
	CHECK_EQ(app.nconnected, 0);
	/* Acceptable ACK: connection refused. */
	h_mark(h);
	inject_raw(&t, 0, t.iss + 1, TF_RST | TF_ACK);
	h_expect_none(h);
	CHECK(app.nconnected == 1 && app.connected_err == STK_TCP_ECONNREFUSED,
	      "connected %u times, err %d", app.nconnected, app.connected_err);
	CHECK_EQ(app.nreset, 0);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	/* An accepted RST is not a drop (not even of reason "none"). */
	h_expect_drops(h, STK_DROP_NONE, 0);
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	/* The 4-tuple is gone: the closed-port RST. */
	h_mark(h);
	inject_raw(&t, t.irs, t.iss + 1, TF_ACK);
	{
		struct tf_seg r = { .sport = t.port, .dport = t.pport, .seq = t.iss + 1,
				    .flags = TF_RST };

		h_expect(h, tf_chk, &r, NULL);
	}
	h_expect_drops(h, STK_DROP_TCP_NO_SOCKET, 1);
	h_destroy(h);
}

/* Bad ACKs in SYN-SENT get <SEQ=SEG.ACK><CTL=RST>; a lone ACK is dropped. */
static void
test_syn_sent_bad_ack(void)
{
	static const int32_t off[] = { 0, 2, -1000, 100000 };
	struct h *h = h_create(NULL);
	struct tf_conn t;
	struct tf_seg s;
	unsigned int k;

	tf_app_init(&app);
	tf_conn_init(&t, h, &app, 5004);
	if (!tf_connect(&t)) {
		h_destroy(h);
		return;
	}
	for (k = 0; k < RTE_DIM(off); k++) {
		struct tf_seg r = { .sport = t.port, .dport = t.pport, .seq = t.iss + off[k],
				    .flags = TF_RST };

		h_mark(h);
		inject_raw(&t, t.irs, t.iss + off[k], TF_SYN | TF_ACK);
		h_expect(h, tf_chk, &r, NULL);
		h_expect_drops(h, STK_DROP_TCP_SYN_SENT_BAD, 1);
	}
	h_mark(h);
	inject_raw(&t, t.irs + 1, t.iss + 1, TF_ACK);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_SYN_SENT_BAD, 1);
	CHECK_EQ(tf_state(&t), TF_SYN_SENT);
	CHECK_EQ(app.nconnected, 0);
	/* The real SYN-ACK still opens the connection. */
	s = tf_synack(&t, &tf_syn_all);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	CHECK(app.nconnected == 1 && app.connected_err == 0, "connected %u err %d",
	      app.nconnected, app.connected_err);
	tf_close_rst(&t);
	h_destroy(h);
}

/* RFC 6298 5.5 / RFC 9293 3.8.3: SYN resent after 1, 2, 4 s; then ETIMEDOUT. */
static void
test_syn_retries(void)
{
	struct h_opts o;
	struct h *h;
	struct tf_conn t;
	struct tf_seg want;
	stk_time_t gap = STK_NS_PER_S;
	unsigned int n;

	h_opts_init(&o);
	o.p.tcp_syn_retries = 3;
	h = h_create(&o);
	tf_app_init(&app);
	tf_conn_init(&t, h, &app, 5005);
	if (!tf_connect(&t)) {
		h_destroy(h);
		return;
	}
	want = (struct tf_seg){ .sport = t.port, .dport = t.pport, .seq = t.iss,
				.flags = TF_SYN, .win = 65535 };
	want.o = (struct tf_opts){ .mss_on = true, .mss = TF_MSS, .ws_on = true, .ws = TF_WS,
				   .sack_ok = true, .ts_on = true };
	for (n = 0; n < 3; n++) {
		h_advance(h, gap - STK_NS_PER_MS);
		h_expect_none(h);
		h_advance(h, STK_NS_PER_MS);
		tf_expect_seg(&t, &want, NULL);
		gap *= 2;
	}
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RETRANSMITS), 3);
	CHECK_EQ(app.nconnected, 0);
	h_advance(h, gap - STK_NS_PER_MS);
	CHECK_EQ(app.nconnected, 0);
	h_advance(h, STK_NS_PER_MS);
	h_expect_none(h);
	CHECK(app.nconnected == 1 && app.connected_err == STK_TCP_ETIMEDOUT,
	      "connected %u times, err %d", app.nconnected, app.connected_err);
	CHECK_EQ(app.nreset, 0);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_TIMEOUTS), 1);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	stk_tcp_close(t.c);
	h_destroy(h);
}

/* Argument and address errors of stk_tcp_connect(). */
static void
test_connect_errors(void)
{
	struct h *h = h_create(NULL);
	struct stk_tcp_conn *c = NULL, *c2 = NULL;

	tf_app_init(&app);
	CHECK_EQ(stk_tcp_connect(h->in, 0, 0, H_FAR_IP, RTE_BE16(80), &tf_upcalls, &app, &c),
		 STK_ENOROUTE);
	CHECK_EQ(stk_tcp_connect(h->in, 0, 0, H_PEER_IP, 0, &tf_upcalls, &app, &c), STK_EINVAL);
	CHECK_EQ(stk_tcp_connect(h->in, 0, 0, 0, RTE_BE16(80), &tf_upcalls, &app, &c),
		 STK_EINVAL);
	CHECK_EQ(stk_tcp_connect(h->in, H_PEER_IP, 0, H_PEER_IP, RTE_BE16(80), &tf_upcalls, &app,
				 &c), STK_EADDRNOTAVAIL);
	h_poll(h);
	h_expect_none(h);
	/* The same explicit 4-tuple twice. */
	CHECK_EQ(stk_tcp_connect(h->in, H_OUR_IP, RTE_BE16(3333), H_PEER_IP, RTE_BE16(80),
				 &tf_upcalls, &app, &c), 0);
	CHECK_EQ(stk_tcp_connect(h->in, H_OUR_IP, RTE_BE16(3333), H_PEER_IP, RTE_BE16(80),
				 &tf_upcalls, &app, &c2), STK_EADDRINUSE);
	h_poll(h);
	{
		struct h_frame f;
		struct tf_seg got;
		char why[128];

		if (h_expect(h, NULL, NULL, &f) && tf_parse(&f, &got, why, sizeof(why)))
			CHECK(got.sport == 3333 && got.flags == TF_SYN,
			      "SYN from port %u flags %02x", got.sport, got.flags);
	}
	/* Closing in SYN-SENT sends nothing and frees the block. */
	stk_tcp_close(c);
	h_poll(h);
	h_expect_none(h);
	CHECK_EQ(app.nconnected, 0);
	h_destroy(h);
}

/* Simultaneous open up to our SYN-ACK (RFC 9293 figure 8, lines 1-5). */
static bool
simultaneous_start(struct tf_conn *t)
{
	struct tf_seg syn, want;

	if (!tf_connect(t))
		return false;
	syn = (struct tf_seg){ .sport = t->pport, .dport = t->port, .seq = t->irs,
			       .flags = TF_SYN, .win = 65535 };
	syn.o = (struct tf_opts){ .mss_on = true, .mss = 1460, .ws_on = true, .ws = 7,
				  .sack_ok = true, .ts_on = true, .tsval = ++t->pts };
	tf_inject(t, &syn);
	/* SYN-ACK with our ISS again, and the options the peer's SYN allows. */
	t->snd = t->iss;
	t->rcv = t->irs + 1;
	t->ts = t->sack = t->ws_on = true;
	t->ws = TF_WS;
	t->pws = 7;
	t->ts_recent = t->pts;
	t->pwin = 65535;
	want = tf_want(t, TF_SYN | TF_ACK, NULL, 0);
	want.win = 65535;
	want.o.mss_on = true;
	want.o.mss = TF_MSS;
	want.o.ws_on = true;
	want.o.ws = TF_WS;
	want.o.sack_ok = true;
	if (!tf_expect_seg(t, &want, NULL))
		return false;
	t->win = (uint16_t)(TF_RCVBUF >> TF_WS);
	CHECK_EQ(tf_state(t), TF_SYN_RECEIVED);
	CHECK_EQ(t->app->nconnected, 0);
	return true;
}

/* Figure 8: the peer's SYN-ACK completes the open; data flows. */
static void
test_simultaneous_open(void)
{
	struct h *h = h_create(NULL);
	struct tf_conn t;
	struct tf_seg s, got;
	struct h_frame f;
	char why[128];

	tf_app_init(&app);
	tf_conn_init(&t, h, &app, 5006);
	if (!simultaneous_start(&t)) {
		h_destroy(h);
		return;
	}
	/* Line 6: the peer's SYN-ACK (its SYN again, our SYN acknowledged). */
	s = tf_peer(&t, TF_SYN | TF_ACK, NULL, 0);
	s.seq = t.irs;
	s.o.mss_on = s.o.ws_on = s.o.sack_ok = true;
	s.o.mss = 1460;
	s.o.ws = 7;
	tf_inject(&t, &s);
	/* RFC 7323 4.3: its SEQ is at Last.ACK.sent - 1: TS.Recent comes from it. */
	t.ts_recent = t.pts;
	/* If anything is sent, it is an ACK of the peer's SYN. */
	if (h_take(h, &f)) {
		struct tf_seg want = tf_want(&t, TF_ACK, NULL, 0);

		CHECK(tf_parse(&f, &got, why, sizeof(why)) && tf_match(&got, &want, why,
								       sizeof(why)),
		      "after the peer's SYN-ACK: %s", why);
	}
	/*
	 * Figure 8 line 6 (and Linux): ESTABLISHED here, although the SYN of
	 * this SYN-ACK lies below RCV.NXT; the peer may send nothing more.
	 */
	CHECK_EQ(tf_state(&t), TF_ESTABLISHED);
	CHECK_EQ(app.nconnected, 1);
	if (tf_state(&t) != TF_ESTABLISHED) {
		tf_send_ack(&t); /* go on as if the peer ACKed our SYN-ACK */
		CHECK_EQ(tf_state(&t), TF_ESTABLISHED);
	}
	CHECK(app.nconnected == 1 && app.connected_err == 0, "connected %u err %d",
	      app.nconnected, app.connected_err);
	h_fill(data, 100, 6);
	CHECK_EQ(tf_app_send(&t, data, 100, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data, 100);
	tf_close_rst(&t);
	h_destroy(h);
}

/* RST in SYN-RECEIVED after an active open: the connect fails (3.10.7.4). */
static void
test_simultaneous_open_rst(void)
{
	struct h *h = h_create(NULL);
	struct tf_conn t;

	tf_app_init(&app);
	tf_conn_init(&t, h, &app, 5007);
	if (!simultaneous_start(&t)) {
		h_destroy(h);
		return;
	}
	inject_raw(&t, t.irs + 1, 0, TF_RST);
	h_expect_none(h);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	/* The connect completes through `connected`, not `reset`. */
	CHECK(app.nconnected == 1 && app.connected_err == STK_TCP_ECONNREFUSED,
	      "connected %u times err %d; reset %u times err %d", app.nconnected,
	      app.connected_err, app.nreset, app.reset_err);
	stk_tcp_close(t.c);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_active_open();
	test_syn_sent_rst();
	test_syn_sent_bad_ack();
	test_syn_retries();
	test_connect_errors();
	test_simultaneous_open();
	test_simultaneous_open_rst();
	test_eal_finish();
	return check_done();
}
