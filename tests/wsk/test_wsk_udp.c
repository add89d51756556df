/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WSK datagram sockets between two stacks (two hosts of two instances each,
 * frames spread over the queues so datagrams reach non-home instances and
 * are passed home): WskSendTo / WskReceiveFrom both ways, truncation,
 * WskSendMessages, bad buffers and flags, send and receive before bind,
 * WskReceiveFromEvent with SUCCESS, PENDING + WskRelease and
 * STATUS_DATA_NOT_ACCEPTED (dynamic callbacks turn off, static ones stay
 * on), pending receives served before the callback, SIO_WSK_SET_REMOTE_ADDRESS
 * filtering, SIO_WSK_SET_SENDTO_ADDRESS, SO_BROADCAST, SO_RCVBUF, IoCancelIrp
 * and WskCloseSocket on a pending receive; at the end every pool is empty.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "check.h"
#include "wsk_priv.h"
#include "wsk_test_wsk.h"

#define PORT_A   5000
#define PORT_A2  5001
#define PORT_B   6000
#define PORT_E   7000

/* ---- buffers described by MDLs ---- */

struct tbuf {
	uint8_t *data;
	ULONG cap;
	PMDL mdl;
	WSK_BUF wb;
};

static void
tbuf_init(struct tbuf *b, ULONG cap)
{
	b->data = calloc(1, cap);
	b->cap = cap;
	b->mdl = IoAllocateMdl(b->data, cap, FALSE, FALSE, NULL);
	MmBuildMdlForNonPagedPool(b->mdl);
	b->wb.Mdl = b->mdl;
	b->wb.Offset = 0;
	b->wb.Length = cap;
}

static void
tbuf_fill(struct tbuf *b, ULONG len, uint8_t seed)
{
	ULONG i;

	for (i = 0; i < len; i++)
		b->data[i] = (uint8_t)(seed + i * 7);
	b->wb.Length = len;
}

static bool
tbuf_check(const struct tbuf *b, ULONG len, uint8_t seed)
{
	ULONG i;

	for (i = 0; i < len; i++)
		if (b->data[i] != (uint8_t)(seed + i * 7))
			return false;
	return true;
}

static void
tbuf_free(struct tbuf *b)
{
	IoFreeMdl(b->mdl);
	free(b->data);
}

/* ---- calls ---- */

struct sendto_args {
	PWSK_SOCKET s;
	WSK_BUF *buf;
	ULONG flags;
	SOCKADDR_IN to;
	bool have_to;
};

static NTSTATUS
call_sendto(void *arg, PIRP irp)
{
	struct sendto_args *a = arg;

	return wsk_test_dgram(a->s)->WskSendTo(a->s, a->buf, a->flags,
					       a->have_to ? (PSOCKADDR)&a->to : NULL, 0, NULL, irp);
}

static NTSTATUS
send_to(PWSK_SOCKET s, struct tbuf *b, const SOCKADDR_IN *to, ULONG_PTR *info)
{
	struct sendto_args a = { s, &b->wb, 0, { 0 }, to != NULL };

	if (to != NULL)
		a.to = *to;
	return wsk_test_call(call_sendto, &a, 0, info, NULL);
}

struct rfrom_args {
	PWSK_SOCKET s;
	WSK_BUF *buf;
	SOCKADDR_IN from;
	ULONG ctl_len, ctl_flags;
};

static NTSTATUS
call_rfrom(void *arg, PIRP irp)
{
	struct rfrom_args *a = arg;

	a->ctl_len = 0;
	a->ctl_flags = 0xdead;
	return wsk_test_dgram(a->s)->WskReceiveFrom(a->s, a->buf, 0, (PSOCKADDR)&a->from,
						    &a->ctl_len, NULL, &a->ctl_flags, irp);
}

static NTSTATUS
recv_from(struct rfrom_args *a, PWSK_SOCKET s, struct tbuf *b, ULONG_PTR *info)
{
	memset(a, 0, sizeof(*a));
	a->s = s;
	b->wb.Length = b->cap;
	a->buf = &b->wb;
	return wsk_test_call(call_rfrom, a, 2000, info, NULL);
}

/* ---- WskReceiveFromEvent recorder ---- */

enum ev_mode { EV_SUCCESS, EV_PENDING, EV_REFUSE };

