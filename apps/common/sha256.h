/* SPDX-License-Identifier: BSD-3-Clause */
/** @file SHA-256 (FIPS 180-4), for apps that prove data arrived intact. */
#ifndef WSK_APP_SHA256_H
#define WSK_APP_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;        /**< bytes hashed */
	uint8_t buf[64];     /**< partial block */
	unsigned int fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/** Finish and write the 32-byte digest. */
void sha256_final(struct sha256 *s, uint8_t out[32]);
/** Finish and write the digest as 64 lower-case hex digits and a NUL. */
void sha256_final_hex(struct sha256 *s, char out[65]);

#endif
