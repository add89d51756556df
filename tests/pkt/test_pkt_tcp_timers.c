/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers and loss recovery: the retransmission timeout of RFC 6298
 * (1 s initially, doubling on each expiry, back to the computed value once
 * data is acknowledged, SRTT/RTTVAR from samples, the configured minimum,
 * Karn's rule without timestamps, samples from TSecr with them), giving up
 * after tcp_retries, fast retransmit on the third duplicate ACK (RFC 5681
 * 3.2), and keepalive probes (RFC 9293 3.8.4) answered or timing out.
 */
#include <string.h>

#include "tcp_frames.h"

#define MS STK_NS_PER_MS

static struct tf_app app;
static uint8_t data[65536];

/* MSS 1460, window scale, nothing else: no timestamps, no SACK. */
static const struct tf_syn syn_plain = {
	.mss_on = true, .mss = 1460, .ws_on = true, .ws = 7, .win = 65535,
};

static struct h *
open_conn(const struct h_opts *o, struct tf_conn *t, const struct tf_syn *syn,
	  struct stk_tcp_conn **l)
{
	struct h *h = h_create(o);

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

/* Nothing for @p ns - 1 ms, then the same @p len bytes at @p seq again. */
static void
expect_rexmit_after(struct tf_conn *t, stk_time_t ns, uint32_t seq, const uint8_t *d,
		    uint32_t len, uint8_t flags)
{
	struct tf_seg w;

	h_advance(t->h, ns - MS);
	h_expect_none(t->h);
	h_advance(t->h, MS);
	w = tf_want(t, flags, d, len);
	w.seq = seq;
	tf_expect_seg(t, &w, NULL);
}

/* RFC 6298 2.1, 5.5, 5.7: 1 s, then 2 s, 4 s; Karn: no sample; backoff ends with the ACK. */
static void
test_rto_backoff_karn(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(NULL, &t, &syn_plain, &l);
	uint32_t una;

	if (h == NULL)
		return;
	h_fill(data, 200, 1);
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data, 100, (void *)1, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data, 100);
	expect_rexmit_after(&t, 1000 * MS, una, data, 100, TF_ACK | TF_PSH);
	expect_rexmit_after(&t, 2000 * MS, una, data, 100, TF_ACK | TF_PSH);
	expect_rexmit_after(&t, 4000 * MS, una, data, 100, TF_ACK | TF_PSH);
	CHECK_EQ(tf_info(&t).retransmits, 3);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_RETRANSMITS), 3);
	h_advance(h, 100 * MS);
	tf_send_ack(&t);
	CHECK(app.nsent == 1 && app.sent_err[0] == 0, "sent %u err %d", app.nsent,
	      app.sent_err[0]);
	/* Karn: the ACK of retransmitted data gave no sample. */
	CHECK_EQ(tf_info(&t).srtt_us, 0);
	/* New data: the timer starts from 1 s again, not 8 s. */
	CHECK_EQ(tf_app_send(&t, data + 100, 100, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 100, 100);
	expect_rexmit_after(&t, 1000 * MS, una + 100, data + 100, 100, TF_ACK | TF_PSH);
	tf_send_ack(&t);
	h_expect_drops(h, STK_DROP_NONE, 0);
	tf_close_conn(&t, l);
}

/*
 * RFC 6298 2.2 and 2.3: what one sample of @p r_us makes of the state in
 * @p b; CHECK @p a against it (1 us of rounding allowed) and the RTO
 * against SRTT + max(G, 4 * RTTVAR) with G = 1 ms, rounded up to 1 ms.
 */
static void
check_sample(const struct stk_tcp_info *b, const struct stk_tcp_info *a, uint32_t r_us,
	     const char *what)
{
	uint32_t srtt, rttvar, rto;

	if (b->srtt_us == 0) {
		srtt = r_us;
		rttvar = r_us / 2;
	} else {
		rttvar = (3 * b->rttvar_us + (b->srtt_us > r_us ? b->srtt_us - r_us :
				r_us - b->srtt_us)) / 4;
		srtt = (7 * b->srtt_us + r_us) / 8;
	}
	rto = (srtt + RTE_MAX(1000u, 4 * rttvar) + 999) / 1000;
	CHECK(a->srtt_us + 1 >= srtt && a->srtt_us <= srtt + 1 && a->rttvar_us + 1 >= rttvar &&
	      a->rttvar_us <= rttvar + 1 && a->rto_ms + 1 >= rto && a->rto_ms <= rto + 1,
	      "%s: srtt %u rttvar %u rto %u ms, expected %u %u %u", what, a->srtt_us,
	      a->rttvar_us, a->rto_ms, srtt, rttvar, rto);
}

