/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port bring-up: a vdev (or ring pair) per [portN], queue set-up, capability
 * probing, and the ethdev netdev ops with optional capture.
 */
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "drv.h"
#include "drv_priv.h"

#define RX_DESC 1024
#define TX_DESC 1024

struct drv_port {
	uint16_t port_id;
	uint16_t nb_queues;
	bool is_vdev;
	bool has_ethdev;
	bool started;
	char vdev_name[64];
	struct rte_ring *rings[2]; /* ring pairs: the rings this side created */
	struct drv_capture *cap;
	uint32_t caps;
	bool tx_prepare;
	uint16_t mtu;
	rte_be32_t addr;
	uint8_t prefix_len;
	rte_be32_t gateway;
	struct rte_ether_addr mac;
	char name[32];
	uint8_t rss_key[52];
	uint8_t rss_key_len;
	uint16_t reta_size;
	uint16_t reta[512];
};

static uint16_t
ethdev_rx(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct drv_port *p = dev;
	uint16_t got = rte_eth_rx_burst(p->port_id, q, pkts, n);

	if (p->cap != NULL && got != 0)
		drv_capture_write(p->cap, pkts, got);
	return got;
}

static uint16_t
ethdev_tx(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct drv_port *p = dev;
	uint16_t ok = n;

	uint16_t sent, i;

	if (p->tx_prepare)
		ok = rte_eth_tx_prepare(p->port_id, q, pkts, n);
	/* Frames tx_prepare refused stay with the caller, who counts and frees them. */
	if (p->cap == NULL || ok == 0)
		return rte_eth_tx_burst(p->port_id, q, pkts, ok);
	/* Capture only what the device took (a full TX ring is not a frame on
	 * the wire): hold a reference on every segment across the burst, since
	 * a PMD may free what it sent (af_packet copies) before returning. */
	for (i = 0; i < ok; i++) {
		struct rte_mbuf *seg;

		for (seg = pkts[i]; seg != NULL; seg = seg->next)
			rte_mbuf_refcnt_update(seg, 1);
	}
	sent = rte_eth_tx_burst(p->port_id, q, pkts, ok);
	drv_capture_write(p->cap, pkts, sent);
	for (i = 0; i < ok; i++)
		rte_pktmbuf_free(pkts[i]); /* our reference; unsent frames stay the caller's */
	return sent;
}

const struct stk_netdev_ops drv_ethdev_ops = {
	.rx_burst = ethdev_rx,
	.tx_burst = ethdev_tx,
};

static int
ring_pair_create(struct drv_port *p, const struct drv_conf_port *pc, unsigned int idx, char *err,
		 size_t errlen)
{
	char ab[RTE_RING_NAMESIZE], ba[RTE_RING_NAMESIZE];
	struct rte_ring *r_ab, *r_ba, *rx, *tx;
	int id;

	/* Ring names are short; a long pair name is cut, which only matters
	 * if two pair names share their first characters. */
	snprintf(ab, sizeof(ab), "drvr_%.20s_ab", pc->ring);
	snprintf(ba, sizeof(ba), "drvr_%.20s_ba", pc->ring);
	r_ab = rte_ring_lookup(ab);
	r_ba = rte_ring_lookup(ba);
	if (r_ab == NULL) {
		r_ab = p->rings[0] = rte_ring_create(ab, 4096, SOCKET_ID_ANY, 0);
		r_ba = p->rings[1] = rte_ring_create(ba, 4096, SOCKET_ID_ANY, 0);
	}
	if (r_ab == NULL || r_ba == NULL) {
		snprintf(err, errlen, "port%u: cannot create rings for pair %s", idx, pc->ring);
		return -1;
	}
	rx = pc->ring_side == 0 ? r_ba : r_ab;
	tx = pc->ring_side == 0 ? r_ab : r_ba;
	snprintf(p->vdev_name, sizeof(p->vdev_name), "net_ring_%s_%c", pc->ring,
		 pc->ring_side == 0 ? 'a' : 'b');
	id = rte_eth_from_rings(p->vdev_name, &rx, 1, &tx, 1, (unsigned int)rte_socket_id());
	if (id < 0) {
		snprintf(err, errlen, "port%u: rte_eth_from_rings(%s) failed", idx, p->vdev_name);
		return -1;
	}
	p->port_id = (uint16_t)id;
	p->has_ethdev = true;
	return 0;
}