struct ev_rec {
	atomic_int calls, datagrams, mode;
	pthread_mutex_t lock;
	PWSK_DATAGRAM_INDICATION kept;  /**< retained list (EV_PENDING) */
	uint8_t first[256];             /**< bytes of the last call's first datagram */
	ULONG first_len, flags;
	SOCKADDR_IN from;
	bool mdl_ok;                    /**< MDL chain bytes add up to Buffer.Length */
};

static NTSTATUS WSKAPI
on_receive_from(PVOID ctx, ULONG flags, PWSK_DATAGRAM_INDICATION ind)
{
	struct ev_rec *r = ctx;
	PWSK_DATAGRAM_INDICATION d;
	int n = 0;

	if (ind == NULL)
		return STATUS_SUCCESS;
	pthread_mutex_lock(&r->lock);
	r->flags = flags;
	r->mdl_ok = true;
	for (d = ind; d != NULL; d = d->Next) {
		ULONG off = 0;
		PMDL m;

		for (m = d->Buffer.Mdl; m != NULL && off < d->Buffer.Length; m = m->Next) {
			const uint8_t *va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
			ULONG k = MmGetMdlByteCount(m);

			if (d == ind && off < sizeof(r->first))
				memcpy(r->first + off, va, RTE_MIN(k, (ULONG)sizeof(r->first) - off));
			off += k;
		}
		if (off != d->Buffer.Length)
			r->mdl_ok = false;
		if (d == ind) {
			r->first_len = (ULONG)d->Buffer.Length;
			memcpy(&r->from, d->RemoteAddress, sizeof(r->from));
		}
		n++;
	}
	if (atomic_load(&r->mode) == EV_PENDING)
		r->kept = ind;
	pthread_mutex_unlock(&r->lock);
	atomic_fetch_add(&r->datagrams, n);
	atomic_fetch_add(&r->calls, 1);
	switch (atomic_load(&r->mode)) {
	case EV_PENDING:
		return STATUS_PENDING;
	case EV_REFUSE:
		return STATUS_DATA_NOT_ACCEPTED;
	default:
		return STATUS_SUCCESS;
	}
}

static const WSK_CLIENT_DATAGRAM_DISPATCH ev_disp = { on_receive_from };

static void
ev_init(struct ev_rec *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
}

static bool
wait_int(atomic_int *v, int want, unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms && atomic_load(v) < want; i++)
		wsk_test_sleep_ms(1);
	return atomic_load(v) >= want;
}

static uint64_t
dropped(unsigned int host)
{
	/* Not in wsk_host_stats yet: read the host's counter. */
	return atomic_load(&wsk_test_host(host)->st.dgrams_dropped);
}

/* ---- the tests ---- */

struct world {
	struct wsk_test_client ca, cb;
	PWSK_SOCKET a, a2, b;
	struct ev_rec eva, evb;
	SOCKADDR_IN addr_a, addr_a2, addr_b;
};