/* The RTO the timer uses: the computed one, at least tcp_rto_min. */
static stk_time_t
rto_ns(const struct tf_conn *t)
{
	return RTE_MAX((stk_time_t)tf_info(t).rto_ms * MS, t->h->p->tcp_rto_min);
}

/* Send 100 bytes from @p d, ACK them @p rtt later; CHECK the sample. */
static void
sample(struct tf_conn *t, const uint8_t *d, stk_time_t rtt, const char *what)
{
	struct stk_tcp_info b, a;

	CHECK_EQ(tf_app_send(t, d, 100, NULL, 0), 0);
	tf_expect(t, TF_ACK | TF_PSH, d, 100);
	b = tf_info(t);
	h_advance(t->h, rtt);
	tf_send_ack(t);
	a = tf_info(t);
	check_sample(&b, &a, (uint32_t)(rtt / 1000), what);
}

/* RFC 6298 2.2, 2.3: samples set SRTT, RTTVAR and the RTO; Karn; the minimum holds. */
static void
test_rtt_sets_rto(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(NULL, &t, &syn_plain, &l);
	struct stk_tcp_info b, a;
	uint32_t una;

	if (h == NULL)
		return;
	h_fill(data, 400, 2);
	sample(&t, data, 100 * MS, "100 ms");
	CHECK_EQ(tf_info(&t).rto_ms, 300); /* first sample: 100 + 4 * 50 */
	/* The next send is retransmitted after the RTO; its late ACK is no sample. */
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data + 100, 100, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 100, 100);
	expect_rexmit_after(&t, rto_ns(&t), una, data + 100, 100, TF_ACK | TF_PSH);
	b = tf_info(&t);
	h_advance(h, 50 * MS);
	tf_send_ack(&t);
	a = tf_info(&t);
	CHECK(a.srtt_us == b.srtt_us && a.rttvar_us == b.rttvar_us, "Karn: srtt %u rttvar %u",
	      a.srtt_us, a.rttvar_us);
	sample(&t, data + 200, 10 * MS, "10 ms");
	tf_close_conn(&t, l);
	/* A 10 ms first sample computes 30 ms: the 200 ms minimum applies. */
	h = open_conn(NULL, &t, &syn_plain, &l);
	if (h == NULL)
		return;
	sample(&t, data, 10 * MS, "first 10 ms");
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data + 100, 100, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 100, 100);
	expect_rexmit_after(&t, 200 * MS, una, data + 100, 100, TF_ACK | TF_PSH);
	tf_send_ack(&t);
	tf_close_conn(&t, l);
}

/* RFC 7323 4.1: with timestamps, TSecr gives samples, retransmissions included. */
static void
test_rtt_timestamps(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(NULL, &t, &tf_syn_all, &l);
	struct stk_tcp_info b, a;
	uint32_t una, ts0;

	if (h == NULL)
		return;
	h_fill(data, 200, 3);
	sample(&t, data, 80 * MS, "TS 80 ms");
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data + 100, 100, NULL, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data + 100, 100);
	ts0 = t.stack_ts;
	expect_rexmit_after(&t, rto_ns(&t), una, data + 100, 100, TF_ACK | TF_PSH);
	CHECK((int32_t)(t.stack_ts - ts0) > 0, "TSval did not advance");
	b = tf_info(&t);
	h_advance(h, 30 * MS);
	tf_send_ack(&t); /* echoes the retransmission's TSval: a valid 30 ms sample */
	a = tf_info(&t);
	check_sample(&b, &a, 30000, "TS sample of a retransmission");
	tf_close_conn(&t, l);
}

