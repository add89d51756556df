/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP receive path (RFC 9293 3.10.7.4): in-order data and the recv upcall,
 * delayed ACK (40 ms, every second segment, piggybacked on data),
 * out-of-order data with immediate ACKs and SACK blocks (RFC 2018),
 * duplicates and overlaps, segments outside the window, RST handling with
 * RFC 5961 challenge ACKs, SYN on a synchronized connection, and ACKs for
 * data never sent. The peer's sequence numbers wrap early in each test.
 */
#include <string.h>

#include "tcp_frames.h"

#define MS STK_NS_PER_MS

static struct tf_app app;
static uint8_t data[65536];

/*
 * A connection accepted on a fresh harness; @p syn: what the peer offers.
 * One byte goes out and is acknowledged, so that the stack has advertised
 * its scaled window (the SYN-ACK's is unscaled, at most 65535).
 */
static struct h *
open_conn(struct tf_conn *t, const struct tf_syn *syn, struct stk_tcp_conn **l)
{
	static const uint8_t one = 0x5a;
	struct h *h = h_create(NULL);

	tf_app_init(&app);
	*l = tf_listen(h, &app);
	tf_conn_init(t, h, &app, TF_PEER_PORT);
	if (!tf_passive_open(t, syn)) {
		stk_tcp_close(*l);
		h_destroy(h);
		return NULL;
	}
	CHECK_EQ(tf_app_send(t, &one, 1, NULL, 0), 0);
	tf_expect(t, TF_ACK | TF_PSH, &one, 1);
	tf_send_ack(t);
	h_expect_none(h);
	tf_app_init(&app);
	h_mark(h);
	return h;
}

/* Send @p len bytes from data + @p off at the peer's next sequence number. */
static void
peer_data(struct tf_conn *t, uint32_t off, uint32_t len, uint8_t extra)
{
	tf_send(t, TF_ACK | extra, data + off, len);
}

/* In order: exact bytes up, PSH passed up, ACK after 40 ms or every second segment. */
static void
test_in_order_delack(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	uint32_t mss = TF_MSS_TS;

	if (h == NULL)
		return;
	h_fill(data, sizeof(data), 1);
	/* One full segment, no PSH: delivered at once, not pushed; ACK after 40 ms. */
	peer_data(&t, 0, mss, 0);
	CHECK(app.nrecv == 1 && app.len == mss && memcmp(app.data, data, mss) == 0,
	      "first segment: %u upcalls, %u bytes", app.nrecv, app.len);
	/* `push` says what the segments carried. */
	CHECK(!app.push, "recv upcall says PSH for a segment without it");
	h_expect_none(h);
	h_advance(h, 39 * MS);
	h_expect_none(h);
	h_advance(h, MS);
	tf_expect_ack(&t);
	/* Two full segments: the second is ACKed at once (RFC 9293 3.8.6.3). */
	peer_data(&t, mss, mss, 0);
	h_expect_none(h);
	peer_data(&t, 2 * mss, mss, TF_PSH);
	tf_expect_ack(&t);
	CHECK(app.push, "recv upcall lost PSH");
	CHECK(app.nrecv == 3 && app.len == 3 * mss && memcmp(app.data, data, 3 * mss) == 0,
	      "three segments: %u upcalls, %u bytes", app.nrecv, app.len);
	/* A small segment alone: delayed too; a third segment after an ACK starts over. */
	peer_data(&t, 3 * mss, 10, TF_PSH);
	h_advance(h, 39 * MS);
	h_expect_none(h);
	h_advance(h, MS);
	tf_expect_ack(&t);
	h_advance(h, 200 * MS);
	h_expect_none(h);
	CHECK(app.len == 3 * mss + 10 && memcmp(app.data, data, app.len) == 0, "bytes differ");
	CHECK_EQ(tf_info(&t).rcv_nxt, t.irs + 1 + 3 * mss + 10);
	h_expect_drops(h, STK_DROP_NONE, 0);
	tf_close_conn(&t, l);
}