static void
test_echo(struct world *w)
{
	struct tbuf out, in;
	struct rfrom_args r;
	struct wsk_test_irp pend;
	struct sendto_args sa;
	ULONG_PTR info;
	NTSTATUS st;

	tbuf_init(&out, 2048);
	tbuf_init(&in, 2048);
	/* A -> B, B's receive posted first (pends until the datagram comes). */
	memset(&r, 0, sizeof(r));
	r.s = w->b;
	r.buf = &in.wb;
	st = wsk_test_irp_start(&pend, call_rfrom, &r);
	CHECK(st == STATUS_PENDING, "receive with nothing buffered pends: %#x", st);
	wsk_test_sleep_ms(20);
	tbuf_fill(&out, 100, 1);
	st = send_to(w->a, &out, &w->addr_b, &info);
	CHECK(st == STATUS_SUCCESS && info == 100, "sendto A->B: %#x, %lu bytes", st,
	      (unsigned long)info);
	st = wsk_test_irp_wait(&pend, 2000, &info);
	CHECK(st == STATUS_SUCCESS && info == 100, "pending receive got it: %#x, %lu bytes", st,
	      (unsigned long)info);
	CHECK(tbuf_check(&in, 100, 1), "bytes A->B intact");
	CHECK(r.from.sin_family == AF_INET && r.from.sin_addr.s_addr == w->addr_a.sin_addr.s_addr &&
	      r.from.sin_port == w->addr_a.sin_port, "RemoteAddress is A");
	CHECK(r.ctl_len == 0 && r.ctl_flags == 0, "no control info, no flags (%u, %#x)", r.ctl_len,
	      r.ctl_flags);
	/* B -> A, A's receive after the datagram arrived (buffered). */
	tbuf_fill(&out, 1400, 9);
	st = send_to(w->b, &out, &w->addr_a, &info);
	CHECK(st == STATUS_SUCCESS && info == 1400, "sendto B->A: %#x", st);
	wsk_test_sleep_ms(50);
	st = recv_from(&r, w->a, &in, &info);
	CHECK(st == STATUS_SUCCESS && info == 1400 && tbuf_check(&in, 1400, 9),
	      "A received B's datagram: %#x, %lu bytes", st, (unsigned long)info);
	CHECK(r.from.sin_addr.s_addr == w->addr_b.sin_addr.s_addr &&
	      r.from.sin_port == w->addr_b.sin_port, "RemoteAddress is B");
	/* A fragmented datagram: 8000 bytes, 6 fragments (DPDK's reassembly takes
	 * RTE_LIBRTE_IP_FRAG_MAX_FRAG fragments per datagram at most). */
	tbuf_free(&out);
	tbuf_free(&in);
	tbuf_init(&out, 8000);
	tbuf_init(&in, 8000);
	tbuf_fill(&out, 8000, 3);
	st = send_to(w->a, &out, &w->addr_b, &info);
	CHECK(st == STATUS_SUCCESS && info == 8000, "8000-byte sendto: %#x", st);
	st = recv_from(&r, w->b, &in, &info);
	CHECK(st == STATUS_SUCCESS && info == 8000 && tbuf_check(&in, 8000, 3),
	      "8000-byte datagram reassembled and intact: %#x, %lu", st, (unsigned long)info);
	if (st != STATUS_SUCCESS)
		wsk_test_print_stats();
	/* Truncation: 10 bytes into a 4-byte buffer. */
	tbuf_fill(&out, 10, 5);
	send_to(w->a, &out, &w->addr_b, NULL);
	memset(&r, 0, sizeof(r));
	r.s = w->b;
	in.wb.Length = 4;
	r.buf = &in.wb;
	st = wsk_test_call(call_rfrom, &r, 2000, &info, NULL);
	CHECK(st == STATUS_SUCCESS && info == 4 && (r.ctl_flags & MSG_TRUNC) != 0 &&
	      tbuf_check(&in, 4, 5), "truncated: %#x, %lu bytes, flags %#x", st,
	      (unsigned long)info, r.ctl_flags);
	/* Over 65507 bytes: refused. */
	tbuf_free(&out);
	tbuf_init(&out, 70000);
	sa = (struct sendto_args){ w->a, &out.wb, 0, w->addr_b, true };
	st = wsk_test_call(call_sendto, &sa, 0, NULL, NULL);
	CHECK(st == STATUS_INVALID_BUFFER_SIZE, "70000-byte datagram: %#x", st);
	tbuf_free(&out);
	tbuf_free(&in);
}

static void
test_bad_args(struct world *w)
{
	struct tbuf out, in;
	struct sendto_args sa;
	struct rfrom_args r;
	WSK_BUF bad;
	NTSTATUS st, ret;
	PWSK_SOCKET u;

	tbuf_init(&out, 64);
	tbuf_init(&in, 64);
	bad = out.wb;
	bad.Offset = 100; /* beyond the MDL */
	sa = (struct sendto_args){ w->a, &bad, 0, w->addr_b, true };
	st = wsk_test_call(call_sendto, &sa, 0, NULL, &ret);
	CHECK(st == STATUS_INVALID_PARAMETER && ret == st, "bad WSK_BUF offset: %#x / %#x", st, ret);
	bad = out.wb;
	bad.Length = 65; /* longer than the MDL chain */
	sa.buf = &bad;
	st = wsk_test_call(call_sendto, &sa, 0, NULL, &ret);
	CHECK(st == STATUS_INVALID_PARAMETER, "bad WSK_BUF length: %#x", st);
	sa = (struct sendto_args){ w->a, &out.wb, 1, w->addr_b, true };
	st = wsk_test_call(call_sendto, &sa, 0, NULL, NULL);
	CHECK(st == STATUS_INVALID_PARAMETER, "reserved Flags != 0: %#x", st);
	sa = (struct sendto_args){ w->a, &out.wb, 0, { 0 }, false };
	st = wsk_test_call(call_sendto, &sa, 0, NULL, NULL);
	CHECK(st == STATUS_INVALID_PARAMETER, "no address and no fixed one: %#x", st);
	/* A socket that was never bound. */
	u = wsk_test_socket(&w->ca, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL,
			    &st);
	CHECK(u != NULL, "unbound socket: %#x", st);
	if (u != NULL) {
		sa = (struct sendto_args){ u, &out.wb, 0, w->addr_b, true };
		st = wsk_test_call(call_sendto, &sa, 0, NULL, NULL);
		CHECK(st == STATUS_INVALID_DEVICE_STATE, "sendto before bind: %#x", st);
		st = recv_from(&r, u, &in, NULL);
		CHECK(st == STATUS_INVALID_DEVICE_STATE, "receive before bind: %#x", st);
		CHECK(wsk_test_close(u) == STATUS_SUCCESS, "close unbound");
	}
	tbuf_free(&out);
	tbuf_free(&in);
}

