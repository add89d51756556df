/* SPDX-License-Identifier: BSD-3-Clause */
/* Clocks, units and the results JSON of wskstack-iperf. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iperf.h"

ULONGLONG
IperfNowNs(VOID)
{
	return WskAppNowNs();
}

/* Process CPU time (C's clock(): user and system together). */
double
IperfCpuSeconds(VOID)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

double
IperfCpuPercent(ULONGLONG WallNs, double CpuStart)
{
	if (WallNs == 0)
		return 0;
	return 100.0 * (IperfCpuSeconds() - CpuStart) / ((double)WallNs / 1e9);
}

/* As iperf3 prints them: binary prefixes for bytes, decimal for bits. */
VOID
IperfFormatBytes(double Bytes, char *Out, ULONG Size)
{
	static const char *const unit[] = { "Bytes", "KBytes", "MBytes", "GBytes", "TBytes" };
	int i = 0;

	while (Bytes >= 1024.0 * 1024 && i < 3) {
		Bytes /= 1024.0;
		i++;
	}
	if (Bytes >= 1024.0 && i < 4) {
		Bytes /= 1024.0;
		i++;
	}
	snprintf(Out, Size, Bytes < 9.995 ? "%.2f %s" : Bytes < 99.95 ? "%.1f %s" : "%.0f %s",
		 Bytes, unit[i]);
}

VOID
IperfFormatRate(double BitsPerSec, char *Out, ULONG Size)
{
	static const char *const unit[] = { "bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec",
					    "Tbits/sec" };
	int i = 0;

	while (BitsPerSec >= 1000.0 && i < 4) {
		BitsPerSec /= 1000.0;
		i++;
	}
	snprintf(Out, Size, BitsPerSec < 9.995 ? "%.2f %s" : BitsPerSec < 99.95 ? "%.1f %s" : "%.0f %s",
		 BitsPerSec, unit[i]);
}

/*
 * iperf_api.c send_results(): cpu_util_total/user/system,
 * sender_has_retransmits (-1 from the receiver; we cannot read TCP_INFO
 * through WSK, so 0 from a sender, which makes iperf3 show no Retr column
 * for our side), then per stream id, bytes, retransmits (-1 = unknown),
 * jitter, errors, packets (UDP only), start_time and end_time (seconds).
 */
char *
IperfResultsJson(PIPERF_CONN *Streams, ULONG n, BOOLEAN Sender, double Seconds, double CpuPct)
{
	SIZE_T size = 256 + (SIZE_T)n * 160;
	char *j = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, IPERF_TAG);
	SIZE_T at;
	ULONG i;

	if (j == NULL)
		return NULL;
	at = (SIZE_T)snprintf(j, size,
			      "{\"cpu_util_total\":%.6f,\"cpu_util_user\":%.6f,\"cpu_util_system\":0,"
			      "\"sender_has_retransmits\":%d,\"streams\":[",
			      CpuPct, CpuPct, Sender ? 0 : -1);
	for (i = 0; i < n && at < size; i++) {
		PIPERF_CONN c = Streams[i];
		LONG64 bytes = Sender ? ReadNoFence(&c->TxBytes) : ReadNoFence(&c->RxBytes);

		at += (SIZE_T)snprintf(j + at, size - at,
				       "%s{\"id\":%u,\"bytes\":%lld,\"retransmits\":-1,\"jitter\":0,"
				       "\"errors\":0,\"packets\":0,\"start_time\":0,\"end_time\":%.6f}",
				       i ? "," : "", (unsigned int)c->Id, (long long)bytes, Seconds);
	}
	if (at < size)
		snprintf(j + at, size - at, "]}");
	return j;
}
