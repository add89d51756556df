/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP between two stack instances in one process, each on its own port of a
 * real PMD pair (ring pair, or memif), driven through the stk_tcp.h seam on
 * virtual time. Host A (198.18.7.1) listens; host B (198.18.7.2) connects.
 * The applications on both ends are loop_ep (loop_host.h).
 *
 *   clean   one connection, a generated stream each way at once; SHA-256 of
 *           what each side sent equals SHA-256 of what the other received;
 *   fault   the same with the seeded fault injector on both hosts' TX (loss,
 *           reordering, duplication, corruption past the Ethernet header),
 *           different seeds; no 60 s (virtual) without progress;
 *   conns   sequential short connections (connect, 1 KiB, close) and many
 *           concurrent ones, each echoing a block (zero-copy echo);
 *   close   graceful close seen on both sides (peer_fin, shutdown_done),
 *           simultaneous close, multi-segment send accounting, zero-copy
 *           pages released by the time `sent` runs, abortive close and
 *           close without shutdown (reset upcall on the peer), connect to a
 *           closed port, closes inside upcalls;
 *   outage  pure ACKs lost across both sides' RTOs (recovery without an ACK
 *           storm), a slow reader whose window update is lost (persist),
 *           a 3 s link outage in the middle of a transfer each way.
 *
 * Every case ends with no TCB, send op or mbuf in use once TIME-WAIT is
 * over; test_eal_finish() checks every pool once more.
 *
 *   test_loop_tcp [--case clean|fault|conns|close|outage|all] [--kind ring|memif]
 *                 [--mib N] [--fault-mib N] [--seq N] [--conc N] [--conc-kib N]
 *                 [--seed N] [--loss P] [--dup P] [--reorder P] [--corrupt P]
 *                 [--chunk BYTES]
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "loop_host.h"
#include "tcp_priv.h" /* tcp_state numbering and the TCB pools, for the checks */

#define SRV_PORT 5001
#define MIB (1024.0 * 1024.0)

static struct {
	const char *which, *kind;
	uint64_t clean_mib, fault_mib, seed;
	unsigned int seq, conc, conc_kib, chunk;
	double loss, dup, reorder, corrupt;
} opt = { "all", "ring", 16, 16, 1, 1000, 200, 64, LOOP_SND_CHUNK,
	  0.05, 0.02, 0.05, 0.001 };

/* ---- common ---- */

static int
net_up(struct loop_net *n, const char *tag, const struct drv_fault_conf *fa,
       const struct drv_fault_conf *fb)
{
	struct loop_net_conf nc = { .kind = opt.kind, .tag = tag, .nb_mbufs = 65535,
				    .fault_a = fa, .fault_b = fb };

	if (loop_net_up(n, &nc) == 0)
		return 0;
	CHECK(0, "%s: %s hosts up", tag, opt.kind);
	loop_net_down(n);
	return -1;
}

static struct stk_tcp_conn *
srv_listen(struct loop_net *n, struct loop_server *s)
{
	struct stk_tcp_conn *l = NULL;
	int rc = stk_tcp_listen(n->a.in, 0, rte_cpu_to_be_16(SRV_PORT), 1024, 0, &loop_server_up,
				s, &l);

	CHECK(rc == 0, "listen: %s", stk_strerror(rc));
	return rc == 0 ? l : NULL;
}

static uint64_t
counter(const struct loop_host *h, enum stk_cnt which)
{
	return stk_inst_stats(h->in)->cnt[which];
}

static void
mbufs_check(const struct loop_net *n, const char *what)
{
	CHECK(loop_net_mbufs_in_use(n) == 0, "%s: %u mbufs still in use (packet pool %u, "
	      "indirect pool %u)", what, loop_net_mbufs_in_use(n), rte_mempool_in_use_count(n->mp),
	      rte_mempool_in_use_count(n->ind));
}

/*
 * End of a case: close the listener, let TIME-WAIT (2*MSL) and any frame
 * still held by the injectors pass, then no TCB, send op or mbuf is in use.
 */
static void
net_finish(struct loop_net *n, struct stk_tcp_conn *l, const char *what)
{
	const struct stk_params *p = stk_shared_params(n->a.sh);

	if (l != NULL) {
		CHECK(loop_tcbs_in_use(&n->a) >= 1, "%s: A's TCB pool counts the listener", what);
		stk_tcp_close(l);
	}
	loop_net_idle(n, (unsigned int)(2 * p->tcp_msl / STK_NS_PER_MS) + 1000);
	CHECK(loop_tcbs_in_use(&n->a) == 0 && loop_tcbs_in_use(&n->b) == 0,
	      "%s: TCBs in use after 2*MSL: A %u, B %u (0 expected)", what, loop_tcbs_in_use(&n->a),
	      loop_tcbs_in_use(&n->b));
	CHECK(rte_mempool_in_use_count(n->a.in->tcp->op_pool) == 0 &&
	      rte_mempool_in_use_count(n->b.in->tcp->op_pool) == 0, "%s: send ops in use", what);
	mbufs_check(n, what);
}

