/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host side of the file cache: walk a directory tree. A Windows driver
 * would enumerate with ZwQueryDirectoryFile at PASSIVE_LEVEL; the NT
 * runtime has no file system calls, so this translation unit does it with
 * POSIX and sees no Windows header (plain C types at its interface,
 * httpd.h is not included). Only the names and sizes leave it; the bytes
 * are read with <stdio.h> by docroot.c.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int HttpdListTree(const char *Root, void (*Fn)(void *Ctx, const char *Rel, unsigned long long Size),
		  void *Ctx);

#define LIST_PATH_MAX 4096
#define LIST_DEPTH_MAX 16

static int
list_dir(char *full, size_t rootlen, size_t len, int depth,
	 void (*fn)(void *, const char *, unsigned long long), void *ctx)
{
	DIR *d = opendir(full);
	struct dirent *e;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.') /* ., .. and hidden files are not served */
			continue;
		if (len + 1 + n + 1 > LIST_PATH_MAX)
			continue;
		full[len] = '/';
		memcpy(full + len + 1, e->d_name, n + 1);
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < LIST_DEPTH_MAX)
			list_dir(full, rootlen, len + 1 + n, depth + 1, fn, ctx);
		else if (S_ISREG(st.st_mode))
			fn(ctx, full + rootlen + 1, (unsigned long long)st.st_size);
	}
	full[len] = '\0';
	closedir(d);
	return 0;
}

int
HttpdListTree(const char *Root, void (*Fn)(void *Ctx, const char *Rel, unsigned long long Size),
	      void *Ctx)
{
	char full[LIST_PATH_MAX];
	size_t len = strlen(Root);

	while (len > 1 && Root[len - 1] == '/')
		len--;
	if (len == 0 || len >= LIST_PATH_MAX / 2)
		return -1;
	memcpy(full, Root, len);
	full[len] = '\0';
	return list_dir(full, len, len, 0, Fn, Ctx);
}
