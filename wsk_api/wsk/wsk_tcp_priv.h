/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What the TCP parts of the provider share: wsk_tcp.c (connections,
 * connect, send, disconnect, options, close), wsk_tcp_listen.c (listening,
 * accepting, conditional accept) and wsk_tcp_recv.c (receiving).
 */
#ifndef WSK_TCP_PRIV_H
#define WSK_TCP_PRIV_H

#include "wsk_priv.h"

#define EV_CONN (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG)

/** Upcalls of every WSK TCP connection (wsk_tcp.c). */
extern const struct stk_tcp_upcalls wsk_tcp_conn_up;

/** A listen socket, or a stream socket after WskListen. */
bool wsk_tcp_is_listening(const struct wsk_sock *s);
/** The status a failed connection's operations end with. */
NTSTATUS wsk_tcp_dead_status(const struct wsk_sock *s);
/** Complete an op the stack held, unless its cancel is on the way. */
void wsk_tcp_stack_op_done(struct wsk_op *op, NTSTATUS st, ULONG_PTR info);

/* wsk_tcp_recv.c */
enum stk_tcp_recv_verdict wsk_tcp_conn_recv(void *arg, struct stk_tcp_conn *c,
					    struct rte_mbuf *m, uint32_t len, bool push,
					    uint32_t *consumed);
/** Serve pending receives from held data (never inside the recv upcall). */
void wsk_tcp_recv_service(struct wsk_sock *s);
/** Complete every pending receive (with @p st, or SUCCESS if it has bytes). */
void wsk_tcp_complete_recvs(struct wsk_sock *s, NTSTATUS st);
/** Run the receive service on the home lcore later, outside any upcall. */
void wsk_tcp_kick(struct wsk_sock *s);

/* wsk_tcp_listen.c */
/** Free an accepted socket nobody took (on its own lcore). */
void wsk_tcp_discard_accepted(struct wsk_sock *L, struct wsk_sock *ns);
/** Backlogged connections to WskAcceptEvent (just enabled). */
void wsk_tcp_backlog_to_event(struct wsk_sock *L);
/** WskCloseSocket of a listener: backlog and stack listeners. */
void wsk_tcp_listener_close(struct wsk_sock *s);
/** Close instance sub->u.hand.idx's stack listener and tell the home lcore. */
NTSTATUS wsk_tcp_listen_close_and_ack(struct wsk_op *sub);

#endif /* WSK_TCP_PRIV_H */
