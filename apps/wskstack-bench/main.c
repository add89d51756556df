/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wskstack-bench: a load generator on the stack.
 *
 *   wskstack-bench [-c PROFILE] --http A.B.C.D[:PORT][/PATH] [--keepalive | --close]
 *                  [--conns N] [-t SECONDS | -n REQUESTS] [--stats SEC] [-o FILE]
 *   wskstack-bench [-c PROFILE] --echo A.B.C.D[:PORT] [-m BYTES] [-u]
 *                  [--conns N] [-t SECONDS | -n REQUESTS] [--stats SEC]
 *
 * N connections (default 8), each with one request in flight. --http sends
 * GET PATH and reads the response (status line and Content-Length); with
 * --close every request has its own connection ("Connection: close") and
 * its latency includes the handshake. --echo is the echo ping-pong of
 * wskstack-echo -C. Prints requests/s, latency percentiles and the errors
 * (non-2xx, parse errors, resets and failed I/O, failed connects,
 * mismatching echoes); exits 1 if there was any or no request completed.
 * -o FILE saves the body of one 2xx response (the first to arrive) to FILE,
 * for a byte-exact check (e.g. -n 1 --conns 1 -o FILE); no such body is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_load.h"
#include "wskapp.h"
#include "wskload_echo.h"

#define PROG "wskstack-bench"

typedef struct _BENCH_ARGS {
	const char *Profile;
	const char *Target;      /* as given */
	const char *SaveFile;    /* -o: where one response body goes */
	BOOLEAN Http;
	BOOLEAN Close;
	char Host[64];           /* HTTP Host header: A.B.C.D[:PORT] */
	char Path[512];
	ULONG MsgBytes;
	WSKLOAD_CONFIG Load;
	BOOLEAN Failed;
} BENCH_ARGS, *PBENCH_ARGS;

static void
Usage(const char *Why)
{
	if (Why != NULL)
		fprintf(stderr, "%s: %s\n", PROG, Why);
	fprintf(stderr,
		"usage: %s [-c PROFILE] --http A.B.C.D[:PORT][/PATH] [--keepalive | --close]\n"
		"                      [--conns N] [-t SECONDS | -n REQUESTS] [--stats SEC] [-o FILE]\n"
		"       %s [-c PROFILE] --echo A.B.C.D[:PORT] [-m BYTES] [-u]\n"
		"                      [--conns N] [-t SECONDS | -n REQUESTS] [--stats SEC]\n"
		"  -c PROFILE   stack profile (default config/default.ini)\n"
		"  --http URL   GET PATH (default /) from the server (port 80 by default)\n"
		"  --keepalive  one connection for many requests (default)\n"
		"  --close      a new connection per request (Connection: close)\n"
		"  --echo ADDR  echo ping-pong with an echo server (port 7 by default)\n"
		"  -m BYTES     echo message size (default 64)\n"
		"  -u           echo over UDP\n"
		"  --conns N    concurrent connections (default 8)\n"
		"  -t SECONDS   duration (default 10)\n"
		"  -n REQUESTS  requests in all, instead of a duration\n"
		"  --stats SEC  a progress line every SEC seconds (default 5; 0: none)\n"
		"  -o FILE      --http: save the body of one 2xx response to FILE\n",
		PROG, PROG);
	exit(2);
}

static unsigned long long
Num(const char *Opt, const char *Text, unsigned long long Min, unsigned long long Max)
{
	ULONGLONG v;

	if (Text == NULL)
		Usage("an option needs a value");
	if (!WskAppParseNum(Text, Min, Max, &v)) {
		fprintf(stderr, "%s: %s: '%s' is not a number in %llu..%llu\n", PROG, Opt, Text, Min,
			Max);
		Usage(NULL);
	}
	return v;
}

