/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An in-memory device for tests: frames injected by a test appear on RX,
 * frames the stack sends are kept for the test to take. With virtual time
 * this makes packet tests deterministic.
 */
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_ring.h>

#include "drv.h"
#include "drv_priv.h"

#define MEMDEV_MAX_QUEUES 16

struct drv_memdev {
	struct rte_ether_addr mac;
	uint16_t nb_queues;
	unsigned int block_tx;
	struct rte_ring *rx[MEMDEV_MAX_QUEUES];
	struct rte_ring *tx[MEMDEV_MAX_QUEUES];
};

static uint16_t
memdev_rx(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct drv_memdev *d = dev;

	return (uint16_t)rte_ring_sc_dequeue_burst(d->rx[q], (void **)pkts, n, NULL);
}

static uint16_t
memdev_tx(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct drv_memdev *d = dev;

	if (d->block_tx > 0) {
		d->block_tx--;
		return 0;
	}
	return (uint16_t)rte_ring_sp_enqueue_burst(d->tx[q], (void **)pkts, n, NULL);
}

const struct stk_netdev_ops drv_memdev_ops = {
	.rx_burst = memdev_rx,
	.tx_burst = memdev_tx,
};

struct drv_memdev *
drv_memdev_create(const struct rte_ether_addr *mac, uint16_t nb_queues, unsigned int depth)
{
	static unsigned int seq;
	struct drv_memdev *d;
	char name[RTE_RING_NAMESIZE];
	uint16_t q;

	if (nb_queues == 0 || nb_queues > MEMDEV_MAX_QUEUES)
		return NULL;
	d = rte_zmalloc("memdev", sizeof(*d), 0);
	if (d == NULL)
		return NULL;
	d->mac = *mac;
	d->nb_queues = nb_queues;
	seq++;
	for (q = 0; q < nb_queues; q++) {
		snprintf(name, sizeof(name), "memrx%u_%u", seq, q);
		d->rx[q] = rte_ring_create(name, rte_align32pow2(depth + 1), SOCKET_ID_ANY,
					   RING_F_EXACT_SZ);
		snprintf(name, sizeof(name), "memtx%u_%u", seq, q);
		d->tx[q] = rte_ring_create(name, rte_align32pow2(depth + 1), SOCKET_ID_ANY,
					   RING_F_EXACT_SZ);
		if (d->rx[q] == NULL || d->tx[q] == NULL) {
			drv_memdev_free(d);
			return NULL;
		}
	}
	return d;
}

int
drv_memdev_inject(struct drv_memdev *d, uint16_t q, struct rte_mbuf *m)
{
	return rte_ring_enqueue(d->rx[q], m) == 0 ? 0 : -1;
}

unsigned int
drv_memdev_take(struct drv_memdev *d, uint16_t q, struct rte_mbuf **pkts, unsigned int n)
{
	return rte_ring_dequeue_burst(d->tx[q], (void **)pkts, n, NULL);
}

void
drv_memdev_block_tx(struct drv_memdev *d, unsigned int n)
{
	d->block_tx = n;
}

void
drv_ring_drain_free(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
drv_memdev_free(struct drv_memdev *d)
{
	uint16_t q;

	if (d == NULL)
		return;
	for (q = 0; q < MEMDEV_MAX_QUEUES; q++) {
		drv_ring_drain_free(d->rx[q]);
		drv_ring_drain_free(d->tx[q]);
	}
	rte_free(d);
}

void
drv_memdev_stk_conf(struct drv_memdev *d, struct stk_port_conf *out)
{
	memset(out, 0, sizeof(*out));
	out->ops = &drv_memdev_ops;
	out->dev = d;
	out->nb_queues = d->nb_queues;
	out->mac = d->mac;
	out->mtu = 1500;
	out->caps = STK_CAP_TX_MULTISEG;
	snprintf(out->name, sizeof(out->name), "mem");
}
