/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The test drivers' side of the placeholder hooks that extract.py puts into
 * the samples (wsksample_fill, wsksample_cond, wsksample_stub), and a record
 * of the IRPs the samples' completion routines free.
 *
 * A hook site is named by the enclosing function (__func__) and its ordinal
 * among that function's placeholders (extract.py rules P1, P2, P5). Hooks run
 * on whatever thread the sample code runs on (completion routines and event
 * callbacks run on provider threads): everything here is thread safe.
 */
#ifndef WSKSAMPLE_RT_H
#define WSKSAMPLE_RT_H

#include <stdbool.h>

#include <wdm.h>

/** Times site (@p fn, @p site) was reached. */
unsigned int wsksample_hits(const char *fn, int site);

/** Wait up to @p ms for site (@p fn, @p site) to be reached @p n times. @return true if it was. */
bool wsksample_wait_hits(const char *fn, int site, unsigned int n, unsigned int ms);

/** What wsksample_cond(@p fn, @p site) answers from now on (0 by default). */
void wsksample_set_cond(const char *fn, int site, int value);

/** Times the generated stub of @p fn ran. */
unsigned int wsksample_stub_calls(const char *fn);

/** An IRP freed with IoFreeIrp off the driver's main thread (inside a completion routine). */
struct wsksample_freed {
	NTSTATUS status;
	ULONG_PTR info;
};

/**
 * The calling thread is the driver's main thread: its IoFreeIrp calls are
 * recorded only between wsksample_enter() and wsksample_leave() (while it
 * runs sample code, which may complete IRPs inline); the other threads'
 * always are.
 */
void wsksample_set_main_thread(void);
void wsksample_enter(void);
void wsksample_leave(void);

/** Number of IRPs recorded so far; *@p out (if not NULL) gets record @p i. */
unsigned int wsksample_freed(unsigned int i, struct wsksample_freed *out);

/** Wait up to @p ms for at least @p n records. @return true if there are. */
bool wsksample_wait_freed(unsigned int n, unsigned int ms);

#endif /* WSKSAMPLE_RT_H */