struct sm_args {
	PWSK_SOCKET s;
	WSK_BUF_LIST *l;
	SOCKADDR_IN to;
};

static NTSTATUS
call_send_messages(void *arg, PIRP irp)
{
	struct sm_args *a = arg;

	return wsk_test_dgram(a->s)->WskSendMessages(a->s, a->l, 0, (PSOCKADDR)&a->to, 0, NULL, irp);
}

static void
test_send_messages(struct world *w)
{
	static const ULONG len[3] = { 10, 200, 1000 };
	struct tbuf out[3], in;
	WSK_BUF_LIST l[3];
	struct sm_args a = { w->a, l, w->addr_b };
	struct rfrom_args r;
	bool seen[3] = { false, false, false };
	ULONG_PTR info;
	NTSTATUS st;
	unsigned int i, k;

	tbuf_init(&in, 2048);
	for (i = 0; i < 3; i++) {
		tbuf_init(&out[i], len[i]);
		tbuf_fill(&out[i], len[i], (uint8_t)(40 + i));
		l[i].Next = i < 2 ? &l[i + 1] : NULL;
		l[i].Buffer = out[i].wb;
	}
	st = wsk_test_call(call_send_messages, &a, 0, &info, NULL);
	CHECK(st == STATUS_SUCCESS && info == 1210, "WskSendMessages 3 datagrams: %#x, %lu bytes",
	      st, (unsigned long)info);
	/* Spread over B's two instances, they may arrive in any order. */
	for (k = 0; k < 3; k++) {
		st = recv_from(&r, w->b, &in, &info);
		for (i = 0; i < 3; i++)
			if (st == STATUS_SUCCESS && info == len[i] &&
			    tbuf_check(&in, len[i], (uint8_t)(40 + i)))
				seen[i] = true;
	}
	CHECK(seen[0] && seen[1] && seen[2], "each buffer arrived as one datagram");
	/* One bad buffer in the list: nothing is sent. */
	l[1].Buffer.Offset = 5000;
	st = wsk_test_call(call_send_messages, &a, 0, &info, NULL);
	CHECK(st == STATUS_INVALID_PARAMETER, "WskSendMessages with a bad WSK_BUF: %#x", st);
	for (i = 0; i < 3; i++)
		tbuf_free(&out[i]);
	tbuf_free(&in);
}

