/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP closing (RFC 9293 3.6, 3.10.7.4): active close through FIN-WAIT-1,
 * FIN-WAIT-2 and TIME-WAIT (2*MSL) with the shutdown_done upcall; passive
 * close (peer_fin only after all data, CLOSE-WAIT, LAST-ACK); simultaneous
 * close through CLOSING; FIN retransmission; TIME-WAIT answering a
 * retransmitted FIN; abort (RST, pending operations fail with
 * ECONNABORTED); close without shutdown (RST); orphaned connections.
 */
#include <string.h>

#include "tcp_frames.h"

#define MS STK_NS_PER_MS
#define S STK_NS_PER_S
#define MSL2 (60 * S) /* 2 * the default MSL of 30 s */

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

/* Our FIN, alone, at @p seq: FIN|ACK (a segment without data carries no PSH). */
static bool
expect_fin_at(struct tf_conn *t, uint32_t seq, const char *file, int line)
{
	struct tf_seg w = tf_want(t, TF_FIN | TF_ACK, NULL, 0), got;
	bool ok;

	w.seq = seq;
	w.flags_any = TF_PSH; /* checked on its own below, so the model goes on */
	ok = tf_expect_seg_at(t, &w, &got, file, line);
	/* PSH means nothing without data: Linux and BSD send FIN|ACK. */
	CHECK(!ok || got.flags == (TF_FIN | TF_ACK), "%s:%d: FIN with flags %02x", file, line,
	      got.flags);
	return ok;
}
#define expect_fin(t) expect_fin_at((t), (t)->snd, __FILE__, __LINE__)
#define expect_fin_again(t) expect_fin_at((t), (t)->snd - 1, __FILE__, __LINE__)

/* stk_tcp_shutdown() with @p ctx; CHECK it is accepted. */
static void
shutdown_conn(struct tf_conn *t, void *ctx)
{
	CHECK_EQ(stk_tcp_shutdown(t->c, ctx), 0);
	h_poll(t->h);
}

/*
 * A segment on the 4-tuple finds no connection, only the listener on the
 * port: the RST of RFC 9293 3.10.7.2 <SEQ=SEG.ACK><CTL=RST>.
 */
static void
expect_gone(struct tf_conn *t)
{
	struct tf_seg s = tf_peer(t, TF_ACK, NULL, 0), r = { .sport = t->port,
							     .dport = t->pport,
							     .seq = t->snd, .flags = TF_RST };

	h_mark(t->h);
	tf_inject(t, &s);
	h_expect(t->h, tf_chk, &r, NULL);
	h_expect_drops(t->h, STK_DROP_TCP_LISTEN_BAD, 1);
}

/* Nothing for @p ns - 1 ms; CHECK the state is still @p st, then wait 1 ms more. */
static void
hold_state_at(struct tf_conn *t, stk_time_t ns, unsigned int st, const char *file, int line)
{
	h_advance(t->h, ns - MS);
	h_expect_none_at(t->h, file, line);
	CHECK(tf_state(t) == st, "%s:%d: state %u, expected %u", file, line, tf_state(t), st);
	h_advance(t->h, MS);
}
#define hold_state(t, ns, st) hold_state_at((t), (ns), (st), __FILE__, __LINE__)

/* FIN-WAIT-1 -> FIN-WAIT-2 (data still received) -> TIME-WAIT -> 2*MSL -> CLOSED. */
static void
test_active_close(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);

	if (h == NULL)
		return;
	h_fill(data, 300, 1);
	shutdown_conn(&t, (void *)0x77);
	expect_fin(&t);
	CHECK_EQ(tf_state(&t), TF_FIN_WAIT_1);
	CHECK_EQ(stk_tcp_shutdown(t.c, NULL), STK_ESTATE);
	CHECK_EQ(stk_tcp_send(t.c, h_payload(h, data, 10), NULL, 0), STK_ESTATE);
	tf_send_ack(&t);
	CHECK_EQ(tf_state(&t), TF_FIN_WAIT_2);
	CHECK_EQ(app.nshut, 0);
	/* Half-closed: the peer's data still comes up. */
	tf_send(&t, TF_ACK | TF_PSH, data, 300);
	CHECK(app.len == 300 && memcmp(app.data, data, 300) == 0, "%u bytes in FIN-WAIT-2",
	      app.len);
	tf_send(&t, TF_FIN | TF_ACK, NULL, 0);
	tf_expect_ack(&t);
	CHECK_EQ(tf_state(&t), TF_TIME_WAIT);
	CHECK(app.nshut == 1 && app.shut_ctx == (void *)0x77 && app.shut_err == 0,
	      "shutdown_done %u ctx %p err %d", app.nshut, app.shut_ctx, app.shut_err);
	CHECK(app.npeer_fin == 1 && app.fin_after_bytes == 300, "peer_fin %u after %u bytes",
	      app.npeer_fin, app.fin_after_bytes);
	CHECK_EQ(app.nreset, 0);
	hold_state(&t, MSL2, TF_TIME_WAIT);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_NONE, 0);
	stk_tcp_close(t.c);
	h_poll(h);
	expect_gone(&t);
	stk_tcp_close(l);
	h_destroy(h);
}