static int
vdev_args(const struct drv_conf_port *pc, uint16_t nb_queues, char *args, size_t len)
{
	int n;

	switch (pc->kind) {
	case DRV_PORT_AF_PACKET:
		n = snprintf(args, len, "iface=%s,qpairs=%u,framesz=%u,blocksz=%u,framecnt=512",
			     pc->iface, nb_queues, DRV_AF_PACKET_FRAME, DRV_AF_PACKET_FRAME);
		break;
	case DRV_PORT_PCAP:
		n = snprintf(args, len, "%s%s%s%s", pc->rx_pcap[0] ? "rx_pcap=" : "", pc->rx_pcap,
			     pc->tx_pcap[0] ? (pc->rx_pcap[0] ? ",tx_pcap=" : "tx_pcap=") : "",
			     pc->tx_pcap);
		break;
	case DRV_PORT_MEMIF:
		n = snprintf(args, len, "role=%s,socket=%s,id=%u",
			     pc->memif_server ? "server" : "client", pc->memif_socket, pc->memif_id);
		break;
	case DRV_PORT_TAP:
		n = snprintf(args, len, "iface=%s", pc->iface);
		break;
	default:
		n = snprintf(args, len, "%s", "");
		break;
	}
	if (n >= 0 && (size_t)n < len && pc->devargs[0] != '\0')
		n += snprintf(args + n, len - (size_t)n, "%s%s", n > 0 ? "," : "", pc->devargs);
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

static int
vdev_create(struct drv_port *p, const struct drv_conf_port *pc, unsigned int idx,
	    uint16_t nb_queues, char *err, size_t errlen)
{
	static const char *const prefix[] = {
		[DRV_PORT_AF_PACKET] = "net_af_packet", [DRV_PORT_PCAP] = "net_pcap",
		[DRV_PORT_MEMIF] = "net_memif",         [DRV_PORT_TAP] = "net_tap",
		[DRV_PORT_NULL] = "net_null",
	};
	char args[1024];
	int rc;

	snprintf(p->vdev_name, sizeof(p->vdev_name), "%s%u", prefix[pc->kind], idx);
	if (vdev_args(pc, nb_queues, args, sizeof(args)) != 0) {
		snprintf(err, errlen, "port%u: device arguments too long", idx);
		return -1;
	}
	rc = rte_vdev_init(p->vdev_name, args);
	if (rc != 0) {
		snprintf(err, errlen, "port%u: cannot create %s (%s): %s", idx, p->vdev_name, args,
			 rte_strerror(-rc));
		return -1;
	}
	p->is_vdev = true;
	if (rte_eth_dev_get_port_by_name(p->vdev_name, &p->port_id) != 0) {
		snprintf(err, errlen, "port%u: %s has no ethdev", idx, p->vdev_name);
		return -1;
	}
	p->has_ethdev = true;
	return 0;
}

/* Turn the device's offload capabilities into what we enable and tell the stack. */
static void
probe_offloads(struct drv_port *p, const struct rte_eth_dev_info *di, bool use,
	       struct rte_eth_conf *conf)
{
	uint64_t rx = use ? di->rx_offload_capa : 0, tx = use ? di->tx_offload_capa : 0;

	p->caps = 0;
	if (rx & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
		p->caps |= STK_CAP_RX_IPV4_CKSUM;
	}
	if ((rx & RTE_ETH_RX_OFFLOAD_UDP_CKSUM) && (rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
		p->caps |= STK_CAP_RX_L4_CKSUM;
	}
	if (tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		p->caps |= STK_CAP_TX_IPV4_CKSUM;
	}
	if (tx & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		p->caps |= STK_CAP_TX_UDP_CKSUM;
	}
	if (tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		p->caps |= STK_CAP_TX_TCP_CKSUM;
	}
	if (tx & RTE_ETH_TX_OFFLOAD_TCP_TSO) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
		p->caps |= STK_CAP_TX_TSO;
	}
	/* Multi-segment TX is needed for fragments; software PMDs accept
	 * chains without advertising it, real NICs must advertise it. */
	if ((di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) || p->is_vdev) {
		if (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
			conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		p->caps |= STK_CAP_TX_MULTISEG;
	}
	p->tx_prepare = (p->caps & (STK_CAP_TX_UDP_CKSUM | STK_CAP_TX_TCP_CKSUM | STK_CAP_TX_TSO)) != 0;
}

static int
port_configure(struct drv_port *p, const struct drv_conf_port *pc, unsigned int idx,
	       uint16_t nb_queues, struct rte_mempool *mp, char *err, size_t errlen)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info di;
	uint16_t q;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &di);
	if (rc != 0) {
		snprintf(err, errlen, "port%u: dev_info: %s", idx, rte_strerror(-rc));
		return -1;
	}
	p->nb_queues = RTE_MIN(di.max_rx_queues, di.max_tx_queues);
	p->nb_queues = RTE_MIN(nb_queues, p->nb_queues);
	if (p->nb_queues == 0)
		p->nb_queues = 1;
	probe_offloads(p, &di, pc->offloads, &conf);
	if (p->nb_queues > 1 && di.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = di.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	rc = rte_eth_dev_configure(p->port_id, p->nb_queues, p->nb_queues, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "port%u: configure: %s", idx, rte_strerror(-rc));
		return -1;
	}
	for (q = 0; q < p->nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, RX_DESC, rte_eth_dev_socket_id(p->port_id),
					    NULL, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->port_id, q, TX_DESC,
						    rte_eth_dev_socket_id(p->port_id), NULL);
		if (rc != 0) {
			snprintf(err, errlen, "port%u: queue %u set-up: %s", idx, q, rte_strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static int
port_addresses(struct drv_port *p, const struct drv_conf_port *pc, unsigned int idx, char *err,
	       size_t errlen)
{
	uint16_t mtu = 0;
	int rc;

	rte_eth_macaddr_get(p->port_id, &p->mac);
	if (pc->kind == DRV_PORT_TAP) {
		/* A tap's device MAC is the kernel interface's own: the kernel
		 * is the peer on this link, so the stack needs another. */
		if (pc->mac_set)
			p->mac = pc->mac;
		else
			p->mac.addr_bytes[5] ^= 0x01;
		p->mac.addr_bytes[0] = (uint8_t)((p->mac.addr_bytes[0] | 0x02) & ~0x01);
	} else if (pc->mac_set) {
		/* If the device can't take it, it still works where the device
		 * delivers every frame (software PMDs); the stack filters. */
		(void)rte_eth_dev_default_mac_addr_set(p->port_id,
						       (struct rte_ether_addr *)&pc->mac);
		p->mac = pc->mac;
	}
	/* A device MTU we can't set is fine as long as it is at least ours. */
	rc = rte_eth_dev_set_mtu(p->port_id, pc->mtu);
	if (rc != 0 && (rte_eth_dev_get_mtu(p->port_id, &mtu) != 0 || mtu < pc->mtu) &&
	    rc != -ENOTSUP) {
		snprintf(err, errlen, "port%u: cannot set MTU %u: %s", idx, pc->mtu, rte_strerror(-rc));
		return -1;
	}
	p->mtu = pc->mtu;
	p->addr = pc->addr;
	p->prefix_len = pc->prefix_len;
	p->gateway = pc->gateway;
	snprintf(p->name, sizeof(p->name), "port%u", idx);
	return 0;
}

/* A multi-queue port's Toeplitz key and redirection table, for RSS-steered active opens. */
static void
port_rss_query(struct drv_port *p)
{
	struct rte_eth_rss_reta_entry64 r[RTE_DIM(p->reta) / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_rss_conf rc = { .rss_key = p->rss_key, .rss_key_len = sizeof(p->rss_key) };
	struct rte_eth_dev_info di;
	unsigned int i;

	p->reta_size = 0;
	if (p->nb_queues < 2 || rte_eth_dev_info_get(p->port_id, &di) != 0 ||
	    di.flow_type_rss_offloads == 0 || di.reta_size == 0 || di.reta_size > RTE_DIM(p->reta) ||
	    rte_eth_dev_rss_hash_conf_get(p->port_id, &rc) != 0 || rc.rss_key_len < 40)
		return;
	memset(r, 0, sizeof(r));
	for (i = 0; i < RTE_DIM(r); i++)
		r[i].mask = UINT64_MAX;
	if (rte_eth_dev_rss_reta_query(p->port_id, r, di.reta_size) != 0)
		return;
	for (i = 0; i < di.reta_size; i++)
		p->reta[i] = r[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
	p->rss_key_len = rc.rss_key_len;
	p->reta_size = di.reta_size;
}

struct drv_port *
drv_port_open(const struct drv_conf_port *pc, unsigned int idx, uint16_t nb_queues,
	      struct rte_mempool *mp, char *err, size_t errlen)
{
	struct drv_port *p = rte_zmalloc("drv_port", sizeof(*p), 0);
	int rc;

	if (p == NULL) {
		snprintf(err, errlen, "port%u: out of memory", idx);
		return NULL;
	}
	rc = pc->kind == DRV_PORT_RING ? ring_pair_create(p, pc, idx, err, errlen)
				       : vdev_create(p, pc, idx, nb_queues, err, errlen);
	if (rc == 0)
		rc = port_configure(p, pc, idx, nb_queues, mp, err, errlen);
	if (rc == 0)
		rc = port_addresses(p, pc, idx, err, errlen);
	if (rc == 0) {
		rc = rte_eth_dev_start(p->port_id);
		if (rc != 0) {
			snprintf(err, errlen, "port%u: start: %s", idx, rte_strerror(-rc));
		} else {
			p->started = true;
			port_rss_query(p);
		}
	}
	if (rc != 0) {
		drv_port_close(p);
		return NULL;
	}
	return p;
}

void
drv_port_stk_conf(const struct drv_port *p, struct stk_port_conf *out)
{
	memset(out, 0, sizeof(*out));
	out->ops = &drv_ethdev_ops;
	out->dev = (void *)(uintptr_t)p;
	out->nb_queues = p->nb_queues;
	out->mac = p->mac;
	out->mtu = p->mtu;
	out->caps = p->caps;
	out->addr = p->addr;
	out->prefix_len = p->prefix_len;
	out->gateway = p->gateway;
	snprintf(out->name, sizeof(out->name), "%s", p->name);
	memcpy(out->rss_key, p->rss_key, sizeof(out->rss_key));
	out->rss_key_len = p->rss_key_len;
	out->reta_size = p->reta_size;
	memcpy(out->reta, p->reta, sizeof(out->reta));
}

void
drv_port_set_capture(struct drv_port *p, struct drv_capture *cap)
{
	p->cap = cap;
}

uint16_t
drv_port_id(const struct drv_port *p)
{
	return p->port_id;
}

void
drv_port_info(const struct drv_port *p, struct drv_port_info *out)
{
	struct rte_eth_dev_info di;

	memset(out, 0, sizeof(*out));
	out->port_id = p->port_id;
	out->nb_queues = p->nb_queues;
	snprintf(out->name, sizeof(out->name), "%s", p->vdev_name);
	if (rte_eth_dev_info_get(p->port_id, &di) == 0) {
		snprintf(out->driver, sizeof(out->driver), "%s", di.driver_name);
		out->rx_offload_capa = di.rx_offload_capa;
		out->tx_offload_capa = di.tx_offload_capa;
	}
}

void
drv_port_close(struct drv_port *p)
{
	if (p == NULL)
		return;
	if (p->started)
		rte_eth_dev_stop(p->port_id);
	if (p->has_ethdev)
		rte_eth_dev_close(p->port_id);
	if (p->is_vdev)
		rte_vdev_uninit(p->vdev_name);
	/* Ring pairs: the side that created the rings frees them, with any
	 * frames still in flight. Close ports in reverse order so the creator
	 * (the lower port number) goes last. */
	drv_ring_drain_free(p->rings[0]);
	drv_ring_drain_free(p->rings[1]);
	rte_free(p);
}
