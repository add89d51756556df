/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A thin BSD-socket shim over the stk_tcp.h seam: file descriptors,
 * blocking and non-blocking calls, errno, SO_ERROR, the accept queue and a
 * socket buffer's accounting are emulated here, as a socket layer over the
 * seam would do it. Received data stays held in the stack (the recv upcall
 * takes nothing), so it counts against the window exactly as data in a
 * BSD socket buffer does; recv() copies it out with stk_tcp_recv_copy().
 *
 * FreeBSD behaviour a script observes through the socket API is emulated
 * here and documented in README.md: the receive buffer is rounded up to a
 * multiple of the MSS once the connection is established (tcp_mss()), and
 * ICMP errors map to the errno FreeBSD reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pd.h"

#define PD_SOCKS 32
#define PD_FDS 32
#define PD_ACCEPTQ 16
#define PD_BIND_PORT 8080  /* packetdrill's live_bind_port and live_connect_port */
#define PD_BUF_MAX (1u << 20)

struct pd_sock;

struct pd_shim {
	struct stk_inst *in;
	const struct stk_params *p;
	struct pd_sock *fd[PD_FDS];
	struct pd_sock *pool;
	struct stk_tcp_conn *under_test;
	struct pd_sock *under_test_sock;
	bool ports_known;            /* the connection under test's ports, kept after close */
	uint16_t lport_ut, rport_ut;
	uint16_t rport;
	uint8_t buf[65536];
};

enum pd_sk { PD_SK_FREE, PD_SK_NEW, PD_SK_LISTEN, PD_SK_CONN };

struct pd_sock {
	struct pd_shim *sh;
	enum pd_sk kind;
	bool has_fd;
	bool nonblock;
	bool bound;
	struct stk_tcp_conn *c;      /* listener or connection, NULL once released */
	int so_error;                /* pending error (SO_ERROR) */
	bool connecting, connected, peer_fin, dead, shut_wr;
	uint32_t rcvbuf, sndbuf;     /* as getsockopt reports them */
	bool rcvbuf_set;             /* SO_RCVBUF set by the script */
	bool rounded;                /* buffers rounded to the MSS (pd_sock_mss_known) */
	uint32_t in_flight;          /* bytes sent and not yet acknowledged */
	struct pd_sock *acq[PD_ACCEPTQ];
	unsigned int nacq;
	uint8_t *peek;               /* copy of the held data, for MSG_PEEK */
	uint32_t peek_len;
};

/* ---- errno ---- */

static const struct {
	const char *name;
	int val;
} pd_errnos[] = {
	{"EINPROGRESS", EINPROGRESS}, {"EAGAIN", EAGAIN}, {"EWOULDBLOCK", EWOULDBLOCK},
	{"ECONNREFUSED", ECONNREFUSED}, {"ECONNRESET", ECONNRESET}, {"ETIMEDOUT", ETIMEDOUT},
	{"EHOSTUNREACH", EHOSTUNREACH}, {"ENETUNREACH", ENETUNREACH}, {"ENOTCONN", ENOTCONN},
	{"EISCONN", EISCONN}, {"EALREADY", EALREADY}, {"EPIPE", EPIPE}, {"EINVAL", EINVAL},
	{"EBADF", EBADF}, {"EADDRINUSE", EADDRINUSE}, {"ENOPROTOOPT", ENOPROTOOPT},
	{"EOPNOTSUPP", EOPNOTSUPP}, {"ECONNABORTED", ECONNABORTED}, {"ENOBUFS", ENOBUFS},
	{"EHOSTDOWN", EHOSTDOWN}, {"ENETDOWN", ENETDOWN}, {"EMSGSIZE", EMSGSIZE},
};

int
pd_errno_value(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(pd_errnos); i++)
		if (strcmp(pd_errnos[i].name, name) == 0)
			return pd_errnos[i].val;
	return -1;
}

