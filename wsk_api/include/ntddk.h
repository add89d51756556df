/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ntddk.h: wdm.h plus the few non-WDM declarations WSK clients use.
 */
#ifndef _NTDDK_
#define _NTDDK_

#include <wdm.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the running system reported to drivers (Windows 10). */
typedef struct _OSVERSIONINFOW {
	ULONG dwOSVersionInfoSize;
	ULONG dwMajorVersion;
	ULONG dwMinorVersion;
	ULONG dwBuildNumber;
	ULONG dwPlatformId;
	WCHAR szCSDVersion[128];
} OSVERSIONINFOW, *POSVERSIONINFOW, RTL_OSVERSIONINFOW, *PRTL_OSVERSIONINFOW;

/** Fills Major 10, Minor 0, Build 19041, PlatformId 2 (VER_PLATFORM_WIN32_NT). */
NTSYSAPI NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation);
NTKERNELAPI BOOLEAN PsGetVersion(PULONG MajorVersion, PULONG MinorVersion, PULONG BuildNumber,
				 PUNICODE_STRING CSDVersion);

#ifdef __cplusplus
}
#endif

#endif /* _NTDDK_ */
