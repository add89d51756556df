/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * wskstack-echo's server: TCP and UDP echo on one port, run to completion on
 * the lcores (WskAcceptEvent, zero-copy WskReceiveEvent + WskSend +
 * WskRelease, WskReceiveFromEvent + WskSendTo + WskRelease).
 */
#ifndef ECHO_SERVER_H
#define ECHO_SERVER_H

#include "wskapp.h"

/**
 * Serve on @p Port until a stop is requested, a progress line every
 * @p StatsSec seconds (0: none), then abort the connections left, close
 * everything and print the summary line. PASSIVE_LEVEL.
 * @return STATUS_SUCCESS when every socket closed.
 */
NTSTATUS EchoServerRun(PWSKAPP_CLIENT Client, USHORT Port, ULONG StatsSec);

/** --sockperf: UDP replies clear sockperf's client flag so its ping-pong accepts them. */
extern BOOLEAN EchoSockperfReplies;

#endif /* ECHO_SERVER_H */