static void
test_events(struct world *w)
{
	struct tbuf out, in;
	struct rfrom_args r;
	struct wsk_test_irp pend;
	struct wsk_host_stats hs;
	PWSK_DATAGRAM_INDICATION kept;
	ULONG_PTR info;
	NTSTATUS st;

	tbuf_init(&out, 512);
	tbuf_init(&in, 512);
	CHECK(wsk_test_events(w->b, WSK_EVENT_RECEIVE_FROM) == STATUS_SUCCESS, "enable RECEIVE_FROM");
	/* SUCCESS: consumed in place. */
	atomic_store(&w->evb.mode, EV_SUCCESS);
	tbuf_fill(&out, 300, 11);
	send_to(w->a, &out, &w->addr_b, NULL);
	CHECK(wait_int(&w->evb.calls, 1, 2000), "WskReceiveFromEvent called");
	pthread_mutex_lock(&w->evb.lock);
	CHECK(w->evb.first_len == 300 && w->evb.mdl_ok && memcmp(w->evb.first, out.data, 256) == 0,
	      "indication describes the datagram in place (%u bytes)", w->evb.first_len);
	CHECK((w->evb.flags & WSK_FLAG_AT_DISPATCH_LEVEL) != 0, "flags %#x: at DISPATCH_LEVEL",
	      w->evb.flags);
	CHECK(w->evb.from.sin_addr.s_addr == w->addr_a.sin_addr.s_addr &&
	      w->evb.from.sin_port == w->addr_a.sin_port, "indication's RemoteAddress is A");
	pthread_mutex_unlock(&w->evb.lock);
	/* A pending WskReceiveFrom is served before the callback. */
	memset(&r, 0, sizeof(r));
	r.s = w->b;
	r.buf = &in.wb;
	wsk_test_irp_start(&pend, call_rfrom, &r);
	wsk_test_sleep_ms(20); /* the receive reaches the home lcore before the datagram */
	tbuf_fill(&out, 20, 12);
	send_to(w->a, &out, &w->addr_b, NULL);
	st = wsk_test_irp_wait(&pend, 2000, &info);
	CHECK(st == STATUS_SUCCESS && info == 20 && atomic_load(&w->evb.calls) == 1,
	      "pending receive took it, not the callback: %#x, %d calls", st,
	      atomic_load(&w->evb.calls));
	/* PENDING: the client keeps the list until WskRelease. */
	atomic_store(&w->evb.mode, EV_PENDING);
	send_to(w->a, &out, &w->addr_b, NULL);
	CHECK(wait_int(&w->evb.calls, 2, 2000), "second indication");
	wsk_host_stats(wsk_test_host(1), &hs);
	CHECK(hs.inds_live >= 1, "retained list holds an indication block (%u)", hs.inds_live);
	pthread_mutex_lock(&w->evb.lock);
	kept = w->evb.kept;
	w->evb.kept = NULL;
	pthread_mutex_unlock(&w->evb.lock);
	CHECK(kept != NULL && wsk_test_dgram(w->b)->WskRelease(w->b, kept) == STATUS_SUCCESS,
	      "WskRelease of the retained list");
	CHECK(kept == NULL || wsk_test_dgram(w->b)->WskRelease(w->b, NULL) ==
			      STATUS_INVALID_PARAMETER, "WskRelease(NULL)");
	wsk_host_stats(wsk_test_host(1), &hs);
	CHECK(hs.inds_live == 0, "no indication block live after WskRelease (%u)", hs.inds_live);
	/* DATA_NOT_ACCEPTED: buffered, callback off until enabled again. */
	atomic_store(&w->evb.mode, EV_REFUSE);
	tbuf_fill(&out, 33, 13);
	send_to(w->a, &out, &w->addr_b, NULL);
	CHECK(wait_int(&w->evb.calls, 3, 2000), "third indication (refused)");
	tbuf_fill(&out, 44, 14);
	send_to(w->a, &out, &w->addr_b, NULL);
	wsk_test_sleep_ms(100);
	CHECK(atomic_load(&w->evb.calls) == 3, "callback disabled after STATUS_DATA_NOT_ACCEPTED "
	      "(%d calls)", atomic_load(&w->evb.calls));
	st = recv_from(&r, w->b, &in, &info);
	CHECK(st == STATUS_SUCCESS && info == 33 && tbuf_check(&in, 33, 13),
	      "refused datagram stayed buffered: %#x, %lu bytes", st, (unsigned long)info);
	atomic_store(&w->evb.mode, EV_SUCCESS);
	CHECK(wsk_test_events(w->b, WSK_EVENT_RECEIVE_FROM) == STATUS_SUCCESS, "re-enable");
	CHECK(wait_int(&w->evb.calls, 4, 2000), "re-enabling indicates the buffered datagram");
	CHECK(w->evb.first_len == 44, "it is the second one (%u bytes)", w->evb.first_len);
	CHECK(wsk_test_events(w->b, WSK_EVENT_RECEIVE_FROM | WSK_EVENT_DISABLE) == STATUS_SUCCESS,
	      "disable RECEIVE_FROM");
	tbuf_free(&out);
	tbuf_free(&in);
}

