/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conditional accept (WSK's SO_CONDITIONAL_ACCEPT: WskInspectEvent,
 * WskInspectComplete, WskAbortEvent). A SYN to a listener opened with
 * STK_TCP_LISTEN_INSPECT makes its child in SYN-RECEIVED as any SYN does,
 * but the child sends nothing until the inspect upcall, or a later
 * stk_tcp_inspect_complete(), accepts it.
 *
 * A child that was accepted or pended sits on its listener's inspected list
 * (TCPF_INSPECTED) until it is established (the accept upcall runs) or it
 * dies first (the abort upcall runs, from tcp_conn_drop()): leaving the list
 * is what makes one and only one of them run. A rejection takes the child
 * off the list before dropping it, so that no abort follows.
 *
 * A pending child (TCPF_INSPECT_PEND) is found by the peer's segments
 * through the connection table like any child, which is what keeps its
 * SYN retransmissions from making a second request; its retransmission
 * timer is the expiry.
 */
#include "tcp_priv.h"

/*
 * How long a SYN-RECEIVED child waits for the handshake: its SYN-ACK and
 * tcp_syn_retries retransmissions, each timeout doubled and bounded as
 * tcp_rexmt_arm() bounds it.
 */
stk_time_t
tcp_syn_received_timeout(const struct stk_params *p)
{
	stk_time_t rto = p->tcp_rto_init, total = 0;
	uint32_t i;

	for (i = 0; i <= p->tcp_syn_retries; i++) {
		stk_time_t t = RTE_MAX(rto, p->tcp_rto_min);

		total += RTE_MIN(t, p->tcp_rto_max);
		if (rto < p->tcp_rto_max)
			rto *= 2;
	}
	return total;
}

static void
tcp_inspect_link(struct stk_tcp_conn *l, struct stk_tcp_conn *c)
{
	c->insp_next = l->insp_next;
	if (c->insp_next != NULL)
		c->insp_next->insp_pprev = &c->insp_next;
	c->insp_pprev = &l->insp_next;
	l->insp_next = c;
	c->flags |= TCPF_INSPECTED;
}

/*
 * Take @p c off its listener's inspected list: nothing is owed for it any
 * more. @return its inspect id if an accept or abort upcall was owed, else 0.
 */
uint64_t
tcp_inspect_unlink(struct stk_tcp_conn *c)
{
	if (!(c->flags & TCPF_INSPECTED))
		return 0;
	*c->insp_pprev = c->insp_next;
	if (c->insp_next != NULL)
		c->insp_next->insp_pprev = c->insp_pprev;
	c->insp_next = NULL;
	c->insp_pprev = NULL;
	c->flags &= ~(TCPF_INSPECTED | TCPF_INSPECT_PEND);
	return c->inspect_id;
}

/* Accepted: the SYN-ACK goes out, retransmitted on the usual timer. */
static void
tcp_inspect_proceed(struct stk_tcp_conn *c)
{
	c->flags &= ~TCPF_INSPECT_PEND;
	stk_timer_cancel(&c->in->wheel, &c->t_rexmt); /* the expiry of a pended request */
	tcp_send_syn(c);
}

/* Refused by the caller: a RST tells the peer at once; no upcall follows. */
static void
tcp_inspect_refuse(struct stk_tcp_conn *c)
{
	tcp_inspect_unlink(c);
	STK_COUNT(c->in, TCP_INSPECT_REFUSED);
	tcp_send_rst(c);
	tcp_conn_drop(c, STK_TCP_ECONNREFUSED);
}

/*
 * A pended request ran out of time: the peer is refused as by a rejection,
 * and the owner hears the abort (from tcp_conn_drop, the child being still
 * on the list).
 */
void
tcp_inspect_expire(struct stk_tcp_conn *c)
{
	STK_COUNT(c->in, TCP_INSPECT_EXPIRED);
	tcp_send_rst(c);
	tcp_conn_drop(c, STK_TCP_ETIMEDOUT);
}

/*
 * The new child @p c of inspecting listener @p l (SYN-RECEIVED, in the
 * table, nothing sent): ask the owner. The child counts as pending during
 * the upcall, so that the callee may complete it inline.
 */
void
tcp_inspect_syn(struct stk_tcp_conn *l, struct stk_tcp_conn *c)
{
	struct stk_tcp_peer peer;
	enum stk_tcp_inspect v = STK_TCP_INSPECT_ACCEPT;

	c->inspect_id = ++l->inspect_id;
	c->flags |= TCPF_INSPECT_PEND;
	tcp_inspect_link(l, c);
	STK_COUNT(c->in, TCP_INSPECTS);
	peer = (struct stk_tcp_peer){ c->key.laddr, c->key.lport, c->key.faddr, c->key.fport,
				      c->inspect_id };
	if (l->up->inspect != NULL)
		v = l->up->inspect(l->arg, l, &peer);
	/*
	 * Decided inside the upcall (stk_tcp_inspect_complete), or dropped
	 * with its listener (stk_tcp_close): the verdict no longer applies,
	 * and @p l may be gone. The child itself lives until the reap.
	 */
	if (!(c->flags & TCPF_INSPECT_PEND) || c->state != TCPS_SYN_RECEIVED)
		return;
	switch (v) {
	case STK_TCP_INSPECT_ACCEPT:
		tcp_inspect_proceed(c);
		break;
	case STK_TCP_INSPECT_PEND:
		stk_timer_arm(&c->in->wheel, &c->t_rexmt,
			      c->in->now + tcp_syn_received_timeout(&c->in->sh->p));
		break;
	default: /* STK_TCP_INSPECT_REJECT, or a value outside the enum */
		tcp_inspect_refuse(c);
		break;
	}
}

int
stk_tcp_inspect_complete(struct stk_tcp_conn *listener, uint64_t inspect_id, bool accept)
{
	struct stk_tcp_conn *c;

	if (listener == NULL || !(listener->flags & TCPF_LISTENER) ||
	    !(listener->listen_flags & STK_TCP_LISTEN_INSPECT))
		return STK_EINVAL;
	/* The list holds at most the backlog's worth of requests. */
	for (c = listener->insp_next; c != NULL; c = c->insp_next)
		if (c->inspect_id == inspect_id)
			break;
	if (c == NULL || !(c->flags & TCPF_INSPECT_PEND))
		return STK_ENOENT;
	if (accept)
		tcp_inspect_proceed(c);
	else
		tcp_inspect_refuse(c);
	return 0;
}
