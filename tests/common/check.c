/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mempool.h>

#include "check.h"

unsigned int check_pass_count;
unsigned int check_fail_count;

int
check_done(void)
{
	printf("%u passed, %u failed\n", check_pass_count, check_fail_count);
	return check_fail_count ? 1 : 0;
}

void
test_eal_init(const char *prog)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=wsktest%d", (int)getpid());
	char *argv[] = {(char *)prog, "--no-huge", "--no-pci", "--in-memory", "-m", "256",
			"--log-level=warning", "--no-telemetry", "-l", "0", prefix, NULL};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: EAL init failed\n", prog);
		exit(1);
	}
}

static void
check_pool(struct rte_mempool *mp, void *arg)
{
	unsigned int in_use = rte_mempool_in_use_count(mp);
	(void)arg;
	CHECK(in_use == 0, "mempool %s: %u objects still in use", mp->name, in_use);
}

void
test_eal_finish(void)
{
	rte_mempool_walk(check_pool, NULL);
	rte_eal_cleanup();
}
