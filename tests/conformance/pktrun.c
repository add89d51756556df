/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pktrun: run packetdrill scripts against the stack.
 *
 *   pktrun [-v] DIR_OR_FILE...
 *   pktrun --root DIR --expect FILE [--write FILE]
 *
 * The first form runs every .pkt file (directories recursively, in name
 * order) and prints one line per script and, for a failure, the first
 * mismatch as expected-versus-actual lines; it ends with
 * "N passed, N failed, N skipped" and exits 1 if any failed. The second
 * runs every script under DIR and compares the outcomes with FILE (one line
 * per script path relative to DIR: "pass", "fail REASON" or "skip REASON");
 * any difference (a regression, a script that now passes, a skip that
 * changed, a script missing from the file) fails. --write FILE writes what
 * this run saw in that format, keeping the reasons FILE gives for fails.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rte_eal.h>

#include "check.h"
#include "pd_run.h"

struct pd_list {
	char **v;
	unsigned int n, cap;
};

static void
pd_list_add(struct pd_list *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (l->v == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	l->v[l->n++] = strdup(s);
}

static int
pd_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
pd_is_pkt(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".pkt") == 0;
}

static void
pd_walk(const char *path, struct pd_list *out)
{
	struct stat st;
	struct dirent *e;
	DIR *d;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "pktrun: %s: cannot stat\n", path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		pd_list_add(out, path);
		return;
	}
	d = opendir(path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char sub[1024];

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (stat(sub, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) || pd_is_pkt(e->d_name))
			pd_walk(sub, out);
	}
	closedir(d);
}

/* First line of @p s into @p out. */
static void
pd_first_line(const char *s, char *out, size_t len)
{
	size_t n = strcspn(s, "\n");

	snprintf(out, len, "%.*s", (int)n, s);
}

static const char *const pd_verdict_name[] = {"pass", "fail", "skip"};

/* ---- expectations ---- */

struct pd_expect {
	char *path;
	enum pd_verdict v;
	char *reason;
	bool seen;
};

struct pd_expects {
	struct pd_expect *e;
	unsigned int n;
};

static int
pd_expects_load(const char *file, struct pd_expects *x)
{
	FILE *f = fopen(file, "r");
	char line[2048];
	unsigned int cap = 0;

	memset(x, 0, sizeof(*x));
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *path, *verdict, *reason;
		unsigned int v;

		line[strcspn(line, "\n")] = '\0';
		while (*p == ' ')
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		path = strtok(p, " \t");
		verdict = strtok(NULL, " \t");
		reason = strtok(NULL, "");
		if (path == NULL || verdict == NULL)
			continue;
		for (v = 0; v < 3; v++)
			if (strcmp(verdict, pd_verdict_name[v]) == 0)
				break;
		if (v == 3) {
			fprintf(stderr, "pktrun: %s: bad verdict '%s' for %s\n", file, verdict, path);
			fclose(f);
			return -1;
		}
		if (x->n == cap) {
			cap = cap ? cap * 2 : 512;
			x->e = realloc(x->e, cap * sizeof(*x->e));
		}
		while (reason != NULL && (*reason == ' ' || *reason == '\t'))
			reason++;
		x->e[x->n++] = (struct pd_expect){ .path = strdup(path), .v = (enum pd_verdict)v,
						   .reason = strdup(reason ? reason : "") };
	}
	fclose(f);
	return 0;
}

static struct pd_expect *
pd_expects_find(struct pd_expects *x, const char *path)
{
	unsigned int i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->e[i].path, path) == 0)
			return &x->e[i];
	return NULL;
}

/* ---- main ---- */