/* "[http://]A.B.C.D[:PORT][/PATH]" into the address, the Host header and the path. */
static BOOLEAN
ParseUrl(PBENCH_ARGS a, const char *Url)
{
	const char *slash;
	char hostport[64];
	size_t n;

	if (strncmp(Url, "http://", 7) == 0)
		Url += 7;
	slash = strchr(Url, '/');
	n = slash != NULL ? (size_t)(slash - Url) : strlen(Url);
	if (n == 0 || n >= sizeof(hostport))
		return FALSE;
	memcpy(hostport, Url, n);
	hostport[n] = '\0';
	if (!WskAppParseAddr(hostport, 80, &a->Load.Remote))
		return FALSE;
	snprintf(a->Host, sizeof(a->Host), "%s", hostport);
	if (slash == NULL)
		strcpy(a->Path, "/");
	else if (strlen(slash) >= sizeof(a->Path) || strpbrk(slash, " \r\n") != NULL)
		return FALSE;
	else
		strcpy(a->Path, slash);
	return TRUE;
}

static void
ParseArgs(int argc, char **argv, PBENCH_ARGS a)
{
	BOOLEAN count = FALSE, secs = FALSE, conn_mode = FALSE, echo = FALSE;
	int i;

	a->Profile = "config/default.ini";
	a->MsgBytes = 64;
	a->Load.Conns = 8;
	a->Load.StatsSec = 5;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			Usage(NULL);
		} else if (strcmp(o, "--keepalive") == 0 || strcmp(o, "--close") == 0) {
			if (conn_mode)
				Usage("--keepalive and --close exclude each other");
			conn_mode = TRUE;
			a->Close = strcmp(o, "--close") == 0;
			continue;
		} else if (strcmp(o, "-u") == 0) {
			a->Load.Udp = TRUE;
			continue;
		} else if (strcmp(o, "-c") == 0) {
			if (v == NULL)
				Usage("-c needs a profile");
			a->Profile = v;
		} else if (strcmp(o, "--http") == 0 || strcmp(o, "--echo") == 0) {
			if (v == NULL || a->Target != NULL)
				Usage("give one target: --http URL or --echo ADDR");
			a->Target = v;
			a->Http = strcmp(o, "--http") == 0;
			echo = !a->Http;
		} else if (strcmp(o, "--conns") == 0) {
			a->Load.Conns = (ULONG)Num(o, v, 1, 100000);
		} else if (strcmp(o, "-m") == 0) {
			a->MsgBytes = (ULONG)Num(o, v, 1, 64u << 20);
		} else if (strcmp(o, "-t") == 0) {
			a->Load.Seconds = (ULONG)Num(o, v, 1, 86400);
			secs = TRUE;
		} else if (strcmp(o, "-n") == 0) {
			a->Load.Total = Num(o, v, 1, ~0ull >> 1);
			count = TRUE;
		} else if (strcmp(o, "-o") == 0) {
			if (v == NULL || *v == '\0')
				Usage("-o needs a file name");
			a->SaveFile = v;
		} else if (strcmp(o, "--stats") == 0) {
			a->Load.StatsSec = (ULONG)Num(o, v, 0, 3600);
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", PROG, o);
			Usage(NULL);
		}
		i++;
	}
	if (a->Target == NULL)
		Usage("give a target: --http URL or --echo ADDR");
	if (count && secs)
		Usage("-t and -n exclude each other");
	if (!count && !secs)
		a->Load.Seconds = 10;
	if (a->SaveFile != NULL && !a->Http)
		Usage("-o goes with --http");
	if (a->Http && a->Load.Udp)
		Usage("-u goes with --echo");
	if (echo && conn_mode)
		Usage("--keepalive and --close go with --http");
	if (a->Http && !ParseUrl(a, a->Target))
		Usage("--http: want A.B.C.D[:PORT][/PATH]");
	if (echo && !WskAppParseAddr(a->Target, 7, &a->Load.Remote))
		Usage("--echo: want A.B.C.D[:PORT]");
	if (a->Load.Udp && a->MsgBytes > 65507)
		Usage("-m: a UDP message is at most 65507 bytes");
}

/* -o: write the saved body (PASSIVE, after the run). @return FALSE if there is none or on error. */
static BOOLEAN
SaveBody(PBENCH_ARGS a, PHTTP_LOAD h)
{
	FILE *f;
	BOOLEAN ok;

	if (!h->SaveDone) {
		fprintf(stderr, "%s: -o %s: no complete 2xx response body to save\n", PROG,
			a->SaveFile);
		return FALSE;
	}
	f = fopen(a->SaveFile, "wb");
	if (f == NULL) {
		fprintf(stderr, "%s: -o %s: cannot create the file\n", PROG, a->SaveFile);
		return FALSE;
	}
	ok = fwrite(h->Save, 1, (size_t)h->SaveLen, f) == h->SaveLen;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "%s: -o %s: write failed\n", PROG, a->SaveFile);
	else
		printf("%s: saved %llu body bytes to %s\n", PROG, (unsigned long long)h->SaveLen,
		       a->SaveFile);
	return ok;
}