const char *
pd_errno_name(int err)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(pd_errnos); i++)
		if (pd_errnos[i].val == err)
			return pd_errnos[i].name;
	return "E?";
}

static int
pd_err_of(int stk_err)
{
	switch (stk_err) {
	case STK_TCP_ECONNREFUSED: return ECONNREFUSED;
	case STK_TCP_ECONNRESET: return ECONNRESET;
	case STK_TCP_ETIMEDOUT: return ETIMEDOUT;
	case STK_TCP_ECONNABORTED: return ECONNABORTED;
	case STK_TCP_EUNREACH: return EHOSTUNREACH;
	case STK_TCP_ECANCELED: return ECONNABORTED;
	default: return stk_err == 0 ? 0 : EINVAL;
	}
}

/* ---- upcalls ---- */

/*
 * FreeBSD's tcp_mss() rounds both socket buffers up to a multiple of the
 * MSS once it is known (on the SYN-ACK, or when the handshake completes).
 */
static void
pd_sock_mss_known(struct pd_sock *s)
{
	struct stk_tcp_info ti;

	if (s->rounded || s->c == NULL || s->kind != PD_SK_CONN)
		return;
	stk_tcp_info(s->c, &ti);
	if (ti.state < 3 /* SYN-RECEIVED: the peer's SYN (and MSS) not seen */ || ti.mss == 0)
		return;
	s->rounded = true;
	if (s->rcvbuf >= ti.mss) {
		s->rcvbuf = (s->rcvbuf + ti.mss - 1) / ti.mss * ti.mss;
		stk_tcp_setopt(s->c, STK_TCP_OPT_RCVBUF, s->rcvbuf);
	}
	if (s->sndbuf >= ti.mss)
		s->sndbuf = (s->sndbuf + ti.mss - 1) / ti.mss * ti.mss;
}

static void
pd_sock_established(struct pd_sock *s)
{
	s->connected = true;
	s->connecting = false;
	pd_sock_mss_known(s);
}

static enum stk_tcp_recv_verdict
pd_up_recv(void *arg, struct stk_tcp_conn *c, struct rte_mbuf *m, uint32_t len, bool push,
	   uint32_t *consumed)
{
	struct pd_sock *s = arg;
	uint32_t n = RTE_MIN(len, PD_BUF_MAX);
	const void *p;

	/* Keep nothing: the data stays held in the stack, counted against the window. */
	if (s->peek == NULL)
		s->peek = malloc(PD_BUF_MAX);
	if (s->peek != NULL) {
		p = rte_pktmbuf_read(m, 0, n, s->peek);
		if (p != NULL && p != s->peek)
			memcpy(s->peek, p, n);
		s->peek_len = n;
	}
	*consumed = 0;
	return STK_TCP_RECV_PARTIAL;
}

static void
pd_up_connected(void *arg, struct stk_tcp_conn *c, int err)
{
	struct pd_sock *s = arg;

	if (err == 0) {
		pd_sock_established(s);
		return;
	}
	s->connecting = false;
	s->dead = true;
	s->so_error = pd_err_of(err);
}

static void
pd_up_sent(void *arg, struct stk_tcp_conn *c, void *ctx, uint32_t bytes, int err)
{
	struct pd_sock *s = arg;

	s->in_flight -= RTE_MIN(bytes, s->in_flight);
}

static void
pd_up_peer_fin(void *arg, struct stk_tcp_conn *c)
{
	struct pd_sock *s = arg;

	s->peer_fin = true;
}

static void
pd_up_reset(void *arg, struct stk_tcp_conn *c, int err)
{
	struct pd_sock *s = arg;

	s->dead = true;
	s->connecting = false;
	s->so_error = pd_err_of(err);
}

static const struct stk_tcp_upcalls pd_conn_upcalls;

