/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Internals of the WSK provider.
 *
 * Ownership: every socket belongs to one stack instance (its "home" lcore)
 * and all of its state is changed only there. A WSK call made on the home
 * lcore runs inline; a call from any other thread is turned into an
 * operation (struct wsk_op) posted to the home lcore's request ring, and the
 * call returns STATUS_PENDING. When an operation ends, its IRP is completed
 * inline if the operation was issued on the home lcore, or pushed onto the
 * client's completion ring, whose thread runs IoCompleteRequest.
 *
 * A listening socket has a stack listener on every instance (passive
 * connections follow RSS); its accept and inspect events run on whichever
 * lcore the SYN reached. The fields such events read are atomics; the
 * accept-IRP queue and backlog stay on the home lcore.
 *
 * Datagram sockets likewise have a stack UDP socket on every instance;
 * datagrams reaching another instance are passed to the home lcore.
 */
#ifndef WSK_PRIV_H
#define WSK_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/queue.h>
#include <sys/syscall.h>

/* DPDK first: <wdm.h> may define intrinsics (_mm_pause) as macros. */
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "stk.h"
#include "stk_tcp.h"
#include "wsk_host.h"

#include <ntddk.h>
#include <wsk.h>
#include <wskstack.h>
#include <wskstack_nt.h>

#define WSK_MAX_INST   16  /**< instances per host */
#define WSK_MAX_HOSTS  8
#define WSK_POOL_TAG   'ksWs'
#define WSK_CQ_SIZE   65536u  /* also the cap on a client's IRPs in flight */

/* ---- clients (one per WSK_REGISTRATION) ---- */

struct wsk_client {
	uint32_t magic;
#define WSK_CLIENT_MAGIC 0x57534b43u
	const WSK_CLIENT_DISPATCH *dispatch;
	PVOID context;
	unsigned int host_index;
	struct wsk_host *host;          /**< set at the first capture */
	USHORT version;

	atomic_int captures;            /**< captured NPIs not released */
	atomic_int sockets;             /**< live sockets */
	atomic_int calls;               /**< provider calls in progress */
	atomic_int irps;                /**< IRPs accepted, not completed */
	atomic_bool deregistering;
	atomic_bool socket_made;        /**< a socket was created (static callbacks are fixed) */
	ULONG static_events;            /**< WSK_SET_STATIC_EVENT_CALLBACKS mask */

	pthread_mutex_t lock;           /**< protects the wait below and lists */
	pthread_cond_t cond;
	LIST_ENTRY tl_change;           /**< pending WSK_TRANSPORT_LIST_CHANGE IRPs */

	/* completion context: a thread emptying the completion ring */
	struct rte_ring *cq;
	pthread_t cq_thread;
	bool cq_running;
	atomic_int cq_sleeping;         /**< futex word: 1 while the thread sleeps */
	atomic_bool cq_stop;
};

struct wsk_client *wsk_client_of(PWSK_CLIENT c);
struct wsk_client *wsk_client_of_reg(PWSK_REGISTRATION r);

/* ---- sockets ---- */

enum wsk_kind {
	WSK_KIND_BASIC,
	WSK_KIND_LISTEN,
	WSK_KIND_DATAGRAM,
	WSK_KIND_CONNECTION,
	WSK_KIND_STREAM,
};

enum wsk_state {
	WSK_S_OPEN,        /**< created, not bound */
	WSK_S_BOUND,
	WSK_S_LISTENING,   /**< listen socket bound, or stream socket after WskListen */
	WSK_S_CONNECTING,
	WSK_S_CONNECTED,
	WSK_S_DEAD,        /**< reset, aborted or timed out: only close is useful */
};

TAILQ_HEAD(wsk_op_q, wsk_op);

struct wsk_bind_ent;