/* After tcp_retries expiries the connection is reset: ETIMEDOUT to the send and the user. */
static void
test_rto_give_up(void)
{
	struct h_opts o;
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h;
	uint32_t una;

	h_opts_init(&o);
	o.p.tcp_retries = 3;
	h = open_conn(&o, &t, &syn_plain, &l);
	if (h == NULL)
		return;
	h_fill(data, 100, 4);
	una = t.snd;
	CHECK_EQ(tf_app_send(&t, data, 100, (void *)4, 0), 0);
	tf_expect(&t, TF_ACK | TF_PSH, data, 100);
	expect_rexmit_after(&t, 1000 * MS, una, data, 100, TF_ACK | TF_PSH);
	expect_rexmit_after(&t, 2000 * MS, una, data, 100, TF_ACK | TF_PSH);
	expect_rexmit_after(&t, 4000 * MS, una, data, 100, TF_ACK | TF_PSH);
	h_advance(h, 8000 * MS - MS);
	CHECK_EQ(app.nreset, 0);
	h_advance(h, MS);
	h_expect_none(h);
	CHECK(app.nreset == 1 && app.reset_err == STK_TCP_ETIMEDOUT, "reset %u err %d",
	      app.nreset, app.reset_err);
	CHECK(app.nsent == 1 && app.sent_ctx[0] == (void *)4 &&
	      app.sent_err[0] == STK_TCP_ETIMEDOUT, "sent %u err %d", app.nsent, app.sent_err[0]);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_TIMEOUTS), 1);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	stk_tcp_close(l);
	h_destroy(h);
}

/* Accept connections until one's ISS has its top bit as @p high wants. */
static bool
open_with_iss(struct h *h, struct tf_conn *t, bool high)
{
	unsigned int k;

	for (k = 0; k < 64; k++) {
		tf_conn_init(t, h, &app, (uint16_t)(20000 + 2 * k + high));
		if (!tf_passive_open(t, &syn_plain))
			return false;
		if (((t->iss + 1) >> 31) == high)
			return true;
		tf_close_rst(t);
	}
	CHECK(false, "64 connections without an ISS of top bit %d", high);
	return false;
}

/*
 * RFC 5681 3.2: the third duplicate ACK retransmits the first unacknowledged
 * segment at once; the first two do not. Run with an ISS in either half of
 * the sequence space (RFC 6582: `recover` starts at the ISS).
 */
static void
test_fast_retransmit(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = h_create(NULL);
	uint32_t mss = TF_MSS, una, off;
	unsigned int half, k;

	tf_app_init(&app);
	l = tf_listen(h, &app);
	h_fill(data, 5 * mss, 5);
	for (half = 0; half < 2; half++) {
		if (!open_with_iss(h, &t, half))
			break;
		una = t.snd;
		CHECK_EQ(tf_app_send(&t, data, 5 * mss, (void *)5, 0), 0);
		for (k = 0, off = 0; k < 5; k++, off += mss)
			tf_expect(&t, TF_ACK | (k == 4 ? TF_PSH : 0), data + off, mss);
		/* The first segment is lost: the peer ACKs una for each later one. */
		for (k = 1; k <= 3; k++) {
			struct tf_seg s = tf_peer(&t, TF_ACK, NULL, 0);

			s.ack = una;
			tf_inject(&t, &s);
			if (k < 3)
				h_expect_none(h);
		}
		/* (`recover` must start at the ISS, or half of all ISSs suppress this.) */
		{
			struct tf_seg w = tf_want(&t, TF_ACK, data, mss);

			w.seq = una;
			tf_expect_seg(&t, &w, NULL);
		}
		CHECK_EQ(tf_info(&t).retransmits, 1);
		h_expect_none(h);
		tf_send_ack(&t);
		CHECK(app.nsent == half + 1, "sent %u", app.nsent);
		h_expect_none(h);
		tf_close_rst(&t);
	}
	stk_tcp_close(l);
	h_destroy(h);
}

/* The keepalive probe: one byte below SND.NXT, no data. */
static void
expect_probe_at(struct tf_conn *t, const char *file, int line)
{
	struct tf_seg w = tf_want(t, TF_ACK, NULL, 0);

	w.seq = t->snd - 1;
	/* A probe carries SND.UNA - 1, so that the peer must answer it (RFC 9293 3.8.4). */
	tf_expect_seg_at(t, &w, NULL, file, line);
}
#define expect_probe(t) expect_probe_at((t), __FILE__, __LINE__)

