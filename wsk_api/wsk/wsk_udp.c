/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Datagram sockets (WSK_FLAG_DATAGRAM_SOCKET over UDP): WskBind's stack
 * side, WskSendTo, WskSendMessages, WskReceiveFrom, WskReceiveFromEvent
 * indications and WskRelease, the datagram socket options and WskCloseSocket's
 * stack side.
 *
 * A bound socket has a stack UDP socket on every instance of its host, so a
 * datagram is found whichever queue RSS put it on. Datagrams reaching
 * another instance are passed to the home lcore, where all of the socket's
 * receive state lives: the queue of pending WskReceiveFrom IRPs (served
 * first), then WskReceiveFromEvent, then a bounded buffer. Indications are
 * zero copy: the MDLs describe the mbufs' data in place, and a list the
 * client retains (STATUS_PENDING) keeps its mbufs until WskRelease.
 */
#include <stdio.h>
#include <string.h>

#include <rte_mbuf_dyn.h>

#include "wsk_priv.h"
#include "wsk_udp_priv.h"

/* ---------------------------------------------------------------------------
 * Per-datagram metadata in an mbuf dynamic field
 */

atomic_int wsk_udp_dg_meta_off = -1;

/* The dynamic field is registered once per process (DPDK keeps the offset). */
static int
dg_meta_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "wskstack_dgram_meta",
		.size = sizeof(struct dg_meta),
		.align = __alignof__(struct dg_meta),
	};
	int off = atomic_load_explicit(&wsk_udp_dg_meta_off, memory_order_acquire);

	if (off < 0) {
		off = rte_mbuf_dynfield_register(&desc);
		if (off >= 0)
			atomic_store_explicit(&wsk_udp_dg_meta_off, off, memory_order_release);
	}
	return off;
}

bool
wsk_udp_sock(const struct wsk_sock *s)
{
	return s->kind == WSK_KIND_DATAGRAM;
}

/* Payload bytes the receive buffer may hold. */
uint32_t
wsk_udp_rcvbuf_of(const struct wsk_sock *s)
{
	return s->rcvbuf != 0 ? s->rcvbuf : UDP_RCVBUF_DFLT;
}

static void
dg_drop(struct wsk_sock *s, struct rte_mbuf *m)
{
	atomic_fetch_add_explicit(&s->host->st.dgrams_dropped, 1, memory_order_relaxed);
	rte_pktmbuf_free(m);
}

/* ---------------------------------------------------------------------------
 * The receive buffer (home lcore)
 */

static void
dgq_push_tail(struct wsk_sock *s, struct rte_mbuf *m)
{
	dg_meta(m)->next = NULL;
	if (s->dgq_tail != NULL)
		dg_meta(s->dgq_tail)->next = m;
	else
		s->dgq_head = m;
	s->dgq_tail = m;
	s->dgq_len++;
	s->dgq_bytes += m->pkt_len;
}

struct rte_mbuf *
wsk_udp_dgq_pop(struct wsk_sock *s)
{
	struct rte_mbuf *m = s->dgq_head;

	if (m == NULL)
		return NULL;
	s->dgq_head = dg_meta(m)->next;
	if (s->dgq_head == NULL)
		s->dgq_tail = NULL;
	s->dgq_len--;
	s->dgq_bytes -= m->pkt_len;
	return m;
}

/* Put back @p n datagrams taken from the head, in their order. */
static void
dgq_push_head(struct wsk_sock *s, struct rte_mbuf **ms, unsigned int n)
{
	while (n-- > 0) {
		struct rte_mbuf *m = ms[n];

		dg_meta(m)->next = s->dgq_head;
		s->dgq_head = m;
		if (s->dgq_tail == NULL)
			s->dgq_tail = m;
		s->dgq_len++;
		s->dgq_bytes += m->pkt_len;
	}
}

static void
dgq_purge(struct wsk_sock *s)
{
	struct rte_mbuf *m;

	while ((m = wsk_udp_dgq_pop(s)) != NULL)
		rte_pktmbuf_free(m);
}

