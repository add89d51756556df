/* SPDX-License-Identifier: BSD-3-Clause */
/* The echo ping-pong protocol (see wskload_echo.h). */
#include <string.h>

#include "wskload_echo.h"

#define TAG 'eLkW'
#define PAD 4096u

typedef struct _ECHO_CONN {
	ULONG Index;
	ULONG Off;        /* where in the pattern the current request starts */
	ULONG Got;        /* TCP: bytes of the answer so far */
	ULONG Wrong;      /* wrong bytes of the current answer */
	ULONGLONG Seq;
	const UCHAR *Expect;
	WSKAPP_BUF Tx;    /* UDP: the request with its sequence number */
} ECHO_CONN, *PECHO_CONN;

NTSTATUS
WskLoadEchoInit(PWSKLOAD_ECHO e, ULONG MsgBytes, BOOLEAN Udp)
{
	ULONGLONG x = 0x9e3779b97f4a7c15ull;
	NTSTATUS st;
	ULONG i;

	RtlZeroMemory(e, sizeof(*e));
	e->MsgBytes = MsgBytes;
	e->Udp = Udp;
	st = WskAppBufAlloc(&e->Pattern, MsgBytes + PAD);
	if (!NT_SUCCESS(st))
		return st;
	for (i = 0; i < e->Pattern.Size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		e->Pattern.Data[i] = (UCHAR)(x >> 24);
	}
	return STATUS_SUCCESS;
}

VOID
WskLoadEchoFini(PWSKLOAD_ECHO e)
{
	WskAppBufFree(&e->Pattern);
}

static PVOID
EchoConnInit(PVOID Ctx, ULONG Index)
{
	PWSKLOAD_ECHO e = Ctx;
	PECHO_CONN c = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), TAG);

	if (c == NULL)
		return NULL;
	RtlZeroMemory(c, sizeof(*c));
	c->Index = Index;
	if (e->Udp && !NT_SUCCESS(WskAppBufAlloc(&c->Tx, e->MsgBytes))) {
		ExFreePoolWithTag(c, TAG);
		return NULL;
	}
	return c;
}

static VOID
EchoConnFini(PVOID Ctx, PVOID State)
{
	PECHO_CONN c = State;

	UNREFERENCED_PARAMETER(Ctx);
	WskAppBufFree(&c->Tx);
	ExFreePoolWithTag(c, TAG);
}

static VOID
EchoRequest(PVOID Ctx, PVOID State, ULONGLONG Seq, WSK_BUF *Buf)
{
	PWSKLOAD_ECHO e = Ctx;
	PECHO_CONN c = State;
	ULONG i;

	c->Seq = Seq;
	c->Off = (ULONG)((c->Index * 7919ull + Seq * 61ull) % PAD);
	c->Got = 0;
	c->Wrong = 0;
	if (!e->Udp) {
		c->Expect = e->Pattern.Data + c->Off;
		*Buf = WskAppWskBuf(&e->Pattern, c->Off, e->MsgBytes);
		return;
	}
	memcpy(c->Tx.Data, e->Pattern.Data + c->Off, e->MsgBytes);
	for (i = 0; i < 8 && i < e->MsgBytes; i++)
		c->Tx.Data[i] = (UCHAR)(Seq >> (8 * i));
	c->Expect = c->Tx.Data;
	*Buf = WskAppWskBuf(&c->Tx, 0, e->MsgBytes);
}

static ULONG
CountWrong(const UCHAR *a, const UCHAR *b, ULONG n)
{
	ULONG i, wrong = 0;

	if (memcmp(a, b, n) == 0)
		return 0;
	for (i = 0; i < n; i++)
		wrong += a[i] != b[i];
	return wrong;
}

static WSKLOAD_VERDICT
Verdict(PWSKLOAD_ECHO e, PECHO_CONN c)
{
	if (c->Wrong == 0)
		return WskLoadDone;
	InterlockedIncrement64(&e->Mismatches);
	InterlockedAdd64(&e->MismatchedBytes, c->Wrong);
	return WskLoadBad;
}

static WSKLOAD_VERDICT
EchoResponse(PVOID Ctx, PVOID State, const UCHAR *Data, ULONG Len, ULONG *Want)
{
	PWSKLOAD_ECHO e = Ctx;
	PECHO_CONN c = State;
	ULONG n, i;
	ULONGLONG seq = 0;

	if (e->Udp) {
		if (e->MsgBytes >= 8 && Len >= 8) {
			for (i = 0; i < 8; i++)
				seq |= (ULONGLONG)Data[i] << (8 * i);
			if (seq != c->Seq)
				return WskLoadStale;
		}
		n = Len < e->MsgBytes ? Len : e->MsgBytes;
		c->Wrong = CountWrong(Data, c->Expect, n) + (Len > n ? Len - n : e->MsgBytes - n);
		return Verdict(e, c);
	}
	if (Len > e->MsgBytes - c->Got) {
		/* More than was sent: the stream is out of step. */
		InterlockedIncrement64(&e->Mismatches);
		InterlockedAdd64(&e->MismatchedBytes, Len - (e->MsgBytes - c->Got));
		return WskLoadBroken;
	}
	c->Wrong += CountWrong(Data, c->Expect + c->Got, Len);
	c->Got += Len;
	if (c->Got < e->MsgBytes) {
		*Want = e->MsgBytes - c->Got;
		return WskLoadMore;
	}
	return Verdict(e, c);
}

static ULONG
EchoFirstWant(PVOID Ctx, PVOID State)
{
	UNREFERENCED_PARAMETER(State);
	return ((PWSKLOAD_ECHO)Ctx)->MsgBytes;
}

const WSKLOAD_PROTO WskLoadEchoProto = {
	.ConnInit = EchoConnInit,
	.ConnFini = EchoConnFini,
	.Request = EchoRequest,
	.Response = EchoResponse,
	.FirstWant = EchoFirstWant,
};
