/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Logging through rte_log dynamic types, one per module:
 * "wskstack.stack" and "wskstack.drv" (set with --log-level=wskstack.*:debug,
 * i.e. [eal] log_level). Per-packet logs use STK_DP_LOG, compiled in only
 * with the meson option datapath_log=true, so they cost nothing otherwise.
 */
#ifndef STK_LOG_H
#define STK_LOG_H

#include <rte_log.h>

extern int stk_logtype_stack;
extern int stk_logtype_drv;

#define STK_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, stk_logtype_stack, "wskstack: " fmt "\n", ##__VA_ARGS__)
#define DRV_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, stk_logtype_drv, "wskstack: " fmt "\n", ##__VA_ARGS__)

#ifdef STK_DATAPATH_LOG
#define STK_DP_LOG(level, fmt, ...) STK_LOG(level, fmt, ##__VA_ARGS__)
#else
#define STK_DP_LOG(level, fmt, ...) do { } while (0)
#endif

#endif /* STK_LOG_H */