/* Complete a WskReceiveFrom with datagram @p m (consumed). */
void
wsk_udp_rfrom_fill(struct wsk_op *op, struct rte_mbuf *m)
{
	const struct dg_meta *d = dg_meta(m);
	uint32_t len = m->pkt_len;
	uint32_t n = (uint32_t)RTE_MIN((SIZE_T)len, op->u.rf.buf.Length);

	if (n > 0)
		wsk_copy_to_buf(&op->u.rf.buf, 0, m, 0, n);
	if (op->u.rf.from != NULL)
		wsk_addr_out(op->u.rf.from, d->addr, d->port);
	if (op->u.rf.ctl_len != NULL) {
		*op->u.rf.ctl_len = 0; /* no control information is produced */
		if (op->u.rf.ctl_flags != NULL)
			*op->u.rf.ctl_flags = (n < len ? MSG_TRUNC : 0) | d->flags;
	}
	atomic_fetch_add_explicit(&op->s->host->st.recv_copy_bytes, n, memory_order_relaxed);
	rte_pktmbuf_free(m);
	/* A truncated datagram completes with success: MSG_TRUNC tells the caller. */
	wsk_op_complete(op, STATUS_SUCCESS, n);
}

static void deliver(struct wsk_sock *s);

/* Home lcore: datagram @p m for @p s (meta filled). */
static void
dg_arrive(struct wsk_sock *s, struct rte_mbuf *m)
{
	const struct dg_meta *d = dg_meta(m);

	if (s->closing) {
		rte_pktmbuf_free(m);
		return;
	}
	if (s->fixed_remote && (d->addr != s->rem_addr || d->port != s->rem_port)) {
		dg_drop(s, m); /* SIO_WSK_SET_REMOTE_ADDRESS: only the fixed peer is heard */
		return;
	}
	/* The buffer bounds what stays; a datagram someone takes now always fits. */
	if ((s->dgq_len > 0 || (TAILQ_EMPTY(&s->rfrom_q) &&
				!wsk_ev_on(s, WSK_EVENT_RECEIVE_FROM))) &&
	    (s->dgq_len >= UDP_DGQ_MAX || s->dgq_bytes + m->pkt_len > wsk_udp_rcvbuf_of(s))) {
		dg_drop(s, m);
		return;
	}
	dgq_push_tail(s, m);
	deliver(s);
}

static void
dg_forwarded(struct stk_inst *in, void *arg)
{
	struct rte_mbuf *m = arg;
	struct wsk_sock *s = dg_meta(m)->s;

	RTE_SET_USED(in);
	dg_arrive(s, m);
	wsk_sock_put(s);
}

bool
wsk_udp_is_bcast(struct stk_inst *in, rte_be32_t dst)
{
	struct stk_shared *sh = stk_inst_shared(in);
	uint16_t i;

	if (dst == RTE_BE32(0xffffffff))
		return true;
	for (i = 0; i < stk_shared_nb_ports(sh); i++) {
		const struct stk_port_conf *pc = stk_shared_port(sh, i);
		uint32_t mask;

		if (pc->addr == 0 || pc->prefix_len == 0 || pc->prefix_len >= 31)
			continue;
		mask = ~0u << (32 - pc->prefix_len);
		if ((rte_be_to_cpu_32(dst) & mask) == (rte_be_to_cpu_32(pc->addr) & mask) &&
		    (rte_be_to_cpu_32(dst) | mask) == 0xffffffffu)
			return true;
	}
	return false;
}

/* The stack's recv upcall, on whichever instance the datagram reached. */
static void
udp_up_recv(void *arg, struct stk_udp_sock *us, struct rte_mbuf *m, rte_be32_t src,
	    rte_be16_t sport, rte_be32_t dst)
{
	struct wsk_sock *s = arg;
	struct dg_meta *d = dg_meta(m);

	RTE_SET_USED(us);
	d->addr = src;
	d->port = sport;
	d->flags = wsk_udp_is_bcast(s->in, dst) ? MSG_BCAST : 0;
	if (wsk_on_lcore(s->host, s->home)) {
		dg_arrive(s, m);
		return;
	}
	d->s = s;
	wsk_sock_get(s);
	if (wsk_post(s->host, s->home, dg_forwarded, m) != 0) {
		dg_drop(s, m);
		wsk_sock_put(s);
	}
}