static struct pd_sock *
pd_sock_alloc(struct pd_shim *sh)
{
	unsigned int i;

	for (i = 0; i < PD_SOCKS; i++) {
		struct pd_sock *s = &sh->pool[i];

		if (s->kind == PD_SK_FREE) {
			memset(s, 0, sizeof(*s));
			s->sh = sh;
			s->kind = PD_SK_NEW;
			s->rcvbuf = sh->p->tcp_rcvbuf;
			s->sndbuf = sh->p->tcp_sndbuf;
			return s;
		}
	}
	return NULL;
}

static int
pd_up_accept(void *arg, struct stk_tcp_conn *l, struct stk_tcp_conn *c,
	     const struct stk_tcp_peer *peer)
{
	struct pd_sock *ls = arg, *s;

	if (ls->nacq == PD_ACCEPTQ || (s = pd_sock_alloc(ls->sh)) == NULL)
		return -1;
	s->kind = PD_SK_CONN;
	s->c = c;
	s->rcvbuf = ls->rcvbuf;
	s->sndbuf = ls->sndbuf;
	stk_tcp_set_upcalls(c, &pd_conn_upcalls, s);
	pd_sock_established(s);
	ls->acq[ls->nacq++] = s;
	ls->sh->under_test = c;
	ls->sh->under_test_sock = s;
	pd_shim_ports(ls->sh, &s->sh->lport_ut, &s->sh->rport_ut);
	return 0;
}

static const struct stk_tcp_upcalls pd_conn_upcalls = {
	.connected = pd_up_connected,
	.recv = pd_up_recv,
	.sent = pd_up_sent,
	.peer_fin = pd_up_peer_fin,
	.reset = pd_up_reset,
};

static const struct stk_tcp_upcalls pd_listen_upcalls = {
	.accept = pd_up_accept,
};

/* ---- life cycle ---- */

struct pd_shim *
pd_shim_create(struct stk_inst *in, const struct stk_params *p)
{
	struct pd_shim *sh = calloc(1, sizeof(*sh));

	if (sh == NULL)
		return NULL;
	sh->pool = calloc(PD_SOCKS, sizeof(*sh->pool));
	if (sh->pool == NULL) {
		free(sh);
		return NULL;
	}
	sh->in = in;
	sh->p = p;
	sh->rport = 40000;
	return sh;
}

static void
pd_sock_release(struct pd_sock *s)
{
	unsigned int i;

	if (s->kind == PD_SK_LISTEN) {
		for (i = 0; i < s->nacq; i++)
			pd_sock_release(s->acq[i]);
		s->nacq = 0;
	}
	if (s->c != NULL) {
		if (s->sh->under_test == s->c)
			s->sh->under_test = NULL;
		stk_tcp_close(s->c);
		s->c = NULL;
	}
	if (s->sh->under_test_sock == s)
		s->sh->under_test_sock = NULL;
	free(s->peek);
	s->peek = NULL;
	s->kind = PD_SK_FREE;
}

void
pd_shim_destroy(struct pd_shim *sh)
{
	unsigned int i;

	if (sh == NULL)
		return;
	for (i = 0; i < PD_SOCKS; i++)
		if (sh->pool[i].kind != PD_SK_FREE)
			pd_sock_release(&sh->pool[i]);
	free(sh->pool);
	free(sh);
}

struct stk_tcp_conn *
pd_shim_conn(struct pd_shim *sh)
{
	unsigned int i;

	if (sh->under_test != NULL)
		return sh->under_test;
	for (i = 0; i < PD_FDS; i++) /* no connection yet: the listener */
		if (sh->fd[i] != NULL && sh->fd[i]->kind == PD_SK_LISTEN)
			return sh->fd[i]->c;
	return NULL;
}

void
pd_shim_set_remote_port(struct pd_shim *sh, uint16_t rport)
{
	sh->rport = rport;
}

