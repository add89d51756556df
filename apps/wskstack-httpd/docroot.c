/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The file cache: the docroot is read into nonpaged pool at PASSIVE_LEVEL
 * before the listener opens, so the lcore answers from memory without
 * blocking and sends bodies zero-copy through one MDL per file. Lookups
 * are an open-addressing table keyed by the normalised path; the table is
 * read-only once loading is over. "/fixed" and "/bytes/N" share one
 * pattern buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"

typedef struct _CACHE_FILE {
	char *Path;              /**< "/a/b.html" */
	HTTPD_BODY Body;
} CACHE_FILE;

typedef struct _CACHE {
	CACHE_FILE *Files;
	ULONG Count;
	ULONG *Table;            /**< index + 1 into Files, 0: empty */
	ULONG TableSize;         /**< power of two, at least 2 x HTTPD_FILES_MAX */
	ULONGLONG Bytes;
	HTTPD_BODY Fixed;
	const char *Root;
	ULONG Skipped;
} CACHE;

static CACHE Cache;

static const struct {
	const char *Ext;
	const char *Type;
} Types[] = {
	{ "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" }, { "css", "text/css" },
	{ "js", "text/javascript" },            { "json", "application/json" },
	{ "xml", "application/xml" },           { "svg", "image/svg+xml" },
	{ "png", "image/png" },                 { "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },               { "gif", "image/gif" },
	{ "ico", "image/x-icon" },              { "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
};

static const char *
TypeOf(const char *Path)
{
	const char *dot = strrchr(Path, '.');
	const char *slash = strrchr(Path, '/');
	size_t i;

	if (dot != NULL && (slash == NULL || dot > slash)) {
		for (i = 0; i < sizeof(Types) / sizeof(Types[0]); i++) {
			const char *a = dot + 1, *b = Types[i].Ext;

			while (*a != '\0' && *b != '\0' && (*a | 0x20) == *b) {
				a++;
				b++;
			}
			if (*a == '\0' && *b == '\0')
				return Types[i].Type;
		}
	}
	return "application/octet-stream";
}

static ULONG
Hash(const char *s)
{
	ULONG h = 2166136261u; /* FNV-1a */

	while (*s != '\0')
		h = (h ^ (UCHAR)*s++) * 16777619u;
	return h;
}

static NTSTATUS
BodyAlloc(HTTPD_BODY *b, ULONG Size)
{
	/* One byte at least: an MDL needs a buffer, an empty file a body of 0. */
	b->Data = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, Size ? Size : 1,
				  HTTPD_TAG);
	b->Size = Size;
	b->Mdl = NULL;
	if (b->Data == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	b->Mdl = IoAllocateMdl(b->Data, Size ? Size : 1, FALSE, FALSE, NULL);
	if (b->Mdl == NULL) {
		ExFreePoolWithTag(b->Data, HTTPD_TAG);
		b->Data = NULL;
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	MmBuildMdlForNonPagedPool(b->Mdl);
	return STATUS_SUCCESS;
}

static VOID
BodyFree(HTTPD_BODY *b)
{
	if (b->Mdl != NULL)
		IoFreeMdl(b->Mdl);
	if (b->Data != NULL)
		ExFreePoolWithTag(b->Data, HTTPD_TAG);
	b->Mdl = NULL;
	b->Data = NULL;
}

static BOOLEAN
ReadFile(const char *Full, HTTPD_BODY *b)
{
	FILE *f = fopen(Full, "rb");
	size_t got = 0;
	int extra;

	if (f == NULL)
		return FALSE;
	while (got < b->Size) {
		size_t n = fread(b->Data + got, 1, b->Size - got, f);

		if (n == 0)
			break;
		got += n;
	}
	extra = fgetc(f); /* the file grew or shrank since it was listed: skip it */
	fclose(f);
	return got == b->Size && extra == EOF;
}

static VOID
Insert(ULONG Index)
{
	ULONG i = Hash(Cache.Files[Index].Path) & (Cache.TableSize - 1);

	while (Cache.Table[i] != 0)
		i = (i + 1) & (Cache.TableSize - 1);
	Cache.Table[i] = Index + 1;
}

static VOID
AddFile(void *Ctx, const char *Rel, unsigned long long Size)
{
	CACHE_FILE *cf;
	size_t rl = strlen(Rel), fl = strlen(Cache.Root);
	char *full;

	UNREFERENCED_PARAMETER(Ctx);
	if (Cache.Count >= HTTPD_FILES_MAX || Size > HTTPD_FILE_MAX ||
	    Cache.Bytes + Size > HTTPD_CACHE_MAX || rl + 1 > HTTPD_PATH_MAX) {
		fprintf(stderr, "wskstack-httpd: not cached (limits: %u files, %u MiB each, %u MiB "
			"in all, path %u): %s (%llu bytes)\n", HTTPD_FILES_MAX, HTTPD_FILE_MAX >> 20,
			HTTPD_CACHE_MAX >> 20, HTTPD_PATH_MAX, Rel, Size);
		Cache.Skipped++;
		return;
	}
	cf = &Cache.Files[Cache.Count];
	cf->Path = malloc(rl + 2);
	full = malloc(fl + rl + 2);
	if (cf->Path == NULL || full == NULL || !NT_SUCCESS(BodyAlloc(&cf->Body, (ULONG)Size))) {
		free(cf->Path);
		free(full);
		Cache.Skipped++;
		return;
	}
	cf->Path[0] = '/';
	memcpy(cf->Path + 1, Rel, rl + 1);
	snprintf(full, fl + rl + 2, "%s/%s", Cache.Root, Rel);
	if (!ReadFile(full, &cf->Body)) {
		fprintf(stderr, "wskstack-httpd: cannot read %s: skipped\n", full);
		BodyFree(&cf->Body);
		free(cf->Path);
		free(full);
		Cache.Skipped++;
		return;
	}
	free(full);
	cf->Body.Type = TypeOf(cf->Path);
	Cache.Bytes += Size;
	Insert(Cache.Count++);
}

static NTSTATUS
FixedBuild(ULONG FixedSize)
{
	ULONG size = FixedSize > HTTPD_FIXED_MIN ? FixedSize : HTTPD_FIXED_MIN;
	static const char pattern[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
	ULONG i;

	if (!NT_SUCCESS(BodyAlloc(&Cache.Fixed, size)))
		return STATUS_INSUFFICIENT_RESOURCES;
	for (i = 0; i < size; i++)
		Cache.Fixed.Data[i] = (UCHAR)pattern[i % (sizeof(pattern) - 1)];
	Cache.Fixed.Type = "application/octet-stream";
	return STATUS_SUCCESS;
}

NTSTATUS
HttpdCacheLoad(const char *Root, ULONG FixedSize)
{
	RtlZeroMemory(&Cache, sizeof(Cache));
	if (!NT_SUCCESS(FixedBuild(FixedSize))) {
		fprintf(stderr, "wskstack-httpd: cannot allocate the fixed body\n");
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if (Root == NULL)
		return STATUS_SUCCESS;
	Cache.Root = Root;
	Cache.TableSize = 2 * HTTPD_FILES_MAX;
	Cache.Files = calloc(HTTPD_FILES_MAX, sizeof(*Cache.Files));
	Cache.Table = calloc(Cache.TableSize, sizeof(*Cache.Table));
	if (Cache.Files == NULL || Cache.Table == NULL) {
		HttpdCacheFree();
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if (HttpdListTree(Root, AddFile, NULL) != 0) {
		fprintf(stderr, "wskstack-httpd: cannot read the docroot %s\n", Root);
		HttpdCacheFree();
		return STATUS_OBJECT_PATH_NOT_FOUND;
	}
	return STATUS_SUCCESS;
}

VOID
HttpdCacheFree(VOID)
{
	ULONG i;

	for (i = 0; i < Cache.Count; i++) {
		BodyFree(&Cache.Files[i].Body);
		free(Cache.Files[i].Path);
	}
	free(Cache.Files);
	free(Cache.Table);
	BodyFree(&Cache.Fixed);
	RtlZeroMemory(&Cache, sizeof(Cache));
}

VOID
HttpdCacheStats(ULONG *Files, ULONGLONG *Bytes)
{
	*Files = Cache.Count;
	*Bytes = Cache.Bytes;
}

static const HTTPD_BODY *
FixedLookup(const char *Path, ULONG *Length)
{
	ULONGLONG n = 0;
	const char *p;

	if (strcmp(Path, "/fixed") == 0) {
		*Length = HttpdConfig.BodySize;
		return &Cache.Fixed;
	}
	if (strncmp(Path, "/bytes/", 7) != 0 || Path[7] == '\0')
		return NULL;
	for (p = Path + 7; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return NULL;
		n = n * 10 + (ULONG)(*p - '0');
		if (n > Cache.Fixed.Size)
			return NULL;
	}
	*Length = (ULONG)n;
	return &Cache.Fixed;
}

static const HTTPD_BODY *
FileLookup(const char *Path, ULONG *Length)
{
	ULONG i;

	if (Cache.Table == NULL)
		return NULL;
	for (i = Hash(Path) & (Cache.TableSize - 1); Cache.Table[i] != 0;
	     i = (i + 1) & (Cache.TableSize - 1)) {
		const CACHE_FILE *cf = &Cache.Files[Cache.Table[i] - 1];

		if (strcmp(cf->Path, Path) == 0) {
			*Length = cf->Body.Size;
			return &cf->Body;
		}
	}
	return NULL;
}

const HTTPD_BODY *
HttpdCacheLookup(const char *Path, ULONG *Length)
{
	char index[HTTPD_PATH_MAX + 16];
	const HTTPD_BODY *b;
	size_t n = strlen(Path);

	b = FixedLookup(Path, Length);
	if (b != NULL)
		return b;
	if (n > 0 && Path[n - 1] == '/') { /* a directory: its index.html */
		snprintf(index, sizeof(index), "%sindex.html", Path);
		return FileLookup(index, Length);
	}
	b = FileLookup(Path, Length);
	if (b == NULL) { /* "/dir" names the directory too */
		snprintf(index, sizeof(index), "%s/index.html", Path);
		b = FileLookup(index, Length);
	}
	return b;
}