static const struct stk_udp_upcalls udp_upcalls = { .recv = udp_up_recv };

/* ---------------------------------------------------------------------------
 * WskReceiveFromEvent indications
 */

#define DG_MDL_PAGES 4 /* an MDL never spans more pages than this */
#define DG_MDLS      8

union dg_mdl {
	MDL mdl;
	uint8_t space[sizeof(MDL) + DG_MDL_PAGES * sizeof(PFN_NUMBER)];
};

/**
 * One datagram of an indication list, in a block of the host's ind_mp; a
 * datagram in more segments than DG_MDLS continues in further blocks.
 */
struct dg_ind {
	WSK_DATAGRAM_INDICATION di;     /**< first: the client sees this */
	uint32_t magic;
#define DG_IND_MAGIC 0x57534b44u
	bool retained;                  /**< list head kept by the client (STATUS_PENDING) */
	uint16_t nmdl;                  /**< MDLs used in this block */
	struct dg_ind *more;            /**< continuation block of this datagram's MDLs */
	struct rte_mbuf *m;             /**< the datagram (first block only) */
	struct wsk_sock *s;
	SOCKADDR_IN from;
	union dg_mdl mdl[DG_MDLS];
};

_Static_assert(sizeof(struct dg_ind) <= sizeof(struct wsk_ind),
	       "a datagram indication block must fit in the host's indication pool");

static void
dg_ind_free_blocks(struct wsk_host *h, struct dg_ind *b)
{
	while (b != NULL) {
		struct dg_ind *more = b->more;

		b->magic = 0;
		rte_mempool_put(h->ind_mp, b);
		b = more;
	}
}

static struct dg_ind *
dg_ind_block(struct wsk_host *h)
{
	struct dg_ind *b;
	void *obj;

	if (rte_mempool_get(h->ind_mp, &obj) != 0) {
		atomic_fetch_add_explicit(&h->st.pool_exhausted, 1, memory_order_relaxed);
		return NULL;
	}
	b = obj;
	memset(b, 0, offsetof(struct dg_ind, mdl));
	b->magic = DG_IND_MAGIC;
	return b;
}

/*
 * MDLs over @p len bytes at @p va, appended after *@p prev, each spanning at
 * most DG_MDL_PAGES pages. @return false if the pool ran dry.
 */
static bool
dg_ind_map(struct wsk_host *h, struct dg_ind **blk, PMDL *prev, uint8_t *va, uint32_t len)
{
	while (len > 0) {
		uint32_t room = DG_MDL_PAGES * PAGE_SIZE - BYTE_OFFSET(va);
		uint32_t n = RTE_MIN(len, room);
		PMDL mdl;

		if ((*blk)->nmdl == DG_MDLS) {
			struct dg_ind *nb = dg_ind_block(h);

			if (nb == NULL)
				return false;
			(*blk)->more = nb;
			*blk = nb;
		}
		mdl = &(*blk)->mdl[(*blk)->nmdl++].mdl;
		MmInitializeMdl(mdl, va, n);
		MmBuildMdlForNonPagedPool(mdl);
		if (*prev != NULL)
			(*prev)->Next = mdl;
		*prev = mdl;
		va += n;
		len -= n;
	}
	return true;
}

