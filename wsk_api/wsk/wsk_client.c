/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client-level functions: WskControlClient (transport list, its change
 * notification, cached security descriptors, static event callbacks, TDI
 * options) and kernel name resolution (WskGetAddressInfo,
 * WskFreeAddressInfo, WskGetNameInfo) over numeric addresses, "localhost"
 * and a hosts file. All run at PASSIVE_LEVEL on the caller's thread and
 * never need an lcore.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wsk_priv.h"

#define WSK_HOSTS_ENV     "WSKSTACK_HOSTS"
#define WSK_HOSTS_DEFAULT "/etc/hosts"
#define NAME_MAX_CHARS    255   /* a DNS name */
#define HOSTS_MAX_ADDRS   16    /* addresses one name may have in the hosts file */
#define AI_POOL_TAG       0x49414b57u /* "WKAI": WskGetAddressInfo results */

/* The provider id reported in WSK_TRANSPORT: wskstack's TCP/IPv4 stack. */
static const GUID wsk_provider_guid = {
	0x77736b73, 0x7461, 0x636b, { 0x80, 0x1d, 0x57, 0x53, 0x4b, 0x00, 0x00, 0x01 }
};

/* ---------------------------------------------------------------------------
 * WSK_TRANSPORT_LIST_CHANGE: IRPs wait on cl->tl_change until cancelled
 */

static VOID
tl_change_cancel(PDEVICE_OBJECT dev, PIRP irp)
{
	struct wsk_op *op = IoGetCurrentIrpStackLocation(irp)->Parameters.Others.Argument1;
	struct wsk_client *cl = op->cl;

	RTE_SET_USED(dev);
	IoReleaseCancelSpinLock(irp->CancelIrql);
	pthread_mutex_lock(&cl->lock);
	RemoveEntryList(&irp->Tail.Overlay.ListEntry);
	pthread_mutex_unlock(&cl->lock);
	wsk_op_complete(op, STATUS_CANCELLED, 0);
}

static NTSTATUS
tl_change_queue(struct wsk_client *cl, PIRP irp)
{
	struct wsk_op *op;
	NTSTATUS st;

	st = wsk_op_begin(cl, NULL, irp, WSK_OP_CONTROL, &op);
	if (!NT_SUCCESS(st))
		return st;
	op->offlcore = false; /* completed on the thread that cancels */
	IoMarkIrpPending(irp);
	pthread_mutex_lock(&cl->lock);
	InsertTailList(&cl->tl_change, &irp->Tail.Overlay.ListEntry);
	IoSetCancelRoutine(irp, tl_change_cancel);
	if (irp->Cancel && IoSetCancelRoutine(irp, NULL) != NULL) {
		/* Cancelled before the routine was in place: nobody else completes it. */
		RemoveEntryList(&irp->Tail.Overlay.ListEntry);
		pthread_mutex_unlock(&cl->lock);
		wsk_op_complete(op, STATUS_CANCELLED, 0);
		return STATUS_PENDING;
	}
	pthread_mutex_unlock(&cl->lock);
	return STATUS_PENDING;
}

void wsk_client_cancel_tl_change(struct wsk_client *cl);

void
wsk_client_cancel_tl_change(struct wsk_client *cl)
{
	LIST_ENTRY mine, *e;

	InitializeListHead(&mine);
	pthread_mutex_lock(&cl->lock);
	e = cl->tl_change.Flink;
	while (e != &cl->tl_change) {
		PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);

		e = e->Flink;
		/* An IRP whose cancel routine already ran is the routine's to complete. */
		if (IoSetCancelRoutine(irp, NULL) == NULL)
			continue;
		RemoveEntryList(&irp->Tail.Overlay.ListEntry);
		InsertTailList(&mine, &irp->Tail.Overlay.ListEntry);
	}
	pthread_mutex_unlock(&cl->lock);
	while (!IsListEmpty(&mine)) {
		PIRP irp = CONTAINING_RECORD(RemoveHeadList(&mine), IRP, Tail.Overlay.ListEntry);

		wsk_op_complete(IoGetCurrentIrpStackLocation(irp)->Parameters.Others.Argument1,
				STATUS_CANCELLED, 0);
	}
}