void
pd_shim_ports(struct pd_shim *sh, uint16_t *lport, uint16_t *rport)
{
	rte_be32_t la, fa;
	rte_be16_t lp, fp;

	if (sh->under_test != NULL) {
		stk_tcp_addrs(sh->under_test, &la, &lp, &fa, &fp);
		sh->lport_ut = rte_be_to_cpu_16(lp);
		sh->rport_ut = rte_be_to_cpu_16(fp);
		sh->ports_known = true;
	}
	if (sh->ports_known) {
		*lport = sh->lport_ut;
		*rport = sh->rport_ut;
		return;
	}
	*lport = PD_BIND_PORT;
	*rport = sh->rport;
}

/* FreeBSD's state names, as sockstat prints them (tcp_state numbering). */
static const char *const pd_bsd_states[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "CLOSE_WAIT",
	"FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT",
};

unsigned int
pd_shim_count_state(struct pd_shim *sh, const char *name, int port)
{
	struct stk_tcp_conn_info ci[64];
	unsigned int n = stk_tcp_snapshot(sh->in, ci, RTE_DIM(ci)), i, count = 0;

	if (strcmp(name, "CLOSED") == 0) {
		/* sockets the script holds whose connection is gone, or never was */
		for (i = 0; i < PD_FDS; i++) {
			struct pd_sock *s = sh->fd[i];
			struct stk_tcp_info ti;

			if (s == NULL || s->kind == PD_SK_LISTEN)
				continue;
			if (s->c == NULL) {
				count++;
				continue;
			}
			stk_tcp_info(s->c, &ti);
			count += ti.state == 0;
		}
		return count;
	}
	for (i = 0; i < n; i++) {
		unsigned int st = ci[i].info.state;

		if (port >= 0 && rte_be_to_cpu_16(ci[i].lport) != port &&
		    rte_be_to_cpu_16(ci[i].fport) != port)
			continue;
		if (st < RTE_DIM(pd_bsd_states) && strcmp(pd_bsd_states[st], name) == 0)
			count++;
	}
	return count;
}

/* ---- calls ---- */

#define PD_RES(r, e) ((struct pd_res){ .ret = (r), .err = (e) })
#define PD_BLOCKED ((struct pd_res){ .blocked = true })

static struct pd_sock *
pd_fd(struct pd_shim *sh, const char *arg)
{
	long fd = strtol(arg, NULL, 0);

	return fd >= 0 && fd < PD_FDS ? sh->fd[fd] : NULL;
}

static long
pd_fd_alloc(struct pd_shim *sh, struct pd_sock *s)
{
	long i;

	for (i = 3; i < PD_FDS; i++) {
		if (sh->fd[i] == NULL) {
			sh->fd[i] = s;
			s->has_fd = true;
			return i;
		}
	}
	return -1;
}

/* The value inside "[N]" or "[ENAME]". */
static bool
pd_bracket_val(const char *a, long *v)
{
	char name[32];
	int e;

	if (a[0] != '[')
		return false;
	if (sscanf(a + 1, "%31[A-Z_]", name) == 1 && (e = pd_errno_value(name)) >= 0) {
		*v = e;
		return true;
	}
	*v = strtol(a + 1, NULL, 0);
	return true;
}

static struct pd_res
pd_call_socket(struct pd_shim *sh, const struct pd_call *c, bool *unsup)
{
	struct pd_sock *s;

	if (c->nargs != 3 || strcmp(c->args[1], "SOCK_STREAM") != 0) {
		*unsup = true;
		return PD_RES(-1, EINVAL);
	}
	s = pd_sock_alloc(sh);
	if (s == NULL)
		return PD_RES(-1, ENOBUFS);
	return PD_RES(pd_fd_alloc(sh, s), 0);
}