static void
print_rate(const char *what, uint64_t bytes, stk_time_t virt_ns, double wall_s, uint64_t steps)
{
	double v = (double)virt_ns / 1e9;

	printf("%s: %.1f MiB moved in %.3f s virtual (%.1f MiB/s), %.3f s wall (%.1f MiB/s), "
	       "%" PRIu64 " steps\n", what, (double)bytes / MIB, v, v > 0 ? bytes / MIB / v : 0.0,
	       wall_s, wall_s > 0 ? bytes / MIB / wall_s : 0.0, steps);
}

/* Both sides closed gracefully: one peer_fin after all data, one shutdown_done(0), no reset. */
static void
graceful_check(const char *what, const struct loop_ep *e, uint64_t rx_bytes)
{
	CHECK(e->peer_fin_calls == 1 && e->rx_at_fin == rx_bytes,
	      "%s %s: peer_fin once (%u) after all %" PRIu64 " bytes (%" PRIu64 ")", what, e->name,
	      e->peer_fin_calls, rx_bytes, e->rx_at_fin);
	CHECK(e->shut_calls == 1 && e->shut_err == 0, "%s %s: shutdown_done once (%u), err %d",
	      what, e->name, e->shut_calls, e->shut_err);
	CHECK(!e->reset && e->sent_failed == 0, "%s %s: no reset (%d), no failed send (%d)", what,
	      e->name, e->reset_err, e->sent_err);
	CHECK(e->bad_len == 0 && e->send_errs == 0, "%s %s: %u chains offered with pkt_len != len,"
	      " %u sends refused (%s)", what, e->name, e->bad_len, e->send_errs,
	      stk_strerror(e->send_rc));
}

/* ---- clean and fault: one connection, a stream each way at once ---- */

static void
fault_conf(struct drv_fault_conf *f, uint64_t seed)
{
	drv_fault_conf_default(f);
	f->seed = seed;
	f->loss = opt.loss;
	f->dup = opt.dup;
	f->reorder = opt.reorder;
	f->reorder_depth = 3;
	f->corrupt = opt.corrupt;
	f->corrupt_skip = 14; /* the Ethernet header stays: the frame still reaches the stack */
	f->tx = true;
	f->rx = false;
}

/* @p tx's stream arrived whole at @p rx: byte count and SHA-256. */
static void
stream_check_dir(const char *what, struct loop_ep *tx, struct loop_ep *rx, uint64_t bytes)
{
	char ht[65], hr[65];

	sha256_final_hex(&tx->tx_hash, ht);
	sha256_final_hex(&rx->rx_hash, hr);
	printf("%s %s->%s: sent sha256 %s\n%s %s->%s: recv sha256 %s\n", what, tx->name, rx->name,
	       ht, what, tx->name, rx->name, hr);
	CHECK(rx->rx_bytes == bytes, "%s %s->%s: %" PRIu64 " of %" PRIu64 " bytes arrived", what,
	      tx->name, rx->name, rx->rx_bytes, bytes);
	CHECK(tx->tx_done == bytes, "%s %s->%s: %" PRIu64 " of %" PRIu64 " bytes completed", what,
	      tx->name, rx->name, tx->tx_done, bytes);
	CHECK(strcmp(ht, hr) == 0, "%s %s->%s: SHA-256 of sent and received streams equal", what,
	      tx->name, rx->name);
}

/* @return true if the SHA-256 of what @p tx sent equals that of what @p rx received. */
static bool
same_stream(struct loop_ep *tx, struct loop_ep *rx)
{
	uint8_t dt[32], dr[32];

	sha256_final(&tx->tx_hash, dt);
	sha256_final(&rx->rx_hash, dr);
	return memcmp(dt, dr, sizeof(dt)) == 0;
}