/* A delayed ACK rides on the data the application sends meanwhile. */
static void
test_delack_piggyback(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_none, &l);

	if (h == NULL)
		return;
	h_fill(data, 1000, 2);
	peer_data(&t, 0, 100, TF_PSH);
	h_advance(h, 20 * MS);
	h_expect_none(h);
	CHECK_EQ(tf_app_send(&t, data + 500, 50, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 500, 50);
	h_advance(h, 100 * MS);
	h_expect_none(h);
	tf_send_ack(&t);
	h_expect_none(h);
	tf_close_conn(&t, l);
}

/* Segment k of 100 bytes: sequence number. */
static uint32_t
seg_seq(const struct tf_conn *t, uint32_t base, unsigned int k)
{
	RTE_SET_USED(t);
	return base + 100 * k;
}

/* Inject segment k (100 bytes of data + 100k) above @p base, not moving the model. */
static void
inject_k(struct tf_conn *t, uint32_t base, unsigned int k)
{
	struct tf_seg s = tf_peer(t, TF_ACK, data + 100 * k, 100);

	s.seq = seg_seq(t, base, k);
	tf_inject(t, &s);
}

/* The ACK the stack must send with SACK blocks @p b (pairs of segment indices). */
static void
expect_sack(struct tf_conn *t, uint32_t base, unsigned int n, const unsigned int (*b)[2])
{
	struct tf_seg w = tf_want(t, TF_ACK, NULL, 0);
	unsigned int i;

	w.o.nb_sack = (uint8_t)n;
	for (i = 0; i < n; i++) {
		w.o.sack[i][0] = seg_seq(t, base, b[i][0]);
		w.o.sack[i][1] = seg_seq(t, base, b[i][1]);
	}
	tf_expect_seg(t, &w, NULL);
}

/* The ACK the stack must send with the one SACK block [@p left, @p right). */
static void
expect_sack_raw(struct tf_conn *t, uint32_t left, uint32_t right)
{
	struct tf_seg w = tf_want(t, TF_ACK, NULL, 0);

	w.o.nb_sack = 1;
	w.o.sack[0][0] = left;
	w.o.sack[0][1] = right;
	tf_expect_seg(t, &w, NULL);
}

/* Out of order: immediate ACKs with SACK blocks, most recent first; delivery once whole. */
static void
test_ooo_sack(void)
{
	static const unsigned int b2[][2] = { { 2, 3 } };
	static const unsigned int b42[][2] = { { 4, 5 }, { 2, 3 } };
	static const unsigned int b13[][2] = { { 1, 3 }, { 4, 5 } };
	static const unsigned int b4[][2] = { { 4, 5 } };
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	uint32_t base;

	if (h == NULL)
		return;
	h_fill(data, 600, 3);
	base = t.rcv;
	inject_k(&t, base, 2);
	expect_sack(&t, base, 1, b2);
	inject_k(&t, base, 4);
	expect_sack(&t, base, 2, b42);
	inject_k(&t, base, 1);
	expect_sack(&t, base, 2, b13);
	CHECK_EQ(app.nrecv, 0);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_OOO), 3);
	/*
	 * The hole at RCV.NXT fills: 0-2 go up at once, the ACK comes at once.
	 * Until now the right edge could not move (RFC 9293 3.8.6.2.2); from
	 * here the 100 bytes still queued count against the window.
	 */
	inject_k(&t, base, 0);
	t.rcv = seg_seq(&t, base, 3);
	t.win = (TF_RCVBUF - 100) >> TF_WS;
	expect_sack(&t, base, 1, b4);
	t.win = TF_RCVBUF >> TF_WS;
	CHECK(app.len == 300 && memcmp(app.data, data, 300) == 0, "%u bytes up after the fill",
	      app.len);
	inject_k(&t, base, 3);
	t.rcv = seg_seq(&t, base, 5);
	tf_expect_ack(&t);
	CHECK(app.len == 500 && memcmp(app.data, data, 500) == 0, "%u bytes up at the end",
	      app.len);
	h_expect_drops(h, STK_DROP_NONE, 0);
	tf_close_conn(&t, l);
}

