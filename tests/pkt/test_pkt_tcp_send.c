/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP send path: stk_tcp_send() cut into MSS-sized segments, the `sent`
 * upcall once every byte of a send is acknowledged (and only then), Nagle
 * (RFC 9293 3.7.4) against TCP_NODELAY and the per-send flags, the peer's
 * window (scaled by its shift) limiting what is in flight, and zero-window
 * probes (RFC 9293 3.8.6.1) with backoff until the window opens.
 */
#include <string.h>

#include "tcp_frames.h"

#define MS STK_NS_PER_MS

static struct tf_app app;
static uint8_t data[65536];

static struct h *
open_conn(struct tf_conn *t, const struct tf_syn *syn, struct stk_tcp_conn **l)
{
	struct h *h = h_create(NULL);

	tf_app_init(&app);
	*l = tf_listen(h, &app);
	tf_conn_init(t, h, &app, TF_PEER_PORT);
	if (!tf_passive_open(t, syn)) {
		stk_tcp_close(*l);
		h_destroy(h);
		return NULL;
	}
	h_mark(h);
	return h;
}

/* The peer acknowledges up to @p ack (the model's snd stays). */
static void
peer_ack_to(struct tf_conn *t, uint32_t ack)
{
	struct tf_seg s = tf_peer(t, TF_ACK, NULL, 0);

	s.ack = ack;
	tf_inject(t, &s);
}

#define CHECK_SENT(i, ctx, bytes, err)                                               \
	CHECK(app.sent_ctx[i] == (void *)(ctx) && app.sent_bytes[i] == (bytes) &&    \
	      app.sent_err[i] == (err), "sent[%u]: ctx %p bytes %u err %d", (i),     \
	      app.sent_ctx[i], app.sent_bytes[i], app.sent_err[i])

/* Segments of the MSS; `sent` once the whole send is acknowledged. */
static void
test_segments_and_sent(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	uint32_t mss = TF_MSS_TS, una;

	if (h == NULL)
		return;
	h_fill(data, 5000, 1);
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data, 5000, (void *)0xa, 0), 0);
	tf_expect(&t, TF_ACK, data, mss);
	tf_expect(&t, TF_ACK, data + mss, mss);
	tf_expect(&t, TF_ACK, data + 2 * mss, mss);
	h_expect_none(h); /* Nagle: 656 bytes wait for the ACK */
	CHECK_EQ(tf_info(&t).send_queued, 5000);
	peer_ack_to(&t, una + mss);
	h_expect_none(h); /* still unacknowledged data in flight */
	CHECK_EQ(app.nsent, 0);
	CHECK_EQ(tf_info(&t).send_queued, 5000 - mss);
	peer_ack_to(&t, una + 3 * mss);
	tf_expect(&t, TF_ACK | TF_PSH, data + 3 * mss, 5000 - 3 * mss);
	CHECK_EQ(app.nsent, 0);
	peer_ack_to(&t, una + 4999);
	CHECK_EQ(app.nsent, 0);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 1);
	CHECK_SENT(0, 0xa, 5000, 0);
	CHECK_EQ(tf_info(&t).send_queued, 0);
	CHECK_EQ(tf_info(&t).snd_una, una + 5000);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_NONE, 0);
	tf_close_conn(&t, l);
}

/* Three sends: the first goes, two coalesce behind it; each completes on its own ACK. */
static void
test_sends_complete_in_order(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	uint32_t una;

	if (h == NULL)
		return;
	h_fill(data, 600, 2);
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data, 100, (void *)1, 0), 0);
	CHECK_EQ(tf_app_send(&t, data + 100, 200, (void *)2, 0), 0);
	CHECK_EQ(tf_app_send(&t, data + 300, 300, (void *)3, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data, 100);
	h_expect_none(h);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 1);
	CHECK_SENT(0, 1, 100, 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 100, 500);
	peer_ack_to(&t, una + 299);
	CHECK_EQ(app.nsent, 1);
	peer_ack_to(&t, una + 300);
	CHECK_EQ(app.nsent, 2);
	CHECK_SENT(1, 2, 200, 0);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 3);
	CHECK_SENT(2, 3, 300, 0);
	tf_close_conn(&t, l);
}

