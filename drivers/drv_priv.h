/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared inside drivers/. */
#ifndef DRV_PRIV_H
#define DRV_PRIV_H

#include <rte_ring.h>

/** Free every mbuf left in @p r, then the ring itself. NULL is a no-op. */
void drv_ring_drain_free(struct rte_ring *r);

#endif /* DRV_PRIV_H */