/* Without SACK the out-of-order ACK is a plain duplicate ACK. */
static void
test_ooo_no_sack(void)
{
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .ts_on = true,
					   .win = 65535 };
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &syn, &l);
	uint32_t base;

	if (h == NULL)
		return;
	h_fill(data, 300, 4);
	base = t.rcv;
	inject_k(&t, base, 1);
	tf_expect_ack(&t);
	inject_k(&t, base, 2);
	tf_expect_ack(&t);
	inject_k(&t, base, 0);
	t.rcv = seg_seq(&t, base, 3);
	tf_expect_ack(&t);
	CHECK(app.len == 300 && memcmp(app.data, data, 300) == 0, "%u bytes up", app.len);
	tf_close_conn(&t, l);
}

/* RFC 9293 3.10.7.4: old duplicates draw an ACK; overlaps deliver each byte once. */
static void
test_duplicates_overlaps(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	struct tf_seg s;
	uint32_t base;

	if (h == NULL)
		return;
	h_fill(data, 2000, 5);
	base = t.rcv;
	peer_data(&t, 0, 100, 0);
	peer_data(&t, 100, 100, TF_PSH);
	tf_expect_ack(&t);
	/* The same segment again: ACK now, dropped, nothing up. */
	s = tf_peer(&t, TF_ACK | TF_PSH, data + 100, 100);
	s.seq = base + 100;
	h_mark(h);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	h_expect_drops(h, STK_DROP_TCP_OUT_OF_WINDOW, 1);
	CHECK_EQ(app.len, 200);
	/* Old and new bytes: only the new ones go up. */
	s = tf_peer(&t, TF_ACK, data + 150, 150);
	s.seq = base + 150;
	h_mark(h);
	tf_inject(&t, &s);
	t.rcv = base + 300;
	CHECK(app.len == 300 && memcmp(app.data, data, 300) == 0, "overlap: %u bytes up",
	      app.len);
	h_expect_drops(h, STK_DROP_NONE, 0);
	h_advance(h, 40 * MS);
	tf_expect_ack(&t);
	/* Overlapping out-of-order segments, one inside another, then the fill. */
	inject_k(&t, base, 4);
	expect_sack_raw(&t, base + 400, base + 500);
	s = tf_peer(&t, TF_ACK, data + 350, 100);
	s.seq = base + 350;
	tf_inject(&t, &s);
	expect_sack_raw(&t, base + 350, base + 500);
	inject_k(&t, base, 4);
	expect_sack_raw(&t, base + 350, base + 500);
	CHECK_EQ(app.len, 300);
	s = tf_peer(&t, TF_ACK, data + 300, 120);
	s.seq = base + 300;
	tf_inject(&t, &s);
	t.rcv = base + 500;
	tf_expect_ack(&t);
	CHECK(app.len == 500 && memcmp(app.data, data, 500) == 0, "after the fill: %u bytes up",
	      app.len);
	h_expect_drops(h, STK_DROP_NONE, 0);
	tf_close_conn(&t, l);
}

