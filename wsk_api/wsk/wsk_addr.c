/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses (AF_INET SOCKADDRs), stack errors as NTSTATUS, WSK_BUF
 * validation and copies between MDL chains and mbufs, and the address
 * table that WskBind checks against the sharing rules.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "wsk_priv.h"

/* ---------------------------------------------------------------------------
 * Addresses, status codes, buffers
 */

NTSTATUS
wsk_addr_in(const SOCKADDR *sa, rte_be32_t *addr, rte_be16_t *port)
{
	const SOCKADDR_IN *sin = (const SOCKADDR_IN *)sa;

	if (sa == NULL)
		return STATUS_INVALID_PARAMETER;
	if (sa->sa_family == AF_INET6)
		return STATUS_INVALID_ADDRESS_COMPONENT; /* no IPv6 yet */
	if (sa->sa_family != AF_INET)
		return STATUS_INVALID_ADDRESS_COMPONENT;
	*addr = sin->sin_addr.s_addr;
	*port = sin->sin_port;
	return STATUS_SUCCESS;
}

void
wsk_addr_out(PSOCKADDR sa, rte_be32_t addr, rte_be16_t port)
{
	SOCKADDR_IN *sin = (SOCKADDR_IN *)sa;

	if (sa == NULL)
		return;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = port;
	sin->sin_addr.s_addr = addr;
}

NTSTATUS
wsk_status_of(int err)
{
	switch (err) {
	case 0:
		return STATUS_SUCCESS;
	case STK_EINVAL:
		return STATUS_INVALID_PARAMETER;
	case STK_ENOMEM:
	case STK_EAGAIN:
		return STATUS_INSUFFICIENT_RESOURCES;
	case STK_EADDRINUSE:
		return STATUS_ADDRESS_ALREADY_EXISTS;
	case STK_ENOROUTE:
		return STATUS_NETWORK_UNREACHABLE;
	case STK_EMSGSIZE:
		return STATUS_INVALID_BUFFER_SIZE;
	case STK_ENOTCONN:
	case STK_ESTATE:
		return STATUS_INVALID_DEVICE_STATE;
	case STK_ENOENT:
		return STATUS_NOT_FOUND;
	case STK_EADDRNOTAVAIL:
		return STATUS_INVALID_ADDRESS_COMPONENT;
	case STK_TCP_ECONNREFUSED:
		return STATUS_CONNECTION_REFUSED;
	case STK_TCP_ECONNRESET:
		return STATUS_CONNECTION_RESET;
	case STK_TCP_ETIMEDOUT:
		return STATUS_IO_TIMEOUT;
	case STK_TCP_ECONNABORTED:
		return STATUS_CONNECTION_ABORTED;
	case STK_TCP_EUNREACH:
		return STATUS_HOST_UNREACHABLE;
	case STK_TCP_ECANCELED:
		return STATUS_CANCELLED;
	default:
		return STATUS_UNSUCCESSFUL;
	}
}

bool
wsk_buf_valid(const WSK_BUF *b)
{
	SIZE_T have;
	PMDL m;

	if (b == NULL)
		return false;
	if (b->Length == 0)
		return true;
	if (b->Mdl == NULL || b->Offset > MmGetMdlByteCount(b->Mdl))
		return false;
	have = MmGetMdlByteCount(b->Mdl) - b->Offset;
	for (m = b->Mdl->Next; m != NULL && have < b->Length; m = m->Next)
		have += MmGetMdlByteCount(m);
	return have >= b->Length;
}

void
wsk_copy_to_buf(const WSK_BUF *b, SIZE_T boff, const struct rte_mbuf *m, uint32_t moff,
		uint32_t len)
{
	PMDL mdl = b->Mdl;
	SIZE_T off = b->Offset + boff;

	while (mdl != NULL && off >= MmGetMdlByteCount(mdl)) {
		off -= MmGetMdlByteCount(mdl);
		mdl = mdl->Next;
	}
	while (m != NULL && moff >= m->data_len) {
		moff -= m->data_len;
		m = m->next;
	}
	while (len > 0 && mdl != NULL && m != NULL) {
		uint8_t *dst = (uint8_t *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) + off;
		uint32_t n = RTE_MIN((SIZE_T)len, MmGetMdlByteCount(mdl) - off);

		n = RTE_MIN(n, (uint32_t)m->data_len - moff);
		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, moff), n);
		len -= n;
		off += n;
		moff += n;
		if (off == MmGetMdlByteCount(mdl)) {
			mdl = mdl->Next;
			off = 0;
		}
		if (moff == m->data_len) {
			m = m->next;
			moff = 0;
		}
	}
}

