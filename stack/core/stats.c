/* SPDX-License-Identifier: BSD-3-Clause */
/* Name tables built from the X-macro lists in stk_drop.h, and error strings. */
#include <stdatomic.h>
#include <stdio.h>

#include "stk_log.h"
#include "stk_priv.h"

#define X_NAME(n, s) [STK_DROP_##n] = #n,
#define X_DESC(n, s) [STK_DROP_##n] = s,
#define X_CNT_NAME(n, s) [STK_CNT_##n] = #n,

static const char *const drop_names[] = { STK_DROP_REASONS(X_NAME) };
static const char *const drop_descs[] = { STK_DROP_REASONS(X_DESC) };
static const char *const cnt_names[] = { STK_COUNTERS(X_CNT_NAME) };

/* Lower-case copies, made once: telemetry and logs use "ipv4_bad_checksum". */
static char drop_lower[STK_DROP__MAX][32];
static char cnt_lower[STK_CNT__MAX][32];
static atomic_int names_ready;

static void
lower_copy(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] - 'A' + 'a') : src[i];
	dst[i] = '\0';
}

static void
names_init(void)
{
	unsigned int i;

	if (atomic_load_explicit(&names_ready, memory_order_acquire))
		return;
	for (i = 0; i < STK_DROP__MAX; i++)
		lower_copy(drop_lower[i], sizeof(drop_lower[i]), drop_names[i]);
	for (i = 0; i < STK_CNT__MAX; i++)
		lower_copy(cnt_lower[i], sizeof(cnt_lower[i]), cnt_names[i]);
	atomic_store_explicit(&names_ready, 1, memory_order_release);
}

const char *
stk_drop_name(enum stk_drop r)
{
	if ((unsigned int)r >= STK_DROP__MAX)
		return NULL;
	names_init();
	return drop_lower[r];
}

const char *
stk_drop_desc(enum stk_drop r)
{
	if ((unsigned int)r >= STK_DROP__MAX)
		return NULL;
	return drop_descs[r];
}

const char *
stk_cnt_name(enum stk_cnt c)
{
	if ((unsigned int)c >= STK_CNT__MAX)
		return NULL;
	names_init();
	return cnt_lower[c];
}

const char *
stk_strerror(int err)
{
	switch (err) {
	case STK_OK: return "success";
	case STK_EINVAL: return "invalid argument";
	case STK_ENOMEM: return "out of memory or table full";
	case STK_EADDRINUSE: return "address in use";
	case STK_ENOROUTE: return "no route to host";
	case STK_EMSGSIZE: return "message too long";
	case STK_EAGAIN: return "resource temporarily unavailable";
	case STK_ENOTCONN: return "not connected";
	case STK_ENOENT: return "no such entry";
	case STK_ESTATE: return "invalid in the current state";
	case STK_EADDRNOTAVAIL: return "address not available";
	default: return "unknown error";
	}
}

void
stk_obj_name(char *buf, size_t len, const char *what, const struct stk_inst *in)
{
	static atomic_uint seq;

	snprintf(buf, len, "stk_%s%u_%u", what, in != NULL ? in->idx : 0u,
		 atomic_fetch_add(&seq, 1));
}

RTE_LOG_REGISTER(stk_logtype_stack, wskstack.stack, NOTICE);
RTE_LOG_REGISTER(stk_logtype_drv, wskstack.drv, NOTICE);