struct wsk_sock {
	WSK_SOCKET pub;                 /**< first: PWSK_SOCKET points here */
	uint32_t magic;
#define WSK_SOCK_MAGIC 0x57534b53u
	struct wsk_host *host;
	struct wsk_client *cl;
	struct stk_inst *in;            /**< home instance */
	unsigned int home;              /**< its index */
	uint8_t kind;                   /**< enum wsk_kind */
	uint8_t state;                  /**< enum wsk_state */
	USHORT type;                    /**< SOCK_STREAM / SOCK_DGRAM */
	ULONG proto;
	PVOID ctx;                      /**< SocketContext */
	const void *cdisp;              /**< client dispatch table (kind specific) */
	const WSK_CLIENT_CONNECTION_DISPATCH *conn_disp; /**< connection callbacks (stream: ->Connect) */
	const WSK_CLIENT_LISTEN_DISPATCH *listen_disp;   /**< listen callbacks (stream: ->Listen) */

	/* options set before bind */
	bool reuseaddr, exclusive, cond_accept, broadcast, keepalive, nodelay;
	uint32_t rcvbuf, sndbuf;        /**< 0: stack default */

	/* events */
	_Atomic ULONG events;           /**< enabled (dynamic | static) */
	ULONG static_events;            /**< permanently on */
	_Atomic ULONG inherit;          /**< listener: connection bits given to accepted sockets */
	atomic_int in_cb;               /**< callbacks running now (any lcore) */
	struct wsk_op_q disable_q;      /**< disable requests waiting for callbacks to return */

	/* addresses (network order) */
	rte_be32_t laddr, faddr;
	rte_be16_t lport, fport;
	bool bound, wildcard;
	struct wsk_bind_ent *bind_ent;  /**< entry in the host's address table */

	/* connection */
	struct stk_tcp_conn *conn;
	struct wsk_op *connect_op;
	struct wsk_op *disc_op;         /**< graceful disconnect in progress */
	struct wsk_op_q recv_q;         /**< pending WskReceive */
	uint32_t sends;                 /**< sends handed to the stack, not completed */
	uint32_t ideal_backlog;
	bool peer_fin, fin_indicated, shut_done, shut_sent, reset, aborted;
	bool recv_suspended;            /**< partial / not accepted: no indications until a receive completes */
	bool recv_offering;             /**< inside the stack's recv upcall */
	bool kick_posted;
	int reset_err;                  /**< stk_tcp_err of the reset */
	uint64_t inspect_key;           /**< accepted on a conditional listener: its WSK_INSPECT_ID */
	ULONG inspect_serial;
	bool has_inspect;

	/* listener */
	struct stk_tcp_conn *lst[WSK_MAX_INST];
	struct wsk_op_q accept_q;       /**< pending WskAccept (home lcore) */
	atomic_int accept_irps;         /**< accept_q length, read by other lcores */
	TAILQ_HEAD(, wsk_sock) backlog; /**< established, not yet accepted (home lcore) */
	uint32_t backlog_len, backlog_max;
	TAILQ_ENTRY(wsk_sock) blink;
	struct wsk_sock *listener;      /**< accepted socket: its listener while in the backlog */
	bool dead_indicated;            /**< AcceptSocket == NULL / InspectID == NULL sent */

	/* datagram */
	struct stk_udp_sock *udp[WSK_MAX_INST];
	struct wsk_op_q rfrom_q;        /**< pending WskReceiveFrom */
	struct rte_mbuf *dgq_head, *dgq_tail; /**< buffered datagrams (nextpkt via wsk dgram meta) */
	uint32_t dgq_bytes, dgq_len;
	bool fixed_remote, fixed_sendto;
	rte_be32_t rem_addr;
	rte_be16_t rem_port;

	/* lifetime */
	atomic_int refs;                /**< creator 1 + ops + posted requests + retained indications */
	atomic_int ops;                 /**< operations (IRPs) begun and not freed */
	atomic_int inds;                /**< indications retained by the client */
	_Atomic bool closing;           /**< WskCloseSocket called: no callback from now on (seq_cst against in_cb) */
	struct wsk_op *close_op;
	uint32_t close_wait;            /**< instance acks still expected */
};

static inline struct wsk_sock *
wsk_sock_of(PWSK_SOCKET s)
{
	struct wsk_sock *ws = (struct wsk_sock *)s;

	return ws != NULL && ws->magic == WSK_SOCK_MAGIC ? ws : NULL;
}

