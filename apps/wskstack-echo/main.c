/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wskstack-echo: a WSK echo server and a request/response echo client.
 *
 *   wskstack-echo [-c PROFILE] -s [-p PORT] [--stats SEC]
 *   wskstack-echo [-c PROFILE] -C A.B.C.D[:PORT] [-n CONNS] [-m BYTES]
 *                 [-k COUNT | -t SECONDS] [-u] [--stats SEC]
 *
 * The server echoes TCP and UDP on PORT (default 7) zero-copy on the lcores
 * until SIGINT. The client keeps CONNS connections (or UDP sockets), each
 * with one message of BYTES in flight: send, wait for the whole echo,
 * compare every byte, repeat; COUNT messages per connection or for SECONDS.
 * Both print one summary line; the client exits 1 if any byte came back
 * wrong, any I/O failed or no message made the round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_server.h"
#include "wskapp.h"
#include "wskload_echo.h"

#define PROG "wskstack-echo"

typedef struct _ECHO_ARGS {
	const char *Profile;
	BOOLEAN Server;
	USHORT Port;
	ULONG StatsSec;
	WSKLOAD_CONFIG Load;
	ULONG MsgBytes;
	BOOLEAN Failed;       /* out: the client saw a mismatch or an error */
} ECHO_ARGS, *PECHO_ARGS;

static void
Usage(const char *Why)
{
	if (Why != NULL)
		fprintf(stderr, "%s: %s\n", PROG, Why);
	fprintf(stderr,
		"usage: %s [-c PROFILE] -s [-p PORT] [--stats SEC] [--sockperf]\n"
		"       %s [-c PROFILE] -C A.B.C.D[:PORT] [-n CONNS] [-m BYTES] [-k COUNT | -t SECONDS]\n"
		"                     [-u] [--stats SEC]\n"
		"  -c PROFILE   stack profile (default config/default.ini)\n"
		"  -s           server: echo TCP and UDP on PORT (default 7) until SIGINT\n"
		"  -C ADDR      client: ping-pong with the echo server at ADDR (port 7 by default)\n"
		"  -n CONNS     concurrent connections (default 1)\n"
		"  -m BYTES     message size (default 64; UDP at most 65507)\n"
		"  -k COUNT     messages per connection (default 1000 unless -t)\n"
		"  -t SECONDS   run for SECONDS instead of a count\n"
		"  -u           UDP instead of TCP\n"
		"  --stats SEC  a progress line every SEC seconds (default 5; 0: none)\n"
		"  --sockperf   server: answer UDP as sockperf's server does (ping-pong clients)\n",
		PROG, PROG);
	exit(2);
}

/* A decimal in [Min, Max] or usage. */
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

static void
ParseArgs(int argc, char **argv, PECHO_ARGS a)
{
	const char *client = NULL;
	BOOLEAN count = FALSE, secs = FALSE;
	int i;

	a->Profile = "config/default.ini";
	a->Port = 7;
	a->StatsSec = 5;
	a->MsgBytes = 64;
	a->Load.Conns = 1;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			Usage(NULL);
		} else if (strcmp(o, "-s") == 0) {
			a->Server = TRUE;
			continue;
		} else if (strcmp(o, "-u") == 0) {
			a->Load.Udp = TRUE;
			continue;
		} else if (strcmp(o, "-c") == 0) {
			if (v == NULL)
				Usage("-c needs a file");
			a->Profile = v;
		} else if (strcmp(o, "-p") == 0) {
			a->Port = (USHORT)Num(o, v, 1, 65535);
		} else if (strcmp(o, "--stats") == 0) {
			a->StatsSec = (ULONG)Num(o, v, 0, 3600);
		} else if (strcmp(o, "--sockperf") == 0) {
			EchoSockperfReplies = TRUE;
			continue; /* takes no value */
		} else if (strcmp(o, "-C") == 0) {
			if (v == NULL)
				Usage("-C needs an address");
			client = v;
		} else if (strcmp(o, "-n") == 0) {
			a->Load.Conns = (ULONG)Num(o, v, 1, 100000);
		} else if (strcmp(o, "-m") == 0) {
			a->MsgBytes = (ULONG)Num(o, v, 1, 64u << 20);
		} else if (strcmp(o, "-k") == 0) {
			a->Load.PerConn = Num(o, v, 1, ~0ull >> 1);
			count = TRUE;
		} else if (strcmp(o, "-t") == 0) {
			a->Load.Seconds = (ULONG)Num(o, v, 1, 86400);
			secs = TRUE;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", PROG, o);
			Usage(NULL);
		}
		i++;
	}
	if (a->Server == (client != NULL))
		Usage("give exactly one of -s (server) and -C ADDR (client)");
	if (a->Server)
		return;
	if (!WskAppParseAddr(client, 7, &a->Load.Remote))
		Usage("-C: want A.B.C.D or A.B.C.D:PORT");
	if (count && secs)
		Usage("-k and -t exclude each other");
	if (!count && !secs)
		a->Load.PerConn = 1000;
	if (a->Load.Udp && a->MsgBytes > 65507)
		Usage("-m: a UDP message is at most 65507 bytes");
}

