/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A seeded fault injector: a netdev that sits between the stack and another
 * device and impairs the frames that pass (loss, duplication, corruption,
 * reordering, delay), deterministically from a seed and virtual time.
 *
 * Plug it in by wrapping a port's ops: create it over the port's `ops` and
 * `dev`, then hand `&drv_fault_ops` and the injector to the stack instead.
 *
 * Each frame entering an impaired direction goes through, in this order:
 *  1. loss: freed with probability `loss`;
 *  2. duplication: with probability `dup` a deep copy (separate direct mbufs
 *     from `mp`, or from the pool of the frame's own buffer) follows the
 *     frame; steps 3 to 5 apply to the original and the copy independently;
 *  3. corruption: with probability `corrupt` one bit (or one byte, see
 *     `corrupt_byte`) is flipped at a uniformly random offset at or after
 *     `corrupt_skip`. A frame any of whose segments is indirect, external or
 *     has a reference count above one is copied first and the copy is
 *     corrupted: a buffer someone else holds is never written. If no copy
 *     can be made the frame passes intact (counted in `nomem`). Corruption
 *     happens before the lower device: one that fills in checksums (TX
 *     offload) may hide it;
 *  4. reordering: with probability `reorder` the frame is held back and
 *     re-enters the stream right after `reorder_depth` later frames have
 *     entered the delay queue, or at `reorder_timeout` after it arrived;
 *  5. delay: the frame waits in a FIFO queue of `queue_cap` frames until
 *     its arrival time plus `delay` plus a uniform jitter in [0, `jitter`].
 *     Release times never decrease along the queue, so jitter alone never
 *     reorders frames (reordering is step 4's job).
 *
 * Time: the injector never reads a clock. drv_fault_tick() (or
 * drv_fault_tick_queue()) sets the virtual time, stamps later arrivals with
 * it and releases what is due: due TX frames go to the lower device at once,
 * due RX frames are handed up by the next rx_burst. Call it once per poll
 * loop iteration, before the stack polls.
 *
 * TX: tx_burst first sends what is due, then takes the new frames into the
 * queue and sends what became due. It refuses frames (returns fewer than
 * offered: the caller keeps and frees them) only when the queue is full and
 * nothing in it can go.
 * Frames the lower device refuses stay at the head of the queue and are
 * offered again by the next burst or tick, in order.
 *
 * RX: rx_burst takes up to @p n frames from the lower device, impairs them,
 * and returns up to @p n due frames. Arrivals that find the queue full are
 * freed.
 *
 * Threads: every queue pair has its own state, random stream and time, and
 * belongs to the lcore that polls it, like the lower device's queues. The
 * random stream of queue q, direction d, is a function of `seed`, q and d
 * only, so the same seed, configuration, input sequence and tick times
 * reproduce the same output sequence.
 */
#ifndef DRV_FAULT_H
#define DRV_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "stk.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Queue pairs an injector can wrap. */
#define DRV_FAULT_MAX_QUEUES 16
/** Frames one direction of one queue can hold back for reordering at once. */
#define DRV_FAULT_MAX_HOLD 32

/** What to impair, and how much. drv_fault_conf_default() gives the defaults. */
struct drv_fault_conf {
	uint64_t seed;              /**< seed of every random stream */
	double loss;                /**< probability a frame is dropped, in [0, 1] */
	double dup;                 /**< probability a surviving frame is duplicated, in [0, 1] */
	double corrupt;             /**< probability a frame or copy is corrupted, in [0, 1] */
	double reorder;             /**< probability a frame is held back, in [0, 1] */
	uint32_t reorder_depth;     /**< later frames that pass a held one (>= 1 if reorder > 0) */
	/** longest hold (0: held until reorder_depth later frames passed) */
	stk_time_t reorder_timeout;
	stk_time_t delay;           /**< fixed delay of every frame */
	stk_time_t jitter;          /**< extra delay, uniform in [0, jitter] */
	unsigned int queue_cap;     /**< delay queue size per queue and direction (>= 1) */
	/** queue pairs impaired, 1..DRV_FAULT_MAX_QUEUES; higher queues pass unimpaired */
	uint16_t nb_queues;
	uint32_t corrupt_skip;      /**< leading bytes never corrupted (14: spare Ethernet) */
	bool corrupt_byte;          /**< false: flip one bit; true: XOR a byte with 1..255 */
	/** pool for copies; NULL: the pool of the frame's own buffer */
	struct rte_mempool *mp;
	bool rx;                    /**< impair frames received from the lower device */
	bool tx;                    /**< impair frames sent to the lower device */
};

/** Counters of one direction, summed over queues. */
struct drv_fault_dir_stats {
	/** frames offered (TX: to tx_burst; RX: by the lower device) */
	uint64_t frames_in;
	/** frames delivered (TX: accepted by the lower device; RX: handed up) */
	uint64_t frames_out;
	uint64_t lost;           /**< frames dropped on purpose */
	uint64_t duplicated;     /**< extra copies made */
	uint64_t corrupted;      /**< frames corrupted */
	uint64_t corrupt_copied; /**< of those, frames copied first because they were shared */
	/** frames held back (one drawn while DRV_FAULT_MAX_HOLD are held passes in order) */
	uint64_t reordered;
	uint64_t delayed;        /**< frames that had to wait in the delay queue */
	/** frames refused (TX) or dropped (RX, extra copies) because the delay queue was full */
	uint64_t overflow;
	uint64_t nomem;          /**< failed copies: duplicate not made or corruption skipped */
	uint64_t queued;         /**< frames in the delay queue now */
	uint64_t held;           /**< frames held back for reordering now */
};

/**
 * Counters of an injector. In each direction
 * frames_in + duplicated == frames_out + lost + overflow + queued + held.
 */
struct drv_fault_stats {
	struct drv_fault_dir_stats tx; /**< frames the stack sent */
	struct drv_fault_dir_stats rx; /**< frames the stack received */
};

struct drv_fault;

/**
 * Fill @p c with the defaults: seed 1, no impairment (every probability,
 * delay and jitter 0), reorder_depth 3, reorder_timeout 10 ms, queue_cap
 * 4096, one queue pair, bit flips anywhere, copies from the frame's own
 * pool, TX impaired and RX not.
 */
void drv_fault_conf_default(struct drv_fault_conf *c);

/**
 * Create an injector in front of the device @p lower_dev with ops
 * @p lower_ops. The injector does not own the lower device: free the
 * injector first, then the device.
 * @return the injector, or NULL with rte_errno set: EINVAL (a probability
 *         outside [0, 1] or NaN, queue_cap 0, reorder > 0 with
 *         reorder_depth 0, delay + jitter not below UINT64_MAX, nb_queues 0
 *         or above DRV_FAULT_MAX_QUEUES, NULL @p c, ops or callbacks) or
 *         ENOMEM.
 */
struct drv_fault *drv_fault_create(const struct drv_fault_conf *c,
				   const struct stk_netdev_ops *lower_ops, void *lower_dev);

/**
 * The injector's netdev ops; the device context is the struct drv_fault.
 * rx_burst and tx_burst of queue q must run on the thread that polls q.
 */
extern const struct stk_netdev_ops drv_fault_ops;

/**
 * Advance the virtual time of every queue pair to @p now (an earlier time
 * is ignored), release reordered frames whose timeout passed, and send due
 * TX frames to the lower device. Call on the thread that polls every queue;
 * with queues on several lcores use drv_fault_tick_queue() instead.
 */
void drv_fault_tick(struct drv_fault *f, stk_time_t now);

/**
 * drv_fault_tick() for queue pair @p q alone, on the thread that polls it.
 * Queues at or above nb_queues are ignored.
 */
void drv_fault_tick_queue(struct drv_fault *f, uint16_t q, stk_time_t now);

/**
 * Sum the counters of every queue into @p out. Any thread may call this;
 * values read while queues are active may be a few frames apart.
 */
void drv_fault_stats(const struct drv_fault *f, struct drv_fault_stats *out);

/** Free the injector and every frame it still holds. NULL is a no-op. */
void drv_fault_free(struct drv_fault *f);

#ifdef __cplusplus
}
#endif

#endif /* DRV_FAULT_H */