/* ---- operations ---- */

enum wsk_opcode {
	WSK_OP_NONE,
	WSK_OP_CLOSE, WSK_OP_CONTROL, WSK_OP_BIND, WSK_OP_LISTEN, WSK_OP_CONNECT,
	WSK_OP_ACCEPT, WSK_OP_INSPECT_COMPLETE, WSK_OP_SEND, WSK_OP_RECEIVE,
	WSK_OP_DISCONNECT, WSK_OP_LOCAL_ADDR, WSK_OP_REMOTE_ADDR, WSK_OP_SENDTO,
	WSK_OP_RECEIVE_FROM, WSK_OP_SEND_MESSAGES, WSK_OP_RELEASE, WSK_OP_SOCKET,
	WSK_OP_CANCEL,
};

/** Where a pending operation is queued (for cancellation). */
enum wsk_opq {
	WSK_Q_NONE, WSK_Q_RECV, WSK_Q_ACCEPT, WSK_Q_RFROM, WSK_Q_DISABLE, WSK_Q_STACK,
};

struct wsk_op {
	TAILQ_ENTRY(wsk_op) link;
	uint8_t code;                   /**< enum wsk_opcode */
	uint8_t q;                      /**< enum wsk_opq */
	bool offlcore;                  /**< issued off the home lcore: complete through the ring */
	bool cancel_claimed;            /**< IoCancelIrp took the cancel routine: the cancel request completes it */
	bool sync;                      /**< synchronous cross-thread call without an IRP */
	bool finished;                  /**< ended while its cancel was claimed: complete with status */
	bool cancelling;                /**< the cancel request is ending it: complete as cancelled */
	bool socket_connect;            /**< WskSocketConnect: the socket is the result */
	bool stack_done;                /**< the stack reported it (sent upcall) */
	NTSTATUS (*fn)(struct wsk_op *op); /**< what runs on the home lcore */
	atomic_int refs;                /**< completion waits for these (send: ACK + pages free) */
	NTSTATUS status;
	ULONG_PTR info;
	struct wsk_sock *s;
	struct wsk_client *cl;
	PIRP irp;
	atomic_int *done;               /**< sync: set to 1 when run */
	union {
		struct {                /* send / receive / disconnect */
			WSK_BUF buf;
			ULONG flags;
			SIZE_T done;
			struct rte_mbuf_ext_shared_info shinfo;
		} io;
		struct {                /* bind / connect / listen */
			SOCKADDR_STORAGE addr;
			SOCKADDR_IN local;
			ULONG flags;
			bool have_local;
			struct rte_mbuf *early; /* WskConnectEx data, copied */
			atomic_int pending;     /* listen: instances still to answer */
			atomic_int err;
		} addr;
		struct {                /* accept */
			PVOID ctx;
			const WSK_CLIENT_CONNECTION_DISPATCH *disp;
			PSOCKADDR laddr, raddr;
		} acc;
		struct {                /* control */
			WSK_CONTROL_SOCKET_TYPE type;
			ULONG code, level;
			SIZE_T in_size, out_size;
			PVOID in, out;
			SIZE_T *out_ret;
			uint8_t in_copy[64];    /* small inputs copied at the call */
		} ctl;
		struct {                /* sendto / send messages */
			WSK_BUF buf;
			PWSK_BUF_LIST list;
			SOCKADDR_IN to;
			bool have_to;
			struct rte_mbuf_ext_shared_info shinfo;
		} st;
		struct {                /* receive from */
			WSK_BUF buf;
			PSOCKADDR from;
			PULONG ctl_len;
			PCMSGHDR ctl;
			PULONG ctl_flags;
		} rf;
		struct {                /* inspect complete */
			WSK_INSPECT_ID id;
			WSK_INSPECT_ACTION action;
		} ic;
		struct {                /* address query */
			PSOCKADDR addr;
		} ga;
		struct {                /* release (no IRP) */
			PVOID ind;
			uint32_t bytes;
		} rel;
		struct {                /* work handed between lcores */
			struct wsk_sock *ns;
			struct wsk_op *parent;
			unsigned int idx;
			int err;
		} hand;
	} u;
};