static void
test_fixed_addresses(struct world *w)
{
	struct tbuf out, in;
	struct rfrom_args r;
	ULONG_PTR info;
	uint64_t d0;
	NTSTATUS st;

	tbuf_init(&out, 128);
	tbuf_init(&in, 128);
	st = wsk_test_control(w->b, WskIoctl, SIO_WSK_SET_REMOTE_ADDRESS, 0, sizeof(w->addr_a),
			      &w->addr_a, 0, NULL, NULL);
	CHECK(st == STATUS_SUCCESS, "SIO_WSK_SET_REMOTE_ADDRESS: %#x", st);
	d0 = dropped(1);
	tbuf_fill(&out, 50, 21);
	send_to(w->a2, &out, &w->addr_b, NULL);
	for (int i = 0; i < 2000 && dropped(1) == d0; i++)
		wsk_test_sleep_ms(1);
	CHECK(dropped(1) == d0 + 1, "datagram from A2 discarded by the filter");
	tbuf_fill(&out, 60, 22);
	send_to(w->a, &out, &w->addr_b, NULL);
	st = recv_from(&r, w->b, &in, &info);
	CHECK(st == STATUS_SUCCESS && info == 60 && tbuf_check(&in, 60, 22) &&
	      r.from.sin_port == w->addr_a.sin_port, "datagram from A passes: %#x, %lu", st,
	      (unsigned long)info);
	/* Sending without an address goes to the fixed peer. */
	tbuf_fill(&out, 70, 23);
	CHECK(send_to(w->b, &out, NULL, &info) == STATUS_SUCCESS && info == 70, "sendto(NULL)");
	st = recv_from(&r, w->a, &in, &info);
	CHECK(st == STATUS_SUCCESS && info == 70 && tbuf_check(&in, 70, 23), "A got it: %#x", st);
	/* Cleared: no fixed address any more. */
	st = wsk_test_control(w->b, WskIoctl, SIO_WSK_SET_REMOTE_ADDRESS, 0, 0, NULL, 0, NULL, NULL);
	CHECK(st == STATUS_SUCCESS, "clear the remote address: %#x", st);
	CHECK(send_to(w->b, &out, NULL, NULL) == STATUS_INVALID_PARAMETER, "sendto(NULL) refused");
	/* SIO_WSK_SET_SENDTO_ADDRESS: destination only, anyone may send. */
	st = wsk_test_control(w->b, WskIoctl, SIO_WSK_SET_SENDTO_ADDRESS, 0, sizeof(w->addr_a2),
			      &w->addr_a2, 0, NULL, NULL);
	CHECK(st == STATUS_SUCCESS, "SIO_WSK_SET_SENDTO_ADDRESS: %#x", st);
	tbuf_fill(&out, 80, 24);
	CHECK(send_to(w->b, &out, NULL, NULL) == STATUS_SUCCESS, "sendto(NULL) to the fixed one");
	st = recv_from(&r, w->a2, &in, &info);
	CHECK(st == STATUS_SUCCESS && info == 80, "A2 got it: %#x", st);
	tbuf_fill(&out, 90, 25);
	send_to(w->a, &out, &w->addr_b, NULL);
	st = recv_from(&r, w->b, &in, &info);
	CHECK(st == STATUS_SUCCESS && info == 90, "B still hears A: %#x", st);
	wsk_test_control(w->b, WskIoctl, SIO_WSK_SET_SENDTO_ADDRESS, 0, 0, NULL, 0, NULL, NULL);
	tbuf_free(&out);
	tbuf_free(&in);
}

