/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * WSK-side helpers of the tests: a registered client with its captured
 * NPI, and synchronous wrappers (IRP + KEVENT + timeout, see
 * wsk_test_host.h) of the calls every test makes. Includes <wsk.h>: for
 * Windows-side translation units only.
 */
#ifndef WSK_TEST_WSK_H
#define WSK_TEST_WSK_H

#include <wsk.h>

#include "wsk_test_host.h"

/** A registered WSK client bound to one host. */
struct wsk_test_client {
	WSK_CLIENT_DISPATCH disp;
	WSK_REGISTRATION reg;
	WSK_PROVIDER_NPI npi;
	bool captured;
};

/**
 * WskstackSelectHost(@p host), WskRegister, WskCaptureProviderNPI (waiting
 * up to 2 s). @return the capture's status.
 */
NTSTATUS wsk_test_client_open(struct wsk_test_client *c, unsigned int host);

/** WskReleaseProviderNPI and WskDeregister. */
void wsk_test_client_close(struct wsk_test_client *c);

/** @p sin = host @p host's address, port @p port (host order). */
void wsk_test_addr(SOCKADDR_IN *sin, unsigned int host, uint16_t port);

/**
 * WskSocket of the given kind; *@p st gets the IRP's status.
 * @return the socket, or NULL.
 */
PWSK_SOCKET wsk_test_socket(struct wsk_test_client *c, USHORT type, ULONG proto, ULONG flags,
			    PVOID ctx, const void *disp, NTSTATUS *st);

/** WskBind. @return the IRP's status. */
NTSTATUS wsk_test_bind(PWSK_SOCKET s, const SOCKADDR_IN *addr);

/** WskCloseSocket. @return the IRP's status. */
NTSTATUS wsk_test_close(PWSK_SOCKET s);

/** WskControlSocket with an IRP. @return the IRP's status; *@p info its Information. */
NTSTATUS wsk_test_control(PWSK_SOCKET s, WSK_CONTROL_SOCKET_TYPE type, ULONG code, ULONG level,
			  SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out, ULONG_PTR *info);

/** SO_WSK_EVENT_CALLBACK without an IRP: enable @p mask (or disable, with WSK_EVENT_DISABLE). */
NTSTATUS wsk_test_events(PWSK_SOCKET s, ULONG mask);

/** @return the WSK_PROVIDER_DATAGRAM_DISPATCH of @p s. */
static inline const WSK_PROVIDER_DATAGRAM_DISPATCH *
wsk_test_dgram(PWSK_SOCKET s)
{
	return (const WSK_PROVIDER_DATAGRAM_DISPATCH *)s->Dispatch;
}

#endif /* WSK_TEST_WSK_H */
