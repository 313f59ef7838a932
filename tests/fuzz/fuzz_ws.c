/* fuzz_ws.c - the websocket frame reader and upgrade answer of watch */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte chooses how the rest is cut into reads (1-32 bytes, or
 * all at once) and a low message limit half of the time, so that
 * fragments, partial headers and the limits are all reached.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_reader r;
	struct ws_msg m;
	char why[256];
	size_t step, used = 0;

	if (size < 1)
		return 0;
	step = (data[0] & 0x1f) + 1;
	if (data[0] & 0x40)
		step = size;
	(void)ws_handshake_parse((const char *)data + 1, size - 1,
				 "dGhlIHNhbXBsZSBub25jZQ==", &used, why,
				 sizeof(why));
	ws_reader_init(&r);
	if (data[0] & 0x80)
		r.max_message = 256;
	for (size_t off = 1; off < size; off += step) {
		size_t n = size - off < step ? size - off : step;
		enum ws_event ev;

		if (ws_reader_feed(&r, data + off, n, why, sizeof(why)) != 0)
			break;
		while ((ev = ws_reader_next(&r, &m, why, sizeof(why))) !=
		       WS_EV_NONE) {
			if (ev == WS_EV_MESSAGE || ev == WS_EV_PING ||
			    ev == WS_EV_PONG) {
				/* what the caller reads must be there */
				if (m.data[m.len] != '\0')
					abort();
				if (m.len > r.max_message)
					abort();
			}
			if (ev == WS_EV_ERROR || ev == WS_EV_CLOSE)
				goto out;
		}
	}
out:
	ws_reader_release(&r);
	return 0;
}