static void
test_options(struct world *w)
{
	struct tbuf out, in;
	struct rfrom_args r;
	SOCKADDR_IN bc, any;
	PWSK_SOCKET e;
	ULONG v = 1, got = 0;
	ULONG_PTR info;
	NTSTATUS st;
	int i;

	tbuf_init(&out, 128);
	tbuf_init(&in, 128);
	/* SO_BROADCAST */
	wsk_test_addr(&bc, 0, PORT_E);
	bc.sin_addr.s_addr = TEST_IP4(198, 18, 9, 255);
	tbuf_fill(&out, 30, 31);
	CHECK(send_to(w->a, &out, &bc, NULL) == STATUS_ACCESS_DENIED,
	      "broadcast without SO_BROADCAST refused");
	st = wsk_test_control(w->a, WskSetOption, SO_BROADCAST, SOL_SOCKET, sizeof(v), &v, 0, NULL,
			      NULL);
	CHECK(st == STATUS_SUCCESS, "SO_BROADCAST on: %#x", st);
	st = wsk_test_control(w->a, WskGetOption, SO_BROADCAST, SOL_SOCKET, 0, NULL, sizeof(got),
			      &got, &info);
	CHECK(st == STATUS_SUCCESS && got == 1 && info == sizeof(ULONG), "SO_BROADCAST reads 1");
	e = wsk_test_socket(&w->cb, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL,
			    &st);
	wsk_test_addr(&any, 1, PORT_E);
	any.sin_addr.s_addr = 0;
	CHECK(e != NULL && wsk_test_bind(e, &any) == STATUS_SUCCESS, "wildcard socket on B");
	CHECK(send_to(w->a, &out, &bc, NULL) == STATUS_SUCCESS, "broadcast sent");
	if (e != NULL) {
		st = recv_from(&r, e, &in, &info);
		CHECK(st == STATUS_SUCCESS && info == 30 && (r.ctl_flags & MSG_BCAST) != 0,
		      "broadcast received with MSG_BCAST: %#x, flags %#x", st, r.ctl_flags);
		CHECK(wsk_test_close(e) == STATUS_SUCCESS, "close the wildcard socket");
	}
	/* SO_RCVBUF bounds what waits: 100 bytes hold one 60-byte datagram. */
	v = 100;
	st = wsk_test_control(w->b, WskSetOption, SO_RCVBUF, SOL_SOCKET, sizeof(v), &v, 0, NULL,
			      NULL);
	CHECK(st == STATUS_SUCCESS, "SO_RCVBUF 100: %#x", st);
	st = wsk_test_control(w->b, WskGetOption, SO_RCVBUF, SOL_SOCKET, 0, NULL, sizeof(got), &got,
			      NULL);
	CHECK(st == STATUS_SUCCESS && got == 100, "SO_RCVBUF reads %u", got);
	for (i = 0; i < 3; i++) {
		uint64_t d0 = dropped(1);

		tbuf_fill(&out, 60, (uint8_t)(50 + i));
		send_to(w->a, &out, &w->addr_b, NULL);
		for (int k = 0; k < 200 && i > 0 && dropped(1) == d0; k++)
			wsk_test_sleep_ms(1);
		if (i == 0)
			wsk_test_sleep_ms(50);
		CHECK(dropped(1) == d0 + (i > 0), "datagram %d: %s", i, i ? "dropped" : "kept");
	}
	st = recv_from(&r, w->b, &in, &info);
	CHECK(st == STATUS_SUCCESS && info == 60 && tbuf_check(&in, 60, 50), "the kept one: %#x", st);
	v = 65536;
	wsk_test_control(w->b, WskSetOption, SO_RCVBUF, SOL_SOCKET, sizeof(v), &v, 0, NULL, NULL);
	st = wsk_test_control(w->b, WskSetOption, IP_PKTINFO, IPPROTO_IP, sizeof(v), &v, 0, NULL,
			      NULL);
	CHECK(st == STATUS_NOT_SUPPORTED, "IP_PKTINFO: %#x", st);
	tbuf_free(&out);
	tbuf_free(&in);
}

static void
test_cancel_and_close(struct world *w)
{
	struct tbuf in;
	struct rfrom_args r;
	struct wsk_test_irp pend;
	PWSK_SOCKET c;
	SOCKADDR_IN ac;
	ULONG_PTR info = 1;
	NTSTATUS st;

	tbuf_init(&in, 64);
	memset(&r, 0, sizeof(r));
	r.s = w->b;
	r.buf = &in.wb;
	st = wsk_test_irp_start(&pend, call_rfrom, &r);
	CHECK(st == STATUS_PENDING, "receive pends: %#x", st);
	wsk_test_sleep_ms(10);
	st = wsk_test_irp_cancel(&pend, 2000, &info);
	CHECK(st == STATUS_CANCELLED && info == 0, "IoCancelIrp: %#x", st);
	/* Close with a receive pending. */
	c = wsk_test_socket(&w->cb, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL,
			    &st);
	wsk_test_addr(&ac, 1, 6100);
	CHECK(c != NULL && wsk_test_bind(c, &ac) == STATUS_SUCCESS, "socket to close");
	if (c != NULL) {
		r.s = c;
		st = wsk_test_irp_start(&pend, call_rfrom, &r);
		CHECK(st == STATUS_PENDING, "receive pends: %#x", st);
		st = wsk_test_close(c);
		CHECK(st == STATUS_SUCCESS, "close: %#x", st);
		st = wsk_test_irp_wait(&pend, 2000, &info);
		CHECK(st == STATUS_CANCELLED, "pending receive cancelled by close: %#x", st);
	}
	tbuf_free(&in);
}