static NTSTATUS
RunBench(PWSKAPP_CLIENT c, PBENCH_ARGS a)
{
	WSKLOAD_ECHO echo;
	HTTP_LOAD http;
	WSKLOAD_RESULT *r;
	char fields[800], extra[160], addr[32];
	BOOLEAN saved_ok = TRUE;
	ULONGLONG problems;
	NTSTATUS st;

	r = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*r), 'hcnB');
	if (r == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (a->Http) {
		st = HttpLoadInit(&http, a->Host, a->Path, a->Close);
		http.SaveWanted = a->SaveFile != NULL;
	}
	else
		st = WskLoadEchoInit(&echo, a->MsgBytes, a->Load.Udp);
	if (!NT_SUCCESS(st)) {
		ExFreePoolWithTag(r, 'hcnB');
		return st;
	}
	a->Load.Prog = PROG;
	a->Load.Reconnect = a->Http && a->Close;
	if (a->Http)
		a->Load.RecvBytes = 65536;
	else
		a->Load.RecvBytes = a->Load.Udp ? a->MsgBytes + 64
						: (a->MsgBytes < 65536 ? a->MsgBytes : 65536);
	a->Load.Proto = a->Http ? &HttpLoadProto : &WskLoadEchoProto;
	a->Load.ProtoCtx = a->Http ? (PVOID)&http : (PVOID)&echo;
	st = WskLoadRun(c, &a->Load, r);
	WskAppFormatAddr(&a->Load.Remote, addr, sizeof(addr));
	if (a->Http) {
		snprintf(fields, sizeof(fields), "mode=http conn=%s target=%s%s conns=%u",
			 a->Close ? "close" : "keepalive", addr, a->Path,
			 (unsigned int)a->Load.Conns);
		snprintf(extra, sizeof(extra), "non2xx=%lld parse_errors=%lld body_bytes=%lld",
			 (long long)http.Non2xx, (long long)http.ParseErrors,
			 (long long)http.BodyBytes);
		if (a->SaveFile != NULL && !SaveBody(a, &http))
			saved_ok = FALSE;
		HttpLoadFini(&http);
	} else {
		snprintf(fields, sizeof(fields), "mode=echo proto=%s target=%s conns=%u msg_bytes=%u",
			 a->Load.Udp ? "udp" : "tcp", addr, (unsigned int)a->Load.Conns,
			 (unsigned int)a->MsgBytes);
		snprintf(extra, sizeof(extra), "mismatches=%lld mismatched_bytes=%lld",
			 (long long)echo.Mismatches, (long long)echo.MismatchedBytes);
		WskLoadEchoFini(&echo);
	}
	WskLoadPrintSummary(PROG, fields, r, extra);
	problems = r->Errors + r->ConnectErrors + r->Bad;
	a->Failed = !NT_SUCCESS(st) || problems != 0 || r->Requests == 0 || !saved_ok;
	ExFreePoolWithTag(r, 'hcnB');
	return STATUS_SUCCESS;
}

static NTSTATUS
DriverMain(PVOID Context)
{
	PBENCH_ARGS a = Context;
	WSKAPP_CLIENT client;
	NTSTATUS st;

	st = WskAppOpen(&client);
	if (!NT_SUCCESS(st)) {
		fprintf(stderr, "%s: WSK registration failed: 0x%08x\n", PROG, (unsigned int)st);
		return st;
	}
	st = RunBench(&client, a);
	WskAppClose(&client);
	return st;
}

int
main(int argc, char **argv)
{
	static BENCH_ARGS args;
	int rc;

	ParseArgs(argc, argv, &args);
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = WskstackRun(args.Profile, argv[0], DriverMain, &args);
	if (rc == 0 && args.Failed)
		rc = 1;
	return rc;
}