/* The peer closes first: peer_fin after all data, CLOSE-WAIT, we send on, LAST-ACK. */
static void
test_passive_close(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);

	if (h == NULL)
		return;
	h_fill(data, 1000, 2);
	/* Data and FIN together, the data refused at first: the FIN waits for it. */
	app.verdict = STK_TCP_RECV_PARTIAL;
	app.partial = 100;
	tf_send(&t, TF_ACK | TF_PSH | TF_FIN, data, 500);
	t.win = (TF_RCVBUF - 400) >> TF_WS; /* 400 bytes held */
	tf_expect_ack(&t);
	t.win = TF_RCVBUF >> TF_WS;
	CHECK_EQ(tf_state(&t), TF_CLOSE_WAIT);
	CHECK_EQ(app.npeer_fin, 0);
	app.verdict = STK_TCP_RECV_CONSUMED;
	stk_tcp_recv_resume(t.c);
	h_poll(h);
	CHECK(app.len == 500 && memcmp(app.data, data, 500) == 0, "%u bytes up", app.len);
	CHECK(app.npeer_fin == 1 && app.fin_after_bytes == 500, "peer_fin %u after %u bytes",
	      app.npeer_fin, app.fin_after_bytes);
	h_drain(h); /* a window update, if the resume sends one (test_pkt_tcp_rcvbuf) */
	/* CLOSE-WAIT: sending goes on. */
	CHECK_EQ(tf_app_send(&t, data + 500, 200, (void *)1, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 500, 200);
	tf_send_ack(&t);
	CHECK_EQ(app.nsent, 1);
	shutdown_conn(&t, (void *)0x88);
	expect_fin(&t);
	CHECK_EQ(tf_state(&t), TF_LAST_ACK);
	CHECK_EQ(app.nshut, 0);
	h_mark(h);
	tf_send_ack(&t);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	CHECK(app.nshut == 1 && app.shut_ctx == (void *)0x88 && app.shut_err == 0,
	      "shutdown_done %u ctx %p err %d", app.nshut, app.shut_ctx, app.shut_err);
	CHECK_EQ(app.npeer_fin, 1);
	CHECK_EQ(app.nreset, 0);
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	expect_gone(&t);
	stk_tcp_close(l);
	h_destroy(h);
}

/* Both FINs cross: CLOSING, then TIME-WAIT on the ACK of ours; or straight to TIME-WAIT. */
static void
test_simultaneous_close(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	struct tf_seg s;

	if (h == NULL)
		return;
	shutdown_conn(&t, (void *)1);
	expect_fin(&t);
	/* The peer's FIN does not acknowledge ours. */
	s = tf_peer(&t, TF_FIN | TF_ACK, NULL, 0);
	s.ack = t.snd - 1;
	tf_inject(&t, &s);
	t.rcv++;
	tf_expect_ack(&t);
	CHECK_EQ(tf_state(&t), TF_CLOSING);
	CHECK_EQ(app.nshut, 0);
	CHECK_EQ(app.npeer_fin, 1);
	tf_send_ack(&t);
	CHECK_EQ(tf_state(&t), TF_TIME_WAIT);
	CHECK(app.nshut == 1 && app.shut_err == 0, "shutdown_done %u err %d", app.nshut,
	      app.shut_err);
	h_expect_none(h);
	stk_tcp_close(t.c); /* closed in TIME-WAIT: no RST, the block goes after 2*MSL */
	h_poll(h);
	h_expect_none(h);
	h_advance(h, MSL2);
	expect_gone(&t);
	stk_tcp_close(l);
	h_destroy(h);
	/* FIN-WAIT-1 and a FIN that acknowledges ours: TIME-WAIT at once. */
	h = open_conn(&t, &tf_syn_none, &l);
	if (h == NULL)
		return;
	shutdown_conn(&t, (void *)2);
	expect_fin(&t);
	tf_send(&t, TF_FIN | TF_ACK, NULL, 0);
	tf_expect_ack(&t);
	CHECK_EQ(tf_state(&t), TF_TIME_WAIT);
	CHECK(app.nshut == 1 && app.shut_ctx == (void *)2, "shutdown_done %u", app.nshut);
	stk_tcp_close(t.c);
	stk_tcp_close(l);
	h_destroy(h);
}