/* An indication entry describing datagram @p m in place. @return NULL if the pool ran dry. */
static struct dg_ind *
dg_ind_make(struct wsk_sock *s, struct rte_mbuf *m)
{
	struct dg_ind *head = dg_ind_block(s->host), *blk = head;
	const struct rte_mbuf *seg;
	PMDL prev = NULL;

	if (head == NULL)
		return NULL;
	head->m = m;
	head->s = s;
	wsk_addr_out((PSOCKADDR)&head->from, dg_meta(m)->addr, dg_meta(m)->port);
	for (seg = m; seg != NULL; seg = seg->next) {
		if (seg->data_len == 0)
			continue;
		if (!dg_ind_map(s->host, &blk, &prev, rte_pktmbuf_mtod(seg, uint8_t *),
				seg->data_len)) {
			dg_ind_free_blocks(s->host, head);
			return NULL;
		}
	}
	head->di.Buffer.Mdl = head->nmdl > 0 ? &head->mdl[0].mdl : NULL;
	head->di.Buffer.Offset = 0;
	head->di.Buffer.Length = m->pkt_len;
	head->di.RemoteAddress = (PSOCKADDR)&head->from;
	return head;
}

/* Free a list of datagram indications and their mbufs. */
static void
dg_ind_free_list(struct wsk_host *h, struct dg_ind *b)
{
	while (b != NULL) {
		struct dg_ind *next = (struct dg_ind *)b->di.Next;

		rte_pktmbuf_free(b->m);
		dg_ind_free_blocks(h, b);
		b = next;
	}
}

/*
 * Indicate up to UDP_IND_BATCH buffered datagrams (all with the same
 * MSG_BCAST flag) in one WskReceiveFromEvent call.
 * @return true if the client took them and more may be indicated.
 */
static bool
indicate_batch(struct wsk_sock *s)
{
	const WSK_CLIENT_DATAGRAM_DISPATCH *cd = s->cdisp;
	struct rte_mbuf *ms[UDP_IND_BATCH];
	struct dg_ind *head = NULL, *tail = NULL;
	unsigned int n = 0, i;
	uint16_t flags = dg_meta(s->dgq_head)->flags;
	uint64_t bytes = 0;
	NTSTATUS st;

	while (n < UDP_IND_BATCH && s->dgq_head != NULL && dg_meta(s->dgq_head)->flags == flags) {
		struct dg_ind *b = dg_ind_make(s, s->dgq_head);

		if (b == NULL)
			break;
		ms[n++] = wsk_udp_dgq_pop(s);
		bytes += b->m->pkt_len;
		if (tail != NULL)
			tail->di.Next = &b->di;
		else
			head = b;
		tail = b;
	}
	if (n == 0)
		return false; /* indication pool dry: the datagrams wait in the buffer */
	/* Retained before the call: the client may send the datagrams and
	 * release the list (WskRelease) before the callback even returns. */
	head->retained = true;
	atomic_fetch_add(&s->inds, 1);
	wsk_sock_get(s); /* the list points at the socket until WskRelease */
	wsk_sock_get(s); /* and the callback may close it: keep it until we are out */
	wsk_cb_enter(s);
	st = cd->WskReceiveFromEvent(s->ctx, wsk_cb_flags() | flags, &head->di);
	if (st != STATUS_PENDING) {
		head->retained = false;
		atomic_fetch_sub(&s->inds, 1);
		wsk_sock_put(s);
	}
	if (st == STATUS_PENDING) {
		atomic_fetch_add_explicit(&s->host->st.recv_ind_bytes, bytes, memory_order_relaxed);
	} else if (st == STATUS_DATA_NOT_ACCEPTED) {
		/* Back to the buffer: only the blocks go. */
		for (tail = head; tail != NULL; ) {
			struct dg_ind *next = (struct dg_ind *)tail->di.Next;

			dg_ind_free_blocks(s->host, tail);
			tail = next;
		}
		if (s->closing)
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(ms[i]);
		else
			dgq_push_head(s, ms, n);
		/* A dynamic callback turns itself off until SO_WSK_EVENT_CALLBACK again;
		 * a static one stays on and is tried with the next arrival. */
		if ((s->static_events & WSK_EVENT_RECEIVE_FROM) == 0)
			atomic_fetch_and(&s->events, ~(ULONG)WSK_EVENT_RECEIVE_FROM);
	} else {
		/* STATUS_SUCCESS (anything else counts as consumed). */
		atomic_fetch_add_explicit(&s->host->st.recv_ind_bytes, bytes, memory_order_relaxed);
		dg_ind_free_list(s->host, head);
	}
	wsk_cb_leave(s);
	wsk_sock_put(s);
	return st != STATUS_DATA_NOT_ACCEPTED;
}