static void
test_static_callbacks(struct world *w)
{
	struct wsk_test_client cs;
	WSK_EVENT_CALLBACK_CONTROL ecc = { (PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_RECEIVE_FROM };
	struct ev_rec ev;
	struct tbuf out;
	PWSK_SOCKET s;
	SOCKADDR_IN as;
	NTSTATUS st;

	ev_init(&ev);
	tbuf_init(&out, 64);
	CHECK(wsk_test_client_open(&cs, 1) == STATUS_SUCCESS, "client with static callbacks");
	st = cs.npi.Dispatch->WskControlClient(cs.npi.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
					       sizeof(ecc), &ecc, 0, NULL, NULL, NULL);
	CHECK(st == STATUS_SUCCESS, "WSK_SET_STATIC_EVENT_CALLBACKS: %#x", st);
	s = wsk_test_socket(&cs, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, &ev, &ev_disp,
			    &st);
	wsk_test_addr(&as, 1, 6200);
	CHECK(s != NULL && wsk_test_bind(s, &as) == STATUS_SUCCESS, "static socket bound");
	if (s != NULL) {
		atomic_store(&ev.mode, EV_REFUSE);
		tbuf_fill(&out, 15, 61);
		send_to(w->a, &out, &as, NULL);
		CHECK(wait_int(&ev.calls, 1, 2000), "static callback called without enabling");
		atomic_store(&ev.mode, EV_SUCCESS);
		tbuf_fill(&out, 16, 62);
		send_to(w->a, &out, &as, NULL);
		CHECK(wait_int(&ev.calls, 2, 2000), "still on after STATUS_DATA_NOT_ACCEPTED");
		CHECK(atomic_load(&ev.datagrams) == 3, "the refused one came again with the new one "
		      "(%d datagrams)", atomic_load(&ev.datagrams));
		st = wsk_test_events(s, WSK_EVENT_RECEIVE_FROM | WSK_EVENT_DISABLE);
		CHECK(!NT_SUCCESS(st), "a static callback cannot be disabled: %#x", st);
		CHECK(wsk_test_close(s) == STATUS_SUCCESS, "close static socket");
	}
	wsk_test_client_close(&cs);
	tbuf_free(&out);
}

int
main(void)
{
	struct wsk_test_conf conf = { .ninst = 2, .steer = WSK_TEST_STEER_SPREAD };
	struct world w;
	NTSTATUS st;

	if (wsk_test_hosts_start(2, &conf) != 0)
		return 1;
	memset(&w, 0, sizeof(w));
	ev_init(&w.eva);
	ev_init(&w.evb);
	CHECK(wsk_test_client_open(&w.ca, 0) == STATUS_SUCCESS, "client on host 0");
	CHECK(wsk_test_client_open(&w.cb, 1) == STATUS_SUCCESS, "client on host 1");
	wsk_test_addr(&w.addr_a, 0, PORT_A);
	wsk_test_addr(&w.addr_a2, 0, PORT_A2);
	wsk_test_addr(&w.addr_b, 1, PORT_B);
	w.a = wsk_test_socket(&w.ca, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, &w.eva,
			      &ev_disp, &st);
	w.a2 = wsk_test_socket(&w.ca, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL,
			       &st);
	w.b = wsk_test_socket(&w.cb, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, &w.evb,
			      &ev_disp, &st);
	CHECK(w.a != NULL && w.a2 != NULL && w.b != NULL, "three datagram sockets");
	if (w.a != NULL && w.a2 != NULL && w.b != NULL) {
		CHECK(wsk_test_bind(w.a, &w.addr_a) == STATUS_SUCCESS, "bind A");
		CHECK(wsk_test_bind(w.a2, &w.addr_a2) == STATUS_SUCCESS, "bind A2");
		CHECK(wsk_test_bind(w.b, &w.addr_b) == STATUS_SUCCESS, "bind B");
		CHECK(wsk_test_bind(w.b, &w.addr_b) == STATUS_INVALID_DEVICE_STATE, "bind twice");
		test_echo(&w);
		test_bad_args(&w);
		test_send_messages(&w);
		test_events(&w);
		test_fixed_addresses(&w);
		test_options(&w);
		test_cancel_and_close(&w);
		test_static_callbacks(&w);
	}
	if (w.a != NULL)
		CHECK(wsk_test_close(w.a) == STATUS_SUCCESS, "close A");
	if (w.a2 != NULL)
		CHECK(wsk_test_close(w.a2) == STATUS_SUCCESS, "close A2");
	if (w.b != NULL)
		CHECK(wsk_test_close(w.b) == STATUS_SUCCESS, "close B");
	wsk_test_client_close(&w.ca);
	wsk_test_client_close(&w.cb);
	CHECK_EQ(wsk_test_hosts_stop(), 0);
	CHECK_EQ(WskstackNtIrpsLive(), 0);
	test_eal_finish();
	return check_done();
}
