/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the rule tests (wsk_rules.h). */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsk_rules.h"

static atomic_int seq;

void
rules_report(int n, const char *title, unsigned int fails)
{
	printf("rule %d: %s: %s\n", n, title, fails == 0 ? "ok" : "FAIL");
	fflush(stdout);
}

bool
rules_known_bug(const char *what)
{
	const char *e = getenv("WSK_RULES_KNOWN_BUGS");
	bool run = e != NULL && strcmp(e, "1") == 0;

	printf("KNOWN BUG: %s%s\n", what, run ? " (checked: WSK_RULES_KNOWN_BUGS=1)"
					     : " (check skipped; WSK_RULES_KNOWN_BUGS=1 runs it)");
	return run;
}

void
rules_skip(int n, const char *why)
{
	printf("rule %d: skipped: %s\n", n, why);
}

int
rules_seq_next(void)
{
	return atomic_fetch_add(&seq, 1) + 1;
}

/* ---- IRPs ---- */

static NTSTATUS
rirp_routine(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
	struct rirp *r = ctx;

	(void)dev;
	if (atomic_fetch_add(&r->calls, 1) == 0) {
		r->seq = rules_seq_next();
		r->status = irp->IoStatus.Status;
		r->info = irp->IoStatus.Information;
		r->irql = KeGetCurrentIrql();
		r->inline_done = r->calling;
	}
	KeSetEvent(&r->done, IO_NO_INCREMENT, FALSE);
	/* Last access: the owner may reuse *r (and its KEVENT) from now on. */
	atomic_store_explicit(&r->finished, true, memory_order_release);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

void
rirp_init(struct rirp *r)
{
	memset(r, 0, sizeof(*r));
	KeInitializeEvent(&r->done, NotificationEvent, FALSE);
	r->irp = IoAllocateIrp(1, FALSE);
	r->status = (NTSTATUS)0x7fffffff; /* not completed */
	IoSetCompletionRoutine(r->irp, rirp_routine, r, TRUE, TRUE, TRUE);
}

bool
rirp_done(struct rirp *r)
{
	return atomic_load_explicit(&r->finished, memory_order_acquire);
}

bool
rirp_wait(struct rirp *r, unsigned int ms)
{
	LARGE_INTEGER to;

	if (rirp_done(r))
		return true;
	to.QuadPart = -(LONGLONG)ms * 10000;
	KeWaitForSingleObject(&r->done, Executive, KernelMode, FALSE, &to);
	/* Signalled: the routine is past KeSetEvent or about to be. */
	if (KeReadStateEvent(&r->done) != 0)
		while (!rirp_done(r))
			sched_yield();
	return rirp_done(r);
}

void
rirp_free(struct rirp *r)
{
	if (r->irp != NULL)
		IoFreeIrp(r->irp);
	r->irp = NULL;
}

NTSTATUS
rc_wait_status(struct rirp *r, unsigned int ms, ULONG_PTR *info)
{
	NTSTATUS st;

	if (!rirp_wait(r, ms != 0 ? ms : 2000)) {
		IoCancelIrp(r->irp);
		if (!rirp_wait(r, 2000)) {
			fprintf(stderr, "rules: IRP %p never completed (leaked)\n", (void *)r->irp);
			r->irp = NULL;
			return STATUS_TIMEOUT;
		}
		fprintf(stderr, "rules: IRP %p completed only when cancelled\n", (void *)r->irp);
	}
	st = r->status;
	if (info != NULL)
		*info = r->info;
	rirp_free(r);
	return st;
}

#define RC_CALL(r, expr)                                                         \
	do {                                                                     \
		(r)->calling = true;                                             \
		(r)->returned = (expr);                                          \
		(r)->calling = false;                                            \
		return (r)->returned;                                            \
	} while (0)

NTSTATUS
rc_send(struct rirp *r, PWSK_SOCKET s, WSK_BUF *b, ULONG flags)
{
	RC_CALL(r, rc_conn(s)->WskSend(s, b, flags, r->irp));
}

NTSTATUS
rc_recv(struct rirp *r, PWSK_SOCKET s, WSK_BUF *b, ULONG flags)
{
	RC_CALL(r, rc_conn(s)->WskReceive(s, b, flags, r->irp));
}

NTSTATUS
rc_disconnect(struct rirp *r, PWSK_SOCKET s, WSK_BUF *b, ULONG flags)
{
	RC_CALL(r, rc_conn(s)->WskDisconnect(s, b, flags, r->irp));
}

NTSTATUS
rc_connect(struct rirp *r, PWSK_SOCKET s, unsigned int host, uint16_t port)
{
	SOCKADDR_IN to;

	wsk_test_addr(&to, host, port);
	RC_CALL(r, rc_conn(s)->WskConnect(s, (PSOCKADDR)&to, 0, r->irp));
}

NTSTATUS
rc_accept(struct rirp *r, PWSK_SOCKET l, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *disp)
{
	RC_CALL(r, rc_listen(l)->WskAccept(l, 0, ctx, disp, NULL, NULL, r->irp));
}

NTSTATUS
rc_close(struct rirp *r, PWSK_SOCKET s)
{
	RC_CALL(r, ((const WSK_PROVIDER_BASIC_DISPATCH *)s->Dispatch)->WskCloseSocket(s, r->irp));
}

NTSTATUS
rc_control(struct rirp *r, PWSK_SOCKET s, WSK_CONTROL_SOCKET_TYPE type, ULONG code, ULONG level,
	   SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out)
{
	RC_CALL(r, ((const WSK_PROVIDER_BASIC_DISPATCH *)s->Dispatch)->WskControlSocket(
			   s, type, code, level, in_size, in, out_size, out, NULL, r->irp));
}

NTSTATUS
rc_set_ulong(PWSK_SOCKET s, ULONG level, ULONG code, ULONG v)
{
	struct rirp r;

	rirp_init(&r);
	rc_control(&r, s, WskSetOption, code, level, sizeof(v), &v, 0, NULL);
	return rc_wait_status(&r, 0, NULL);
}

NTSTATUS
rc_get_ulong(PWSK_SOCKET s, ULONG level, ULONG code, ULONG *v)
{
	struct rirp r;

	*v = 0xdeadbeef;
	rirp_init(&r);
	rc_control(&r, s, WskGetOption, code, level, 0, NULL, sizeof(*v), v);
	return rc_wait_status(&r, 0, NULL);
}

/* ---- buffers ---- */

uint8_t
rules_pattern(uint64_t off)
{
	uint64_t x = (off + 1) * 0x9E3779B97F4A7C15ull;

	return (uint8_t)(x >> 56 ^ off);
}

void
rbuf_init(struct rbuf *b, SIZE_T size)
{
	memset(b, 0, sizeof(*b));
	b->size = size;
	b->data = calloc(1, size != 0 ? size : 1);
	if (size != 0) {
		b->mdl = IoAllocateMdl(b->data, (ULONG)size, FALSE, FALSE, NULL);
		MmBuildMdlForNonPagedPool(b->mdl);
	}
	b->wb.Mdl = b->mdl;
	b->wb.Offset = 0;
	b->wb.Length = size;
}

void
rbuf_free(struct rbuf *b)
{
	if (b->mdl != NULL)
		IoFreeMdl(b->mdl);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
rbuf_fill(struct rbuf *b, uint64_t off)
{
	SIZE_T i;

	for (i = 0; i < b->size; i++)
		b->data[i] = rules_pattern(off + i);
}

/* ---- sockets ---- */

PWSK_SOCKET
rules_conn_socket(struct wsk_test_client *c, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *disp)
{
	PWSK_SOCKET s = wsk_test_socket(c, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, ctx,
					disp, NULL);
	SOCKADDR_IN any;

	if (s == NULL)
		return NULL;
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	if (wsk_test_bind(s, &any) != STATUS_SUCCESS) {
		wsk_test_close(s);
		return NULL;
	}
	return s;
}

PWSK_SOCKET
rules_dgram_bound(struct wsk_test_client *c, unsigned int host, uint16_t port, PVOID ctx,
	    const void *disp)
{
	PWSK_SOCKET s = wsk_test_socket(c, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, ctx,
					disp, NULL);
	SOCKADDR_IN a;

	if (s == NULL)
		return NULL;
	wsk_test_addr(&a, host, port);
	if (wsk_test_bind(s, &a) != STATUS_SUCCESS) {
		wsk_test_close(s);
		return NULL;
	}
	return s;
}

bool
rpair_open(struct rpair *p, struct wsk_test_client *cc, struct wsk_test_client *sc,
	   uint16_t port, PVOID cctx, const WSK_CLIENT_CONNECTION_DISPATCH *cdisp, PVOID actx,
	   const WSK_CLIENT_CONNECTION_DISPATCH *adisp)
{
	struct rirp acc, con;
	SOCKADDR_IN la;
	NTSTATUS st;

	if (p->l == NULL) {
		p->l = wsk_test_socket(sc, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, NULL,
				       NULL, NULL);
		wsk_test_addr(&la, 1, port);
		if (p->l == NULL || wsk_test_bind(p->l, &la) != STATUS_SUCCESS) {
			fprintf(stderr, "rules: listener on port %u failed\n", port);
			return false;
		}
	}
	p->c = rules_conn_socket(cc, cctx, cdisp);
	if (p->c == NULL)
		return false;
	rirp_init(&acc);
	rc_accept(&acc, p->l, actx, adisp);
	rirp_init(&con);
	rc_connect(&con, p->c, 1, port);
	st = rc_wait_status(&con, 3000, NULL);
	if (st != STATUS_SUCCESS)
		fprintf(stderr, "rules: connect to port %u: 0x%08x\n", port, (unsigned)st);
	p->a = NULL;
	{
		ULONG_PTR info = 0;
		NTSTATUS ast = rc_wait_status(&acc, 3000, &info);

		if (ast == STATUS_SUCCESS)
			p->a = (PWSK_SOCKET)info;
	}
	return st == STATUS_SUCCESS && p->a != NULL;
}

void
rpair_close(struct rpair *p)
{
	if (p->c != NULL)
		wsk_test_close(p->c);
	if (p->a != NULL)
		wsk_test_close(p->a);
	if (p->l != NULL)
		wsk_test_close(p->l);
	p->c = p->a = p->l = NULL;
}

NTSTATUS
rules_send_bytes(PWSK_SOCKET s, const void *data, SIZE_T len)
{
	struct rbuf b;
	struct rirp r;
	NTSTATUS st;

	rbuf_init(&b, len);
	memcpy(b.data, data, len);
	rirp_init(&r);
	rc_send(&r, s, &b.wb, 0);
	st = rc_wait_status(&r, 3000, NULL);
	rbuf_free(&b);
	return st;
}

NTSTATUS
rules_recv_bytes(PWSK_SOCKET s, struct rbuf *b, ULONG flags, unsigned int ms, ULONG_PTR *got)
{
	struct rirp r;

	rirp_init(&r);
	rc_recv(&r, s, &b->wb, flags);
	return rc_wait_status(&r, ms, got);
}

/* ---- start and finish ---- */

int
rules_start(struct wsk_test_client *c0, struct wsk_test_client *c1)
{
	struct wsk_test_conf conf = { .ninst = 1, .steer = WSK_TEST_STEER_PORT };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (wsk_test_hosts_start(2, &conf) != 0)
		return -1;
	if (c0 != NULL && wsk_test_client_open(c0, 0) != STATUS_SUCCESS)
		return -1;
	if (c1 != NULL && wsk_test_client_open(c1, 1) != STATUS_SUCCESS)
		return -1;
	return 0;
}

int
rules_finish(struct wsk_test_client *c0, struct wsk_test_client *c1)
{
	unsigned int leaks;

	if (c0 != NULL)
		wsk_test_client_close(c0);
	if (c1 != NULL)
		wsk_test_client_close(c1);
	leaks = wsk_test_hosts_stop();
	CHECK(leaks == 0, "every pool, IRP and MDL back (%u leaked)", leaks);
	return check_done();
}