/* Nagle holds a small segment while data is unacknowledged; NODELAY does not. */
static void
test_nagle_nodelay(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	uint32_t v = 9;

	if (h == NULL)
		return;
	h_fill(data, 1000, 3);
	CHECK_EQ(tf_app_send(&t, data, 10, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data, 10);
	CHECK_EQ(tf_app_send(&t, data + 10, 10, NULL, 0), 0);
	CHECK_EQ(tf_app_send(&t, data + 20, 10, NULL, 0), 0);
	h_expect_none(h);
	tf_send_ack(&t);
	tf_expect(&t, TF_ACK | TF_PSH, data + 10, 20);
	/* The per-send flag, with data in flight. */
	CHECK_EQ(tf_app_send(&t, data + 30, 10, NULL, STK_TCP_SEND_NODELAY), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 30, 10);
	CHECK_EQ(stk_tcp_getopt(t.c, STK_TCP_OPT_NODELAY, &v), 0);
	CHECK_EQ(v, 0);
	/* The option: every small send leaves at once. */
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_NODELAY, 1), 0);
	CHECK_EQ(tf_app_send(&t, data + 40, 10, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 40, 10);
	CHECK_EQ(tf_app_send(&t, data + 50, 10, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 50, 10);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 6);
	/* SEND_MORE holds even with nothing in flight, until a send without it. */
	CHECK_EQ(tf_app_send(&t, data + 60, 10, NULL, STK_TCP_SEND_MORE), 0);
	h_expect_none(h);
	CHECK_EQ(tf_app_send(&t, data + 70, 10, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 60, 20);
	tf_send_ack(&t);
	h_expect_none(h);
	tf_close_conn(&t, l);
}

/* The peer's window, scaled by its shift 5, limits what is in flight. */
static void
test_window_limit_scaled(void)
{
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .ws_on = true, .ws = 5,
					   .sack_ok = true, .win = 65535 };
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &syn, &l);
	uint32_t mss = TF_MSS, off, una;
	unsigned int k;

	if (h == NULL)
		return;
	h_fill(data, 16 * mss, 4);
	t.pwin = 365; /* 365 << 5 = 11680 = 8 segments, below the initial window of 10 */
	tf_send_ack(&t);
	CHECK_EQ(tf_info(&t).snd_wnd, 11680);
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data, 16 * mss, (void *)7, 0), 0);
	for (k = 0, off = 0; k < 8; k++, off += mss)
		tf_expect(&t, TF_ACK, data + off, mss);
	h_expect_none(h);
	/* Half acknowledged: four more fit. */
	peer_ack_to(&t, una + 4 * mss);
	for (k = 0; k < 4; k++, off += mss)
		tf_expect(&t, TF_ACK, data + off, mss);
	h_expect_none(h);
	peer_ack_to(&t, una + 12 * mss);
	for (k = 0; k < 4; k++, off += mss)
		tf_expect(&t, TF_ACK | (k == 3 ? TF_PSH : 0), data + off, mss);
	h_expect_none(h);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 1);
	CHECK_SENT(0, 7, 16 * mss, 0);
	tf_close_conn(&t, l);
}

/*
 * Sender silly-window avoidance (RFC 9293 3.8.6.2.1): with more data queued
 * than a nearly full window lets go and data in flight, the sender waits
 * for a full segment of window (NODELAY or not) instead of sending a sliver.
 */