/* ---------------------------------------------------------------------------
 * WskControlClient
 */

/** A cached security descriptor: a tracked reference to the caller's. */
struct wsk_cached_sd {
	uint32_t magic;
#define WSK_SD_MAGIC 0x57534b44u
	struct wsk_client *cl;
	PSECURITY_DESCRIPTOR sd;
};

static NTSTATUS
transport_list(SIZE_T out_size, PVOID out, SIZE_T *out_ret)
{
	static const struct {
		USHORT type;
		ULONG proto;
	} t[] = { { SOCK_STREAM, IPPROTO_TCP }, { SOCK_DGRAM, IPPROTO_UDP } };
	WSK_TRANSPORT *wt = out;
	unsigned int i;

	if (out_ret != NULL)
		*out_ret = sizeof(WSK_TRANSPORT) * RTE_DIM(t);
	if (out_size < sizeof(WSK_TRANSPORT) * RTE_DIM(t))
		return STATUS_BUFFER_OVERFLOW; /* nothing copied; *out_ret says how much is needed */
	if (out == NULL)
		return STATUS_INVALID_PARAMETER;
	for (i = 0; i < RTE_DIM(t); i++) {
		memset(&wt[i], 0, sizeof(wt[i]));
		wt[i].Version = MAKE_WSK_VERSION(1, 0);
		wt[i].SocketType = t[i].type;
		wt[i].Protocol = t[i].proto;
		wt[i].AddressFamily = AF_INET;
		wt[i].ProviderId = wsk_provider_guid;
	}
	return STATUS_SUCCESS;
}

static NTSTATUS
cache_sd(struct wsk_client *cl, SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out,
	 SIZE_T *out_ret)
{
	struct wsk_cached_sd *c;
	PSECURITY_DESCRIPTOR sd;

	if (in == NULL || in_size < sizeof(sd) || out == NULL || out_size < sizeof(sd))
		return STATUS_INVALID_PARAMETER;
	memcpy(&sd, in, sizeof(sd));
	if (sd == NULL)
		return STATUS_INVALID_PARAMETER;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	c->magic = WSK_SD_MAGIC;
	c->cl = cl;
	c->sd = sd;
	sd = c;
	memcpy(out, &sd, sizeof(sd));
	if (out_ret != NULL)
		*out_ret = sizeof(sd);
	return STATUS_SUCCESS;
}

static NTSTATUS
release_sd(struct wsk_client *cl, SIZE_T in_size, PVOID in)
{
	struct wsk_cached_sd *c;
	PSECURITY_DESCRIPTOR sd;

	if (in == NULL || in_size < sizeof(sd))
		return STATUS_INVALID_PARAMETER;
	memcpy(&sd, in, sizeof(sd));
	c = sd;
	if (c == NULL || c->magic != WSK_SD_MAGIC || c->cl != cl)
		return STATUS_INVALID_PARAMETER;
	c->magic = 0;
	free(c);
	return STATUS_SUCCESS;
}

#define WSK_EVENT_ALL (WSK_EVENT_SEND_BACKLOG | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | \
		       WSK_EVENT_RECEIVE_FROM | WSK_EVENT_ACCEPT)