/* FIN not acknowledged: resent after the RTO, doubling; also from LAST-ACK. */
static void
test_fin_retransmit(void)
{
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .win = 65535 };
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &syn, &l);
	unsigned int k;

	if (h == NULL)
		return;
	h_fill(data, 100, 3);
	/* Data and FIN in one segment: queued with MORE, then shut down. */
	CHECK_EQ(tf_app_send(&t, data, 100, NULL, STK_TCP_SEND_MORE), 0);
	h_expect_none(h);
	shutdown_conn(&t, NULL);
	tf_expect(&t, TF_ACK | TF_PSH | TF_FIN, data, 100);
	tf_send_ack(&t);
	CHECK_EQ(tf_state(&t), TF_FIN_WAIT_2);
	stk_tcp_close(t.c); /* FIN-WAIT-2 without the user: see test_orphans */
	h_poll(h);
	h_expect_none(h);
	stk_tcp_close(l);
	h_destroy(h);

	h = open_conn(&t, &syn, &l);
	if (h == NULL)
		return;
	shutdown_conn(&t, NULL);
	expect_fin(&t);
	for (k = 0; k < 3; k++) {
		hold_state(&t, (1000 * MS) << k, TF_FIN_WAIT_1);
		expect_fin_again(&t);
	}
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RETRANSMITS), 3);
	tf_send_ack(&t);
	CHECK_EQ(tf_state(&t), TF_FIN_WAIT_2);
	tf_send(&t, TF_FIN | TF_ACK, NULL, 0);
	tf_expect_ack(&t);
	stk_tcp_close(t.c);
	stk_tcp_close(l);
	h_destroy(h);

	h = open_conn(&t, &syn, &l);
	if (h == NULL)
		return;
	tf_send(&t, TF_FIN | TF_ACK, NULL, 0);
	tf_expect_ack(&t);
	shutdown_conn(&t, (void *)3);
	expect_fin(&t);
	hold_state(&t, 1000 * MS, TF_LAST_ACK);
	expect_fin_again(&t);
	tf_send_ack(&t);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	CHECK(app.nshut == 1 && app.shut_ctx == (void *)3, "shutdown_done %u", app.nshut);
	stk_tcp_close(t.c);
	stk_tcp_close(l);
	h_destroy(h);
}

/* TIME-WAIT ACKs a retransmitted FIN and restarts 2*MSL (RFC 9293 3.10.7.4). */
static void
test_time_wait_fin(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);
	struct tf_seg s;

	if (h == NULL)
		return;
	shutdown_conn(&t, NULL);
	expect_fin(&t);
	tf_send(&t, TF_FIN | TF_ACK, NULL, 0);
	tf_expect_ack(&t);
	CHECK_EQ(tf_state(&t), TF_TIME_WAIT);
	h_advance(h, 30 * S);
	/* The peer did not get our ACK: its FIN again. */
	s = tf_peer(&t, TF_FIN | TF_ACK, NULL, 0);
	s.seq = t.rcv - 1;
	tf_inject(&t, &s);
	tf_expect_ack(&t);
	/* 2*MSL counts from the retransmitted FIN. */
	hold_state(&t, MSL2, TF_TIME_WAIT);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	stk_tcp_close(t.c);
	stk_tcp_close(l);
	h_destroy(h);
}