/*
 * Home lcore: hand buffered datagrams to pending WskReceiveFrom IRPs first,
 * then to WskReceiveFromEvent. The callback may call into the socket
 * (WskReceiveFrom runs inline here, a close starts): recv_offering keeps
 * this from nesting.
 */
static void
deliver(struct wsk_sock *s)
{
	if (s->recv_offering)
		return;
	s->recv_offering = true;
	wsk_sock_get(s);
	while (s->dgq_head != NULL && !s->closing) {
		struct wsk_op *op = TAILQ_FIRST(&s->rfrom_q);

		if (op != NULL) {
			if (!wsk_op_unqueue(op)) {
				/* IoCancelIrp has it: its cancel request completes it. */
				TAILQ_REMOVE(&s->rfrom_q, op, link);
				op->q = WSK_Q_NONE;
				op->finished = true;
				op->status = STATUS_CANCELLED;
				continue;
			}
			wsk_udp_rfrom_fill(op, wsk_udp_dgq_pop(s));
			continue;
		}
		if (!wsk_ev_on(s, WSK_EVENT_RECEIVE_FROM) || s->cdisp == NULL ||
		    ((const WSK_CLIENT_DATAGRAM_DISPATCH *)s->cdisp)->WskReceiveFromEvent == NULL)
			break;
		if (!indicate_batch(s))
			break;
	}
	if (s->closing)
		dgq_purge(s);
	s->recv_offering = false;
	wsk_sock_put(s);
}

void
wsk_udp_events_enabled(struct wsk_sock *s, ULONG bits)
{
	if ((bits & WSK_EVENT_RECEIVE_FROM) != 0 && wsk_udp_sock(s))
		deliver(s);
}