static NTSTATUS
RunClient(PWSKAPP_CLIENT c, PECHO_ARGS a)
{
	WSKLOAD_ECHO echo;
	WSKLOAD_RESULT *r;
	char fields[160], extra[96], addr[32];
	NTSTATUS st;

	r = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*r), 'cohE');
	if (r == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = WskLoadEchoInit(&echo, a->MsgBytes, a->Load.Udp);
	if (!NT_SUCCESS(st)) {
		ExFreePoolWithTag(r, 'cohE');
		return st;
	}
	a->Load.Prog = PROG;
	a->Load.StatsSec = a->StatsSec;
	a->Load.RecvBytes = a->Load.Udp ? a->MsgBytes + 64 : (a->MsgBytes < 65536 ? a->MsgBytes : 65536);
	a->Load.Proto = &WskLoadEchoProto;
	a->Load.ProtoCtx = &echo;
	st = WskLoadRun(c, &a->Load, r);
	WskAppFormatAddr(&a->Load.Remote, addr, sizeof(addr));
	snprintf(fields, sizeof(fields), "mode=client proto=%s server=%s conns=%u msg_bytes=%u",
		 a->Load.Udp ? "udp" : "tcp", addr, (unsigned int)a->Load.Conns,
		 (unsigned int)a->MsgBytes);
	snprintf(extra, sizeof(extra), "mismatches=%lld mismatched_bytes=%lld",
		 (long long)echo.Mismatches, (long long)echo.MismatchedBytes);
	WskLoadPrintSummary(PROG, fields, r, extra);
	a->Failed = !NT_SUCCESS(st) || echo.Mismatches != 0 || r->Errors != 0 ||
		    r->ConnectErrors != 0 || r->Bad != 0 || r->Requests == 0;
	WskLoadEchoFini(&echo);
	ExFreePoolWithTag(r, 'cohE');
	return STATUS_SUCCESS;
}

static NTSTATUS
DriverMain(PVOID Context)
{
	PECHO_ARGS a = Context;
	WSKAPP_CLIENT client;
	NTSTATUS st;

	st = WskAppOpen(&client);
	if (!NT_SUCCESS(st)) {
		fprintf(stderr, "%s: WSK registration failed: 0x%08x\n", PROG, (unsigned int)st);
		return st;
	}
	if (a->Server)
		st = EchoServerRun(&client, a->Port, a->StatsSec);
	else
		st = RunClient(&client, a);
	WskAppClose(&client);
	return st;
}

int
main(int argc, char **argv)
{
	static ECHO_ARGS args;
	int rc;

	ParseArgs(argc, argv, &args);
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = WskstackRun(args.Profile, argv[0], DriverMain, &args);
	if (rc == 0 && args.Failed)
		rc = 1;
	return rc;
}