/* Abort: RST at SND.NXT; every queued send and the shutdown fail with ECONNABORTED. */
static void
test_abort(void)
{
	static const struct tf_syn syn = { .mss_on = true, .mss = 1460, .ts_on = true,
					   .sack_ok = true, .win = 2000 };
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &syn, &l);

	if (h == NULL)
		return;
	h_fill(data, 5000, 4);
	CHECK_EQ(tf_app_send(&t, data, 2000, (void *)1, STK_TCP_SEND_NODELAY), 0);
	tf_expect(&t, TF_ACK, data, TF_MSS_TS);
	tf_expect(&t, TF_ACK | TF_PSH, data + TF_MSS_TS, 2000 - TF_MSS_TS);
	CHECK_EQ(tf_app_send(&t, data + 2000, 3000, (void *)2, 0), 0);
	h_expect_none(h); /* the peer's window (2000) is full */
	shutdown_conn(&t, (void *)9);
	h_expect_none(h);
	CHECK_EQ(tf_state(&t), TF_FIN_WAIT_1);
	stk_tcp_abort(t.c);
	h_poll(h);
	tf_expect(&t, TF_RST | TF_ACK, NULL, 0);
	h_expect_none(h);
	CHECK(app.nsent == 2 && app.sent_ctx[0] == (void *)1 && app.sent_ctx[1] == (void *)2 &&
	      app.sent_err[0] == STK_TCP_ECONNABORTED && app.sent_err[1] == STK_TCP_ECONNABORTED,
	      "sent %u: %d %d", app.nsent, app.sent_err[0], app.sent_err[1]);
	CHECK(app.nshut == 1 && app.shut_ctx == (void *)9 && app.shut_err == STK_TCP_ECONNABORTED,
	      "shutdown_done %u err %d", app.nshut, app.shut_err);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RST_TX), 1);
	/* Nothing more: a second abort, the close, the peer's segments get the port's RST. */
	stk_tcp_abort(t.c);
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	expect_gone(&t);
	stk_tcp_close(l);
	h_destroy(h);
}

/* Close without shutdown (WskCloseSocket): RST, and no upcall after the close. */
static void
test_close_resets(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);

	if (h == NULL)
		return;
	h_fill(data, 100, 5);
	CHECK_EQ(tf_app_send(&t, data, 100, (void *)1, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data, 100);
	tf_close_rst(&t);
	CHECK_EQ(app.nsent + app.nreset + app.nshut, 0);
	expect_gone(&t);
	stk_tcp_close(l);
	h_destroy(h);
	/* In CLOSE-WAIT too: the peer's FIN does not make our side graceful. */
	h = open_conn(&t, &tf_syn_none, &l);
	if (h == NULL)
		return;
	tf_send(&t, TF_FIN | TF_ACK, NULL, 0);
	tf_expect_ack(&t);
	CHECK_EQ(tf_state(&t), TF_CLOSE_WAIT);
	tf_close_rst(&t);
	expect_gone(&t);
	stk_tcp_close(l);
	h_destroy(h);
}

/* Closed after shutdown: the close finishes without the user; FIN-WAIT-2 times out. */
static void
test_orphans(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(&t, &tf_syn_all, &l);

	if (h == NULL)
		return;
	shutdown_conn(&t, (void *)1);
	stk_tcp_close(t.c);
	h_poll(h);
	expect_fin(&t);
	tf_send(&t, TF_FIN | TF_ACK, NULL, 0);
	tf_expect_ack(&t);
	CHECK_EQ(app.nshut, 0); /* no upcall after the close */
	h_advance(h, MSL2 - MS);
	h_expect_none(h);
	h_advance(h, MS);
	expect_gone(&t);
	stk_tcp_close(l);
	h_destroy(h);
	/* Orphaned in FIN-WAIT-2 and the peer never closes: gone after 2*MSL. */
	h = open_conn(&t, &tf_syn_all, &l);
	if (h == NULL)
		return;
	shutdown_conn(&t, NULL);
	expect_fin(&t);
	tf_send_ack(&t);
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	h_advance(h, MSL2);
	h_expect_none(h);
	expect_gone(&t);
	stk_tcp_close(l);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_active_close();
	test_passive_close();
	test_simultaneous_close();
	test_fin_retransmit();
	test_time_wait_fin();
	test_abort();
	test_close_resets();
	test_orphans();
	test_eal_finish();
	return check_done();
}