static void
case_stream(const char *name, uint64_t mib, bool faults)
{
	uint64_t bytes = mib << 20;
	struct loop_ep_conf cf = { .tx_total = bytes, .chunk = opt.chunk, .rx_expect = bytes,
				   .shut_after_tx = true };
	struct loop_ep srv_ep = { 0 }, cli;
	struct loop_server srv = { .eps = &srv_ep, .cap = 1, .name = "A", .tmpl = cf };
	struct loop_net n;
	struct loop_run r = { .net = &n, .what = name, .nb_g = 2 };
	struct drv_fault_conf fa, fb;
	struct stk_tcp_conn *l;
	stk_time_t v0;
	double t0;

	fault_conf(&fa, 2 * opt.seed + 1);
	fault_conf(&fb, 2 * opt.seed + 2);
	if (net_up(&n, name, faults ? &fa : NULL, faults ? &fb : NULL) != 0)
		return;
	if (faults)
		printf("%s: loss %.3f dup %.3f reorder %.3f corrupt %.4f, seeds A %" PRIu64
		       " B %" PRIu64 "\n", name, opt.loss, opt.dup, opt.reorder, opt.corrupt,
		       fa.seed, fb.seed);
	/* Every receive verdict: clean A takes, B copies; fault A consumes, B takes. */
	srv.tmpl.seed = 0xa11ce;
	srv.tmpl.mode = faults ? LOOP_RX_CONSUME : LOOP_RX_TAKE;
	cf.seed = 0xb0b;
	cf.mode = faults ? LOOP_RX_TAKE : LOOP_RX_COPY;
	loop_ep_init(&cli, "B", &cf);
	l = srv_listen(&n, &srv);
	t0 = loop_wall();
	v0 = n.now;
	if (l != NULL && loop_connect(&n, &cli, SRV_PORT) == 0) {
		r.g[0] = (struct loop_group){ &cli, 1, NULL };
		r.g[1] = (struct loop_group){ &srv_ep, 1, &srv.used };
		loop_run_until_closed(&r);
	}
	print_rate(name, 2 * bytes, n.now - v0, loop_wall() - t0, n.steps);
	stream_check_dir(name, &srv_ep, &cli, bytes);
	stream_check_dir(name, &cli, &srv_ep, bytes);
	graceful_check(name, &srv_ep, bytes);
	graceful_check(name, &cli, bytes);
	/*
	 * Regression (fixed in 3bc8ebd): a data segment that also carried SACK
	 * blocks was sized by smss alone, exceeded the MTU and was fragmented
	 * by IPv4: every fragment one more frame to lose.
	 */
	CHECK(counter(&n.a, STK_CNT_IPV4_FRAGS_TX) == 0 && counter(&n.b, STK_CNT_IPV4_FRAGS_TX) == 0,
	      "%s: TCP segments fit the MTU: A sent %" PRIu64 ", B %" PRIu64 " IPv4 fragments",
	      name, counter(&n.a, STK_CNT_IPV4_FRAGS_TX), counter(&n.b, STK_CNT_IPV4_FRAGS_TX));
	loop_net_print_stats(&n);
	net_finish(&n, l, name);
	loop_net_down(&n);
}

/* ---- conns: many short connections, then many at once ---- */

static bool
short_ok(struct loop_ep *cli, struct loop_ep *srv, uint32_t bytes)
{
	return srv->rx_bytes == bytes && same_stream(cli, srv) && cli->tx_done == bytes &&
	       cli->shut_err == 0 && srv->shut_err == 0 && cli->shut_done && srv->shut_done &&
	       cli->peer_fin && srv->peer_fin && srv->rx_at_fin == bytes && !cli->reset &&
	       !srv->reset;
}

/* Connect, send 1 KiB, shut down, close: one after another. */
static void
conns_sequential(struct loop_net *n)
{
	struct loop_ep_conf ccf = { .mode = LOOP_RX_CONSUME, .tx_total = 1024,
				    .shut_after_tx = true };
	struct loop_ep srv_ep = { 0 }, cli;
	struct loop_server srv = { .eps = &srv_ep, .cap = 1, .name = "A",
				   .tmpl = { .mode = LOOP_RX_CONSUME, .rx_expect = 1024,
					     .shut_on_fin = true } };
	struct loop_run r = { .net = n, .what = "sequential", .nb_g = 2 };
	struct stk_tcp_conn *l = srv_listen(n, &srv);
	unsigned int i, good = 0;
	uint64_t s0 = n->steps;
	stk_time_t v0 = n->now;
	double t0 = loop_wall();

	for (i = 0; l != NULL && i < opt.seq; i++) {
		srv.used = 0;
		ccf.seed = i;
		loop_ep_init(&cli, "B", &ccf);
		if (loop_connect(n, &cli, SRV_PORT) != 0)
			break;
		r.g[0] = (struct loop_group){ &cli, 1, NULL };
		r.g[1] = (struct loop_group){ &srv_ep, 1, &srv.used };
		if (!loop_run_until_closed(&r))
			break;
		if (short_ok(&cli, &srv_ep, 1024))
			good++;
		else
			printf("sequential: connection %u failed\n", i);
	}
	print_rate("sequential", (uint64_t)good * 1024, n->now - v0, loop_wall() - t0,
		   n->steps - s0);
	CHECK(good == opt.seq, "sequential: %u of %u connections moved 1 KiB and closed cleanly",
	      good, opt.seq);
	CHECK(srv.refused == 0, "sequential: no connection refused by the server");
	/* The active closer (B) keeps TIME-WAIT without its user; A keeps only the listener. */
	CHECK(loop_tcbs_in_use(&n->a) == 1, "sequential: A's TCBs in use %u (the listener)",
	      loop_tcbs_in_use(&n->a));
	if (l != NULL)
		stk_tcp_close(l);
}

/* Count the clients that got their block back and closed, and the servers that echoed it. */
static void
concurrent_count(struct loop_ep *cli, unsigned int nc, const struct loop_ep *sep,
		 unsigned int ns, uint32_t bytes, unsigned int *good, unsigned int *sgood)
{
	unsigned int i;

	for (i = 0; i < nc; i++)
		*good += cli[i].rx_bytes == bytes && same_stream(&cli[i], &cli[i]) &&
			 cli[i].shut_done && cli[i].peer_fin && !cli[i].reset;
	/* Accepted connections are in arrival order: the server side is checked on its own. */
	for (i = 0; i < ns; i++)
		*sgood += sep[i].rx_bytes == bytes && sep[i].tx_done == bytes && sep[i].peer_fin &&
			  sep[i].shut_done && sep[i].shut_err == 0 && !sep[i].reset;
}

