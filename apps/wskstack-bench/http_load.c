/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP/1.1 GET for the load engine (see http_load.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_load.h"

#define TAG 'hLkW'
#define HEAD_MAX 8192u

typedef struct _HTTP_CONN {
	BOOLEAN InBody;
	ULONG HeadLen;           /* header bytes gathered so far */
	ULONGLONG BodyLeft;      /* body bytes still to come */
	ULONG Status;
	BOOLEAN Saving;          /* this response's body goes to HTTP_LOAD.Save (-o) */
	char Head[HEAD_MAX + 1];
} HTTP_CONN, *PHTTP_CONN;

NTSTATUS
HttpLoadInit(PHTTP_LOAD h, const char *Host, const char *Path, BOOLEAN Close)
{
	char req[1024];
	int n;
	NTSTATUS st;

	RtlZeroMemory(h, sizeof(*h));
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: wskstack-bench\r\n%s\r\n", Path,
		     Host, Close ? "Connection: close\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(req))
		return STATUS_INVALID_PARAMETER;
	st = WskAppBufAlloc(&h->Request, (ULONG)n);
	if (!NT_SUCCESS(st))
		return st;
	memcpy(h->Request.Data, req, (size_t)n);
	h->RequestBytes = (ULONG)n;
	return STATUS_SUCCESS;
}

VOID
HttpLoadFini(PHTTP_LOAD h)
{
	WskAppBufFree(&h->Request);
	if (h->Save != NULL)
		ExFreePoolWithTag(h->Save, TAG);
	h->Save = NULL;
}

/* -o: a response being saved was cut short (broken connection): let another one be saved. */
static VOID
SaveAbandon(PHTTP_LOAD h, PHTTP_CONN c)
{
	if (!c->Saving)
		return;
	c->Saving = FALSE;
	if (h->Save != NULL)
		ExFreePoolWithTag(h->Save, TAG);
	h->Save = NULL;
	h->SaveLen = 0;
	InterlockedExchange(&h->SaveClaimed, 0);
}

/* -o: after a 2xx head, the first connection to get here saves this response's body. */
static VOID
SaveClaim(PHTTP_LOAD h, PHTTP_CONN c)
{
	if (!h->SaveWanted || h->SaveDone || c->Status < 200 || c->Status > 299 ||
	    c->BodyLeft > HTTP_LOAD_SAVE_MAX ||
	    InterlockedCompareExchange(&h->SaveClaimed, 1, 0) != 0)
		return;
	h->SaveLen = 0;
	h->Save = ExAllocatePool2(POOL_FLAG_NON_PAGED, c->BodyLeft ? c->BodyLeft : 1, TAG);
	if (h->Save == NULL) {
		InterlockedExchange(&h->SaveClaimed, 0);
		return;
	}
	c->Saving = TRUE;
}

static PVOID
HttpConnInit(PVOID Ctx, ULONG Index)
{
	UNREFERENCED_PARAMETER(Ctx);
	UNREFERENCED_PARAMETER(Index);
	return ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(HTTP_CONN), TAG);
}

static VOID
HttpConnFini(PVOID Ctx, PVOID State)
{
	SaveAbandon(Ctx, State);
	ExFreePoolWithTag(State, TAG);
}

static VOID
HttpRequest(PVOID Ctx, PVOID State, ULONGLONG Seq, WSK_BUF *Buf)
{
	PHTTP_LOAD h = Ctx;
	PHTTP_CONN c = State;

	UNREFERENCED_PARAMETER(Seq);
	SaveAbandon(h, c);
	c->InBody = FALSE;
	c->HeadLen = 0;
	c->BodyLeft = 0;
	c->Status = 0;
	*Buf = WskAppWskBuf(&h->Request, 0, h->RequestBytes);
}

