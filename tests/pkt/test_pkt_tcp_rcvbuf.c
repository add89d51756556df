/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP receive flow control through the seam: RECV_PARTIAL stops offers
 * until stk_tcp_recv_resume() or stk_tcp_recv_copy(); RECV_TAKEN keeps
 * bytes counted against the window until stk_tcp_recv_done(); the window
 * advertised shrinks as data is held, reaches zero when the buffer is
 * full (segments beyond it are refused with an ACK), and a window update
 * goes out once it has opened by two segments (RFC 9293 3.8.6.2.2).
 */
#include <string.h>

#include "tcp_frames.h"

#define MS STK_NS_PER_MS

static struct tf_app app;
static uint8_t data[65536];
static uint8_t buf[65536];

/* A connection accepted with every option, warmed so its scaled window is out. */
static struct h *
open_conn(struct tf_conn *t, struct stk_tcp_conn **l)
{
	static const uint8_t one = 0x5a;
	struct h *h = h_create(NULL);

	tf_app_init(&app);
	*l = tf_listen(h, &app);
	tf_conn_init(t, h, &app, TF_PEER_PORT);
	if (!tf_passive_open(t, &tf_syn_all)) {
		stk_tcp_close(*l);
		h_destroy(h);
		return NULL;
	}
	CHECK_EQ(tf_app_send(t, &one, 1, NULL, 0), 0);
	tf_expect(t, TF_ACK | TF_PSH, &one, 1);
	tf_send_ack(t);
	tf_app_init(&app);
	h_mark(h);
	return h;
}

/* The window field for @p held bytes held or taken, out of the default buffer. */
static uint16_t
win_for(uint32_t held)
{
	return (uint16_t)((TF_RCVBUF - held) >> TF_WS);
}

/* The delayed ACK, 40 ms later, with window field @p win. */
static void
expect_delayed_ack(struct tf_conn *t, uint16_t win)
{
	h_advance(t->h, 39 * MS);
	h_expect_none(t->h);
	h_advance(t->h, MS);
	t->win = win;
	tf_expect_ack(t);
}

/* RECV_PARTIAL: the rest is held and not offered; resume and copy go on. */
static void
test_recv_partial(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &l);
	uint32_t n;

	if (h == NULL)
		return;
	h_fill(data, 4000, 1);
	app.verdict = STK_TCP_RECV_PARTIAL;
	app.partial = 300;
	tf_send(&t, TF_ACK | TF_PSH, data, 1000);
	CHECK(app.nrecv == 1 && app.last_len == 1000 && app.len == 300, "upcalls %u last %u",
	      app.nrecv, app.last_len);
	CHECK_EQ(stk_tcp_recv_pending(t.c), 700);
	CHECK_EQ(tf_info(&t).recv_held, 700);
	expect_delayed_ack(&t, win_for(700));
	/* More data: held behind the refused bytes, not offered. */
	tf_send(&t, TF_ACK | TF_PSH, data + 1000, 500);
	CHECK_EQ(app.nrecv, 1);
	CHECK_EQ(stk_tcp_recv_pending(t.c), 1200);
	expect_delayed_ack(&t, win_for(1200));
	/* Resume: everything held is offered, in order. */
	app.verdict = STK_TCP_RECV_CONSUMED;
	stk_tcp_recv_resume(t.c);
	h_poll(h);
	CHECK(app.nrecv == 2 && app.last_len == 1200, "upcalls %u last %u", app.nrecv,
	      app.last_len);
	CHECK(app.len == 1500 && memcmp(app.data, data, 1500) == 0, "%u bytes, or bytes differ",
	      app.len);
	CHECK_EQ(stk_tcp_recv_pending(t.c), 0);
	/*
	 * The right edge moved by 1200 bytes, less than a segment: no window
	 * update (receiver SWS avoidance, RFC 9293 3.8.6.2.2).
	 */
	h_expect_none(h);
	t.win = win_for(0);
	/* Nothing taken (WSK's DATA_NOT_ACCEPTED), then read by copy. */
	app.verdict = STK_TCP_RECV_PARTIAL;
	app.partial = 0;
	tf_send(&t, TF_ACK | TF_PSH, data + 1500, 800);
	CHECK(app.nrecv == 3 && app.len == 1500, "upcalls %u bytes %u", app.nrecv, app.len);
	app.verdict = STK_TCP_RECV_CONSUMED;
	n = stk_tcp_recv_copy(t.c, buf, 100);
	h_poll(h);
	CHECK(n == 100 && memcmp(buf, data + 1500, 100) == 0, "recv_copy: %u bytes", n);
	CHECK(app.nrecv == 4 && app.len == 2200 && memcmp(app.data + 1500, data + 1600, 700) == 0,
	      "after the copy: upcalls %u bytes %u", app.nrecv, app.len);
	CHECK_EQ(stk_tcp_recv_pending(t.c), 0);
	/* Now the edge is 2000 bytes beyond the one offered: the update goes out. */
	tf_expect_ack(&t);
	CHECK_EQ(stk_tcp_recv_copy(t.c, buf, 100), 0);
	h_poll(h);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_NONE, 0);
	tf_close_conn(&t, l);
}