/* All connect at once; each sends a block the server echoes (zero copy) and closes. */
static void
conns_concurrent(struct loop_net *n)
{
	uint32_t bytes = opt.conc_kib * 1024;
	struct loop_ep *cli = calloc(opt.conc, sizeof(*cli)), *sep = calloc(opt.conc, sizeof(*sep));
	struct loop_server srv = { .eps = sep, .cap = opt.conc, .name = "A",
				   .tmpl = { .echo = true, .shut_on_fin = true } };
	struct loop_ep_conf ccf = { .mode = LOOP_RX_CONSUME, .tx_total = bytes, .chunk = opt.chunk,
				    .rx_expect = bytes, .shut_after_rx = true };
	struct loop_run r = { .net = n, .what = "concurrent", .nb_g = 2 };
	struct stk_tcp_conn *l = cli != NULL && sep != NULL ? srv_listen(n, &srv) : NULL;
	unsigned int i, good = 0, sgood = 0, started = 0;
	uint64_t s0 = n->steps;
	stk_time_t v0 = n->now;
	double t0 = loop_wall();

	for (i = 0; l != NULL && i < opt.conc; i++) {
		ccf.seed = 1000 + i;
		loop_ep_init(&cli[i], "B", &ccf);
		if (loop_connect(n, &cli[i], SRV_PORT) != 0)
			break;
		started++;
	}
	if (started == opt.conc) {
		r.g[0] = (struct loop_group){ cli, opt.conc, NULL };
		r.g[1] = (struct loop_group){ sep, opt.conc, &srv.used };
		loop_run_until_closed(&r);
	}
	concurrent_count(cli, started, sep, srv.used, bytes, &good, &sgood);
	print_rate("concurrent", 2ULL * good * bytes, n->now - v0, loop_wall() - t0,
		   n->steps - s0);
	/* The echo sends multi-segment chains: see "send accounting" in the close case. */
	CHECK(good == opt.conc, "concurrent: %u of %u clients got their %u bytes back intact and "
	      "closed cleanly", good, opt.conc, bytes);
	CHECK(sgood == opt.conc, "concurrent: %u of %u server connections echoed %u bytes and "
	      "closed cleanly", sgood, opt.conc, bytes);
	if (l != NULL)
		stk_tcp_close(l);
	free(cli);
	free(sep);
}

static void
case_conns(void)
{
	struct loop_net n;

	if (net_up(&n, "conns", NULL, NULL) != 0)
		return;
	conns_sequential(&n);
	conns_concurrent(&n);
	loop_net_print_stats(&n);
	net_finish(&n, NULL, "conns");
	loop_net_down(&n);
}

/* ---- one connection at a time: close and outage ---- */

/* B sends 10 KiB and shuts down; A reads it, sees the FIN, answers 5 KiB and shuts down. */
static void
close_graceful(struct loop_pair *p, int close_in_upcall)
{
	const char *what = close_in_upcall ? "graceful, A closes inside shutdown_done" : "graceful";
	struct loop_ep_conf scf = { .mode = LOOP_RX_CONSUME, .seed = 7, .tx_total = 5 * 1024,
				    .rx_expect = 10 * 1024, .shut_on_fin = true,
				    .close_in_upcall = close_in_upcall };
	struct loop_ep_conf ccf = { .mode = LOOP_RX_COPY, .seed = 8, .tx_total = 10 * 1024,
				    .rx_expect = 5 * 1024, .shut_after_tx = true };

	if (!loop_pair_open(p, what, &scf, &ccf))
		return;
	loop_pair_run(p, what);
	graceful_check(what, &p->cli, 5 * 1024);
	graceful_check(what, &p->sep, 10 * 1024);
	CHECK(p->cli.tx_done == 10 * 1024 && p->sep.tx_done == 5 * 1024,
	      "%s: every send completed (B %" PRIu64 ", A %" PRIu64 ")", what, p->cli.tx_done,
	      p->sep.tx_done);
	CHECK(p->cli.state_at_shut == TCPS_TIME_WAIT, "%s: B, the active closer, in TIME-WAIT at "
	      "shutdown_done (%s)", what, tcp_state_name(p->cli.state_at_shut));
	CHECK(p->sep.state_at_shut == TCPS_CLOSED, "%s: A, the passive closer, CLOSED at "
	      "shutdown_done (%s)", what, tcp_state_name(p->sep.state_at_shut));
	/*
	 * Regressions (fixed in 7f35d2a), B reading with stk_tcp_recv_copy():
	 * TCBs: a window update went out in any state, so B's left from
	 * TIME-WAIT, A (gone) answered RST, and the RST ended B's TIME-WAIT;
	 * mbufs: a copy that emptied the queue dropped the emptied last
	 * segment without freeing it.
	 */
	loop_pair_end(p, what, 0, 1);
}

