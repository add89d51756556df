/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wskstack-httpd: an HTTP/1.1 server written as a WSK driver (Windows
 * headers only), run to completion on the stack's lcores.
 *
 *   wskstack-httpd [-c PROFILE] [-p PORT] [-r DOCROOT] [--body-size N]
 *                  [--max-body N] [--progress SEC] [--idle-timeout SEC]
 *
 * GET and HEAD of the files under DOCROOT (read into memory at start-up),
 * of /fixed (--body-size bytes) and /bytes/N (N bytes of a pattern);
 * keep-alive and pipelining; 400, 404, 405, 413, 414, 431, 501 and 505 on
 * what it does not serve. Prints "wskstack-httpd: ready ..." once it
 * listens, a progress line every --progress seconds, and one summary line
 * after SIGINT / SIGTERM. Exit status: 0 clean, 1 start-up failure, 2 bad
 * arguments or profile, 3 a pool leaked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"

HTTPD_CONFIG HttpdConfig = {
	.Port = 80,
	.Docroot = NULL,
	.BodySize = 128,
	.MaxBody = 1u << 20,
	.ProgressSec = 5,
	.IdleSec = 60,
};

static const char *Profile = "config/default.ini";

static void
Usage(void)
{
	fprintf(stderr,
		"usage: wskstack-httpd [-c PROFILE] [-p PORT] [-r DOCROOT] [--body-size N]\n"
		"                      [--max-body N] [--progress SEC] [--idle-timeout SEC]\n"
		"  -c PROFILE      stack profile (default config/default.ini)\n"
		"  -p PORT         TCP port to listen on (default 80)\n"
		"  -r DOCROOT      serve the files under DOCROOT (read into memory at start-up;\n"
		"                  up to %u MiB a file, %u MiB in all)\n"
		"  --body-size N   bytes of GET /fixed (default 128, at most %u MiB);\n"
		"                  GET /bytes/N serves N bytes, N up to max(--body-size, 1 MiB)\n"
		"  --max-body N    largest request body read and dropped; more is 413 (default 1 MiB)\n"
		"  --progress SEC  a progress line every SEC seconds (default 5, 0: none)\n"
		"  --idle-timeout SEC  close connections idle SEC seconds (default 60, 0: never);\n"
		"                  a connection whose FIN the peer leaves unanswered goes after %llu s\n",
		HTTPD_FILE_MAX >> 20, HTTPD_CACHE_MAX >> 20, HTTPD_FIXED_CAP >> 20,
		(unsigned long long)HTTPD_LINGER_SEC);
}

/* A decimal in [Min, Max]. */
static BOOLEAN
ParseNum(const char *s, unsigned long long Min, unsigned long long Max, unsigned long long *Out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return FALSE;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v < Min || v > Max)
		return FALSE;
	*Out = v;
	return TRUE;
}

static BOOLEAN
ParseArgs(int argc, char **argv)
{
	unsigned long long v;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-c") == 0 && val != NULL)
			Profile = val;
		else if (strcmp(a, "-r") == 0 && val != NULL)
			HttpdConfig.Docroot = val;
		else if (strcmp(a, "-p") == 0 && ParseNum(val, 1, 65535, &v))
			HttpdConfig.Port = (USHORT)v;
		else if (strcmp(a, "--body-size") == 0 && ParseNum(val, 0, HTTPD_FIXED_CAP, &v))
			HttpdConfig.BodySize = (ULONG)v;
		else if (strcmp(a, "--max-body") == 0 && ParseNum(val, 0, 0xffffffffu, &v))
			HttpdConfig.MaxBody = (ULONG)v;
		else if (strcmp(a, "--progress") == 0 && ParseNum(val, 0, 3600, &v))
			HttpdConfig.ProgressSec = (ULONG)v;
		else if (strcmp(a, "--idle-timeout") == 0 && ParseNum(val, 0, 86400, &v))
			HttpdConfig.IdleSec = (ULONG)v;
		else
			return FALSE;
		i++;
	}
	return TRUE;
}