/* Resuming after holding several segments opens the window: an update goes out. */
static void
test_recv_resume_update(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &l);
	uint32_t mss = TF_MSS_TS;
	unsigned int k;

	if (h == NULL)
		return;
	h_fill(data, 4 * mss, 2);
	app.verdict = STK_TCP_RECV_PARTIAL;
	app.partial = 0;
	for (k = 0; k < 4; k++) {
		tf_send(&t, TF_ACK, data + k * mss, mss);
		if (k % 2 == 1) {
			t.win = win_for((k + 1) * mss);
			tf_expect_ack(&t);
		}
	}
	CHECK_EQ(app.nrecv, 1);
	CHECK_EQ(stk_tcp_recv_pending(t.c), 4 * mss);
	app.verdict = STK_TCP_RECV_CONSUMED;
	stk_tcp_recv_resume(t.c);
	h_poll(h);
	CHECK(app.len == 4 * mss && memcmp(app.data, data, 4 * mss) == 0, "%u bytes up",
	      app.len);
	/* The edge moved by four segments: the window update goes out. */
	t.win = win_for(0);
	tf_expect_ack(&t);
	tf_close_conn(&t, l);
}

/* RECV_TAKEN: the window stays closed by the taken bytes until recv_done. */
static void
test_recv_taken(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &l);
	uint32_t mss = TF_MSS_TS, bytes;

	if (h == NULL)
		return;
	h_fill(data, 5000, 3);
	app.verdict = STK_TCP_RECV_TAKEN;
	tf_send(&t, TF_ACK | TF_PSH, data, 1000);
	CHECK(app.ntaken == 1 && app.len == 1000, "taken %u, %u bytes", app.ntaken, app.len);
	CHECK_EQ(tf_info(&t).recv_taken, 1000);
	CHECK_EQ(tf_info(&t).recv_held, 0);
	expect_delayed_ack(&t, win_for(1000));
	/* Returned, but less than two segments: no update by itself. */
	stk_tcp_recv_done(t.c, tf_app_release(&app));
	h_poll(h);
	h_expect_none(h);
	CHECK_EQ(tf_info(&t).recv_taken, 0);
	/* Two more segments taken: the window the ACK carries is smaller by them. */
	tf_send(&t, TF_ACK, data + 1000, mss);
	tf_send(&t, TF_ACK | TF_PSH, data + 1000 + mss, mss);
	t.win = win_for(2 * mss);
	tf_expect_ack(&t);
	CHECK_EQ(tf_info(&t).recv_taken, 2 * mss);
	/* Both returned: an update with the whole window. */
	bytes = tf_app_release(&app);
	CHECK_EQ(bytes, 2 * mss);
	stk_tcp_recv_done(t.c, bytes);
	h_poll(h);
	t.win = win_for(0);
	tf_expect_ack(&t);
	CHECK(app.len == 1000 + 2 * mss && memcmp(app.data, data, app.len) == 0, "bytes differ");
	tf_close_conn(&t, l);
}

/* An 8 KiB buffer filled by taken data: zero window, refused data, update on release. */
static void
test_zero_window(void)
{
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .ws_on = true, .ws = 7,
					   .sack_ok = true, .win = 1000 };
	static const uint32_t segs[] = { 1460, 1460, 1460, 1460, 1460, 892 };
	struct h_opts o;
	struct h *h;
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct tf_seg s;
	uint32_t off = 0;
	unsigned int k;

	h_opts_init(&o);
	o.p.tcp_rcvbuf = 8192;
	h = h_create(&o);
	tf_app_init(&app);
	l = tf_listen(h, &app);
	tf_conn_init(&t, h, &app, TF_PEER_PORT);
	t.rcvbuf = 8192;
	if (!tf_passive_open(&t, &syn)) {
		stk_tcp_close(l);
		h_destroy(h);
		return;
	}
	CHECK_EQ(tf_info(&t).rcv_wscale, 0);
	h_fill(data, 10000, 4);
	app.verdict = STK_TCP_RECV_TAKEN;
	for (k = 0; k < RTE_DIM(segs); k++) {
		tf_send(&t, TF_ACK, data + off, segs[k]);
		off += segs[k];
		if (k % 2 == 1) {
			t.win = (uint16_t)(8192 - off);
			tf_expect_ack(&t);
		}
		h_expect_none(h);
	}
	CHECK_EQ(off, 8192);
	CHECK_EQ(tf_info(&t).rcv_wnd, 0);
	/* The peer's zero-window probe: one byte, refused with an ACK of window 0. */
	s = tf_peer(&t, TF_ACK, data + off, 1);
	h_mark(h);
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	h_expect_drops(h, STK_DROP_TCP_OUT_OF_WINDOW, 1);
	/* A pure ACK at RCV.NXT is still acceptable: no answer. */
	tf_send_ack(&t);
	h_expect_none(h);
	CHECK_EQ(app.len, 8192);
	/* Half returned: an update to 4096; all returned: 8192. */
	stk_tcp_recv_done(t.c, 4096);
	h_poll(h);
	t.win = 4096;
	tf_expect_ack(&t);
	stk_tcp_recv_done(t.c, 4096);
	h_poll(h);
	t.win = 8192;
	tf_expect_ack(&t);
	tf_app_release(&app);
	/* Data flows again. */
	app.verdict = STK_TCP_RECV_CONSUMED;
	tf_send(&t, TF_ACK | TF_PSH, data + off, 1000);
	CHECK(app.len == 9192 && memcmp(app.data, data, 9192) == 0, "%u bytes up", app.len);
	tf_close_conn(&t, l);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_recv_partial();
	test_recv_resume_update();
	test_recv_taken();
	test_zero_window();
	test_eal_finish();
	return check_done();
}
