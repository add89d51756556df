/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * pktrun's engine: one script on one stack instance on virtual time.
 */
#ifndef PD_RUN_H
#define PD_RUN_H

#include <rte_mempool.h>

#include "pd.h"

enum pd_verdict { PD_PASS, PD_FAIL, PD_SKIP };

/** Outcome of one script. */
struct pd_result {
	enum pd_verdict v;
	char why[2048]; /**< first mismatch (expected/actual lines), or the skip reason */
};

/** Packet pools shared by every script of a run (checked empty after each). */
struct pd_pools {
	struct rte_mempool *mp;
	struct rte_mempool *ind;
};

/** Create the pools. @return 0 or -1. */
int pd_pools_create(struct pd_pools *p);
/** Free them. */
void pd_pools_free(struct pd_pools *p);

/** Run the script at @p path; @p verbose prints every event as it runs. */
void pd_run_file(const char *path, struct pd_pools *pools, bool verbose, struct pd_result *res);

#endif /* PD_RUN_H */
