/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ntifs.h: a superset of ntddk.h on Windows; here it adds nothing WSK
 * clients need beyond ntddk.h.
 */
#ifndef _NTIFS_
#define _NTIFS_

#include <ntddk.h>

#endif /* _NTIFS_ */