static void
PrintCounters(const char *What, LONG64 Elapsed)
{
	char st[256];
	int n = 0;

#define HTTPD_ST_PRINT(code)                                                                   \
	n += snprintf(st + n, sizeof(st) - (size_t)n, " s" #code "=%lld",                      \
		      (long long)HttpdStats.Status[HttpdSt##code]);
	HTTPD_STATUS_LIST(HTTPD_ST_PRINT)
#undef HTTPD_ST_PRINT
	printf("wskstack-httpd: %s requests=%lld%s s_other=%lld bytes_sent=%lld conns=%lld "
	       "conns_open=%ld timed_out=%lld pauses=%lld send_errors=%lld sends_inline=%lld "
	       "seconds=%lld\n",
	       What, (long long)HttpdStats.Requests, st, (long long)HttpdStats.Status[HttpdStOther],
	       (long long)HttpdStats.BytesSent, (long long)HttpdStats.Conns,
	       (long)HttpdConnsLive(), (long long)HttpdStats.TimedOut, (long long)HttpdStats.Pauses,
	       (long long)HttpdStats.SendErrors, (long long)HttpdStats.SendsInline,
	       (long long)Elapsed);
	fflush(stdout);
}

static PWSK_SOCKET
OpenListener(PWSKAPP_CLIENT Client)
{
	SOCKADDR_IN a;
	PWSK_SOCKET s;
	NTSTATUS st;

	s = WskAppSocket(Client, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, NULL,
			 &HttpdListenDispatch, &st);
	if (s == NULL) {
		fprintf(stderr, "wskstack-httpd: WskSocket: 0x%08x\n", (unsigned int)st);
		return NULL;
	}
	WskAppAnyAddr(HttpdConfig.Port, &a);
	st = WskAppBind(s, &a);
	/* Receive and disconnect events pass to the connections WskAcceptEvent takes. */
	if (NT_SUCCESS(st))
		st = WskAppEvents(s, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
	if (!NT_SUCCESS(st)) {
		fprintf(stderr, "wskstack-httpd: listening on port %u: 0x%08x\n", HttpdConfig.Port,
			(unsigned int)st);
		WskAppCloseSocket(s);
		return NULL;
	}
	return s;
}

/* Serve until a stop is requested: a sweep of stale connections every second, a progress line
 * every --progress seconds. */
static VOID
Serve(ULONGLONG T0)
{
	ULONGLONG next = T0 + (ULONGLONG)HttpdConfig.ProgressSec * 1000000000ull;

	while (!WskstackWaitForStop(1000)) {
		HttpdSweep();
		if (HttpdConfig.ProgressSec != 0 && WskAppNowNs() >= next) {
			PrintCounters("progress", (LONG64)((WskAppNowNs() - T0) / 1000000000ull));
			next += (ULONGLONG)HttpdConfig.ProgressSec * 1000000000ull;
		}
	}
}

/* Close every connection and wait (5 s at most) until each is freed. */
static BOOLEAN
CloseConnections(VOID)
{
	int waited;

	HttpdCloseAll();
	for (waited = 0; HttpdConnsLive() > 0 && waited < 500; waited++) {
		LARGE_INTEGER t;

		t.QuadPart = -10LL * 10000; /* 10 ms */
		KeDelayExecutionThread(KernelMode, FALSE, &t);
	}
	return HttpdConnsLive() == 0;
}

static NTSTATUS
DriverMain(PVOID Context)
{
	WSKAPP_CLIENT client;
	PWSK_SOCKET listener;
	ULONGLONG t0;
	ULONG files;
	ULONGLONG bytes;
	NTSTATUS st;

	UNREFERENCED_PARAMETER(Context);
	HttpdConnInit();
	st = HttpdCacheLoad(HttpdConfig.Docroot, HttpdConfig.BodySize);
	if (!NT_SUCCESS(st))
		return st;
	st = WskAppOpen(&client);
	if (!NT_SUCCESS(st)) {
		fprintf(stderr, "wskstack-httpd: WSK registration: 0x%08x\n", (unsigned int)st);
		HttpdCacheFree();
		return st;
	}
	listener = OpenListener(&client);
	if (listener == NULL) {
		WskAppClose(&client);
		HttpdCacheFree();
		return STATUS_UNSUCCESSFUL;
	}
	HttpdCacheStats(&files, &bytes);
	printf("wskstack-httpd: ready port=%u docroot=%s files=%lu cached_bytes=%llu fixed=%lu\n",
	       HttpdConfig.Port, HttpdConfig.Docroot ? HttpdConfig.Docroot : "-",
	       (unsigned long)files, (unsigned long long)bytes, (unsigned long)HttpdConfig.BodySize);
	fflush(stdout);
	t0 = WskAppNowNs();
	Serve(t0);
	WskAppCloseSocket(listener); /* no accept event runs after this */
	st = CloseConnections() ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
	PrintCounters("summary", (LONG64)((WskAppNowNs() - t0) / 1000000000ull));
	if (!NT_SUCCESS(st)) {
		/* Deregistering would wait for those sockets forever. */
		fprintf(stderr, "wskstack-httpd: %ld connections did not close\n",
			(long)HttpdConnsLive());
		return st;
	}
	WskAppClose(&client);
	HttpdCacheFree();
	return STATUS_SUCCESS;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		Usage();
		return 0;
	}
	if (!ParseArgs(argc, argv)) {
		Usage();
		return 2;
	}
	return WskstackRun(Profile, argv[0], DriverMain, NULL);
}
