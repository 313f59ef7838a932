/* fuzz_x509.c - the PEM certificate reader behind ACC-005/007/008 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pem = fuzz_cstr(data, size);
	struct x509_info info;
	struct diag d = { { 0 } };

	(void)x509_parse_pem(pem, &info, &d);
	free(pem);
	return 0;
}