/* Keepalive: probes after the idle time, answered; then unanswered until ETIMEDOUT. */
static void
test_keepalive(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(NULL, &t, &tf_syn_all, &l);
	struct h_frame f;
	uint32_t v = 0;
	unsigned int k;

	if (h == NULL)
		return;
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPIDLE_MS, 10000), 0);
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPINTVL_MS, 1000), 0);
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPCNT, 3), 0);
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPALIVE, 1), 0);
	CHECK(stk_tcp_getopt(t.c, STK_TCP_OPT_KEEPALIVE, &v) == 0 && v == 1, "keepalive %u", v);
	/* Zero is refused and changes nothing. */
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPIDLE_MS, 0), STK_EINVAL);
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPINTVL_MS, 0), STK_EINVAL);
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPCNT, 0), STK_EINVAL);
	CHECK(stk_tcp_getopt(t.c, STK_TCP_OPT_KEEPIDLE_MS, &v) == 0 && v == 10000, "idle %u", v);
	CHECK(stk_tcp_getopt(t.c, STK_TCP_OPT_KEEPINTVL_MS, &v) == 0 && v == 1000, "intvl %u", v);
	/* A refused value leaves the option as it was. */
	CHECK(stk_tcp_getopt(t.c, STK_TCP_OPT_KEEPCNT, &v) == 0 && v == 3, "count %u", v);
	stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPCNT, 3); /* go on whatever the engine kept */
	h_advance(h, 10000 * MS - MS);
	h_expect_none(h);
	h_advance(h, MS);
	expect_probe(&t);
	/* Answered: the idle time starts over from the answer. */
	h_advance(h, 500 * MS);
	tf_send_ack(&t);
	h_advance(h, 10000 * MS - MS);
	h_expect_none(h);
	h_advance(h, MS);
	expect_probe(&t);
	/* Two more unanswered, one interval apart; then the connection times out. */
	for (k = 0; k < 2; k++) {
		h_advance(h, 1000 * MS - MS);
		h_expect_none(h);
		h_advance(h, MS);
		expect_probe(&t);
	}
	h_advance(h, 1000 * MS - MS);
	CHECK_EQ(app.nreset, 0);
	h_advance(h, MS);
	CHECK(app.nreset == 1 && app.reset_err == STK_TCP_ETIMEDOUT, "reset %u err %d",
	      app.nreset, app.reset_err);
	CHECK_EQ(h_cnt(h, STK_CNT_TCP_TIMEOUTS), 1);
	CHECK_EQ(tf_state(&t), TF_CLOSED);
	/* Linux sends a RST here; RFC 1122 4.2.3.6 does not ask for one. Either is fine. */
	if (h_take(h, &f)) {
		struct tf_seg w = tf_want(&t, TF_RST | TF_ACK, NULL, 0);

		CHECK(tf_chk(&f, &w, (char[128]){ 0 }, 128), "after the timeout: not our RST");
	}
	stk_tcp_close(t.c);
	h_poll(h);
	h_expect_none(h);
	stk_tcp_close(l);
	h_destroy(h);
}

/* Keepalive switched on before its idle time is set: the idle time set later counts. */
static void
test_keepalive_idle_after_enable(void)
{
	struct stk_tcp_conn *l;
	struct tf_conn t;
	struct h *h = open_conn(NULL, &t, &syn_plain, &l);

	if (h == NULL)
		return;
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPALIVE, 1), 0);
	CHECK_EQ(stk_tcp_setopt(t.c, STK_TCP_OPT_KEEPIDLE_MS, 5000), 0);
	h_advance(h, 5000 * MS - MS);
	h_expect_none(h);
	h_advance(h, MS);
	/* The timer armed with 7200 s is re-armed with the new idle time. */
	expect_probe(&t);
	tf_send_ack(&t);
	tf_close_conn(&t, l);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_rto_backoff_karn();
	test_rtt_sets_rto();
	test_rtt_timestamps();
	test_rto_give_up();
	test_fast_retransmit();
	test_keepalive();
	test_keepalive_idle_after_enable();
	test_eal_finish();
	return check_done();
}
