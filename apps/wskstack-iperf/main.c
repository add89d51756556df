/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wskstack-iperf: an iperf3-compatible server and client written as a WSK
 * driver (Windows headers only), so that Debian's stock iperf3 measures the
 * stack and the stack measures Linux.
 *
 *   wskstack-iperf [-c PROFILE] -s [-p PORT] [-i SEC]
 *   wskstack-iperf [-c PROFILE] -C A.B.C.D [-p PORT] [-t SEC | -n BYTES] [-l LEN] [-P N] [-R] [-i SEC]
 *
 * Exit status: 0 done (every socket, IRP and pool back), 1 the test failed,
 * 2 bad arguments or start-up error, 3 something leaked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iperf.h"

static const char Usage[] =
	"usage: wskstack-iperf [-c PROFILE] -s [-p PORT] [-i SEC]\n"
	"       wskstack-iperf [-c PROFILE] -C A.B.C.D [-p PORT] [-t SEC | -n BYTES[KMG]]\n"
	"                      [-l LEN[KMG]] [-P STREAMS] [-R] [-i SEC]\n"
	"  -c PROFILE  INI profile of the stack (default config/default.ini)\n"
	"  -s          server: answer stock iperf3 clients, one test at a time, until SIGINT\n"
	"  -C ADDR     client: run one test against an iperf3 server at ADDR\n"
	"  -p PORT     server port (default 5201)\n"
	"  -t SEC      test time (default 10)\n"
	"  -n BYTES    bytes to transfer instead of a time\n"
	"  -l LEN      bytes per send (default 128K, at most 1M)\n"
	"  -P STREAMS  parallel data streams (default 1, at most 128)\n"
	"  -R          reverse: the server sends\n"
	"  -i SEC      seconds between progress lines (default 1)\n"
	"  TCP only: -u (UDP) and --bidir are refused.\n";

static IPERF_OPTS Opts;
static WSKAPP_CLIENT Client;

static int
Bad(const char *why, const char *arg)
{
	fprintf(stderr, "wskstack-iperf: %s%s%s\n%s", why, arg ? ": " : "", arg ? arg : "", Usage);
	return 2;
}

/* A count with an optional K, M or G (binary, as iperf3 reads them). */
static BOOLEAN
ParseSize(const char *s, ULONGLONG Max, ULONGLONG *Out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return FALSE;
	switch (*end) {
	case 'k': case 'K': v *= 1024.0; end++; break;
	case 'm': case 'M': v *= 1024.0 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end != '\0' || v > (double)Max || v < 1)
		return FALSE;
	*Out = (ULONGLONG)v;
	return TRUE;
}

static BOOLEAN
ParseUint(const char *s, ULONG Min, ULONG Max, ULONG *Out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end != '\0' || v < Min || v > Max)
		return FALSE;
	*Out = (ULONG)v;
	return TRUE;
}

static NTSTATUS
DriverMain(PVOID Context)
{
	NTSTATUS st;

	UNREFERENCED_PARAMETER(Context);
	st = WskAppOpen(&Client);
	if (!NT_SUCCESS(st)) {
		fprintf(stderr, "wskstack-iperf: WSK registration failed: 0x%08x\n", (unsigned int)st);
		return st;
	}
	IperfClient = &Client;
	st = Opts.Server ? IperfServerRun(&Opts) : IperfClientRun(&Opts);
	WskAppClose(&Client);
	return st;
}

int
main(int argc, char **argv)
{
	const char *profile = "config/default.ini", *remote = NULL;
	ULONGLONG v;
	ULONG u;
	BOOLEAN haveT = FALSE;
	int i;

	Opts.Port = IPERF_DEFAULT_PORT;
	Opts.P.Time = 10;
	Opts.P.Parallel = 1;
	Opts.P.Len = IPERF_DEFAULT_LEN;
	Opts.Interval = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		BOOLEAN takes = strcmp(a, "-c") == 0 || strcmp(a, "-C") == 0 || strcmp(a, "-p") == 0 ||
				strcmp(a, "-t") == 0 || strcmp(a, "-n") == 0 || strcmp(a, "-l") == 0 ||
				strcmp(a, "-P") == 0 || strcmp(a, "-i") == 0;

		if (takes && val == NULL)
			return Bad("missing value after", a);
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(Usage, stdout);
			return 0;
		} else if (strcmp(a, "-c") == 0) {
			profile = val;
		} else if (strcmp(a, "-s") == 0) {
			Opts.Server = TRUE;
		} else if (strcmp(a, "-C") == 0) {
			remote = val;
		} else if (strcmp(a, "-p") == 0) {
			if (!ParseUint(val, 1, 65535, &u))
				return Bad("bad port", val);
			Opts.Port = (USHORT)u;
		} else if (strcmp(a, "-t") == 0) {
			if (!ParseUint(val, 1, 86400, &Opts.P.Time))
				return Bad("bad time", val);
			haveT = TRUE;
		} else if (strcmp(a, "-n") == 0) {
			if (!ParseSize(val, 1ull << 50, &Opts.P.Bytes))
				return Bad("bad byte count", val);
		} else if (strcmp(a, "-l") == 0) {
			if (!ParseSize(val, IPERF_MAX_LEN, &v))
				return Bad("bad length (1 to 1M)", val);
			Opts.P.Len = (ULONG)v;
		} else if (strcmp(a, "-P") == 0) {
			if (!ParseUint(val, 1, IPERF_MAX_STREAMS, &Opts.P.Parallel))
				return Bad("bad stream count (1 to 128)", val);
		} else if (strcmp(a, "-i") == 0) {
			if (!ParseUint(val, 1, 3600, &Opts.Interval))
				return Bad("bad interval", val);
		} else if (strcmp(a, "-R") == 0) {
			Opts.P.Reverse = TRUE;
		} else if (strcmp(a, "-u") == 0 || strcmp(a, "--udp") == 0 ||
			   strcmp(a, "--bidir") == 0) {
			return Bad("not implemented (TCP only)", a);
		} else {
			return Bad("unknown argument", a);
		}
		if (takes)
			i++;
	}
	if (Opts.Server == (remote != NULL))
		return Bad("give exactly one of -s and -C", NULL);
	if (remote != NULL && !WskAppParseAddr(remote, Opts.Port, &Opts.Remote))
		return Bad("bad address (A.B.C.D)", remote);
	if (remote != NULL && strchr(remote, ':') == NULL)
		Opts.Remote.sin_port = RtlUshortByteSwap(Opts.Port);
	if (haveT && Opts.P.Bytes != 0)
		return Bad("give at most one of -t and -n", NULL);
	if (Opts.Server && (haveT || Opts.P.Bytes || Opts.P.Reverse || Opts.P.Parallel != 1 ||
			     Opts.P.Len != IPERF_DEFAULT_LEN))
		return Bad("-t, -n, -l, -P and -R are client options", NULL);
	return WskstackRun(profile, argv[0], DriverMain, NULL);
}