/* ---- receive indications ---- */

#define WSK_IND_SEGS 8

/** One WSK_DATA_INDICATION list entry per mbuf segment, MDL included. */
struct wsk_ind_ent {
	WSK_DATA_INDICATION di;
	union {
		MDL mdl;
		uint8_t mdl_space[sizeof(MDL) + 18 * sizeof(PFN_NUMBER)]; /* up to 64 KiB */
	};
};

/** A block of indication entries over one mbuf chain (blocks chain for long chains). */
struct wsk_ind {
	struct wsk_ind_ent ent[WSK_IND_SEGS]; /**< first: ent[0].di is the list head */
	uint32_t magic;
#define WSK_IND_MAGIC 0x57534b49u
	uint32_t bytes;                 /**< bytes in this block's entries */
	struct wsk_ind *next_block;
	struct rte_mbuf *m;             /**< head block only: the chain */
	struct wsk_sock *s;
	uint32_t total;                 /**< head block only: bytes of the whole list */
};

/* ---- the host ---- */

struct wsk_bind_ent {
	LIST_ENTRY(wsk_bind_ent) link;
	struct wsk_sock *s;
	uint8_t proto;                  /**< IPPROTO_TCP / IPPROTO_UDP */
	rte_be32_t addr;
	rte_be16_t port;
	bool reuse, excl, wildcard, listening;
};

struct wsk_host {
	struct stk_inst *in[WSK_MAX_INST];
	unsigned int n;
	int index;                      /**< published slot, or -1 */
	struct rte_mempool *sock_mp, *op_mp, *ind_mp;
	atomic_uint next_inst;          /**< round robin for sockets made off the lcores */

	pthread_mutex_t bind_lock;      /**< the address table (bind is not on the data path) */
	LIST_HEAD(, wsk_bind_ent) binds;
	uint16_t next_eph;

	struct {
		atomic_uint_fast64_t sockets_created, irps_completed, irps_cancelled;
		atomic_uint_fast64_t sends_zero_copy, sends_copied, recv_ind_bytes, recv_copy_bytes;
		atomic_uint_fast64_t pool_exhausted, ring_retries;
		atomic_uint_fast64_t dgrams_dropped; /**< UDP: receive buffer full, filtered, or lost on the way home */
	} st;
};

