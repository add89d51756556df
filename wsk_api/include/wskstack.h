/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Hosting WSK drivers in a Linux process. Not a Windows header: this is the
 * part a Windows driver does not have, its "kernel". A program's main()
 * calls WskstackRun() with its driver's entry function; everything else the
 * driver does goes through <wdm.h> and <wsk.h> unchanged.
 *
 *   static NTSTATUS DriverMain(PVOID Context)   // PASSIVE_LEVEL thread
 *   {
 *       ... WskRegister, WskCaptureProviderNPI, sockets ...
 *       WskstackWaitForStop(WSKSTACK_WAIT_FOREVER);   // until SIGINT / SIGTERM
 *       ... close sockets, WskReleaseProviderNPI, WskDeregister ...
 *       return STATUS_SUCCESS;
 *   }
 *   int main(int argc, char **argv) { return WskstackRun("config/default.ini", argv[0], DriverMain, NULL); }
 */
#ifndef WSKSTACK_H
#define WSKSTACK_H

#include <wdm.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The driver's entry: runs on a PASSIVE_LEVEL thread once the stack is up. */
typedef NTSTATUS (*PWSKSTACK_DRIVER_MAIN)(PVOID Context);

#define WSKSTACK_WAIT_FOREVER 0xffffffffu

/**
 * Bring up the stack from the INI profile @p Profile (EAL, ports, one stack
 * instance per lcore), publish it to WSK as host 0, run @p Main(@p Context)
 * on its own thread, and when Main returns stop the stack, check every pool
 * and return: 0 (Main succeeded, nothing leaked), 1 (Main failed), 2 (bad
 * profile or start-up failure, reason on stderr), 3 (something leaked).
 * SIGINT / SIGTERM make WskstackStopRequested() true; a second one stops the
 * lcores at once.
 */
int WskstackRun(const char *Profile, const char *Program, PWSKSTACK_DRIVER_MAIN Main,
		PVOID Context);

/** @return TRUE once a stop was requested (signal or WskstackRequestStop()). */
BOOLEAN WskstackStopRequested(VOID);

/** Ask the driver to stop (as SIGINT does). */
VOID WskstackRequestStop(VOID);

/**
 * Wait at PASSIVE_LEVEL until a stop is requested or @p Milliseconds pass.
 * @return TRUE if a stop was requested.
 */
BOOLEAN WskstackWaitForStop(ULONG Milliseconds);

/**
 * Several stacks in one process (tests, stack-to-stack benchmarks): the
 * next WskRegister on this thread binds to host @p Index (default 0).
 */
VOID WskstackSelectHost(ULONG Index);

/** Number of stack lcores of host 0 (after WskstackRun started it), 0 before. */
ULONG WskstackLcoreCount(VOID);

#ifdef __cplusplus
}
#endif

#endif /* WSKSTACK_H */
