/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * specstrings.h: the name older drivers include for the source annotations.
 * Everything lives in sal.h.
 */
#ifndef _WSKSTACK_SPECSTRINGS_H_
#define _WSKSTACK_SPECSTRINGS_H_
#include <sal.h>
#endif /* _WSKSTACK_SPECSTRINGS_H_ */