static struct pd_res
pd_call_listen(struct pd_shim *sh, struct pd_sock *s, long backlog)
{
	int rc;

	if (s->kind == PD_SK_LISTEN)
		return PD_RES(0, 0);
	if (s->kind != PD_SK_NEW)
		return PD_RES(-1, EINVAL);
	rc = stk_tcp_listen(sh->in, 0, rte_cpu_to_be_16(PD_BIND_PORT), (uint32_t)backlog, 0,
			    &pd_listen_upcalls, s, &s->c);
	if (rc != 0)
		return PD_RES(-1, rc == STK_EADDRINUSE ? EADDRINUSE : ENOBUFS);
	s->kind = PD_SK_LISTEN;
	return PD_RES(0, 0);
}

static struct pd_res
pd_call_connect(struct pd_shim *sh, struct pd_sock *s)
{
	int rc;

	if (s->kind == PD_SK_LISTEN)
		return PD_RES(-1, EOPNOTSUPP);
	if (s->kind == PD_SK_CONN) {
		if (s->connecting)
			return PD_RES(-1, EALREADY);
		if (s->connected)
			return PD_RES(-1, EISCONN);
		return PD_RES(-1, EINVAL);
	}
	s->kind = PD_SK_CONN;
	s->connecting = true;
	rc = stk_tcp_connect(sh->in, 0, s->bound ? rte_cpu_to_be_16(PD_BIND_PORT) : 0,
			     rte_cpu_to_be_32(PD_REMOTE_IP), rte_cpu_to_be_16(PD_BIND_PORT),
			     &pd_conn_upcalls, s, &s->c);
	if (rc != 0) {
		s->kind = PD_SK_NEW;
		s->connecting = false;
		return PD_RES(-1, rc == STK_EADDRINUSE ? EADDRINUSE : ENETUNREACH);
	}
	sh->under_test = s->c;
	sh->under_test_sock = s;
	pd_shim_ports(sh, &sh->lport_ut, &sh->rport_ut);
	if (s->rcvbuf_set)
		stk_tcp_setopt(s->c, STK_TCP_OPT_RCVBUF, s->rcvbuf);
	if (s->connected)
		return PD_RES(0, 0);
	return s->nonblock ? PD_RES(-1, EINPROGRESS) : PD_BLOCKED;
}

static struct pd_res
pd_connect_done(struct pd_sock *s)
{
	if (s->connecting)
		return PD_BLOCKED;
	if (s->connected)
		return PD_RES(0, 0);
	{
		int e = s->so_error ? s->so_error : ECONNREFUSED;

		s->so_error = 0;
		return PD_RES(-1, e);
	}
}

static struct pd_res
pd_call_accept(struct pd_shim *sh, struct pd_sock *s)
{
	struct pd_sock *n;
	unsigned int i;
	long fd;

	if (s->kind != PD_SK_LISTEN)
		return PD_RES(-1, EINVAL);
	if (s->nacq == 0)
		return s->nonblock ? PD_RES(-1, EAGAIN) : PD_BLOCKED;
	n = s->acq[0];
	for (i = 1; i < s->nacq; i++)
		s->acq[i - 1] = s->acq[i];
	s->nacq--;
	fd = pd_fd_alloc(sh, n);
	if (fd < 0) {
		pd_sock_release(n);
		return PD_RES(-1, ENOBUFS);
	}
	return PD_RES(fd, 0);
}

static struct pd_res
pd_call_recv(struct pd_shim *sh, struct pd_sock *s, long len, bool peek)
{
	uint32_t n;

	if (s->kind != PD_SK_CONN || s->c == NULL)
		return PD_RES(-1, ENOTCONN);
	if (s->connecting)
		return s->nonblock ? PD_RES(-1, EAGAIN) : PD_BLOCKED;
	if (len < 0)
		return PD_RES(-1, EINVAL);
	if (peek) {
		s->peek_len = 0;
		stk_tcp_recv_resume(s->c); /* offers the held data again: copied into peek */
		n = RTE_MIN((uint32_t)len, s->peek_len);
	} else {
		n = 0;
		while (n < (uint32_t)len) {
			uint32_t k = stk_tcp_recv_copy(s->c, sh->buf,
						       RTE_MIN((uint32_t)len - n,
							       (uint32_t)sizeof(sh->buf)));
			if (k == 0)
				break;
			n += k;
		}
	}
	if (n > 0)
		return PD_RES((long)n, 0);
	if (len == 0)
		return PD_RES(0, 0);
	if (s->so_error != 0) {
		int e = s->so_error;

		s->so_error = 0;
		return PD_RES(-1, e);
	}
	if (s->peer_fin || s->dead)
		return PD_RES(0, 0);
	if (!s->connected)
		return PD_RES(-1, ENOTCONN);
	return s->nonblock ? PD_RES(-1, EAGAIN) : PD_BLOCKED;
}

