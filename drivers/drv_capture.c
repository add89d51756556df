/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpcap capture of what a port receives and sends. Lcores sharing a port
 * serialise on a spinlock; capture is a debugging aid, not a data-path
 * feature, and costs nothing when it is off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include <pcap/pcap.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "drv.h"

struct drv_capture {
	rte_spinlock_t lock;
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	uint32_t snaplen;
	uint8_t *buf;
};

struct drv_capture *
drv_capture_open(const char *path, uint32_t snaplen, char *err, size_t errlen)
{
	struct drv_capture *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, errlen, "capture %s: out of memory", path);
		return NULL;
	}
	rte_spinlock_init(&c->lock);
	c->snaplen = snaplen;
	c->buf = malloc(snaplen);
	c->pcap = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	if (c->buf == NULL || c->pcap == NULL) {
		snprintf(err, errlen, "capture %s: cannot initialise libpcap", path);
		drv_capture_close(c);
		return NULL;
	}
	c->dumper = pcap_dump_open(c->pcap, path);
	if (c->dumper == NULL) {
		snprintf(err, errlen, "capture %s: %s", path, pcap_geterr(c->pcap));
		drv_capture_close(c);
		return NULL;
	}
	return c;
}

void
drv_capture_write(struct drv_capture *c, struct rte_mbuf *const *pkts, uint16_t n)
{
	struct pcap_pkthdr h;
	struct timeval tv;
	uint16_t i;

	gettimeofday(&tv, NULL);
	rte_spinlock_lock(&c->lock);
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint32_t len = RTE_MIN(m->pkt_len, c->snaplen);
		const void *data = rte_pktmbuf_read(m, 0, len, c->buf);

		if (data == NULL)
			continue;
		h.ts = tv;
		h.caplen = len;
		h.len = m->pkt_len;
		pcap_dump((u_char *)c->dumper, &h, data);
	}
	rte_spinlock_unlock(&c->lock);
}

void
drv_capture_flush(struct drv_capture *c)
{
	rte_spinlock_lock(&c->lock);
	pcap_dump_flush(c->dumper);
	rte_spinlock_unlock(&c->lock);
}

void
drv_capture_close(struct drv_capture *c)
{
	if (c == NULL)
		return;
	if (c->dumper != NULL)
		pcap_dump_close(c->dumper);
	if (c->pcap != NULL)
		pcap_close(c->pcap);
	free(c->buf);
	free(c);
}
