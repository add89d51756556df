/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WSKSTACKD_TCP_ECHO_H
#define WSKSTACKD_TCP_ECHO_H

#include "stk_tcp.h"

/** Listen on @p port (host order) on @p in and echo every connection. @return stk_err. */
int tcp_echo_listen(struct stk_inst *in, uint16_t port, struct stk_tcp_conn **out);

#endif