static void
close_simultaneous(struct loop_pair *p, int unused)
{
	const char *what = "simultaneous close";
	struct loop_ep_conf cf = { .mode = LOOP_RX_CONSUME };

	if (!loop_pair_open(p, what, &cf, &cf))
		return;
	/* Both FINs leave before either arrives: FIN-WAIT-1, CLOSING, TIME-WAIT on both sides. */
	loop_ep_shutdown(&p->cli);
	loop_ep_shutdown(&p->sep);
	loop_pair_run(p, what);
	graceful_check(what, &p->cli, 0);
	graceful_check(what, &p->sep, 0);
	CHECK(p->cli.state_at_shut == TCPS_TIME_WAIT && p->sep.state_at_shut == TCPS_TIME_WAIT,
	      "%s: both in TIME-WAIT at shutdown_done (B %s, A %s)", what,
	      tcp_state_name(p->cli.state_at_shut), tcp_state_name(p->sep.state_at_shut));
	loop_pair_end(p, what, 1, 1);
}

/* Two sends of three 2 KiB segments each, queued before anything is acknowledged. */
static void
send_accounting(struct loop_pair *p, int unused)
{
	const char *what = "send accounting";
	struct loop_ep_conf scf = { .mode = LOOP_RX_CONSUME, .rx_expect = 12288,
				    .shut_on_fin = true };
	struct loop_ep_conf ccf = { .mode = LOOP_RX_CONSUME };
	struct stk_tcp_info i;
	int k, rc;

	if (!loop_pair_open(p, what, &scf, &ccf))
		return;
	for (k = 0; k < 2; k++) {
		struct rte_mbuf *m = loop_gen_mbuf(p->n->mp, 5, 6144 * k, 6144, &p->cli.tx_hash);

		rc = m != NULL ? stk_tcp_send(p->cli.c, m, NULL, 0) : STK_ENOMEM;
		CHECK(rc == 0 && m->nb_segs == 3, "%s: send %d: %s", what, k, stk_strerror(rc));
	}
	p->cli.tx_queued = 12288;
	stk_tcp_info(p->cli.c, &i);
	/*
	 * Regression (fixed in 7f35d2a): stk_tcp_send() took the op's length
	 * from m->pkt_len after rte_pktmbuf_chain(), which resets a chained
	 * tail's pkt_len to its first segment's data_len: the second send
	 * counted 2048 bytes, not 6144, and the stream stalled.
	 */
	CHECK(i.send_queued == 12288, "%s: send_queued counts both sends (%u of 12288)", what,
	      i.send_queued);
	loop_ep_shutdown(&p->cli);
	loop_pair_run(p, what);
	stream_check_dir(what, &p->cli, &p->sep, 12288);
	loop_pair_end(p, what, 0, 1);
}

/* The caller's pages (external buffers) are free again once the send completed. */
static unsigned int zc_freed;

static void
zc_free(void *addr, void *opaque)
{
	zc_freed++;
}

static void
send_zero_copy(struct loop_pair *p, int unused)
{
	static uint8_t pages[3][4096];
	static struct rte_mbuf_ext_shared_info shinfo[3];
	const char *what = "zero-copy send";
	struct loop_ep_conf cf = { .mode = LOOP_RX_CONSUME };
	struct rte_mbuf *head = NULL;
	int k, rc;

	if (!loop_pair_open(p, what, &cf, &cf))
		return;
	zc_freed = 0;
	for (k = 0; k < 3; k++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(p->n->mp);

		shinfo[k] = (struct rte_mbuf_ext_shared_info){ .free_cb = zc_free };
		rte_mbuf_ext_refcnt_set(&shinfo[k], 1);
		loop_gen_fill(6, 4096 * k, pages[k], 4096);
		rte_pktmbuf_attach_extbuf(m, pages[k], (rte_iova_t)(uintptr_t)pages[k], 4096,
					  &shinfo[k]);
		m->data_off = 0;
		m->data_len = m->pkt_len = 4096;
		if (head == NULL)
			head = m;
		else
			rte_pktmbuf_chain(head, m);
	}
	loop_hash_mbuf(&p->cli.tx_hash, head, 0, 3 * 4096);
	p->cli.cf.tx_total = p->cli.tx_queued = 3 * 4096;
	rc = stk_tcp_send(p->cli.c, head, NULL, 0);
	CHECK(rc == 0, "%s: send: %s", what, stk_strerror(rc));
	loop_pair_steps(p, 1000, true);
	/*
	 * Regression (fixed in 7f35d2a): tcp_sendq_ack() trimmed the send queue
	 * with tcp_reass_mbuf_trim_front(), which keeps the last segment
	 * (emptied) once everything is acknowledged: the stack still held the
	 * caller's last page after the `sent` upcall.
	 */
	CHECK(p->cli.tx_done == 3 * 4096 && zc_freed == 3, "%s: all 3 pages released when the "
	      "send completed (%u released, %" PRIu64 " bytes completed)", what, zc_freed,
	      p->cli.tx_done);
	loop_ep_shutdown(&p->cli);
	loop_ep_shutdown(&p->sep);
	loop_pair_run(p, what);
	stream_check_dir(what, &p->cli, &p->sep, 3 * 4096);
	loop_pair_end(p, what, 1, 1);
}