void
wsk_copy_from_buf(const WSK_BUF *b, SIZE_T boff, void *dst, SIZE_T len)
{
	PMDL mdl = b->Mdl;
	SIZE_T off = b->Offset + boff;
	uint8_t *d = dst;

	while (mdl != NULL && off >= MmGetMdlByteCount(mdl)) {
		off -= MmGetMdlByteCount(mdl);
		mdl = mdl->Next;
	}
	while (len > 0 && mdl != NULL) {
		const uint8_t *src =
			(const uint8_t *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) + off;
		SIZE_T n = RTE_MIN(len, MmGetMdlByteCount(mdl) - off);

		memcpy(d, src, n);
		d += n;
		len -= n;
		mdl = mdl->Next;
		off = 0;
	}
}

/* ---------------------------------------------------------------------------
 * The address table (WskBind): sharing rules of "Sharing transport addresses"
 */

enum share { SH_OK, SH_INUSE, SH_DENIED };

/* [second's mode * 2 + second is specific][first's mode * 2 + first is specific];
 * modes: 0 default, 1 SO_REUSEADDR, 2 SO_EXCLUSIVEADDRUSE. The "access check"
 * cells resolve as denied: sockets carry the default security descriptor. */
static const uint8_t share_tab[6][6] = {
	/* default W */ { SH_INUSE, SH_OK, SH_INUSE, SH_OK, SH_INUSE, SH_OK },
	/* default S */ { SH_DENIED, SH_INUSE, SH_DENIED, SH_DENIED, SH_DENIED, SH_INUSE },
	/* reuse W   */ { SH_DENIED, SH_OK, SH_OK, SH_OK, SH_DENIED, SH_OK },
	/* reuse S   */ { SH_DENIED, SH_DENIED, SH_OK, SH_OK, SH_DENIED, SH_DENIED },
	/* excl W    */ { SH_INUSE, SH_INUSE, SH_INUSE, SH_INUSE, SH_INUSE, SH_INUSE },
	/* excl S    */ { SH_DENIED, SH_INUSE, SH_DENIED, SH_INUSE, SH_DENIED, SH_INUSE },
};

static unsigned int
share_row(bool reuse, bool excl, bool wildcard)
{
	return (excl ? 2u : reuse ? 1u : 0u) * 2u + (wildcard ? 0u : 1u);
}

static enum share
share_check(const struct wsk_host *h, uint8_t proto, rte_be32_t addr, rte_be16_t port,
	    bool reuse, bool excl)
{
	const struct wsk_bind_ent *e;
	bool wild = addr == 0;

	LIST_FOREACH(e, &h->binds, link) {
		enum share r;

		if (e->proto != proto || e->port != port)
			continue;
		if (!wild && !e->wildcard && e->addr != addr)
			continue; /* two different specific addresses never conflict */
		r = share_tab[share_row(reuse, excl, wild)][share_row(e->reuse, e->excl, e->wildcard)];
		if (r != SH_OK)
			return r;
	}
	return SH_OK;
}

NTSTATUS
wsk_bind_table_add(struct wsk_sock *s, uint8_t proto, rte_be32_t addr, rte_be16_t port)
{
	struct wsk_host *h = s->host;
	struct wsk_bind_ent *e;
	enum share r = SH_OK;
	unsigned int tries;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	pthread_mutex_lock(&h->bind_lock);
	if (port == 0) {
		/* Ephemeral: the first free port from a moving cursor, keeping
		 * port mod instances == home so unpredictable RSS still lands
		 * on the owner more often than not. */
		for (tries = 0; tries < 16384; tries++) {
			uint16_t p = h->next_eph;

			h->next_eph = h->next_eph >= 65535 ? 49152 : h->next_eph + 1;
			if (h->n > 1 && p % h->n != s->home)
				continue;
			if (share_check(h, proto, addr, rte_cpu_to_be_16(p), false, false) == SH_OK) {
				port = rte_cpu_to_be_16(p);
				break;
			}
		}
		if (port == 0) {
			pthread_mutex_unlock(&h->bind_lock);
			free(e);
			return STATUS_TOO_MANY_ADDRESSES;
		}
	} else {
		r = share_check(h, proto, addr, port, s->reuseaddr, s->exclusive);
	}
	if (r != SH_OK) {
		pthread_mutex_unlock(&h->bind_lock);
		free(e);
		return r == SH_INUSE ? STATUS_ADDRESS_ALREADY_EXISTS : STATUS_ACCESS_DENIED;
	}
	e->s = s;
	e->proto = proto;
	e->addr = addr;
	e->port = port;
	e->reuse = s->reuseaddr;
	e->excl = s->exclusive;
	e->wildcard = addr == 0;
	LIST_INSERT_HEAD(&h->binds, e, link);
	pthread_mutex_unlock(&h->bind_lock);
	s->bind_ent = e;
	s->laddr = addr;
	s->lport = port;
	s->wildcard = addr == 0;
	s->bound = true;
	return STATUS_SUCCESS;
}

void
wsk_bind_table_del(struct wsk_sock *s)
{
	struct wsk_bind_ent *e = s->bind_ent;

	if (e == NULL)
		return;
	pthread_mutex_lock(&s->host->bind_lock);
	LIST_REMOVE(e, link);
	pthread_mutex_unlock(&s->host->bind_lock);
	free(e);
	s->bind_ent = NULL;
}
