/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
int main(void);
int
main(void)
{
	printf("SKIP: not written yet\n");
	return 77;
}
