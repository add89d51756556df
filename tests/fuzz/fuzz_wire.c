/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * libFuzzer target for stack/wire: every parser on each input, with the
 * invariants of fuzz_wire_one.h. A broken invariant aborts, so libFuzzer
 * saves the input; ASan and UBSan catch bad reads.
 *
 * Build with -Dfuzz=true and clang; run e.g.
 *   ./build/tests/fuzz/fuzz_wire -max_len=1600 corpus/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_wire_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *err = fuzz_wire_one(data, size, NULL);

	if (err != NULL) {
		fprintf(stderr, "fuzz_wire: %s\n", err);
		abort();
	}
	return 0;
}