#define ABORT_BY_A 1	  /* close_abort(): A aborts (else B) */
#define ABORT_CLOSE_IN_UPCALL 2 /* ... and the victim closes inside its reset upcall */

/* One side queues 64 KiB and aborts at once: its send fails, the peer hears reset. */
static void
close_abort(struct loop_pair *p, int how)
{
	bool by_server = how & ABORT_BY_A, close_in_upcall = how & ABORT_CLOSE_IN_UPCALL;
	const char *what = by_server ? "abort by A" : close_in_upcall ?
		"abort by B, A closes inside reset" : "abort by B";
	struct loop_ep_conf victim_cf = { .mode = LOOP_RX_CONSUME,
					  .close_in_upcall = close_in_upcall };
	struct loop_ep_conf cf = { .mode = LOOP_RX_CONSUME };
	struct loop_ep *ab, *victim;
	struct rte_mbuf *m;
	int rc;

	if (!loop_pair_open(p, what, by_server ? &cf : &victim_cf, by_server ? &victim_cf : &cf))
		return;
	ab = by_server ? &p->sep : &p->cli;
	victim = by_server ? &p->cli : &p->sep;
	m = loop_gen_mbuf(p->n->mp, 9, 0, 64 * 1024, NULL);
	rc = m != NULL ? stk_tcp_send(ab->c, m, NULL, 0) : STK_ENOMEM;
	CHECK(rc == 0, "%s: send before the abort: %s", what, stk_strerror(rc));
	stk_tcp_abort(ab->c);
	CHECK(ab->sent_failed == 1 && ab->sent_err == STK_TCP_ECONNABORTED,
	      "%s: the queued send completed with ECONNABORTED (%u sends failed, err %d)", what,
	      ab->sent_failed, ab->sent_err);
	if (ab->reset)
		printf("note: %s: stk_tcp_abort ran the aborting side's own reset upcall (err %d)\n",
		       what, ab->reset_err);
	loop_ep_close(ab);
	loop_pair_run(p, what);
	CHECK(victim->reset && victim->reset_err == STK_TCP_ECONNRESET,
	      "%s: %s's reset upcall ran with ECONNRESET (%d)", what, victim->name,
	      victim->reset_err);
	CHECK(!victim->shut_done && !victim->peer_fin, "%s: %s saw no graceful close", what,
	      victim->name);
	loop_pair_end(p, what, 0, 0);
}

/* stk_tcp_close() on an established connection resets it (WskCloseSocket). */
static void
close_without_shutdown(struct loop_pair *p, int unused)
{
	const char *what = "close without shutdown";
	struct loop_ep_conf cf = { .mode = LOOP_RX_CONSUME };

	if (!loop_pair_open(p, what, &cf, &cf))
		return;
	loop_ep_close(&p->cli);
	loop_pair_run(p, what);
	CHECK(p->sep.reset && p->sep.reset_err == STK_TCP_ECONNRESET,
	      "%s: A's reset upcall ran with ECONNRESET (%d)", what, p->sep.reset_err);
	loop_pair_end(p, what, 0, 0);
}

static void
close_refused(struct loop_pair *p, int unused)
{
	struct loop_run r = { .net = p->n, .what = "refused", .nb_g = 1 };
	unsigned int before = loop_tcbs_in_use(&p->n->b);

	loop_ep_init(&p->cli, "B", &(struct loop_ep_conf){ .mode = LOOP_RX_CONSUME });
	if (loop_connect(p->n, &p->cli, SRV_PORT + 1) != 0)
		return;
	r.g[0] = (struct loop_group){ &p->cli, 1, NULL };
	loop_run_until_closed(&r);
	CHECK(!p->cli.connected && p->cli.conn_err == STK_TCP_ECONNREFUSED,
	      "refused: connect to a closed port reports ECONNREFUSED (%d)", p->cli.conn_err);
	CHECK(loop_tcbs_in_use(&p->n->b) == before, "refused: B's TCB freed on close");
}

/*
 * Each side sends three segments and both get through, but every pure ACK is
 * lost for a second: the delayed ACKs and the answers to the first
 * retransmissions vanish, both sides back off with snd_nxt rewound. Once
 * ACKs flow again, the next retransmission must settle it.
 */
