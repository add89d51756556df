/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP echo through the internal seam: every byte received is sent back
 * without a copy (the received mbufs become the send queue), the peer's FIN
 * is answered with ours, a reset closes the connection. Bytes count against
 * the receive window until their echo is acknowledged, so a peer that does
 * not read closes its own window instead of filling the stack's memory.
 */
#include <stdio.h>

#include "stk_tcp.h"
#include "tcp_echo.h"

static enum stk_tcp_recv_verdict
echo_recv(void *arg, struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t len, bool push,
	  uint32_t *consumed)
{
	(void)arg;
	(void)push;
	(void)consumed;
	(void)len;
	/* Taken: the window reopens in echo_sent(), once the peer has the echo. */
	stk_tcp_send(c, m, NULL, 0);
	return STK_TCP_RECV_TAKEN;
}

static void
echo_sent(void *arg, struct stk_tcp_conn *c, void *ctx, uint32_t bytes, int err)
{
	(void)arg;
	(void)ctx;
	if (err == 0)
		stk_tcp_recv_done(c, bytes);
}

static void
echo_peer_fin(void *arg, struct stk_tcp_conn *c)
{
	(void)arg;
	stk_tcp_shutdown(c, NULL);
	stk_tcp_close(c);
}

static void
echo_reset(void *arg, struct stk_tcp_conn *c, int err)
{
	(void)arg;
	(void)err;
	stk_tcp_close(c);
}

static const struct stk_tcp_upcalls echo_conn_up = {
	.recv = echo_recv,
	.sent = echo_sent,
	.peer_fin = echo_peer_fin,
	.reset = echo_reset,
};

static int
echo_accept(void *arg, struct stk_tcp_conn *listener, struct stk_tcp_conn *c,
	    const struct stk_tcp_peer *peer)
{
	(void)listener;
	(void)peer;
	stk_tcp_setopt(c, STK_TCP_OPT_NODELAY, 1);
	stk_tcp_set_upcalls(c, &echo_conn_up, arg);
	return 0;
}

static const struct stk_tcp_upcalls echo_listen_up = { .accept = echo_accept };

int
tcp_echo_listen(struct stk_inst *in, uint16_t port, struct stk_tcp_conn **out)
{
	return stk_tcp_listen(in, 0, rte_cpu_to_be_16(port), 1024, 0, &echo_listen_up, NULL, out);
}