/* Case-insensitive prefix test of a header line. */
static BOOLEAN
HeaderIs(const char *Line, const char *Name)
{
	size_t i;

	for (i = 0; Name[i] != '\0'; i++) {
		char a = Line[i], b = Name[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return FALSE;
	}
	return TRUE;
}

/* Parse the complete head (NUL-terminated): status and body length. @return FALSE if bad. */
static BOOLEAN
ParseHead(PHTTP_CONN c)
{
	char *line = c->Head, *next, *end;
	BOOLEAN have_len = FALSE;
	unsigned long long len = 0;

	if (strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
	    line[8] != ' ')
		return FALSE;
	c->Status = (ULONG)strtoul(line + 9, &end, 10);
	if (end != line + 12 || c->Status < 100 || c->Status > 999)
		return FALSE;
	for (line = strstr(line, "\r\n") + 2; *line != '\r'; line = next + 2) {
		next = strstr(line, "\r\n");
		if (next == NULL)
			return FALSE;
		if (HeaderIs(line, "content-length:")) {
			char *v = line + 15;

			while (*v == ' ' || *v == '\t')
				v++;
			len = strtoull(v, &end, 10);
			if (end == v || have_len)
				return FALSE;
			have_len = TRUE;
		} else if (HeaderIs(line, "transfer-encoding:")) {
			return FALSE; /* chunked and friends: not supported */
		}
	}
	if (!have_len && c->Status != 204 && c->Status != 304 && c->Status >= 200)
		return FALSE; /* the body would end at the close: not supported */
	c->BodyLeft = have_len ? len : 0;
	return TRUE;
}

static WSKLOAD_VERDICT
Broken(PHTTP_LOAD h)
{
	InterlockedIncrement64(&h->ParseErrors);
	return WskLoadBroken;
}

static WSKLOAD_VERDICT
HttpResponse(PVOID Ctx, PVOID State, const UCHAR *Data, ULONG Len, ULONG *Want)
{
	PHTTP_LOAD h = Ctx;
	PHTTP_CONN c = State;
	ULONG used = 0;

	if (!c->InBody) {
		ULONG take = Len < HEAD_MAX - c->HeadLen ? Len : HEAD_MAX - c->HeadLen;
		ULONG scan = c->HeadLen > 3 ? c->HeadLen - 3 : 0, i;
		BOOLEAN found = FALSE;

		memcpy(c->Head + c->HeadLen, Data, take);
		c->HeadLen += take;
		c->Head[c->HeadLen] = '\0';
		for (i = scan; i + 4 <= c->HeadLen; i++) {
			if (memcmp(c->Head + i, "\r\n\r\n", 4) == 0) {
				found = TRUE;
				break;
			}
		}
		if (!found) {
			if (c->HeadLen >= HEAD_MAX)
				return Broken(h);
			*Want = HEAD_MAX;
			return WskLoadMore;
		}
		c->Head[i + 4] = '\0';
		used = i + 4 - (c->HeadLen - take); /* bytes of this chunk in the head */
		if (c->Status == 0 && !ParseHead(c))
			return Broken(h);
		if (c->Status < 200)
			return Broken(h); /* 1xx interim responses: not supported */
		c->InBody = TRUE;
		SaveClaim(h, c);
	}
	if ((ULONGLONG)(Len - used) > c->BodyLeft)
		return Broken(h); /* more than the response: nothing was pipelined */
	if (c->Saving) {
		memcpy(h->Save + h->SaveLen, Data + used, Len - used);
		h->SaveLen += Len - used;
	}
	c->BodyLeft -= Len - used;
	InterlockedAdd64(&h->BodyBytes, Len - used);
	if (c->BodyLeft > 0) {
		*Want = c->BodyLeft < 0x10000000 ? (ULONG)c->BodyLeft : 0x10000000;
		return WskLoadMore;
	}
	if (c->Saving) {
		c->Saving = FALSE;
		InterlockedExchange(&h->SaveDone, 1);
	}
	if (c->Status >= 200 && c->Status <= 299)
		return WskLoadDone;
	InterlockedIncrement64(&h->Non2xx);
	return WskLoadBad;
}

static ULONG
HttpFirstWant(PVOID Ctx, PVOID State)
{
	UNREFERENCED_PARAMETER(Ctx);
	UNREFERENCED_PARAMETER(State);
	return HEAD_MAX;
}

const WSKLOAD_PROTO HttpLoadProto = {
	.ConnInit = HttpConnInit,
	.ConnFini = HttpConnFini,
	.Request = HttpRequest,
	.Response = HttpResponse,
	.FirstWant = HttpFirstWant,
};
