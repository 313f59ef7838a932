/* ws.h - the client side of RFC 6455: the upgrade and a frame reader */
#ifndef LXD_HARDEN_WS_H
#define LXD_HARDEN_WS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/*
 * No I/O here: the caller moves bytes (ws_reader_feed) and this file
 * says what they mean, so that the reader can be fuzzed and tested
 * without a server. Memory is bounded: a message (all its fragments)
 * longer than WS_MAX_MESSAGE, or more unread bytes than a frame of that
 * size needs, is a protocol error, never a larger buffer.
 */
#define WS_MAX_MESSAGE (4u << 20)
/* the longest answer to the upgrade request (status line and headers) */
#define WS_MAX_HANDSHAKE 16384u

enum ws_op {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

/* Sec-WebSocket-Key: 16 random bytes, base64 (24 chars and a NUL). */
int ws_key_new(char key[25]);
/* The Sec-WebSocket-Accept a server must answer key with (28 + NUL). */
void ws_accept_of(const char *key, char out[29]);

/*
 * Reads the server's answer to the upgrade request in buf (len bytes,
 * not NUL-terminated). Returns 1 when the headers are complete and say
 * 101 Switching Protocols with Upgrade: websocket, Connection: upgrade
 * and the Sec-WebSocket-Accept that key calls for (*used is then the
 * length of the headers: what follows is frame data); 0 when more bytes
 * are needed; -1 with one line in why when the answer refuses or is
 * not a websocket upgrade (an HTTP error, a wrong accept value, headers
 * longer than WS_MAX_HANDSHAKE).
 */
int ws_handshake_parse(const char *buf, size_t len, const char *key,
		       size_t *used, char *why, size_t whylen);

/*
 * One frame from the client to the server, masked with mask (RFC 6455
 * 5.3: every client frame is). Appended to out.
 */
void ws_frame_build(struct strbuf *out, enum ws_op op, const void *payload,
		    size_t len, const unsigned char mask[4]);

struct ws_reader {
	unsigned char *buf;	/* bytes fed and not yet consumed */
	size_t len, cap, off;
	struct strbuf msg;	/* the message being assembled */
	bool in_message;	/* a fragmented message has begun */
	enum ws_op msg_op;
	char ctl[126];		/* the payload of the last ping or pong */
	bool closed;		/* a close frame was read */
	size_t max_message;	/* WS_MAX_MESSAGE unless set lower */
};

void ws_reader_init(struct ws_reader *r);
void ws_reader_release(struct ws_reader *r);

/*
 * Adds bytes read from the connection. Returns 0, or -1 with why set
 * when more bytes are pending than a frame may have.
 */
int ws_reader_feed(struct ws_reader *r, const void *data, size_t len,
		   char *why, size_t whylen);

enum ws_event {
	WS_EV_NONE,	/* a whole frame is not there yet: feed more */
	WS_EV_MESSAGE,	/* a whole text or binary message */
	WS_EV_PING,	/* answer with a pong of the same payload */
	WS_EV_PONG,
	WS_EV_CLOSE,	/* the server closes; code 1005 when it gave none */
	WS_EV_ERROR,	/* a protocol violation: drop the connection */
};

struct ws_msg {
	enum ws_op op;		/* WS_OP_TEXT or WS_OP_BINARY for a message */
	const char *data;	/* NUL-terminated copy; valid until the next
				   call on the reader */
	size_t len;
	unsigned close_code;
};

/*
 * The next event of what was fed. Call until WS_EV_NONE. After
 * WS_EV_ERROR (why says what) or WS_EV_CLOSE the reader reads nothing
 * more.
 */
enum ws_event ws_reader_next(struct ws_reader *r, struct ws_msg *m,
			     char *why, size_t whylen);

#endif
