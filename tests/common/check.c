/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
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
	char *argv[] = {(char *)prog, "--no-huge", "--no-pci", "-m", "512",
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

/* EAL leaves its per-prefix runtime directory behind: remove its files and it. */
static void
remove_runtime_dir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void
test_eal_finish(void)
{
	char dir[256];

	rte_mempool_walk(check_pool, NULL);
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(dir);
}