static void
pd_usage(void)
{
	fprintf(stderr, "usage: pktrun [-v] DIR_OR_FILE...\n"
			"       pktrun [-v] --root DIR --expect FILE [--write FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *root = NULL, *expect = NULL, *write = NULL;
	struct pd_list files = {0};
	struct pd_expects x = {0};
	struct pd_pools pools;
	unsigned int count[3] = {0}, diffs = 0, i;
	bool verbose = false;
	FILE *wf = NULL;
	struct pd_result *res = malloc(sizeof(*res));
	time_t start = time(NULL);

	for (i = 1; i < (unsigned int)argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (strcmp(argv[i], "--root") == 0 && i + 1 < (unsigned int)argc)
			root = argv[++i];
		else if (strcmp(argv[i], "--expect") == 0 && i + 1 < (unsigned int)argc)
			expect = argv[++i];
		else if (strcmp(argv[i], "--write") == 0 && i + 1 < (unsigned int)argc)
			write = argv[++i];
		else if (argv[i][0] == '-')
			pd_usage();
		else
			pd_walk(argv[i], &files);
	}
	if (expect != NULL || write != NULL) {
		if (root == NULL || files.n != 0)
			pd_usage();
		pd_walk(root, &files);
		if (expect != NULL && pd_expects_load(expect, &x) != 0) {
			fprintf(stderr, "pktrun: cannot read %s\n", expect);
			return 2;
		}
	} else if (files.n == 0) {
		pd_usage();
	}
	qsort(files.v, files.n, sizeof(*files.v), pd_cmp);
	if (write != NULL && (wf = fopen(write, "w")) == NULL) {
		perror(write);
		return 2;
	}
	test_eal_init(argv[0]);
	if (res == NULL || pd_pools_create(&pools) != 0) {
		fprintf(stderr, "pktrun: cannot create packet pools\n");
		return 2;
	}
	for (i = 0; i < files.n; i++) {
		const char *path = files.v[i], *rel = path;
		char first[600];

		if (root != NULL && strncmp(path, root, strlen(root)) == 0) {
			rel = path + strlen(root);
			while (*rel == '/')
				rel++;
		}
		pd_run_file(path, &pools, verbose, res);
		count[res->v]++;
		pd_first_line(res->why, first, sizeof(first));
		if (res->v == PD_FAIL)
			printf("FAIL %s\n  %s\n", rel, res->why);
		else if (res->v == PD_SKIP)
			printf("skip %s (%s)\n", rel, first);
		else
			printf("pass %s\n", rel);
		if (wf != NULL) {
			struct pd_expect *old = pd_expects_find(&x, rel);
			const char *reason = first;

			if (old != NULL && old->v == res->v && old->reason[0] != '\0')
				reason = old->reason;
			fprintf(wf, "%s %s%s%s\n", rel, pd_verdict_name[res->v],
				res->v == PD_PASS ? "" : " ", res->v == PD_PASS ? "" : reason);
		}
		if (expect != NULL) {
			struct pd_expect *e = pd_expects_find(&x, rel);

			if (e == NULL) {
				printf("  DIFF: %s is not in %s\n", rel, expect);
				diffs++;
			} else {
				e->seen = true;
				if (e->v != res->v) {
					printf("  DIFF: %s: expected %s, got %s%s\n", rel,
					       pd_verdict_name[e->v], pd_verdict_name[res->v],
					       e->v == PD_PASS ? " (regression)" :
					       res->v == PD_PASS ? " (now passes: update the file)" : "");
					diffs++;
				}
			}
		}
	}
	if (expect != NULL) {
		for (i = 0; i < x.n; i++) {
			if (!x.e[i].seen) {
				printf("  DIFF: %s listed in %s but not found\n", x.e[i].path, expect);
				diffs++;
			}
		}
	}
	if (wf != NULL)
		fclose(wf);
	for (i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	for (i = 0; i < x.n; i++) {
		free(x.e[i].path);
		free(x.e[i].reason);
	}
	free(x.e);
	free(res);
	pd_pools_free(&pools);
	test_eal_finish();
	if (expect != NULL)
		printf("%u differences from %s\n", diffs, expect);
	printf("%u scripts in %lds\n", files.n, (long)(time(NULL) - start));
	printf("%u passed, %u failed, %u skipped\n", count[PD_PASS], count[PD_FAIL], count[PD_SKIP]);
	if (expect != NULL)
		return diffs == 0 ? 0 : 1;
	return count[PD_FAIL] == 0 ? 0 : 1;
}