/* Segments left of RCV.NXT or right of the window: ACK and drop; a straddler is trimmed. */
static void
test_out_of_window(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	uint32_t wnd = TF_RCVBUF, base;
	struct tf_seg s;

	if (h == NULL)
		return;
	h_fill(data, 1000, 6);
	base = t.rcv;
	/* Right of the window (scaled: 32768 << 3 bytes). */
	s = tf_peer(&t, TF_ACK, data, 100);
	s.seq = base + wnd;
	h_mark(h);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	h_expect_drops(h, STK_DROP_TCP_OUT_OF_WINDOW, 1);
	/* A pure ACK left of RCV.NXT. */
	s = tf_peer(&t, TF_ACK, NULL, 0);
	s.seq = base - 1;
	h_mark(h);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	h_expect_drops(h, STK_DROP_TCP_OUT_OF_WINDOW, 1);
	/* Straddling the right edge, far beyond 64 KiB: queued, cut at the edge. */
	s = tf_peer(&t, TF_ACK, data, 300);
	s.seq = base + wnd - 100;
	h_mark(h);
	tf_inject(&t, &s);
	expect_sack_raw(&t, base + wnd - 100, base + wnd);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(app.nrecv, 0);
	CHECK_EQ(tf_info(&t).rcv_nxt, base);
	/* The RST of the close: with the SACK block or without, either is fine. */
	stk_tcp_close(t.c);
	h_poll(h);
	{
		struct h_frame f;
		struct tf_seg got;
		char why[128] = "";

		bool ok = h_expect(h, NULL, NULL, &f) && tf_parse(&f, &got, why, sizeof(why));

		s = tf_want(&t, TF_RST | TF_ACK, NULL, 0);
		if (ok && got.o.nb_sack == 1) {
			s.o.nb_sack = 1;
			s.o.sack[0][0] = base + wnd - 100;
			s.o.sack[0][1] = base + wnd;
		}
		CHECK(ok && tf_match(&got, &s, why, sizeof(why)), "RST: %s", why);
	}
	stk_tcp_close(l);
	h_destroy(h);
}

/* RFC 5961 3.2: RST out of window ignored, in window but not at RCV.NXT challenged. */
static void
test_rst_challenge(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	struct tf_seg s;

	if (h == NULL)
		return;
	h_fill(data, 100, 7);
	s = tf_peer(&t, TF_RST, NULL, 0);
	s.seq = t.rcv + 1;
	h_mark(h);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	h_expect_drops(h, STK_DROP_TCP_RST_OUT_OF_WINDOW, 1);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_CHALLENGE_ACKS), 1);
	s.seq = t.rcv + TF_RCVBUF - 1; /* last byte of the window */
	s.flags = TF_RST | TF_ACK;
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	s.seq = t.rcv + TF_RCVBUF; /* just outside */
	h_mark(h);
	tf_inject(&t, &s);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TCP_OUT_OF_WINDOW, 1);
	s.seq = t.rcv - 1;
	tf_inject(&t, &s);
	h_expect_none(h);
	CHECK_EQ(tf_state(&t), TF_ESTABLISHED);
	CHECK_EQ(app.nreset, 0);
	/* Still working. */
	peer_data(&t, 0, 100, TF_PSH);
	CHECK_EQ(app.len, 100);
	tf_close_conn(&t, l);
}

/* RST at RCV.NXT: reset upcall, queued sends fail, nothing sent, block freed on close. */
static void
test_rst_reset(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	struct tf_seg s;

	if (h == NULL)
		return;
	h_fill(data, 5000, 8);
	t.pwin = 0; /* data stays queued */
	tf_send_ack(&t);
	CHECK_EQ(tf_app_send(&t, data, 5000, (void *)0x51, 0), 0);
	h_expect_none(h);
	s = tf_peer(&t, TF_RST, NULL, 0);
	h_mark(h);
	tf_inject(&t, &s);
	h_expect_none(h);
	CHECK(app.nreset == 1 && app.reset_err == STK_TCP_ECONNRESET, "reset %u err %d",
	      app.nreset, app.reset_err);
	CHECK(app.nsent == 1 && app.sent_ctx[0] == (void *)0x51 &&
	      app.sent_err[0] == STK_TCP_ECONNRESET, "send completed %u times, err %d",
	      app.nsent, app.sent_err[0]);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	/* An accepted RST is not a drop (not even of reason "none"). */
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(stk_tcp_send(t.c, h_payload(h, data, 10), NULL, 0), STK_ESTATE);
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	stk_tcp_close(l);
	h_destroy(h);
}