static NTSTATUS
set_static_events(struct wsk_client *cl, SIZE_T in_size, PVOID in)
{
	WSK_EVENT_CALLBACK_CONTROL ecc;

	if (in == NULL || in_size < sizeof(ecc))
		return STATUS_INVALID_PARAMETER;
	memcpy(&ecc, in, sizeof(ecc));
	if (ecc.NpiId == NULL || memcmp(ecc.NpiId, &NPI_WSK_INTERFACE_ID, sizeof(NPIID)) != 0 ||
	    (ecc.EventMask & ~(ULONG)WSK_EVENT_ALL) != 0)
		return STATUS_INVALID_PARAMETER;
	/* "Before it creates any sockets": afterwards the request is refused. */
	if (atomic_load(&cl->socket_made))
		return STATUS_INVALID_DEVICE_STATE;
	cl->static_events = ecc.EventMask;
	return STATUS_SUCCESS;
}

static NTSTATUS
tdi_behavior(SIZE_T in_size, PVOID in)
{
	ULONG v;

	if (in == NULL || in_size < sizeof(v))
		return STATUS_INVALID_PARAMETER;
	memcpy(&v, in, sizeof(v));
	/* There is no TDI here: bypassing it is what always happens. */
	return (v & ~(ULONG)WSK_TDI_BEHAVIOR_BYPASS_TDI) == 0 ? STATUS_SUCCESS
							    : STATUS_INVALID_PARAMETER;
}

/* The operations that take no IRP. */
static NTSTATUS
control_no_irp(struct wsk_client *cl, ULONG code, SIZE_T in_size, PVOID in, SIZE_T out_size,
	       PVOID out, SIZE_T *out_ret)
{
	switch (code) {
	case WSK_TRANSPORT_LIST_QUERY:
		return transport_list(out_size, out, out_ret);
	case WSK_CACHE_SD:
		return cache_sd(cl, in_size, in, out_size, out, out_ret);
	case WSK_RELEASE_SD:
		return release_sd(cl, in_size, in);
	case WSK_SET_STATIC_EVENT_CALLBACKS:
		return set_static_events(cl, in_size, in);
	case WSK_TDI_BEHAVIOR:
		return tdi_behavior(in_size, in);
	case WSK_TDI_DEVICENAME_MAPPING:
		return STATUS_NOT_SUPPORTED; /* no TDI transports */
	default:
		return STATUS_NOT_SUPPORTED;
	}
}

NTSTATUS WSKAPI
wsk_control_client(PWSK_CLIENT Client, ULONG ControlCode, SIZE_T InputSize, PVOID InputBuffer,
		   SIZE_T OutputSize, PVOID OutputBuffer, SIZE_T *OutputSizeReturned, PIRP Irp)
{
	struct wsk_client *cl = wsk_client_of(Client);
	NTSTATUS st;

	if (cl == NULL)
		return Irp != NULL ? wsk_irp_fail(Irp, STATUS_INVALID_HANDLE) : STATUS_INVALID_HANDLE;
	atomic_fetch_add(&cl->calls, 1);
	if (ControlCode == WSK_TRANSPORT_LIST_CHANGE) {
		/* The one operation with an IRP: it waits for a change that never comes. */
		st = Irp == NULL ? STATUS_INVALID_PARAMETER : tl_change_queue(cl, Irp);
		if (OutputSizeReturned != NULL && st != STATUS_PENDING)
			*OutputSizeReturned = 0;
	} else if (Irp != NULL &&
		   (ControlCode >= WSK_TRANSPORT_LIST_QUERY && ControlCode <= WSK_TDI_BEHAVIOR)) {
		/* These must be called without an IRP: fail it like any error. */
		st = wsk_irp_fail(Irp, STATUS_INVALID_PARAMETER);
	} else {
		if (OutputSizeReturned != NULL)
			*OutputSizeReturned = 0;
		st = control_no_irp(cl, ControlCode, InputSize, InputBuffer, OutputSize,
				    OutputBuffer, OutputSizeReturned);
		if (Irp != NULL)
			wsk_irp_fail(Irp, st); /* an unknown code with an IRP: completed with the error */
	}
	atomic_fetch_sub(&cl->calls, 1);
	return st;
}