static void
outage_acks(struct loop_pair *p, int unused)
{
	const char *what = "outage of ACKs";
	struct loop_ep_conf scf = { .mode = LOOP_RX_CONSUME, .seed = 12, .tx_total = 3 * 1448,
				    .rx_expect = 3 * 1448 };
	struct loop_ep_conf ccf = scf;
	struct loop_net *n = p->n;
	uint64_t tx0;

	ccf.seed = 13;
	if (!loop_pair_open(p, what, &scf, &ccf))
		return;
	n->a.gate.mode = n->b.gate.mode = LOOP_GATE_DROP_ACKS;
	loop_pair_steps(p, 1000, false);
	CHECK(p->cli.rx_bytes == 3 * 1448 && p->sep.rx_bytes == 3 * 1448 && p->cli.tx_done == 0 &&
	      p->sep.tx_done == 0, "%s: all data arrived, none is acknowledged", what);
	n->a.gate.mode = n->b.gate.mode = LOOP_GATE_OPEN;
	tx0 = counter(&n->a, STK_CNT_TCP_TX) + counter(&n->b, STK_CNT_TCP_TX);
	loop_pair_steps(p, 5000, true);
	/*
	 * Regression (fixed in 7f35d2a): after the RTO both sides had rewound
	 * snd_nxt to snd_una and sent pure ACKs with SEQ = snd_nxt, below the
	 * peer's RCV.NXT: each was unacceptable (RFC 9293 3.10.7.4), its ACK
	 * field never processed, and it drew another such ACK: an endless ACK
	 * storm (a million segments in 5 s) until both gave up with ETIMEDOUT.
	 */
	CHECK(p->cli.tx_done == 3 * 1448 && p->sep.tx_done == 3 * 1448, "%s: both sends "
	      "complete within 5 s once ACKs pass (B %" PRIu64 ", A %" PRIu64 ")", what,
	      p->cli.tx_done, p->sep.tx_done);
	CHECK(counter(&n->a, STK_CNT_TCP_TX) + counter(&n->b, STK_CNT_TCP_TX) - tx0 < 50,
	      "%s: no ACK storm (%" PRIu64 " segments in 5 s)", what,
	      counter(&n->a, STK_CNT_TCP_TX) + counter(&n->b, STK_CNT_TCP_TX) - tx0);
	loop_ep_shutdown(&p->cli);
	loop_ep_shutdown(&p->sep);
	loop_pair_run(p, what);
	stream_check_dir(what, &p->cli, &p->sep, 3 * 1448);
	stream_check_dir(what, &p->sep, &p->cli, 3 * 1448);
	loop_pair_end(p, what, 1, 1);
}

/*
 * A reads slowly: it keeps everything it is offered until B is blocked by a
 * zero window. Then A lets go, but the window update (a pure ACK) and the
 * answers to B's first probes are lost: B's persist timer must find out.
 */
static void
outage_window(struct loop_pair *p, int unused)
{
	const char *what = "lost window update";
	struct loop_ep_conf scf = { .mode = LOOP_RX_TAKE, .rx_expect = 1 << 20, .shut_on_fin = true,
				    .hold = true };
	struct loop_ep_conf ccf = { .mode = LOOP_RX_CONSUME, .seed = 11, .tx_total = 1 << 20,
				    .shut_after_tx = true };
	struct stk_tcp_info i = { .snd_wnd = 1 };
	unsigned int ms;

	if (!loop_pair_open(p, what, &scf, &ccf))
		return;
	for (ms = 0; ms < 2000 && i.snd_wnd != 0; ms++) {
		loop_pair_steps(p, 1, false);
		stk_tcp_info(p->cli.c, &i);
	}
	CHECK(i.snd_wnd == 0 && p->sep.rx_bytes < (1 << 20), "%s: A's window closed after %"
	      PRIu64 " bytes", what, p->sep.rx_bytes);
	p->n->a.gate.mode = LOOP_GATE_DROP_ACKS;
	p->sep.cf.hold = false;
	loop_pair_steps(p, 500, false);
	p->n->a.gate.mode = LOOP_GATE_OPEN;
	loop_pair_run(p, what);
	stream_check_dir(what, &p->cli, &p->sep, 1 << 20);
	graceful_check(what, &p->cli, 0);
	graceful_check(what, &p->sep, 1 << 20);
	loop_pair_end(p, what, p->sep.state_at_shut == TCPS_TIME_WAIT,
		 p->cli.state_at_shut == TCPS_TIME_WAIT);
}

/* 1 MiB each way; 10 ms in, the link goes down for 3 s; then everything must arrive. */
static void
outage_link(struct loop_pair *p, int unused)
{
	const char *what = "link outage";
	struct loop_ep_conf scf = { .mode = LOOP_RX_CONSUME, .seed = 14, .tx_total = 1 << 20,
				    .rx_expect = 1 << 20, .shut_after_tx = true };
	struct loop_ep_conf ccf = scf;

	ccf.seed = 15;
	if (!loop_pair_open(p, what, &scf, &ccf))
		return;
	loop_pair_steps(p, 10, false);
	p->n->a.gate.mode = p->n->b.gate.mode = LOOP_GATE_DROP_ALL;
	loop_pair_steps(p, 3000, false);
	p->n->a.gate.mode = p->n->b.gate.mode = LOOP_GATE_OPEN;
	loop_pair_run(p, what);
	stream_check_dir(what, &p->cli, &p->sep, 1 << 20);
	stream_check_dir(what, &p->sep, &p->cli, 1 << 20);
	graceful_check(what, &p->cli, 1 << 20);
	graceful_check(what, &p->sep, 1 << 20);
	loop_pair_end(p, what, p->sep.state_at_shut == TCPS_TIME_WAIT,
		 p->cli.state_at_shut == TCPS_TIME_WAIT);
}

