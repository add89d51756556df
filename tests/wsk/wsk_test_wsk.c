/* SPDX-License-Identifier: BSD-3-Clause */
/* WSK-side helpers of the tests (wsk_test_wsk.h). */
#include <string.h>

#include <wskstack.h>

#include "wsk_test_wsk.h"

NTSTATUS
wsk_test_client_open(struct wsk_test_client *c, unsigned int host)
{
	WSK_CLIENT_NPI cnpi;
	NTSTATUS st;

	memset(c, 0, sizeof(*c));
	c->disp.Version = MAKE_WSK_VERSION(1, 0);
	cnpi.ClientContext = c;
	cnpi.Dispatch = &c->disp;
	WskstackSelectHost(host);
	st = WskRegister(&cnpi, &c->reg);
	WskstackSelectHost(0);
	if (!NT_SUCCESS(st))
		return st;
	st = WskCaptureProviderNPI(&c->reg, 2000, &c->npi);
	c->captured = NT_SUCCESS(st);
	return st;
}

void
wsk_test_client_close(struct wsk_test_client *c)
{
	if (c->captured)
		WskReleaseProviderNPI(&c->reg);
	c->captured = false;
	WskDeregister(&c->reg);
}

void
wsk_test_addr(SOCKADDR_IN *sin, unsigned int host, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = RtlUshortByteSwap(port);
	sin->sin_addr.s_addr = wsk_test_host_ip(host);
}

struct socket_args {
	struct wsk_test_client *c;
	USHORT type;
	ULONG proto, flags;
	PVOID ctx;
	const void *disp;
};

static NTSTATUS
call_socket(void *arg, PIRP irp)
{
	struct socket_args *a = arg;

	return a->c->npi.Dispatch->WskSocket(a->c->npi.Client, AF_INET, a->type, a->proto, a->flags,
					     a->ctx, a->disp, NULL, NULL, NULL, irp);
}

PWSK_SOCKET
wsk_test_socket(struct wsk_test_client *c, USHORT type, ULONG proto, ULONG flags, PVOID ctx,
		const void *disp, NTSTATUS *st)
{
	struct socket_args a = { c, type, proto, flags, ctx, disp };
	ULONG_PTR info = 0;
	NTSTATUS s = wsk_test_call(call_socket, &a, 0, &info, NULL);

	if (st != NULL)
		*st = s;
	return NT_SUCCESS(s) ? (PWSK_SOCKET)info : NULL;
}

struct bind_args {
	PWSK_SOCKET s;
	SOCKADDR_IN addr;
};

static NTSTATUS
call_bind(void *arg, PIRP irp)
{
	struct bind_args *a = arg;
	const WSK_PROVIDER_BASIC_DISPATCH *d = a->s->Dispatch;

	/* WskBind sits right after the basic pair in every table that has it. */
	return ((const WSK_PROVIDER_DATAGRAM_DISPATCH *)d)->WskBind(a->s, (PSOCKADDR)&a->addr, 0,
								     irp);
}

NTSTATUS
wsk_test_bind(PWSK_SOCKET s, const SOCKADDR_IN *addr)
{
	struct bind_args a = { s, *addr };

	return wsk_test_call(call_bind, &a, 0, NULL, NULL);
}

static NTSTATUS
call_close(void *arg, PIRP irp)
{
	PWSK_SOCKET s = arg;

	return ((const WSK_PROVIDER_BASIC_DISPATCH *)s->Dispatch)->WskCloseSocket(s, irp);
}

NTSTATUS
wsk_test_close(PWSK_SOCKET s)
{
	return wsk_test_call(call_close, s, 0, NULL, NULL);
}

struct control_args {
	PWSK_SOCKET s;
	WSK_CONTROL_SOCKET_TYPE type;
	ULONG code, level;
	SIZE_T in_size, out_size;
	PVOID in, out;
};

static NTSTATUS
call_control(void *arg, PIRP irp)
{
	struct control_args *a = arg;

	return ((const WSK_PROVIDER_BASIC_DISPATCH *)a->s->Dispatch)->WskControlSocket(
		a->s, a->type, a->code, a->level, a->in_size, a->in, a->out_size, a->out, NULL, irp);
}

NTSTATUS
wsk_test_control(PWSK_SOCKET s, WSK_CONTROL_SOCKET_TYPE type, ULONG code, ULONG level,
		 SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out, ULONG_PTR *info)
{
	struct control_args a = { s, type, code, level, in_size, out_size, in, out };

	return wsk_test_call(call_control, &a, 0, info, NULL);
}

NTSTATUS
wsk_test_events(PWSK_SOCKET s, ULONG mask)
{
	WSK_EVENT_CALLBACK_CONTROL ecc = { (PNPIID)&NPI_WSK_INTERFACE_ID, mask };

	return ((const WSK_PROVIDER_BASIC_DISPATCH *)s->Dispatch)->WskControlSocket(
		s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(ecc), &ecc, 0, NULL, NULL,
		NULL);
}