/* ---------------------------------------------------------------------------
 * Names: UTF-16 <-> ASCII, IPv4 text, the hosts file
 */

/* ASCII copy of @p u (NUL-terminated). @return false if too long or not ASCII. */
static bool
ustr_ascii(PCUNICODE_STRING u, char *out, size_t cap)
{
	size_t n = u->Buffer != NULL ? u->Length / sizeof(WCHAR) : 0, i;

	/* Stop at an embedded NUL: the string is documented NUL-terminated too. */
	for (i = 0; i < n && u->Buffer[i] != 0; i++) {
		if (u->Buffer[i] > 0x7e || u->Buffer[i] < 0x20 || i + 1 >= cap)
			return false;
		out[i] = (char)u->Buffer[i];
	}
	out[i] = '\0';
	return true;
}

/* Write @p s into @p u's buffer with its NUL. @return STATUS_BUFFER_OVERFLOW if it does not fit. */
static NTSTATUS
ustr_put(PUNICODE_STRING u, const char *s)
{
	size_t n = strlen(s), i;

	if (u->Buffer == NULL || (n + 1) * sizeof(WCHAR) > u->MaximumLength)
		return STATUS_BUFFER_OVERFLOW;
	for (i = 0; i < n; i++)
		u->Buffer[i] = (WCHAR)(unsigned char)s[i];
	u->Buffer[n] = 0;
	u->Length = (USHORT)(n * sizeof(WCHAR));
	return STATUS_SUCCESS;
}

/* Strict dotted-decimal IPv4 ("a.b.c.d", each 0..255). */
static bool
ipv4_parse(const char *s, rte_be32_t *out)
{
	uint32_t v = 0;
	unsigned int part;

	for (part = 0; part < 4; part++) {
		unsigned int x = 0, digits = 0;

		while (isdigit((unsigned char)*s) && digits < 4) {
			x = x * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || x > 255)
			return false;
		v = v << 8 | x;
		if (part < 3 && *s++ != '.')
			return false;
	}
	if (*s != '\0')
		return false;
	*out = rte_cpu_to_be_32(v);
	return true;
}