NTSTATUS WSKAPI
wsk_release_dgram(PWSK_SOCKET Socket, PWSK_DATAGRAM_INDICATION DatagramIndication)
{
	struct wsk_sock *s = (struct wsk_sock *)Socket;
	struct dg_ind *head = (struct dg_ind *)DatagramIndication, *b;

	if (s == NULL || head == NULL || head->magic != DG_IND_MAGIC || !head->retained ||
	    head->s != s)
		return STATUS_INVALID_PARAMETER;
	for (b = head; b != NULL; b = (struct dg_ind *)b->di.Next)
		if (b->magic != DG_IND_MAGIC || b->s != s)
			return STATUS_INVALID_PARAMETER;
	head->retained = false;
	dg_ind_free_list(s->host, head);
	atomic_fetch_sub(&s->inds, 1);
	wsk_sock_put(s);
	return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------
 * WskBind and WskCloseSocket: a stack socket on every instance
 */

/* While a bind runs, its op's address space holds each instance's answer. */
struct udp_bind_res {
	int err[WSK_MAX_INST];
};

_Static_assert(sizeof(struct udp_bind_res) <= sizeof(SOCKADDR_STORAGE),
	       "bind answers must fit in the bind operation");

static struct udp_bind_res *
bind_res(struct wsk_op *op)
{
	return (struct udp_bind_res *)(void *)&op->u.addr.addr;
}

static void
close_ack(struct stk_inst *in, void *arg)
{
	struct wsk_sock *s = arg;

	RTE_SET_USED(in);
	s->close_wait--;
	wsk_sock_close_check(s);
	wsk_sock_put(s);
}

/* Instance @p in: close its stack socket, then tell the home lcore. */
static void
close_on_inst(struct stk_inst *in, void *arg)
{
	struct wsk_sock *s = arg;
	unsigned int i = stk_inst_index(in);

	if (s->udp[i] != NULL) {
		stk_udp_close(s->udp[i]);
		s->udp[i] = NULL;
	}
	if (wsk_on_lcore(s->host, s->home)) {
		close_ack(in, s);
		return;
	}
	while (wsk_post(s->host, s->home, close_ack, s) != 0)
		fprintf(stderr, "wskstack: UDP close: home lcore %u does not take requests\n",
			s->home);
}

/*
 * Home lcore: close the stack socket of every instance. s->udp[i] is only
 * touched on instance i, so a close queued behind a bind finds what the
 * bind opened; each answer is counted in close_wait.
 */
static void
close_instances(struct wsk_sock *s)
{
	struct wsk_host *h = s->host;
	unsigned int i;

	wsk_sock_get(s);
	for (i = 0; i < h->n; i++) {
		if (i == s->home) {
			if (s->udp[i] != NULL) {
				stk_udp_close(s->udp[i]);
				s->udp[i] = NULL;
			}
			continue;
		}
		s->close_wait++;
		wsk_sock_get(s);
		while (wsk_post(h, i, close_on_inst, s) != 0)
			fprintf(stderr, "wskstack: UDP close: lcore %u does not take requests\n", i);
	}
	wsk_sock_put(s);
}

NTSTATUS
wsk_udp_close_run(struct wsk_sock *s)
{
	if (s->bound)
		close_instances(s);
	dgq_purge(s);
	return STATUS_PENDING;
}

/* Home lcore: every instance answered. */
static void
bind_done(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;
	struct wsk_sock *s = op->s;
	const struct udp_bind_res *r = bind_res(op);
	unsigned int i;
	int err = 0;

	RTE_SET_USED(in);
	for (i = 0; i < s->host->n && err == 0; i++)
		err = r->err[i];
	atomic_store(&op->refs, 1);
	if (err == 0) {
		s->state = WSK_S_BOUND;
		wsk_op_complete(op, STATUS_SUCCESS, 0);
		return;
	}
	/* Undo: the socket is unbound again (a close already under way closes them itself). */
	if (!s->closing)
		close_instances(s);
	wsk_bind_table_del(s);
	s->bound = false;
	s->wildcard = false;
	s->laddr = 0;
	s->lport = 0;
	wsk_op_complete(op, wsk_status_of(err), 0);
}

/* Instance @p in: open and bind its stack socket. */
static void
bind_on_inst(struct stk_inst *in, void *arg)
{
	struct wsk_op *op = arg;
	struct wsk_sock *s = op->s;
	unsigned int i = stk_inst_index(in);
	struct stk_udp_sock *us = NULL;
	int rc;

	rc = stk_udp_open(in, &udp_upcalls, s, &us);
	if (rc == 0) {
		rc = stk_udp_bind(us, s->laddr, s->lport);
		if (rc != 0) {
			stk_udp_close(us);
			us = NULL;
		}
	}
	s->udp[i] = us;
	bind_res(op)->err[i] = rc;
	if (atomic_fetch_sub_explicit(&op->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (wsk_on_lcore(s->host, s->home)) {
		bind_done(in, op);
		return;
	}
	while (wsk_post(s->host, s->home, bind_done, op) != 0)
		fprintf(stderr, "wskstack: UDP bind: home lcore %u does not take requests\n",
			s->home);
}

NTSTATUS
wsk_udp_bind_run(struct wsk_op *op)
{
	struct wsk_sock *s = op->s;
	struct wsk_host *h = s->host;
	unsigned int i;

	if (dg_meta_register() < 0) {
		wsk_bind_table_del(s);
		s->bound = false;
		wsk_op_complete(op, STATUS_INSUFFICIENT_RESOURCES, 0);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	memset(bind_res(op), 0, sizeof(struct udp_bind_res));
	/* One count per instance, and ours until every request is out. */
	atomic_store(&op->refs, (int)h->n + 1);
	for (i = 0; i < h->n; i++) {
		if (i == s->home)
			continue;
		if (wsk_post(h, i, bind_on_inst, op) != 0) {
			bind_res(op)->err[i] = STK_EAGAIN;
			atomic_fetch_sub(&op->refs, 1);
		}
	}
	bind_on_inst(s->in, op);
	if (atomic_fetch_sub_explicit(&op->refs, 1, memory_order_acq_rel) == 1)
		bind_done(s->in, op);
	return STATUS_PENDING;
}