/* futexes (completion threads and synchronous callers sleep on them) */
static inline void
wsk_futex_wait(atomic_int *w, int val, long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };

	syscall(SYS_futex, (int *)w, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static inline void
wsk_futex_wake(atomic_int *w)
{
	syscall(SYS_futex, (int *)w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* the published hosts (wsk_host.c), guarded by wsk_hosts_lock */
extern pthread_mutex_t wsk_hosts_lock;
extern pthread_cond_t wsk_hosts_cond;
extern struct wsk_host *wsk_hosts[WSK_MAX_HOSTS];
/** List live sockets (of @p cl, or all) on stderr: leak reports. */
void wsk_host_dump_sockets(struct wsk_host *h, const struct wsk_client *cl);
/** The host index WskstackSelectHost() chose on this thread (0 by default). */
unsigned int wsk_thread_selected_host(void);

/* thread state: which instances this thread polls */
struct wsk_host *wsk_thread_host(unsigned int *idx);
bool wsk_on_lcore(const struct wsk_host *h, unsigned int idx);

/* ---- provider internals (wsk_provider.c) ---- */

extern const WSK_PROVIDER_DISPATCH wsk_provider_dispatch;
extern const WSK_PROVIDER_BASIC_DISPATCH wsk_basic_dispatch;
extern const WSK_PROVIDER_LISTEN_DISPATCH wsk_listen_dispatch;
extern const WSK_PROVIDER_DATAGRAM_DISPATCH wsk_datagram_dispatch;
extern const WSK_PROVIDER_CONNECTION_DISPATCH wsk_connection_dispatch;
extern const WSK_PROVIDER_STREAM_DISPATCH wsk_stream_dispatch;

/**
 * Take @p irp for an operation on @p s (or on client @p cl when @p s is NULL):
 * consume its next stack location, allocate an op. On failure the IRP is
 * completed with the returned status (inline, on the caller's thread).
 * @return STATUS_SUCCESS with *@p out set, or the failure status.
 */
NTSTATUS wsk_op_begin(struct wsk_client *cl, struct wsk_sock *s, PIRP irp, uint8_t code,
		      struct wsk_op **out);

/** Complete @p op's IRP with @p status / @p info (inline or through the ring) and free the op. */
void wsk_op_complete(struct wsk_op *op, NTSTATUS status, ULONG_PTR info);

/** An op without an IRP on @p s (sync calls, internal work). @return NULL if the pool is dry. */
struct wsk_op *wsk_op_new(struct wsk_sock *s, uint8_t code);

/** Free an op that has no IRP (or whose IRP was completed another way). */
void wsk_op_free(struct wsk_op *op);

/**
 * Run @p fn(op) on @p s's home lcore: inline if this thread is it, else
 * posted. @return STATUS_PENDING when posted (the op owns the IRP), or what
 * the inline run returned.
 */
typedef NTSTATUS (*wsk_op_fn)(struct wsk_op *op);
NTSTATUS wsk_op_dispatch(struct wsk_op *op, wsk_op_fn fn);

/** Run @p fn(op) on the home lcore and wait for it (PASSIVE callers without an IRP). */
NTSTATUS wsk_op_run_sync(struct wsk_op *op, wsk_op_fn fn);

/** Stop the completion threads of clients that never deregistered (host shutdown). */
void wsk_clients_quiesce(void);

/** Let @p th run on every online CPU (threads made on an lcore inherit its pinning). */
void wsk_thread_unpin(pthread_t th);

/** Post @p fn(in, arg) to instance @p idx of @p h, retrying while its ring is full. */
int wsk_post(struct wsk_host *h, unsigned int idx, stk_req_fn fn, void *arg);

/** A request-ring function running op->fn(op). */
void wsk_op_trampoline(struct stk_inst *in, void *arg);

/** Run @p fn(op) on instance @p idx (inline if this thread polls it). @return STATUS_PENDING. */
NTSTATUS wsk_op_dispatch_to(struct wsk_op *op, unsigned int idx, wsk_op_fn fn);

/**
 * @p op is handed to the stack (connect, send, disconnect): arm its cancel
 * routine. @return false if the IRP was already cancelled (nothing armed).
 */
bool wsk_op_arm_stack(struct wsk_op *op);
/** The stack is done with @p op: disarm. @return false if a cancel claimed it. */
bool wsk_op_disarm_stack(struct wsk_op *op);

/** Queue @p op on @p q with a cancel routine (home lcore). @return false if already cancelled (then completed). */
bool wsk_op_queue(struct wsk_op *op, struct wsk_op_q *q, uint8_t qid);
/**
 * Take @p op off its queue to complete it. @return false if IoCancelIrp
 * claimed it (leave it: the cancel request will complete it).
 */
bool wsk_op_unqueue(struct wsk_op *op);

/** A socket reference (refs); the last one frees it. */
void wsk_sock_get(struct wsk_sock *s);
void wsk_sock_put(struct wsk_sock *s);

/** Allocate and initialise a socket of @p kind on instance @p home. */
struct wsk_sock *wsk_sock_alloc(struct wsk_host *h, struct wsk_client *cl, unsigned int home,
				uint8_t kind);

/**
 * The close operation is done when nothing else is pending, no callback
 * runs and every instance has let go: finish it if so (home lcore), or
 * post the check there (any thread).
 */
void wsk_sock_close_check(struct wsk_sock *s);
void wsk_sock_close_check_post(struct wsk_sock *s);

/** Fail @p irp inline: take its stack location, complete it with @p st. @return @p st. */
NTSTATUS wsk_irp_fail(PIRP irp, NTSTATUS st);

/** Event mask bits that may run a callback now (enabled and not closing). */
static inline bool
wsk_ev_on(struct wsk_sock *s, ULONG bit)
{
	return !s->closing && (atomic_load_explicit(&s->events, memory_order_acquire) & bit) != 0;
}

/** Bracket a client callback on @p s. */
static inline void
wsk_cb_enter(struct wsk_sock *s)
{
	/* seq_cst: paired with WskCloseSocket's store to closing and its read of in_cb */
	atomic_fetch_add(&s->in_cb, 1);
}
void wsk_cb_leave(struct wsk_sock *s);

/** Callback flags for the calling thread (WSK_FLAG_AT_DISPATCH_LEVEL on lcores). */
ULONG wsk_cb_flags(void);

/* ---- addresses ---- */

/** Parse an AF_INET SOCKADDR. @return STATUS_SUCCESS or an error status. */
NTSTATUS wsk_addr_in(const SOCKADDR *sa, rte_be32_t *addr, rte_be16_t *port);
void wsk_addr_out(PSOCKADDR sa, rte_be32_t addr, rte_be16_t port);

/** Address table (WskBind): check the sharing rules and insert. */
NTSTATUS wsk_bind_table_add(struct wsk_sock *s, uint8_t proto, rte_be32_t addr, rte_be16_t port);
void wsk_bind_table_del(struct wsk_sock *s);

/** Map a stack error to an NTSTATUS. */
NTSTATUS wsk_status_of(int err);

/* ---- per kind (wsk_tcp.c, wsk_udp.c, wsk_socket.c) ---- */

NTSTATUS wsk_tcp_bind_run(struct wsk_op *op);
NTSTATUS wsk_tcp_close_run(struct wsk_sock *s);
NTSTATUS wsk_udp_bind_run(struct wsk_op *op);
NTSTATUS wsk_udp_close_run(struct wsk_sock *s);
NTSTATUS wsk_tcp_control(struct wsk_op *op);
NTSTATUS wsk_udp_control(struct wsk_op *op);
void wsk_tcp_events_enabled(struct wsk_sock *s, ULONG bits);
void wsk_udp_events_enabled(struct wsk_sock *s, ULONG bits);

/* datagram dispatch members (wsk_udp.c) */
NTSTATUS WSKAPI wsk_sendto(PWSK_SOCKET, PWSK_BUF, ULONG, PSOCKADDR, ULONG, PCMSGHDR, PIRP);
NTSTATUS WSKAPI wsk_receive_from(PWSK_SOCKET, PWSK_BUF, ULONG, PSOCKADDR, PULONG, PCMSGHDR,
				 PULONG, PIRP);
NTSTATUS WSKAPI wsk_release_dgram(PWSK_SOCKET, PWSK_DATAGRAM_INDICATION);
NTSTATUS WSKAPI wsk_send_messages(PWSK_SOCKET, PWSK_BUF_LIST, ULONG, PSOCKADDR, ULONG, PCMSGHDR,
				  PIRP);

/* connection / listen / stream members (wsk_tcp.c) */
NTSTATUS WSKAPI wsk_connect(PWSK_SOCKET, PSOCKADDR, ULONG, PIRP);
NTSTATUS WSKAPI wsk_connect_ex(PWSK_SOCKET, PSOCKADDR, PWSK_BUF, ULONG, PIRP);
NTSTATUS WSKAPI wsk_accept(PWSK_SOCKET, ULONG, PVOID, CONST WSK_CLIENT_CONNECTION_DISPATCH *,
			   PSOCKADDR, PSOCKADDR, PIRP);
NTSTATUS WSKAPI wsk_inspect_complete(PWSK_SOCKET, PWSK_INSPECT_ID, WSK_INSPECT_ACTION, PIRP);
NTSTATUS WSKAPI wsk_listen(PWSK_SOCKET, PIRP);
NTSTATUS WSKAPI wsk_send(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
NTSTATUS WSKAPI wsk_send_ex(PWSK_SOCKET, PWSK_BUF, ULONG, ULONG, PCMSGHDR, PIRP);
NTSTATUS WSKAPI wsk_receive(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
NTSTATUS WSKAPI wsk_receive_ex(PWSK_SOCKET, PWSK_BUF, ULONG, PULONG, PCMSGHDR, PULONG, PIRP);
NTSTATUS WSKAPI wsk_disconnect(PWSK_SOCKET, PWSK_BUF, ULONG, PIRP);
NTSTATUS WSKAPI wsk_release_data(PWSK_SOCKET, PWSK_DATA_INDICATION);
NTSTATUS WSKAPI wsk_get_remote_address(PWSK_SOCKET, PSOCKADDR, PIRP);

/* common members (wsk_socket.c) */
NTSTATUS WSKAPI wsk_control_socket(PWSK_SOCKET, WSK_CONTROL_SOCKET_TYPE, ULONG, ULONG, SIZE_T,
				   PVOID, SIZE_T, PVOID, SIZE_T *, PIRP);
NTSTATUS WSKAPI wsk_close_socket(PWSK_SOCKET, PIRP);
NTSTATUS WSKAPI wsk_bind(PWSK_SOCKET, PSOCKADDR, ULONG, PIRP);
NTSTATUS WSKAPI wsk_get_local_address(PWSK_SOCKET, PSOCKADDR, PIRP);

/* client level (wsk_client.c) */
NTSTATUS WSKAPI wsk_socket(PWSK_CLIENT, ADDRESS_FAMILY, USHORT, ULONG, ULONG, PVOID, CONST VOID *,
			   PEPROCESS, PETHREAD, PSECURITY_DESCRIPTOR, PIRP);
NTSTATUS WSKAPI wsk_socket_connect(PWSK_CLIENT, USHORT, ULONG, PSOCKADDR, PSOCKADDR, ULONG, PVOID,
				   CONST WSK_CLIENT_CONNECTION_DISPATCH *, PEPROCESS, PETHREAD,
				   PSECURITY_DESCRIPTOR, PIRP);
NTSTATUS WSKAPI wsk_control_client(PWSK_CLIENT, ULONG, SIZE_T, PVOID, SIZE_T, PVOID, SIZE_T *,
				   PIRP);
NTSTATUS WSKAPI wsk_get_address_info(PWSK_CLIENT, PUNICODE_STRING, PUNICODE_STRING, ULONG, GUID *,
				     PADDRINFOEXW, PADDRINFOEXW *, PEPROCESS, PETHREAD, PIRP);
VOID WSKAPI wsk_free_address_info(PWSK_CLIENT, PADDRINFOEXW);
NTSTATUS WSKAPI wsk_get_name_info(PWSK_CLIENT, PSOCKADDR, ULONG, PUNICODE_STRING, PUNICODE_STRING,
				  ULONG, PEPROCESS, PETHREAD, PIRP);

/** Create a socket object for WskSocket / WskSocketConnect (no IRP). */
NTSTATUS wsk_socket_make(struct wsk_client *cl, USHORT type, ULONG proto, ULONG flags, PVOID ctx,
			 const void *disp, struct wsk_sock **out);
/** WskDeregister: complete queued WSK_TRANSPORT_LIST_CHANGE IRPs (wsk_client.c). */
void wsk_client_cancel_tl_change(struct wsk_client *cl);
/** IoCancelIrp on an op the stack holds (wsk_tcp.c). */
void wsk_tcp_cancel(struct wsk_op *op);

/* MDL <-> bytes */
/** Bytes of @p b (validated: offset inside the first MDL, length within the chain). */
bool wsk_buf_valid(const WSK_BUF *b);
/** Copy @p len bytes of mbuf chain @p m from @p moff into @p b at @p boff. */
void wsk_copy_to_buf(const WSK_BUF *b, SIZE_T boff, const struct rte_mbuf *m, uint32_t moff,
		     uint32_t len);
/** Copy @p len bytes of @p b from @p boff to @p dst. */
void wsk_copy_from_buf(const WSK_BUF *b, SIZE_T boff, void *dst, SIZE_T len);

#endif /* WSK_PRIV_H */