static void
ipv4_text(rte_be32_t a, char *out, size_t cap)
{
	uint32_t v = rte_be_to_cpu_32(a);

	snprintf(out, cap, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

/** What a hosts-file lookup found. */
struct hosts_hit {
	rte_be32_t addr[HOSTS_MAX_ADDRS];
	unsigned int n;
	char name[NAME_MAX_CHARS + 1]; /**< canonical name: first name of the first matching line */
};

/*
 * Look @p name up (when not NULL) or the first name of @p addr in the hosts
 * file: "address name [aliases...]" lines, '#' comments, IPv4 entries only.
 * @return true if something matched.
 */
static bool
hosts_lookup(const char *name, rte_be32_t addr, struct hosts_hit *hit)
{
	const char *path = getenv(WSK_HOSTS_ENV);
	char line[1024];
	FILE *f;

	memset(hit, 0, sizeof(*hit));
	f = fopen(path != NULL && path[0] != '\0' ? path : WSK_HOSTS_DEFAULT, "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *tok, *hash = strchr(line, '#');
		const char *first = NULL;
		rte_be32_t a;
		bool match = false;

		if (hash != NULL)
			*hash = '\0';
		tok = strtok_r(line, " \t\r\n", &save);
		if (tok == NULL || !ipv4_parse(tok, &a))
			continue;
		while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
			if (first == NULL)
				first = tok;
			if (name != NULL ? strcasecmp(tok, name) == 0 : a == addr)
				match = true;
		}
		if (!match || first == NULL)
			continue;
		if (hit->n == 0)
			snprintf(hit->name, sizeof(hit->name), "%s", first);
		if (name == NULL) {
			hit->addr[hit->n++] = a;
			break;
		}
		if (hit->n < HOSTS_MAX_ADDRS) {
			unsigned int i;

			for (i = 0; i < hit->n && hit->addr[i] != a; i++)
				;
			if (i == hit->n)
				hit->addr[hit->n++] = a;
		}
	}
	fclose(f);
	return hit->n > 0;
}

/* ---------------------------------------------------------------------------
 * WskGetAddressInfo / WskFreeAddressInfo
 */

/* Service: a decimal port (no services database). */
static NTSTATUS
service_port(PUNICODE_STRING svc, rte_be16_t *port)
{
	char buf[16];
	unsigned long v;
	char *end;

	*port = 0;
	if (svc == NULL || svc->Length == 0)
		return STATUS_SUCCESS;
	if (!ustr_ascii(svc, buf, sizeof(buf)) || buf[0] == '\0')
		return STATUS_NOT_FOUND;
	v = strtoul(buf, &end, 10);
	if (*end != '\0' || !isdigit((unsigned char)buf[0]) || v > 65535)
		return STATUS_NOT_FOUND; /* a service name we cannot look up */
	*port = rte_cpu_to_be_16((uint16_t)v);
	return STATUS_SUCCESS;
}

/* One result element, its address and canonical name in one pool block. */
static PADDRINFOEXW
ai_new(const ADDRINFOEXW *hints, rte_be32_t a, rte_be16_t port, const char *canon)
{
	size_t clen = canon != NULL ? strlen(canon) + 1 : 0, i;
	size_t size = sizeof(ADDRINFOEXW) + sizeof(SOCKADDR_IN) + clen * sizeof(WCHAR);
	PADDRINFOEXW ai = ExAllocatePool2(POOL_FLAG_PAGED, size, AI_POOL_TAG);
	SOCKADDR_IN *sin;

	if (ai == NULL)
		return NULL;
	sin = (SOCKADDR_IN *)(ai + 1);
	wsk_addr_out((PSOCKADDR)sin, a, port);
	ai->ai_family = AF_INET;
	ai->ai_socktype = hints != NULL ? hints->ai_socktype : 0;
	ai->ai_protocol = hints != NULL ? hints->ai_protocol : 0;
	ai->ai_addrlen = sizeof(SOCKADDR_IN);
	ai->ai_addr = (struct sockaddr *)sin;
	if (canon != NULL) {
		ai->ai_canonname = (PWSTR)(sin + 1);
		for (i = 0; i < clen; i++)
			ai->ai_canonname[i] = (WCHAR)(unsigned char)canon[i];
	}
	return ai;
}

VOID WSKAPI
wsk_free_address_info(PWSK_CLIENT Client, PADDRINFOEXW AddrInfo)
{
	RTE_SET_USED(Client);
	while (AddrInfo != NULL) {
		PADDRINFOEXW next = AddrInfo->ai_next;

		ExFreePoolWithTag(AddrInfo, AI_POOL_TAG);
		AddrInfo = next;
	}
}

static NTSTATUS
hints_check(const ADDRINFOEXW *h)
{
	if (h == NULL)
		return STATUS_SUCCESS;
	if (h->ai_family != AF_UNSPEC && h->ai_family != AF_INET && h->ai_family != AF_INET6)
		return STATUS_INVALID_PARAMETER;
	if (h->ai_socktype != 0 && h->ai_socktype != SOCK_STREAM && h->ai_socktype != SOCK_DGRAM &&
	    h->ai_socktype != SOCK_RAW)
		return STATUS_INVALID_PARAMETER;
	if (h->ai_addrlen != 0 || h->ai_canonname != NULL || h->ai_addr != NULL ||
	    h->ai_next != NULL)
		return STATUS_INVALID_PARAMETER; /* as getaddrinfo: hints carry no results */
	return STATUS_SUCCESS;
}

/* Resolve @p node (may be empty) to addresses. */
static NTSTATUS
node_addrs(const char *node, ULONG flags, struct hosts_hit *hit)
{
	rte_be32_t a;

	memset(hit, 0, sizeof(*hit));
	if (node[0] == '\0') {
		/* No node: the wildcard to bind to, or loopback to connect to. */
		hit->addr[hit->n++] = (flags & AI_PASSIVE) ? 0 : RTE_BE32(0x7f000001);
		snprintf(hit->name, sizeof(hit->name), "%s", (flags & AI_PASSIVE) ? "" : "localhost");
		return STATUS_SUCCESS;
	}
	if (ipv4_parse(node, &a)) {
		hit->addr[hit->n++] = a;
		snprintf(hit->name, sizeof(hit->name), "%s", node);
		return STATUS_SUCCESS;
	}
	if (flags & AI_NUMERICHOST)
		return STATUS_NOT_FOUND;
	if (hosts_lookup(node, 0, hit))
		return STATUS_SUCCESS;
	if (strcasecmp(node, "localhost") == 0) {
		hit->addr[hit->n++] = RTE_BE32(0x7f000001);
		snprintf(hit->name, sizeof(hit->name), "localhost");
		return STATUS_SUCCESS;
	}
	/* Windows 10 and later complete an unknown name with STATUS_NOT_FOUND
	 * (Windows 7 used STATUS_NO_MATCH, which the page still lists). */
	return STATUS_NOT_FOUND;
}

static NTSTATUS
address_info(PUNICODE_STRING node_name, PUNICODE_STRING service, const ADDRINFOEXW *hints,
	     PADDRINFOEXW *result)
{
	ULONG flags = hints != NULL ? (ULONG)hints->ai_flags : 0;
	char node[NAME_MAX_CHARS + 1] = "";
	PADDRINFOEXW head = NULL, *tail = &head;
	struct hosts_hit hit;
	rte_be16_t port;
	unsigned int i;
	NTSTATUS st;

	if ((node_name == NULL || node_name->Length == 0) && (service == NULL || service->Length == 0))
		return STATUS_INVALID_PARAMETER; /* neither a node nor a service */
	if (node_name != NULL && !ustr_ascii(node_name, node, sizeof(node)))
		return STATUS_NOT_FOUND; /* no IDN: such a name resolves nowhere here */
	st = service_port(service, &port);
	if (NT_SUCCESS(st))
		st = node_addrs(node, flags, &hit);
	if (!NT_SUCCESS(st))
		return st;
	if (hints != NULL && hints->ai_family == AF_INET6)
		return STATUS_NOT_FOUND; /* IPv4 addresses only */
	for (i = 0; i < hit.n; i++) {
		const char *canon = i == 0 && (flags & AI_CANONNAME) ? hit.name : NULL;
		PADDRINFOEXW ai = ai_new(hints, hit.addr[i], port, canon);

		if (ai == NULL) {
			wsk_free_address_info(NULL, head);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
		*tail = ai;
		tail = &ai->ai_next;
	}
	*result = head;
	return STATUS_SUCCESS;
}

/* Complete @p irp of a name-resolution call on this thread. @return @p st. */
static NTSTATUS
complete_here(struct wsk_client *cl, PIRP irp, NTSTATUS st)
{
	struct wsk_op *op;
	NTSTATUS bst = wsk_op_begin(cl, NULL, irp, WSK_OP_NONE, &op);

	if (!NT_SUCCESS(bst))
		return bst; /* the IRP was completed with bst */
	op->offlcore = false;
	wsk_op_complete(op, st, 0);
	return st;
}

NTSTATUS WSKAPI
wsk_get_address_info(PWSK_CLIENT Client, PUNICODE_STRING NodeName, PUNICODE_STRING ServiceName,
		     ULONG NameSpace, GUID *Provider, PADDRINFOEXW Hints, PADDRINFOEXW *Result,
		     PEPROCESS OwningProcess, PETHREAD OwningThread, PIRP Irp)
{
	struct wsk_client *cl = wsk_client_of(Client);
	NTSTATUS st;

	RTE_SET_USED(NameSpace); /* every namespace is the hosts file */
	RTE_SET_USED(Provider);
	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER; /* observed: nothing completed */
	if (cl == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	atomic_fetch_add(&cl->calls, 1);
	if (Result == NULL || (OwningThread != NULL && OwningProcess == NULL))
		st = STATUS_INVALID_PARAMETER;
	else
		st = hints_check(Hints);
	if (NT_SUCCESS(st)) {
		*Result = NULL;
		st = address_info(NodeName, ServiceName, Hints, Result);
	}
	st = complete_here(cl, Irp, st);
	atomic_fetch_sub(&cl->calls, 1);
	return st;
}

/* ---------------------------------------------------------------------------
 * WskGetNameInfo
 */

static NTSTATUS
name_info(const SOCKADDR_IN *sin, PUNICODE_STRING node, PUNICODE_STRING service, ULONG flags)
{
	char host[NAME_MAX_CHARS + 1], serv[8];
	struct hosts_hit hit;
	NTSTATUS st = STATUS_SUCCESS;

	if (node != NULL) {
		bool named = false;

		if (!(flags & NI_NUMERICHOST)) {
			if (hosts_lookup(NULL, sin->sin_addr.s_addr, &hit)) {
				snprintf(host, sizeof(host), "%s", hit.name);
				named = true;
			} else if (sin->sin_addr.s_addr == RTE_BE32(0x7f000001)) {
				snprintf(host, sizeof(host), "localhost");
				named = true;
			}
			if (named && (flags & NI_NOFQDN)) {
				char *dot = strchr(host, '.');

				if (dot != NULL)
					*dot = '\0';
			}
		}
		if (!named) {
			if (flags & NI_NAMEREQD)
				return STATUS_NOT_FOUND; /* as WskGetAddressInfo on Windows 10+ */
			ipv4_text(sin->sin_addr.s_addr, host, sizeof(host));
		}
		st = ustr_put(node, host);
	}
	if (NT_SUCCESS(st) && service != NULL) {
		/* No services database: the port in decimal, NI_NUMERICSERV or not. */
		snprintf(serv, sizeof(serv), "%u", rte_be_to_cpu_16(sin->sin_port));
		st = ustr_put(service, serv);
	}
	return st;
}

NTSTATUS WSKAPI
wsk_get_name_info(PWSK_CLIENT Client, PSOCKADDR SockAddr, ULONG SockAddrLength,
		  PUNICODE_STRING NodeName, PUNICODE_STRING ServiceName, ULONG Flags,
		  PEPROCESS OwningProcess, PETHREAD OwningThread, PIRP Irp)
{
	struct wsk_client *cl = wsk_client_of(Client);
	NTSTATUS st = STATUS_SUCCESS;

	if (Irp == NULL)
		return STATUS_INVALID_PARAMETER;
	if (cl == NULL)
		return wsk_irp_fail(Irp, STATUS_INVALID_HANDLE);
	atomic_fetch_add(&cl->calls, 1);
	if (SockAddr == NULL || SockAddrLength < sizeof(SOCKADDR_IN) ||
	    SockAddrLength > sizeof(SOCKADDR_STORAGE) || (NodeName == NULL && ServiceName == NULL) ||
	    (OwningThread != NULL && OwningProcess == NULL))
		st = STATUS_INVALID_PARAMETER;
	else if (SockAddr->sa_family != AF_INET)
		st = SockAddr->sa_family == AF_INET6 ? STATUS_NOT_SUPPORTED : STATUS_INVALID_PARAMETER;
	if (NT_SUCCESS(st))
		st = name_info((const SOCKADDR_IN *)SockAddr, NodeName, ServiceName, Flags);
	st = complete_here(cl, Irp, st);
	atomic_fetch_sub(&cl->calls, 1);
	return st;
}