static struct pd_res
pd_call_send(struct pd_shim *sh, struct pd_sock *s, long len)
{
	struct rte_mbuf *head = NULL;
	uint32_t n, room, off = 0;
	int rc;

	if (s->kind != PD_SK_CONN)
		return PD_RES(-1, ENOTCONN);
	if (s->so_error != 0) {
		int e = s->so_error;

		s->so_error = 0;
		return PD_RES(-1, e);
	}
	if (s->shut_wr || s->dead)
		return PD_RES(-1, EPIPE);
	if (!s->connected)
		return s->connecting ? (s->nonblock ? PD_RES(-1, EAGAIN) : PD_BLOCKED) :
				       PD_RES(-1, ENOTCONN);
	if (len <= 0)
		return PD_RES(0, 0);
	room = s->sndbuf > s->in_flight ? s->sndbuf - s->in_flight : 0;
	if (room == 0)
		return s->nonblock ? PD_RES(-1, EAGAIN) : PD_BLOCKED;
	n = RTE_MIN((uint32_t)len, room);
	while (off < n) {
		struct rte_mbuf *m = stk_pktmbuf_alloc(sh->in);
		uint16_t k;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return PD_RES(-1, ENOBUFS);
		}
		k = (uint16_t)RTE_MIN(n - off, (uint32_t)rte_pktmbuf_tailroom(m));
		memset(rte_pktmbuf_append(m, k), 0, k);
		off += k;
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return PD_RES(-1, ENOBUFS);
		}
	}
	s->in_flight += n;
	rc = stk_tcp_send(s->c, head, NULL, 0);
	if (rc != 0) {
		s->in_flight -= n;
		return PD_RES(-1, rc == STK_ESTATE ? EPIPE : ENOBUFS);
	}
	return PD_RES((long)n, 0);
}

static struct pd_res
pd_call_close(struct pd_shim *sh, const char *arg)
{
	long fd = strtol(arg, NULL, 0);
	struct pd_sock *s = fd >= 0 && fd < PD_FDS ? sh->fd[fd] : NULL;
	struct stk_tcp_info ti;

	if (s == NULL)
		return PD_RES(-1, EBADF);
	sh->fd[fd] = NULL;
	if (s->kind == PD_SK_CONN && s->c != NULL && !s->dead && !s->shut_wr) {
		/* FreeBSD's tcp_disconnect(): graceful once synchronized, else just closed */
		stk_tcp_info(s->c, &ti);
		if (ti.state >= 4 /* ESTABLISHED */ && stk_tcp_shutdown(s->c, NULL) == 0)
			s->shut_wr = true;
	}
	pd_sock_release(s);
	return PD_RES(0, 0);
}

static struct pd_res
pd_call_shutdown(struct pd_shim *sh, struct pd_sock *s, const char *how)
{
	bool wr = strcmp(how, "SHUT_WR") == 0 || strcmp(how, "SHUT_RDWR") == 0;

	if (s->kind != PD_SK_CONN || (!s->connected && !s->dead))
		return PD_RES(-1, ENOTCONN);
	if (wr && !s->shut_wr && !s->dead) {
		if (stk_tcp_shutdown(s->c, NULL) != 0)
			return PD_RES(-1, ENOTCONN);
		s->shut_wr = true;
	}
	return PD_RES(0, 0);
}