/* A test on one connection at a time, and its variant. */
struct pair_test {
	void (*fn)(struct loop_pair *p, int variant);
	int variant;
};

/* One net and listener, and @p tests run one after another on it. */
static void
case_pairs(const char *tag, const struct pair_test *tests, unsigned int nb)
{
	struct loop_net n;
	struct loop_pair p = { .n = &n, .port = SRV_PORT };
	struct stk_tcp_conn *l;
	unsigned int i;

	if (net_up(&n, tag, NULL, NULL) != 0)
		return;
	p.srv = (struct loop_server){ .eps = &p.sep, .cap = 1, .name = "A" };
	l = srv_listen(&n, &p.srv);
	for (i = 0; l != NULL && i < nb; i++)
		tests[i].fn(&p, tests[i].variant);
	loop_net_print_stats(&n);
	net_finish(&n, l, tag);
	loop_net_down(&n);
}

/* Closes inside upcalls come last: a use after free there would spoil what follows. */
static const struct pair_test close_tests[] = {
	{ close_graceful, 0 }, { close_simultaneous, 0 }, { send_accounting, 0 },
	{ send_zero_copy, 0 }, { close_abort, 0 }, { close_abort, ABORT_BY_A },
	{ close_without_shutdown, 0 }, { close_refused, 0 }, { close_graceful, 1 },
	{ close_abort, ABORT_CLOSE_IN_UPCALL },
};
static const struct pair_test outage_tests[] = {
	{ outage_acks, 0 }, { outage_window, 0 }, { outage_link, 0 },
};

/* ---- main ---- */

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--case clean|fault|conns|close|outage|all] [--kind ring|memif]\n"
		"  [--mib N] [--fault-mib N] [--seq N] [--conc N] [--conc-kib N] [--seed N]\n"
		"  [--loss P] [--dup P] [--reorder P] [--corrupt P] [--chunk BYTES per send]\n",
		prog);
	exit(2);
}

static void
parse_args(int argc, char **argv)
{
	static const struct {
		const char *name;
		char type; /* s string, u unsigned, U uint64, d double */
		void *p;
	} opts[] = {
		{ "--case", 's', &opt.which },	   { "--kind", 's', &opt.kind },
		{ "--mib", 'U', &opt.clean_mib },
		{ "--fault-mib", 'U', &opt.fault_mib }, { "--seed", 'U', &opt.seed },
		{ "--seq", 'u', &opt.seq },	   { "--conc", 'u', &opt.conc },
		{ "--conc-kib", 'u', &opt.conc_kib }, { "--chunk", 'u', &opt.chunk },
		{ "--loss", 'd', &opt.loss },	   { "--dup", 'd', &opt.dup },
		{ "--reorder", 'd', &opt.reorder }, { "--corrupt", 'd', &opt.corrupt },
	};
	int i;
	unsigned int k;

	for (i = 1; i < argc; i += 2) {
		for (k = 0; k < RTE_DIM(opts) && strcmp(argv[i], opts[k].name) != 0; k++)
			;
		if (k == RTE_DIM(opts) || i + 1 == argc)
			usage(argv[0]);
		if (opts[k].type == 's')
			*(const char **)opts[k].p = argv[i + 1];
		else if (opts[k].type == 'u')
			*(unsigned int *)opts[k].p = (unsigned int)strtoul(argv[i + 1], NULL, 0);
		else if (opts[k].type == 'U')
			*(uint64_t *)opts[k].p = strtoull(argv[i + 1], NULL, 0);
		else
			*(double *)opts[k].p = strtod(argv[i + 1], NULL);
	}
	if (opt.chunk == 0)
		usage(argv[0]);
}

static bool
want(const char *c)
{
	return strcmp(opt.which, "all") == 0 || strcmp(opt.which, c) == 0;
}

int
main(int argc, char **argv)
{
	struct sha256 kat;
	char hex[65];

	parse_args(argc, argv);
	test_eal_init(argv[0]);
	/* FIPS 180-4 example: the hash every stream comparison relies on. */
	sha256_init(&kat);
	sha256_update(&kat, "abc", 3);
	sha256_final_hex(&kat, hex);
	CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
	      "SHA-256(\"abc\") = %s", hex);
	if (want("clean"))
		case_stream("clean", opt.clean_mib, false);
	if (want("fault"))
		case_stream("fault", opt.fault_mib, true);
	if (want("conns"))
		case_conns();
	if (want("close"))
		case_pairs("close", close_tests, RTE_DIM(close_tests));
	if (want("outage"))
		case_pairs("outage", outage_tests, RTE_DIM(outage_tests));
	test_eal_finish();
	return check_done();
}
