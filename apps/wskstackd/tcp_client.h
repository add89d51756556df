/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WSKSTACKD_TCP_CLIENT_H
#define WSKSTACKD_TCP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "stk_tcp.h"

/** What the client does. */
struct tcp_client_conf {
	rte_be32_t addr;      /**< server address */
	rte_be16_t port;      /**< server port */
	uint64_t send_bytes;  /**< bytes to send on each connection (then FIN unless recv) */
	bool recv;            /**< receive until the server's FIN before closing */
	unsigned int conns;   /**< sequential connections */
};

/** Start on @p in (owning lcore); @p finished runs once all connections ended. */
void tcp_client_start(struct stk_inst *in, const struct tcp_client_conf *conf,
		      void (*finished)(void));
/** @return connections that did not end with result=ok. */
unsigned int tcp_client_failed(void);

#endif