static void
test_sender_sws(void)
{
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .ws_on = true, .ws = 0,
					   .sack_ok = true, .win = 65535 };
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &syn, &l);
	uint32_t mss = TF_MSS, una, off;
	unsigned int k;

	if (h == NULL)
		return;
	stk_tcp_setopt(t.c, STK_TCP_OPT_NODELAY, 1);
	h_fill(data, 8 * mss, 9);
	/* 4 segments and 100 bytes of window: four full segments, then no 100-byte sliver. */
	t.pwin = (uint16_t)(4 * mss + 100);
	tf_send_ack(&t);
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data, 8 * mss, (void *)9, 0), 0);
	for (k = 0, off = 0; k < 4; k++, off += mss)
		tf_expect(&t, TF_ACK, data + off, mss);
	h_expect_none(h);
	/* Two segments acknowledged, the window slides: two full segments, still no sliver. */
	peer_ack_to(&t, una + 2 * mss);
	for (k = 0; k < 2; k++, off += mss)
		tf_expect(&t, TF_ACK, data + off, mss);
	h_expect_none(h);
	/* The window opens wide: the rest goes, in full segments. */
	t.pwin = 65535;
	peer_ack_to(&t, una + 6 * mss);
	for (k = 0; k < 2; k++, off += mss)
		tf_expect(&t, TF_ACK | (k == 1 ? TF_PSH : 0), data + off, mss);
	h_expect_none(h);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 1);
	CHECK_SENT(0, 9, 8 * mss, 0);
	tf_close_conn(&t, l);
}

/* The peer's window is zero: probes after the RTO, backing off; the window opens. */
static void
test_persist(void)
{
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .win = 0 };
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &syn, &l);
	struct tf_seg w;
	uint32_t una;
	unsigned int k;

	if (h == NULL)
		return;
	h_fill(data, 100, 5);
	una = t.snd;
	CHECK_EQ(tf_info(&t).snd_wnd, 0);
	CHECK_EQ(tf_app_send(&t, data, 100, (void *)5, 0), 0);
	h_expect_none(h);
	/* First probe after the RTO (1 s, no RTT sample yet): one byte of new data. */
	h_advance(h, 1000 * MS - MS);
	h_expect_none(h);
	h_advance(h, MS);
	tf_expect(&t, TF_ACK, data, 1);
	/* The peer takes the byte, the window stays shut: the next byte, one RTO later. */
	tf_send_ack(&t);
	h_advance(h, 1000 * MS - MS);
	h_expect_none(h);
	h_advance(h, MS);
	tf_expect(&t, TF_ACK, data + 1, 1);
	/* Not taken now: the same byte again after 2 s, 4 s, 8 s (RFC 9293 3.8.6.1). */
	for (k = 1; k <= 3; k++) {
		peer_ack_to(&t, una + 1);
		/* Answers to probes are not duplicate ACKs: no fast retransmit. */
		h_expect_none(h);
		h_advance(h, (1000 * MS << k) - MS);
		h_expect_none(h);
		h_advance(h, MS);
		w = tf_want(&t, TF_ACK, data + 1, 1);
		w.seq = una + 1;
		tf_expect_seg(&t, &w, NULL);
	}
	CHECK_EQ(tf_state(&t), TF_ESTABLISHED);
	CHECK_EQ(app.nreset, 0);
	/* The window opens with the last probe's byte taken: the rest goes at once. */
	t.pwin = 65535;
	t.snd = una + 2;
	peer_ack_to(&t, una + 2);
	tf_expect(&t, TF_ACK | TF_PSH, data + 2, 98);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 1);
	CHECK_SENT(0, 5, 100, 0);
	tf_close_conn(&t, l);
}

/*
 * A fast retransmit resends what was sent, no more: with 100 bytes in
 * flight and 1000 held by Nagle, the third duplicate ACK resends 100 bytes.
 */
static void
test_rexmit_bounded(void)
{
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .win = 65535 };
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &syn, &l);
	struct tf_seg w;
	uint32_t una;
	unsigned int k;

	if (h == NULL)
		return;
	h_fill(data, 1100, 6);
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data, 100, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data, 100);
	CHECK_EQ(tf_app_send(&t, data + 100, 1000, NULL, 0), 0);
	h_expect_none(h);
	for (k = 0; k < 3; k++)
		peer_ack_to(&t, una);
	w = tf_want(&t, TF_ACK, data, 100);
	w.seq = una;
	tf_expect_seg(&t, &w, NULL);
	h_expect_none(h);
	tf_send_ack(&t);
	tf_expect(&t, TF_ACK | TF_PSH, data + 100, 1000);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 2);
	tf_close_conn(&t, l);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_segments_and_sent();
	test_sends_complete_in_order();
	test_nagle_nodelay();
	test_window_limit_scaled();
	test_persist();
	test_rexmit_bounded();
	test_sender_sws();
	test_eal_finish();
	return check_done();
}
