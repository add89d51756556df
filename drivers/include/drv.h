/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * drivers/: the only code that configures ethdev. It brings ports up from a
 * profile, probes their offloads, captures what they send and receive, and
 * runs one stack instance per configured lcore.
 */
#ifndef DRV_H
#define DRV_H

#include <stdbool.h>
#include <stdint.h>

#include "drv_config.h"
#include "stk.h"

/* ---- ports ---- */

/**
 * Frame size of net_af_packet rings, and data room of their RX mbufs. The
 * kernel defragments IPv4 for the PMD's fanout socket, so frames can exceed
 * the MTU; datagrams longer than this arrive truncated.
 */
#define DRV_AF_PACKET_FRAME 12288

struct drv_port;
struct drv_capture;

/**
 * Create and start the port described by @p pc as port number @p idx with
 * @p nb_queues RX/TX queue pairs (fewer if the device has fewer: see
 * drv_port_stk_conf()). Mbufs for RX come from @p mp.
 * @return the port, or NULL with a reason in @p err.
 */
struct drv_port *drv_port_open(const struct drv_conf_port *pc, unsigned int idx,
			       uint16_t nb_queues, struct rte_mempool *mp, char *err,
			       size_t errlen);

/** Describe the port for stk_shared_add_port(). */
void drv_port_stk_conf(const struct drv_port *p, struct stk_port_conf *out);

/** Attach a capture: every frame received or sent is written to @p cap. */
void drv_port_set_capture(struct drv_port *p, struct drv_capture *cap);

/** Stop and close the port, freeing the mbufs it holds. */
void drv_port_close(struct drv_port *p);

/** @return the DPDK port id. */
uint16_t drv_port_id(const struct drv_port *p);

/** The netdev ops for ethdev-backed ports. */
extern const struct stk_netdev_ops drv_ethdev_ops;

/* ---- capture (libpcap) ---- */

/** Open a pcap file for writing. @return the capture, or NULL with @p err set. */
struct drv_capture *drv_capture_open(const char *path, uint32_t snaplen, char *err,
				     size_t errlen);
/** Write @p n frames (any lcore; serialised internally). */
void drv_capture_write(struct drv_capture *c, struct rte_mbuf *const *pkts, uint16_t n);
/** Flush buffered records to the file. */
void drv_capture_flush(struct drv_capture *c);
/** Flush and close. */
void drv_capture_close(struct drv_capture *c);

/* ---- in-memory device for tests ---- */

struct drv_memdev;

/** Create an in-memory device with @p nb_queues queue pairs, each @p depth frames deep. */
struct drv_memdev *drv_memdev_create(const struct rte_ether_addr *mac, uint16_t nb_queues,
				     unsigned int depth);
/** Queue a frame for the stack to receive on queue @p q. @return 0 or -1 if full (frame not taken). */
int drv_memdev_inject(struct drv_memdev *d, uint16_t q, struct rte_mbuf *m);
/** Take up to @p n frames the stack sent on queue @p q. @return the number taken. */
unsigned int drv_memdev_take(struct drv_memdev *d, uint16_t q, struct rte_mbuf **pkts,
			     unsigned int n);
/** Make the next @p n tx_burst calls accept nothing (a full TX ring). */
void drv_memdev_block_tx(struct drv_memdev *d, unsigned int n);
/** Free the device and any frames still queued. */
void drv_memdev_free(struct drv_memdev *d);
/** Describe the device for stk_shared_add_port(): mtu 1500, no offloads, TX multiseg. */
void drv_memdev_stk_conf(struct drv_memdev *d, struct stk_port_conf *out);
/** The netdev ops of in-memory devices. */
extern const struct stk_netdev_ops drv_memdev_ops;

/* ---- runtime: EAL, pools, ports, instances, lcores ---- */

struct drv_runtime;

/** Command-line overrides of the profile. */
struct drv_overrides {
	const char *capture_dir;  /**< non-NULL: enable capture into this directory */
};

/** What an application runs on every stack lcore. All callbacks are optional. */
struct drv_app {
	/** On each lcore before its first poll: open sockets on @p in. */
	void (*inst_init)(void *arg, struct stk_inst *in);
	/** On each lcore after its last poll: close sockets. */
	void (*inst_fini)(void *arg, struct stk_inst *in);
	void *arg;
};

/**
 * Load the profile, start EAL, create pools and ports, build the stack.
 * @return 0, or -1 with a message in @p err ("FILE: [SECTION] KEY: reason" for profile errors).
 */
int drv_runtime_init(const char *conf_path, const char *prog, const struct drv_overrides *ov,
		     struct drv_runtime **out, char *err, size_t errlen);

/**
 * Run every instance on its lcore until drv_runtime_stop(). The calling
 * thread (EAL's main lcore) runs instance 0. @p ready, if set, is called once
 * every lcore is polling (from the main lcore, between polls).
 * @return 0.
 */
int drv_runtime_run(struct drv_runtime *rt, const struct drv_app *app,
		    void (*ready)(struct drv_runtime *rt));

/** Ask every lcore to stop. Async-signal-safe. */
void drv_runtime_stop(struct drv_runtime *rt);

/** @return true once drv_runtime_stop() was called. */
bool drv_runtime_stopping(const struct drv_runtime *rt);

/**
 * Tear down: instances, ports, captures; then check that every mempool is
 * back to zero objects in use; then free pools and clean up EAL.
 * @return objects still in use (0 when clean).
 */
unsigned int drv_runtime_close(struct drv_runtime *rt);

/** Sum the counters of all instances into @p out. */
void drv_runtime_stats(const struct drv_runtime *rt, struct stk_stats *out);

/** @return the number of instances. */
unsigned int drv_runtime_nb_inst(const struct drv_runtime *rt);
/** @return instance @p i. */
struct stk_inst *drv_runtime_inst(const struct drv_runtime *rt, unsigned int i);
/** @return the loaded profile. */
const struct drv_conf *drv_runtime_conf(const struct drv_runtime *rt);
/** @return nanoseconds since an arbitrary start (TSC). */
stk_time_t drv_now(void);
/** @return frames received by all instances so far. */
uint64_t drv_runtime_rx_frames(const struct drv_runtime *rt);

/* ---- telemetry ---- */

/** Register /wskstack/ commands for @p rt (one runtime per process). @return 0 or -1. */
int drv_telemetry_register(struct drv_runtime *rt);
/** Detach telemetry from @p rt before it is freed (commands then return errors). */
void drv_telemetry_unregister(void);

/** Port facts for telemetry. */
struct drv_port_info {
	uint16_t port_id;
	char driver[32];
	char name[64];
	uint16_t nb_queues;
	uint64_t rx_offload_capa;
	uint64_t tx_offload_capa;
};
/** Fill @p out for @p p. */
void drv_port_info(const struct drv_port *p, struct drv_port_info *out);
/** @return port @p i of the runtime, or NULL. */
const struct drv_port *drv_runtime_port(const struct drv_runtime *rt, unsigned int i);

#endif /* DRV_H */
