#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# An out-of-tree WSK client built only with what `pkg-config wskstack` gives
# (the build dir's uninstalled .pc): it must compile without DPDK or Linux
# socket headers in its translation unit, link, and run.
# usage: nt_pkgconfig.sh BUILD_ROOT SANITIZE(none|address,undefined|...) CC
set -eu
build=$1
sanitize=$2
cc=${3:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
san=""
[ "$sanitize" = none ] || san="-fsanitize=$sanitize"

cat > "$tmp/client.c" <<'C'
#include <ntddk.h>
#include <wsk.h>
#include <ntstrsafe.h>
#include <stdio.h>

#if defined(_SYS_SOCKET_H) || defined(_NETINET_IN_H)
#error "a Linux socket header reached the client"
#endif

static IO_COMPLETION_ROUTINE done;

static NTSTATUS done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
	UNREFERENCED_PARAMETER(DeviceObject);
	UNREFERENCED_PARAMETER(Irp);
	KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

int main(void)
{
	WCHAR text[64];
	KEVENT ev;
	PIRP irp = IoAllocateIrp(1, FALSE);
	int failed = 0;

	KeInitializeEvent(&ev, NotificationEvent, FALSE);
	IoSetCompletionRoutine(irp, done, &ev, TRUE, TRUE, TRUE);
	irp->CurrentLocation--;
	irp->Tail.Overlay.CurrentStackLocation--;
	irp->IoStatus.Status = STATUS_SUCCESS;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	failed += KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL) != STATUS_SUCCESS;
	IoFreeIrp(irp);
	failed += AF_INET6 != 23 || SOL_SOCKET != 0xffff || sizeof(WCHAR) != 2;
	failed += NPI_WSK_INTERFACE_ID.Data1 != 0x2227E803;
	failed += RtlStringCbPrintfW(text, sizeof(text), L"%ws %d", L"v", MAKE_WSK_VERSION(1, 0)) !=
		  STATUS_SUCCESS || text[0] != L'v' || text[2] != L'2';
	printf("%d passed, %d failed\n", 4 - failed, failed);
	return failed != 0;
}
C

cflags=$(pkg-config --cflags wskstack)
libs=$(pkg-config --libs wskstack)
echo "cflags: $cflags"
echo "libs: $libs"
# shellcheck disable=SC2086
"$cc" -std=gnu11 -Wall -Wextra -Werror $san $cflags -o "$tmp/client" "$tmp/client.c" $libs
"$tmp/client"