/* RFC 5961 4.2: a SYN on a synchronized connection draws an ACK, nothing else. */
static void
test_syn_established(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	struct tf_seg s;

	if (h == NULL)
		return;
	s = tf_peer(&t, TF_SYN, NULL, 0);
	h_mark(h);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	h_expect_drops(h, STK_DROP_TCP_SYN_IN_WINDOW, 1);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_CHALLENGE_ACKS), 1);
	/* The old SYN again (sequence number below RCV.NXT): an ACK all the same. */
	s = tf_peer(&t, TF_SYN, NULL, 0);
	s.seq = t.irs;
	h_mark(h);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	CHECK_EQ(h_drop(h, STK_DROP_TCP_SYN_IN_WINDOW) + h_drop(h, STK_DROP_TCP_OUT_OF_WINDOW), 1);
	CHECK_EQ(tf_state(&t), TF_ESTABLISHED);
	CHECK_EQ(app.nreset, 0);
	tf_close_conn(&t, l);
}

/* An ACK of data never sent: ACK, drop, and the segment's data is not taken. */
static void
test_ack_unsent(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	struct tf_seg s;

	if (h == NULL)
		return;
	h_fill(data, 200, 9);
	s = tf_peer(&t, TF_ACK | TF_PSH, data, 100);
	s.ack = t.snd + 1;
	h_mark(h);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	h_expect_drops(h, STK_DROP_TCP_ACK_TOO_NEW, 1);
	CHECK_EQ(app.len, 0);
	CHECK_EQ(tf_info(&t).snd_una, t.snd);
	/* The same data with a good ACK is taken. */
	s.ack = t.snd;
	tf_inject(&t, &s);
	t.rcv += 100;
	CHECK(app.len == 100 && memcmp(app.data, data, 100) == 0, "%u bytes up", app.len);
	tf_close_conn(&t, l);
}

/*
 * A FIN behind a hole is held with its segment (RFC 9293 3.10.7.4: segments
 * above RCV.NXT are held for later processing): once the hole fills, the
 * ACK covers the FIN and peer_fin follows the data.
 */
static void
test_fin_out_of_order(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	struct tf_seg s;
	uint32_t base;

	if (h == NULL)
		return;
	h_fill(data, 200, 10);
	base = t.rcv;
	s = tf_peer(&t, TF_ACK | TF_FIN, data + 100, 100);
	s.seq = base + 100;
	tf_inject(&t, &s);
	expect_sack_raw(&t, base + 100, base + 200);
	CHECK_EQ(app.npeer_fin, 0);
	s = tf_peer(&t, TF_ACK, data, 100);
	tf_inject(&t, &s);
	t.rcv = base + 201;
	tf_expect_ack(&t);
	CHECK_EQ(tf_state(&t), TF_CLOSE_WAIT);
	CHECK(app.len == 200 && memcmp(app.data, data, 200) == 0, "%u bytes up", app.len);
	CHECK(app.npeer_fin == 1 && app.fin_after_bytes == 200, "peer_fin %u after %u bytes",
	      app.npeer_fin, app.fin_after_bytes);
	if (tf_state(&t) != TF_CLOSE_WAIT) {
		/* Go on as the peer would: its FIN again, after its RTO. */
		t.rcv = base + 200;
		tf_send(&t, TF_ACK | TF_FIN, NULL, 0);
		h_drain(h);
		t.ts_recent = t.pts;
	}
	tf_close_conn(&t, l);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_in_order_delack();
	test_delack_piggyback();
	test_ooo_sack();
	test_ooo_no_sack();
	test_duplicates_overlaps();
	test_out_of_window();
	test_rst_challenge();
	test_rst_reset();
	test_syn_established();
	test_ack_unsent();
	test_fin_out_of_order();
	test_eal_finish();
	return check_done();
}