static const struct {
	const char *name;
	enum stk_tcp_opt opt;
	uint32_t scale;     /* script unit to the seam's unit */
} pd_tcp_opts[] = {
	{"TCP_NODELAY", STK_TCP_OPT_NODELAY, 1},
	{"TCP_KEEPIDLE", STK_TCP_OPT_KEEPIDLE_MS, 1000},
	{"TCP_KEEPINTVL", STK_TCP_OPT_KEEPINTVL_MS, 1000},
	{"TCP_KEEPCNT", STK_TCP_OPT_KEEPCNT, 1},
};

static struct pd_res
pd_call_sockopt(struct pd_shim *sh, struct pd_sock *s, const struct pd_call *c, bool set,
		char *why, size_t wlen, bool *unsup)
{
	const char *name = c->args[2];
	long v = 0;
	unsigned int i;

	if (c->nargs != 5 || !pd_bracket_val(c->args[3], &v)) {
		*unsup = true;
		return PD_RES(-1, EINVAL);
	}
	if (strcmp(name, "SO_REUSEADDR") == 0 || strcmp(name, "SO_REUSEPORT") == 0) {
		return PD_RES(0, 0);
	} else if (strcmp(name, "SO_ERROR") == 0 && !set) {
		long got = s->so_error;

		s->so_error = 0;
		if (got != v) {
			snprintf(why, wlen, "SO_ERROR is %s, expected %s", got ? pd_errno_name((int)got) : "0",
				 v ? pd_errno_name((int)v) : "0");
			return PD_RES(-2, 0);
		}
		return PD_RES(0, 0);
	} else if (strcmp(name, "SO_RCVBUF") == 0 || strcmp(name, "SO_SNDBUF") == 0) {
		bool rcv = name[3] == 'R';
		uint32_t *b = rcv ? &s->rcvbuf : &s->sndbuf;

		pd_sock_mss_known(s);

		if (set) {
			*b = (uint32_t)v;
			s->rcvbuf_set |= rcv;
			if (s->c != NULL && s->kind == PD_SK_CONN)
				stk_tcp_setopt(s->c, rcv ? STK_TCP_OPT_RCVBUF : STK_TCP_OPT_SNDBUF,
					       (uint32_t)v);
			return PD_RES(0, 0);
		}
		if (*b != (uint32_t)v) {
			snprintf(why, wlen, "%s is [%u], expected [%ld]", name, *b, v);
			return PD_RES(-2, 0);
		}
		return PD_RES(0, 0);
	} else if (strcmp(name, "SO_KEEPALIVE") == 0 && s->c != NULL) {
		return PD_RES(stk_tcp_setopt(s->c, STK_TCP_OPT_KEEPALIVE, (uint32_t)v) ? -1 : 0, 0);
	}
	for (i = 0; i < RTE_DIM(pd_tcp_opts); i++) {
		uint32_t got;

		if (strcmp(name, pd_tcp_opts[i].name) != 0 || s->c == NULL ||
		    s->kind != PD_SK_CONN)
			continue;
		if (set)
			return PD_RES(stk_tcp_setopt(s->c, pd_tcp_opts[i].opt,
						     (uint32_t)v * pd_tcp_opts[i].scale) ? -1 : 0,
				      EINVAL);
		stk_tcp_getopt(s->c, pd_tcp_opts[i].opt, &got);
		if (got / pd_tcp_opts[i].scale != (uint32_t)v) {
			snprintf(why, wlen, "%s is [%u], expected [%ld]", name,
				 got / pd_tcp_opts[i].scale, v);
			return PD_RES(-2, 0);
		}
		return PD_RES(0, 0);
	}
	snprintf(why, wlen, "socket option %s not modelled", name);
	*unsup = true;
	return PD_RES(-1, ENOPROTOOPT);
}

static struct pd_res
pd_call_fcntl(struct pd_sock *s, const struct pd_call *c, bool *unsup)
{
	if (c->nargs >= 2 && strcmp(c->args[1], "F_GETFL") == 0)
		return PD_RES(0x02 | (s->nonblock ? 0x04 : 0), 0); /* FreeBSD O_RDWR, O_NONBLOCK */
	if (c->nargs == 3 && strcmp(c->args[1], "F_SETFL") == 0) {
		s->nonblock = strstr(c->args[2], "O_NONBLOCK") != NULL;
		return PD_RES(0, 0);
	}
	*unsup = true;
	return PD_RES(-1, EINVAL);
}

static struct pd_res
pd_call_dispatch(struct pd_shim *sh, const struct pd_call *c, char *why, size_t wlen,
		 bool *unsup)
{
	const char *n = c->name;
	struct pd_sock *s;

	if (strcmp(n, "socket") == 0)
		return pd_call_socket(sh, c, unsup);
	if (c->nargs == 0) {
		*unsup = true;
		return PD_RES(-1, EINVAL);
	}
	if (strcmp(n, "close") == 0)
		return pd_call_close(sh, c->args[0]);
	s = pd_fd(sh, c->args[0]);
	if (s == NULL)
		return PD_RES(-1, EBADF);
	if (strcmp(n, "bind") == 0) {
		s->bound = true;
		return PD_RES(0, 0);
	}
	if (strcmp(n, "listen") == 0)
		return pd_call_listen(sh, s, c->nargs > 1 ? strtol(c->args[1], NULL, 0) : 1);
	if (strcmp(n, "connect") == 0)
		return pd_call_connect(sh, s);
	if (strcmp(n, "accept") == 0)
		return pd_call_accept(sh, s);
	if ((strcmp(n, "recv") == 0 || strcmp(n, "read") == 0) && c->nargs >= 3) {
		bool peek = c->nargs >= 4 && strstr(c->args[3], "MSG_PEEK") != NULL;

		if (c->nargs >= 4 && strcmp(c->args[3], "0") != 0 && !peek) {
			*unsup = true;
			return PD_RES(-1, EINVAL);
		}
		return pd_call_recv(sh, s, strtol(c->args[2], NULL, 0), peek);
	}
	if ((strcmp(n, "send") == 0 || strcmp(n, "write") == 0) && c->nargs >= 3) {
		if (c->nargs >= 4 && strcmp(c->args[3], "0") != 0) {
			*unsup = true;
			return PD_RES(-1, EINVAL);
		}
		return pd_call_send(sh, s, strtol(c->args[2], NULL, 0));
	}
	if (strcmp(n, "shutdown") == 0 && c->nargs == 2)
		return pd_call_shutdown(sh, s, c->args[1]);
	if (strcmp(n, "setsockopt") == 0 || strcmp(n, "getsockopt") == 0)
		return pd_call_sockopt(sh, s, c, n[0] == 's', why, wlen, unsup);
	if (strcmp(n, "fcntl") == 0)
		return pd_call_fcntl(s, c, unsup);
	snprintf(why, wlen, "system call %s not modelled", n);
	*unsup = true;
	return PD_RES(-1, EINVAL);
}

struct pd_res
pd_shim_call(struct pd_shim *sh, const struct pd_call *c, char *why, size_t wlen, bool *unsup)
{
	why[0] = '\0';
	*unsup = false;
	return pd_call_dispatch(sh, c, why, wlen, unsup);
}

struct pd_res
pd_shim_retry(struct pd_shim *sh, const struct pd_call *c)
{
	struct pd_sock *s = pd_fd(sh, c->args[0]);
	char why[8];
	bool unsup;

	if (s == NULL)
		return PD_RES(-1, EBADF);
	if (strcmp(c->name, "connect") == 0)
		return pd_connect_done(s);
	return pd_call_dispatch(sh, c, why, sizeof(why), &unsup);
}
